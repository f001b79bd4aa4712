// Storage level: plain loops over contiguous Float32 buffers, and the BLAS calls. Everything
// above this file works on whole tensors.

import COpenBLAS
import _TensorKernels
import Dispatch
import Foundation

/// A pointer that may cross into `DispatchQueue.concurrentPerform`: each worker touches its
/// own disjoint range, which is what makes the sharing safe.
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// A non-escaping loop body handed to worker threads; the caller waits for all of them.
private struct SendableBody: @unchecked Sendable {
    let run: (Range<Int>) -> Void
}

/// Low-level loops. Large element-wise loops are split across threads; reductions use fixed
/// block boundaries, so their result never depends on the thread count.
public enum Kernels {
    /// Worker threads for the core's own loops (GEMM included) and for LAPACK. Defaults to the
    /// number of active processors; `WORKBOOK_THREADS` or `setThreadCount` overrides it.
    nonisolated(unsafe) public private(set) static var threadCount: Int = {
        let fromEnvironment = ProcessInfo.processInfo.environment["WORKBOOK_THREADS"].flatMap { Int($0) }
        let n = max(1, fromEnvironment ?? ProcessInfo.processInfo.activeProcessorCount)
        // OpenBLAS runs single-threaded except inside `withBLASThreads` (LAPACK).
        openblas_set_num_threads(1); blasThreads = 1
        #if canImport(Glibc)
        // Keep freed tensor buffers in the heap for reuse instead of returning each large one
        // to the kernel: a fresh mmap of a 40 MB result costs 10,000 page faults (more than the
        // arithmetic). NumPy gets the same effect from huge pages.
        mallopt(M_MMAP_THRESHOLD, 1 << 30)
        mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
        return n
    }()

    /// Sets the threads used by the core (call before work starts).
    public static func setThreadCount(_ n: Int) {
        threadCount = max(1, n)
    }

    nonisolated(unsafe) static var blasThreads = 0  // the thread count OpenBLAS was last given

    /// Runs `body` (LAPACK, whose blocked factorisations call BLAS inside) on `threadCount` threads.
    static func withBLASThreads<T>(_ body: () throws -> T) rethrows -> T {
        if blasThreads != threadCount { openblas_set_num_threads(Int32(threadCount)); blasThreads = threadCount }
        return try body()
    }

    /// The blocks a large matrix product is cut into, on any number of threads (two per worker
    /// of a 4-core machine; a 2-core one runs two blocks per worker).
    static let gemmPieces = 4

    /// Below this many elements a loop runs on one thread (thread start-up costs more).
    static let parallelThreshold = 1 << 17

    /// Runs `body(range)` over 0..<count, split into contiguous chunks across threads.
    @inline(__always)
    static func parallelRanges(_ count: Int, threshold: Int = parallelThreshold,
                               _ body: (Range<Int>) -> Void) {
        let threads = min(threadCount, count)
        if count < threshold || threads <= 1 { body(0..<count); return }
        let chunk = (count + threads - 1) / threads
        withoutActuallyEscaping(body) { body in
            let work = SendableBody(run: body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lo = t * chunk, hi = min(count, lo + chunk)
                if lo < hi { work.run(lo..<hi) }
            }
        }
    }

    /// Runs `body(range)` over 0..<count in contiguous chunks of about equal work, `offsets[i]` being the work
    /// before element i (a CSR matrix's row starts: equal row counts would give one thread most of the edges).
    static func parallelRanges(_ count: Int, offsets: UnsafeBufferPointer<Int>, threshold: Int,
                               _ body: (Range<Int>) -> Void) {
        let threads = min(threadCount, count), total = offsets[count] - offsets[0]
        if total < threshold || threads <= 1 { body(0..<count); return }
        var cuts = [0]  // chunk t ends where t / threads of the work is done
        for t in 1...threads {
            var r = cuts[t - 1]
            while r < count && offsets[r] - offsets[0] < total * t / threads { r += 1 }
            cuts.append(t == threads ? count : r)
        }
        withoutActuallyEscaping(body) { body in
            let (work, chunks) = (SendableBody(run: body), cuts)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                if chunks[t] < chunks[t + 1] { work.run(chunks[t]..<chunks[t + 1]) }
            }
        }
    }

    /// A new array of `count` elements written by `body(range, pointer)` over parallel ranges
    /// of elements (or of `rows` equal rows, when given), with no zero-filling first.
    @inline(__always)
    static func fill(_ count: Int, rows: Int = 0,
                     _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                let out = SendablePointer(base: buffer.baseAddress!)
                if rows > 0 {
                    parallelRanges(rows, threshold: max(1, parallelThreshold * rows / count)) { r in body(r, out.base) }
                } else {
                    parallelRanges(count) { r in body(r, out.base) }
                }
            }
            initialized = count
        }
    }

    /// y[i] = op(x[i])
    @inline(__always)
    static func apply<Op: UnaryOp>(_ x: [Float], _ op: Op) -> [Float] {
        x.withUnsafeBufferPointer { px in
            let p = px.baseAddress
            return fill(px.count) { r, out in for i in r { out[i] = op.forward(p![i]) } }
        }
    }

    /// z[i] = op(x[i], y[i])
    @inline(__always)
    static func apply<Op: BinaryOp>(_ x: [Float], _ y: [Float], _ op: Op) -> [Float] {
        x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in
            let (a, b) = (px.baseAddress, py.baseAddress)
            return fill(px.count) { r, out in for i in r { out[i] = op.forward(a![i], b![i]) } }
        } }
    }

    /// dx[i] = op'(x[i], y[i]) * g[i]
    @inline(__always)
    static func gradient<Op: UnaryDerivative>(_ x: [Float], _ y: [Float], _ g: [Float], _ op: Op) -> [Float] {
        x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in g.withUnsafeBufferPointer { pg in
            let (a, b, c) = (px.baseAddress, py.baseAddress, pg.baseAddress)
            return fill(px.count) { r, out in for i in r { out[i] = op.derivative(a![i], b![i]) * c![i] } }
        } } }
    }

    /// The gradient of a binary op with respect to its first (or second) operand, before
    /// broadcasting is undone: d(out)/d(operand) * g.
    @inline(__always)
    static func gradient<Op: BinaryOp>(_ x: [Float], _ y: [Float], _ z: [Float], _ g: [Float], _ op: Op,
                                       first: Bool) -> [Float] {
        x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in z.withUnsafeBufferPointer { pz in
            g.withUnsafeBufferPointer { pg in
                let (a, b, c, d) = (px.baseAddress, py.baseAddress, pz.baseAddress, pg.baseAddress)
                if first {
                    return fill(px.count) { r, out in for i in r { out[i] = op.da(a![i], b![i], c![i]) * d![i] } }
                }
                return fill(px.count) { r, out in for i in r { out[i] = op.db(a![i], b![i], c![i]) * d![i] } }
            } } } }
    }

    /// The positions of `x`'s non-zero elements in ascending order (a C scan that skips zero
    /// blocks), or nil when there are more than `limit`.
    static func nonZeroPositions(_ x: UnsafeBufferPointer<Float>, limit: Int = .max) -> [Int32]? {
        guard let base = x.baseAddress else { return [] }
        let n = wb_count_nonzero(base, x.count)
        guard n <= limit else { return nil }
        return [Int32](unsafeUninitializedCapacity: n) { p, initialized in
            initialized = n == 0 ? 0 : wb_nonzeros(base, x.count, p.baseAddress!)
        }
    }

    /// dst[i] += src[i]
    @inline(__always)
    static func addInPlace(_ dst: UnsafeMutableBufferPointer<Float>, _ src: UnsafeBufferPointer<Float>) {
        let pd = SendablePointer(base: dst.baseAddress!), ps = src.baseAddress!
        parallelRanges(dst.count) { r in
            for i in r { pd.base[i] += ps[i] }
        }
    }

    /// The sum of a buffer (or its dot product with `other`), in Double, by blocks of 4096 summed in
    /// order: deterministic whatever the thread count, and accurate for 10^7 elements.
    static func sum(_ a: UnsafeBufferPointer<Float>, times other: UnsafePointer<Float>? = nil) -> Double {
        let block = 4096
        let blocks = (a.count + block - 1) / block
        var partial = [Double](repeating: 0, count: blocks)
        let pa = a.baseAddress
        partial.withUnsafeMutableBufferPointer { p in
            let pp = SendablePointer(base: p.baseAddress!)
            parallelRanges(blocks, threshold: parallelThreshold / block) { r in
                for b in r {
                    // Sixteen lanes (a vectorised loop), then the lanes and the tail in order.
                    let lo = b * block, hi = min(a.count, (b + 1) * block)
                    var lanes = SIMD16<Float>(repeating: 0)
                    var i = lo
                    while i + 16 <= hi {
                        let x = UnsafeRawPointer(pa! + i).loadUnaligned(as: SIMD16<Float>.self)
                        lanes += other.map { x * UnsafeRawPointer($0 + i).loadUnaligned(as: SIMD16<Float>.self) } ?? x
                        i += 16
                    }
                    var s = Double(lanes.sum())
                    while i < hi { s += Double(pa![i] * (other?[i] ?? 1)); i += 1 }
                    pp.base[b] = s
                }
            }
        }
        return partial.reduce(0, +)
    }

    /// y += a x for n-vectors.
    @inline(__always)
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        wb_axpy(a, x, y, n)
    }
    /// C[M,N] = alpha * op(A) op(B) + beta * C, row-major, through single-threaded OpenBLAS: a
    /// large product is split into blocks of C's rows (or columns, when C is short and wide) for
    /// the core's workers. OpenBLAS's own threads spin (sched_yield) after each product, on the
    /// cores the rest of a training step needs; GCD's workers sleep.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = threadCount  // first: its initialiser sets OpenBLAS's thread count
        if blasThreads != 1 { openblas_set_num_threads(1); blasThreads = 1 }
        func block(rows: Range<Int>, columns: Range<Int>) {
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        blasint(rows.count), blasint(columns.count), blasint(k), alpha,
                        transA ? a + rows.lowerBound : a + rows.lowerBound * lda, blasint(lda),
                        transB ? b + columns.lowerBound * ldb : b + columns.lowerBound, blasint(ldb),
                        beta, c + rows.lowerBound * ldc + columns.lowerBound, blasint(ldc))
        }
        // Small products run as one block: splitting a 256 x 64 x 32 product costs more than it saves.
        // A large one is cut into the same `pieces` blocks whatever the thread count (OpenBLAS
        // may sum a short block in another order than a tall one), so that the numbers of a run
        // do not depend on the machine's cores; the workers share the blocks out.
        let pieces = m * n * k < 1 << 21 ? 1 : gemmPieces
        let splitRows = m >= n || n < 64 * pieces, extent = splitRows ? m : n
        guard pieces > 1, extent >= 16 * pieces else { return block(rows: 0..<m, columns: 0..<n) }
        // A multiple of 16 rows or columns (the kernels' tile) each.
        let chunk = ((extent + pieces - 1) / pieces + 15) / 16 * 16
        // Below 2^23 multiply-adds (tens of microseconds) the blocks run here: waking a worker costs more.
        parallelRanges((extent + chunk - 1) / chunk, threshold: m * n * k < 1 << 23 ? Int.max : 2) { pieces in
            for t in pieces {
                let range = (t * chunk)..<min(extent, (t + 1) * chunk)
                if splitRows { block(rows: range, columns: 0..<n) } else { block(rows: 0..<m, columns: range) }
            }
        }
    }
}
