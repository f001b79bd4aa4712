// A dense layer evaluated only where a sparse pattern has entries. AutoRec's decoder feeds a
// loss that reads the observed ratings only (about 6% of a row on MovieLens-100K): computing
// those nnz outputs, each a dot product of length H, costs nnz·H instead of the B·F·H of the
// full product, forward and backward.

import _TensorKernels

extension Tensor {
    /// (self · weight + bias) at the non-zeros of `pattern`, in its row-major (CSR) order: [nnz].
    /// self [B, H], weight [H, F], bias [F] when given, pattern [B, F] (its values are not used).
    ///
    /// Backward: dself[b] += Σ_k g_k W[:, j_k] over row b's entries; dW[:, j] += Σ g_k self[b_k]
    /// over column j's; dbias[j] += Σ g_k. Both are sparse-times-dense products (one over the
    /// pattern's rows, one over its columns), so each output is written by one thread.
    public func matmul(_ weight: Tensor, plus bias: Tensor? = nil, at pattern: SparseMatrix) -> Tensor {
        precondition(
            rank == 2 && weight.rank == 2 && shape[1] == weight.shape[0] && pattern.rowCount == shape[0]
                && pattern.columnCount == weight.shape[1] && (bias.map { $0.shape == [weight.shape[1]] } ?? true),
            "matmul(at:): \(shape) x \(weight.shape) at a [\(pattern.rowCount), \(pattern.columnCount)] pattern")
        let (h, f) = (shape[1], weight.shape[1])
        let wt = Self.transpose(weight.data, h, f)  // [F, H]: each output's weights contiguous
        var out = [Float](repeating: 0, count: pattern.nonZeroCount)
        let starts = pattern.rowStart, columns = pattern.columns, b = bias?.data
        out.withUnsafeMutableBufferPointer { o in
            let po = SendablePointer(base: o.baseAddress!)
            data.withUnsafeBufferPointer { x in wt.withUnsafeBufferPointer { w in
                Kernels.parallelRanges(pattern.rowCount, threshold: 64) { range in
                    for r in range {
                        for k in starts[r]..<starts[r + 1] {
                            let j = Int(columns[k])
                            po.base[k] = wb_dot(x.baseAddress! + r * h, w.baseAddress! + j * h, h) + (b?[j] ?? 0)
                        }
                    }
                }
            } }
        }
        return Tensor.record(Tensor(out, shape: [pattern.nonZeroCount]), [self, weight] + (bias.map { [$0] } ?? [])) {
            node in
            let g = node.grad!
            if self.requiresGrad {
                let rows = SparseMatrix(
                    rowCount: pattern.rowCount, columnCount: f, rowStart: starts, columns: columns, values: g)
                wt.withUnsafeBufferPointer { w in self.withGradBuffer { rows.multiply(w, width: h, into: $0) } }
            }
            if weight.requiresGrad {
                // dWᵀ [F, H] = (the pattern with values g)ᵀ · self, then transposed into W's layout.
                let byColumn = SparseMatrix(
                    rowCount: pattern.rowCount, columnCount: f, rowStart: starts, columns: columns, values: g
                ).transposed()
                var dwt = [Float](repeating: 0, count: f * h)
                self.data.withUnsafeBufferPointer { x in
                    dwt.withUnsafeMutableBufferPointer { byColumn.multiply(x, width: h, into: $0) }
                }
                weight.accumulateGrad(Self.transpose(dwt, f, h))
            }
            if let bias, bias.requiresGrad {
                var db = [Float](repeating: 0, count: f)
                for (k, j) in columns.enumerated() { db[Int(j)] += g[k] }
                bias.accumulateGrad(db)
            }
        }
    }

    /// [m, n] row-major -> [n, m] (also `transposed()`'s).
    static func transpose(_ x: [Float], _ m: Int, _ n: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { dst in
                for i in 0..<m { for j in 0..<n { dst[j * m + i] = src[i * n + j] } }
            }
        }
        return y
    }
}
