// Reductions and the log-softmax: forward and backward side by side.

import Foundation
import _TensorKernels

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
        // Summing an axis is undoing its broadcast, and its gradient is the broadcast.
        let out = Broadcast.reduce(data, from: [outer, n, inner], to: [outer, 1, inner])
        var newShape = shape
        if keepDims { newShape[a] = 1 } else { newShape.remove(at: a) }
        return Tensor.record(Tensor(out, shape: newShape), [self]) { out in
            self.accumulateGrad(Broadcast.expand(out.grad!, from: [outer, 1, inner], to: [outer, n, inner]))
        }
    }

    /// The mean along one axis (composed).
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let n = shape[axis < 0 ? axis + rank : axis]
        return sum(axis: axis, keepDims: keepDims) * (1 / Float(max(n, 1)))
    }

    /// log(softmax(x)) along the last axis, computed as (x - max) - log(sum(exp(x - max))).
    ///
    /// Backward: dx = g - softmax(x) * sum(g) per row. Both are C loops over rows, in parallel.
    public func logSoftmax() -> Tensor {
        precondition(rank >= 1, "logSoftmax needs at least one axis")
        let n = shape[rank - 1], rows = count / max(n, 1)
        func byRows(_ x: [Float], _ g: [Float]?) -> [Float] {
            x.withUnsafeBufferPointer { px in (g ?? []).withUnsafeBufferPointer { pg in
                Kernels.fill(count, rows: rows) { range, out in
                    for r in range {
                        if pg.isEmpty { wb_log_softmax(px.baseAddress! + r * n, out + r * n, n) }
                        else {
                            wb_log_softmax_backward(px.baseAddress! + r * n, pg.baseAddress! + r * n, out + r * n, n)
                        }
                    }
                }
            } }
        }
        return Tensor.record(Tensor(byRows(data, nil), shape: shape), [self]) { out in
            self.accumulateGrad(byRows(out.data, out.grad!))
        }
    }
}
