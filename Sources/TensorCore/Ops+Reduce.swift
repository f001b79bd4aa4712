// Reductions and the log-softmax: forward and backward side by side.

import Foundation

extension Tensor {
    /// The sum of all elements, as a scalar.
    public func sum() -> Tensor {
        let s = data.withUnsafeBufferPointer { Kernels.sum($0) }
        return Tensor.record(Tensor(scalar: Float(s)), [self]) { out in
            self.accumulateGrad([Float](repeating: out.grad![0], count: self.count))
        }
    }

    /// The mean of all elements (composed: sum / n).
    public func mean() -> Tensor { sum() * (1 / Float(max(count, 1))) }

    /// Splits the shape around `axis` as [outer, n, inner].
    private func around(_ axis: Int) -> (outer: Int, n: Int, inner: Int, axis: Int) {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) is out of range for shape \(shape)")
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *), a)
    }

    /// The sum along one axis (negative counts from the end); `keepDims` keeps it as size 1.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, n, inner, a) = around(axis)
        var out = [Float](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for k in 0..<n {
                    let base = (o * n + k) * inner
                    for i in 0..<inner { out[o * inner + i] += x[base + i] }
                }
            }
        }
        var newShape = shape
        if keepDims { newShape[a] = 1 } else { newShape.remove(at: a) }
        return Tensor.record(Tensor(out, shape: newShape), [self]) { out in
            let g = out.grad!
            var gx = [Float](repeating: 0, count: self.count)
            for o in 0..<outer {
                for k in 0..<n {
                    let base = (o * n + k) * inner
                    for i in 0..<inner { gx[base + i] = g[o * inner + i] }
                }
            }
            self.accumulateGrad(gx)
        }
    }

    /// The mean along one axis (composed).
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let n = shape[axis < 0 ? axis + rank : axis]
        return sum(axis: axis, keepDims: keepDims) * (1 / Float(max(n, 1)))
    }

    /// log(softmax(x)) along the last axis, computed as (x - max) - log(sum(exp(x - max))).
    ///
    /// Backward: dx = g - softmax(x) * sum(g) per row.
    public func logSoftmax() -> Tensor {
        precondition(rank >= 1, "logSoftmax needs at least one axis")
        let n = shape[rank - 1], rows = count / max(n, 1)
        var y = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { py in
                let pyy = SendablePointer(base: py.baseAddress!)
                Kernels.parallelRanges(rows, threshold: 64) { range in
                    for r in range {
                        let base = r * n
                        var m = -Float.infinity
                        for j in 0..<n { m = max(m, x[base + j]) }
                        var s: Float = 0
                        for j in 0..<n { s += Foundation.exp(x[base + j] - m) }
                        let logSum = Foundation.log(s)
                        for j in 0..<n { pyy.base[base + j] = (x[base + j] - m) - logSum }
                    }
                }
            }
        }
        return Tensor.record(Tensor(y, shape: shape), [self]) { out in
            let g = out.grad!
            var gx = [Float](repeating: 0, count: g.count)
            for r in 0..<rows {
                let base = r * n
                var gs: Float = 0
                for j in 0..<n { gs += g[base + j] }
                for j in 0..<n { gx[base + j] = g[base + j] - Foundation.exp(out.data[base + j]) * gs }
            }
            self.accumulateGrad(gx)
        }
    }
}
