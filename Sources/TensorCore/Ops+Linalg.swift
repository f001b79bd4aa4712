// Matrix products: dense GEMM through OpenBLAS, and sparse CSR times dense.

import _TensorKernels

extension Tensor {
    /// The matrix product [M, K] x [K, N] -> [M, N] (OpenBLAS SGEMM), plus a bias row [N] added
    /// to every row when given (a Linear layer: the product starts from the bias rows).
    ///
    /// Backward: dA = dC B^T and dB = A^T dC, accumulated straight into the gradients by
    /// GEMM with beta = 1 (beta = 0 into a new buffer); dbias = the column sums of dC.
    public func matmul(_ other: Tensor, plus bias: Tensor? = nil) -> Tensor {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul: shapes \(shape) and \(other.shape) do not chain")
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        precondition(bias.map { $0.shape == [n] } ?? true,
                     "matmul: bias of shape \(bias?.shape ?? []) for \(n) columns")
        // Data (no gradient) that is mostly zeros, such as a batch of interaction rows, is
        // multiplied as a sparse matrix: the cost follows its non-zeros, not its size.
        if !requiresGrad, m * k >= 1 << 15, let sparse = SparseMatrix(mostlyZero: data, rows: m, columns: k) {
            return sparse.matmul(other, plus: bias)
        }
        // C starts as the bias rows (GEMM adds to them, beta = 1), or unwritten: GEMM with beta = 0
        // writes every element.
        var c = if let bias { Broadcast.expand(bias.data, from: [n], to: [m, n]) } else {
            [Float](unsafeUninitializedCapacity: m * n) { buffer, initialized in
                // K = 0: the empty sum.
                if k == 0 && m * n > 0 { buffer.baseAddress!.initialize(repeating: 0, count: m * n) }
                initialized = m * n
            }
        }
        if m > 0 && n > 0 && k > 0 {
            data.withUnsafeBufferPointer { a in other.data.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { pc in
                    Kernels.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                 a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                 beta: bias == nil ? 0 : 1, c: pc.baseAddress!, ldc: n)
                }
            } }
        }
        return Tensor.record(Tensor(c, shape: [m, n]), [self, other] + (bias.map { [$0] } ?? [])) { out in
            if let bias, bias.requiresGrad { bias.accumulateGrad(Broadcast.reduce(out.grad!, from: [m, n], to: [n])) }
            guard m > 0 && n > 0 && k > 0 else { return }
            out.grad!.withUnsafeBufferPointer { g in
                if self.requiresGrad {
                    let beta = self.gradBeta()
                    other.data.withUnsafeBufferPointer { b in
                        self.withGradBuffer { ga in
                            Kernels.gemm(transA: false, transB: true, m: m, n: k, k: n, alpha: 1,
                                         a: g.baseAddress!, lda: n, b: b.baseAddress!, ldb: n,
                                         beta: beta, c: ga.baseAddress!, ldc: k)
                        } }
                }
                if other.requiresGrad {
                    let beta = other.gradBeta()
                    self.data.withUnsafeBufferPointer { a in
                        other.withGradBuffer { gb in
                            Kernels.gemm(transA: true, transB: false, m: k, n: n, k: m, alpha: 1,
                                         a: a.baseAddress!, lda: k, b: g.baseAddress!, ldb: n,
                                         beta: beta, c: gb.baseAddress!, ldc: n)
                        } }
                }
            }
        }
    }
}

/// A sparse matrix in compressed sparse row form (Float32 values).
///
/// Row `r`'s entries are `columns[rowStart[r]..<rowStart[r+1]]` with `values` alongside.
public struct SparseMatrix: Sendable {
    public let rowCount: Int
    public let columnCount: Int
    public let rowStart: [Int]
    public let columns: [Int32]
    public let values: [Float]

    public var nonZeroCount: Int { columns.count }

    /// A CSR matrix from (row, column, value) triples; duplicates are summed, columns sorted.
    public init(rowCount: Int, columnCount: Int, entries: [(row: Int, column: Int, value: Float)]) {
        precondition(entries.allSatisfy { (0..<rowCount).contains($0.row) && (0..<columnCount).contains($0.column) },
                     "SparseMatrix: an entry lies outside \(rowCount) x \(columnCount)")
        var rowStart = [Int](repeating: 0, count: rowCount + 1), columns: [Int32] = [], values: [Float] = []
        var last: (row: Int, column: Int)?
        // A stable sort: duplicates keep their order.
        for e in entries.sorted(by: { ($0.row, $0.column) < ($1.row, $1.column) }) {
            if let l = last, l == (e.row, e.column) { values[values.count - 1] += e.value; continue }
            columns.append(Int32(e.column)); values.append(e.value); rowStart[e.row + 1] += 1
            last = (e.row, e.column)
        }
        for r in 0..<rowCount { rowStart[r + 1] += rowStart[r] }
        self.init(rowCount: rowCount, columnCount: columnCount, rowStart: rowStart, columns: columns, values: values)
    }

    /// The non-zeros of a dense row-major matrix, or nil when more than `limit` of them.
    init?(mostlyZero dense: [Float], rows: Int, columns: Int, limit: Int? = nil) {
        guard dense.count <= Int(Int32.max),
              let positions = dense.withUnsafeBufferPointer({
                  Kernels.nonZeroPositions($0, limit: limit ?? dense.count / 10)
              })
        else { return nil }  // by default, denser than a tenth: GEMM is faster
        var rowStart = [Int](repeating: 0, count: rows + 1)
        let cols = positions.map { p in rowStart[Int(p) / columns + 1] += 1; return Int32(Int(p) % columns) }
        for r in 0..<rows { rowStart[r + 1] += rowStart[r] }
        self.init(rowCount: rows, columnCount: columns, rowStart: rowStart, columns: cols,
                  values: positions.map { dense[Int($0)] })
    }

    /// Every non-zero of a rank-2 tensor.
    public init(dense x: Tensor) {
        guard x.rank == 2, let all = SparseMatrix(mostlyZero: x.data, rows: x.shape[0], columns: x.shape[1],
                                                  limit: x.count) else {
            preconditionFailure("SparseMatrix(dense:): a rank-2 tensor of < 2^31 elements, not \(x.shape)")
        }
        self = all
    }

    /// A CSR matrix from its arrays (checked).
    public init(rowCount: Int, columnCount: Int, rowStart: [Int], columns: [Int32], values: [Float]) {
        precondition(rowStart.count == rowCount + 1 && rowStart.first == 0 && rowStart.last == columns.count
                     && values.count == columns.count && columns.allSatisfy({ $0 >= 0 && Int($0) < columnCount }),
                     "SparseMatrix: inconsistent CSR arrays")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }

    /// The transpose, also in CSR form.
    public func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: columnCount + 1)
        for c in columns { counts[Int(c) + 1] += 1 }
        for j in 0..<columnCount { counts[j + 1] += counts[j] }
        var next = counts
        var cols = [Int32](repeating: 0, count: columns.count)
        var vals = [Float](repeating: 0, count: values.count)
        for r in 0..<rowCount {
            for k in rowStart[r]..<rowStart[r + 1] {
                let c = Int(columns[k])
                cols[next[c]] = Int32(r); vals[next[c]] = values[k]; next[c] += 1
            }
        }
        return SparseMatrix(rowCount: columnCount, columnCount: rowCount, rowStart: counts, columns: cols, values: vals)
    }

    /// out[rows, D] += self x dense[columns, D].
    func multiply(_ dense: UnsafeBufferPointer<Float>, width d: Int, into out: UnsafeMutableBufferPointer<Float>) {
        multiply(dense.baseAddress, width: d, base: out.baseAddress, into: out.baseAddress)
    }

    /// Per row, with p = base + self x dense (base nil: 0): out = p * outScale and sum = (sum + p) * sumScale
    /// (either nil: not written); out may be base. Rows are split across threads by their non-zeros.
    func multiply(_ dense: UnsafePointer<Float>?, width d: Int, base: UnsafePointer<Float>?,
                  into out: UnsafeMutablePointer<Float>?, outScale: Float = 1,
                  sum: UnsafeMutablePointer<Float>? = nil, sumScale: Float = 1) {
        guard rowCount > 0, d > 0 else { return }
        rowStart.withUnsafeBufferPointer { starts in columns.withUnsafeBufferPointer { cols in
            values.withUnsafeBufferPointer { vals in
                Kernels.parallelRanges(rowCount, offsets: starts, threshold: 4096) { r in
                    wb_sparse_rows(starts.baseAddress, cols.baseAddress, vals.baseAddress, r.lowerBound, r.upperBound,
                                   dense, d, base, out, outScale, sum, sumScale)
                }
            } } }
    }
}

extension SparseMatrix {
    /// The product of this sparse matrix [R, C] and a dense tensor [C, D] -> [R, D].
    ///
    /// Backward (with respect to the dense side only): dX = A^T dY. Pass `transpose` when A^T
    /// is already at hand (a symmetric A is its own), to skip building it on every call.
    public func matmul(_ dense: Tensor, transpose given: SparseMatrix? = nil, plus bias: Tensor? = nil) -> Tensor {
        precondition(dense.rank == 2 && dense.shape[0] == columnCount,
                     "sparse matmul: [\(rowCount), \(columnCount)] times \(dense.shape)")
        let d = dense.shape[1]
        var y = bias.map { Broadcast.expand($0.data, from: [d], to: [rowCount, d]) }
            ?? [Float](repeating: 0, count: rowCount * d)
        dense.data.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { multiply(x, width: d, into: $0) } }
        let transpose = dense.requiresGrad && Tensor.isGradEnabled ? (given ?? self.transposed()) : nil
        return Tensor.record(Tensor(y, shape: [rowCount, d]), [dense] + (bias.map { [$0] } ?? [])) { out in
            if let bias, bias.requiresGrad {
                bias.accumulateGrad(Broadcast.reduce(out.grad!, from: [self.rowCount, d], to: [d]))
            }
            guard let transpose else { return }
            out.grad!.withUnsafeBufferPointer { g in
                dense.withGradBuffer { gx in transpose.multiply(g, width: d, into: gx) }
            }
        }
    }

    /// The mean of A^0 X, A^1 X, ..., A^L X for this symmetric matrix A [N, N] and X [N, D]:
    /// LightGCN's layer mean as one op. Backward: dX = (G + A(G + A(G + ... A G))) / (L + 1) by
    /// Horner's rule (A is its own transpose), L products each way and no intermediate tensors.
    public func powerMean(_ x: Tensor, degree layers: Int) -> Tensor {
        precondition(rowCount == columnCount && x.rank == 2 && x.shape[0] == columnCount && layers >= 0,
                     "powerMean: a square [N, N] matrix and [N, D], got [\(rowCount), \(columnCount)] and \(x.shape)")
        let d = x.shape[1], scale = 1 / Float(layers + 1)
        // Each layer's product adds itself into the sum as it is written, and the last one scales it.
        func written(_ count: Int, _ body: (UnsafeMutablePointer<Float>?) -> Void) -> [Float] {
            [Float](unsafeUninitializedCapacity: count) { buffer, n in
                body(count > 0 ? buffer.baseAddress : nil)  // an empty array's storage is not room for a row
                n = count
            }
        }
        var sum = x.data, current = x.data
        for layer in 0..<layers {
            let last = layer == layers - 1
            current = sum.withUnsafeMutableBufferPointer { s in current.withUnsafeBufferPointer { c in
                written(last ? 0 : s.count) { next in
                    multiply(c.baseAddress, width: d, base: nil, into: next, sum: s.baseAddress,
                             sumScale: last ? scale : 1)
                }
            } }
        }
        return Tensor.record(Tensor(sum, shape: x.shape), [x]) { out in
            let g = out.grad!
            var h = g
            g.withUnsafeBufferPointer { g in
                for layer in 0..<layers {
                    h = h.withUnsafeBufferPointer { hh in
                        written(hh.count) {
                            self.multiply(hh.baseAddress, width: d, base: g.baseAddress, into: $0,
                                          outScale: layer == layers - 1 ? scale : 1)
                        }
                    }
                }
            }
            x.accumulateGrad(h)
        }
    }
}
