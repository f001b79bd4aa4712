// Storage level: plain loops over contiguous Float32 buffers, and the BLAS calls. Everything
// above this file works on whole tensors.

import COpenBLAS
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
    /// Worker threads for the core's own loops and for OpenBLAS. Defaults to the number of
    /// active processors; `WORKBOOK_THREADS` or `setThreadCount` overrides it.
    nonisolated(unsafe) public private(set) static var threadCount: Int = {
        let fromEnvironment = ProcessInfo.processInfo.environment["WORKBOOK_THREADS"].flatMap { Int($0) }
        let n = max(1, fromEnvironment ?? ProcessInfo.processInfo.activeProcessorCount)
        openblas_set_num_threads(Int32(n))
        return n
    }()

    /// Sets the threads used by the core and by OpenBLAS (call before work starts).
    public static func setThreadCount(_ n: Int) {
        threadCount = max(1, n)
        openblas_set_num_threads(Int32(threadCount))
    }

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

    /// out[i] = f(a[i])
    @inline(__always)
    static func map(_ a: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>,
                    _ f: (Float) -> Float) {
        let pa = a.baseAddress!, po = SendablePointer(base: out.baseAddress!)
        parallelRanges(a.count) { r in
            for i in r { po.base[i] = f(pa[i]) }
        }
    }

    /// out[i] = f(a[i], b[i])
    @inline(__always)
    static func zip(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
                    _ out: UnsafeMutableBufferPointer<Float>, _ f: (Float, Float) -> Float) {
        let pa = a.baseAddress!, pb = b.baseAddress!, po = SendablePointer(base: out.baseAddress!)
        parallelRanges(a.count) { r in
            for i in r { po.base[i] = f(pa[i], pb[i]) }
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

    /// The sum of a buffer, in Double, by blocks of 4096 summed in order: deterministic
    /// whatever the thread count, and accurate for 10^7 elements.
    static func sum(_ a: UnsafeBufferPointer<Float>) -> Double {
        let block = 4096
        let blocks = (a.count + block - 1) / block
        var partial = [Double](repeating: 0, count: blocks)
        let pa = a.baseAddress
        partial.withUnsafeMutableBufferPointer { p in
            let pp = SendablePointer(base: p.baseAddress!)
            parallelRanges(blocks, threshold: parallelThreshold / block) { r in
                for b in r {
                    var s: Float = 0
                    for i in (b * block)..<min(a.count, (b + 1) * block) { s += pa![i] }
                    pp.base[b] = Double(s)
                }
            }
        }
        return partial.reduce(0, +)
    }

    /// C[M,N] = alpha * op(A) op(B) + beta * C, row-major, through OpenBLAS.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = threadCount  // make sure OpenBLAS has been told the thread count
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }
}
