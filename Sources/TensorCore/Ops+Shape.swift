// Ops that move elements without arithmetic: reshape, transpose, concat, split, row slices,
// the embedding gather, and dropout (a mask).

extension Tensor {
    /// The same elements in a new shape (one dimension may be -1: inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let k = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != k }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            target[k] = count / known
        }
        precondition(target.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor.record(Tensor(data, shape: target), [self]) { out in
            self.accumulateGrad(out.grad!)
        }
    }

    /// The transpose of a matrix ([M, N] -> [N, M]).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got shape \(shape)")
        let (m, n) = (shape[0], shape[1])
        return Tensor.record(Tensor(Self.transpose(data, m, n), shape: [n, m]), [self]) { out in
            self.accumulateGrad(Self.transpose(out.grad!, n, m))
        }
    }

    /// Tensors of equal leading shape joined along their last axis.
    public static func concat(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concat needs at least one tensor")
        let lead = Array(parts[0].shape.dropLast())
        precondition(parts.allSatisfy { Array($0.shape.dropLast()) == lead },
                     "concat: leading shapes differ: \(parts.map(\.shape))")
        let widths = parts.map { $0.shape.last ?? 1 }
        let total = widths.reduce(0, +), rows = lead.reduce(1, *)
        let y = [Float](unsafeUninitializedCapacity: rows * total) { out, initialized in
            var offset = 0
            for (p, w) in zip(parts, widths) where w > 0 {
                p.data.withUnsafeBufferPointer { x in
                    for r in 0..<rows {
                        (out.baseAddress! + r * total + offset).initialize(from: x.baseAddress! + r * w, count: w)
                    }
                }
                offset += w
            }
            initialized = rows * total
        }
        return record(Tensor(y, shape: lead + [total]), parts) { out in
            let g = out.grad!
            var offset = 0
            for (p, w) in zip(parts, widths) {
                if p.requiresGrad, w > 0 {
                    var gp = [Float](repeating: 0, count: rows * w)
                    gp.withUnsafeMutableBufferPointer { dst in g.withUnsafeBufferPointer { src in
                        for r in 0..<rows {
                            (dst.baseAddress! + r * w).update(from: src.baseAddress! + r * total + offset, count: w)
                        }
                    } }
                    p.accumulateGrad(gp)
                }
                offset += w
            }
        }
    }

    /// Pieces of the given widths along the last axis (the inverse of `concat`).
    public func split(_ widths: [Int]) -> [Tensor] {
        let total = shape.last ?? 1
        precondition(widths.reduce(0, +) == total, "split \(widths) does not add up to the last axis of \(shape)")
        let lead = Array(shape.dropLast()), rows = lead.reduce(1, *)
        var offset = 0
        return widths.map { w in
            let start = offset
            offset += w
            var y = [Float](repeating: 0, count: rows * w)
            for r in 0..<rows { for j in 0..<w { y[r * w + j] = data[r * total + start + j] } }
            return Tensor.record(Tensor(y, shape: lead + [w]), [self]) { out in
                let g = out.grad!
                self.withGradBuffer { gx in
                    for r in 0..<rows { for j in 0..<w { gx[r * total + start + j] += g[r * w + j] } }
                }
            }
        }
    }

    /// `n` equal pieces along the last axis (PyTorch's `chunk`).
    public func chunk(_ n: Int) -> [Tensor] {
        let total = shape.last ?? 1
        precondition(n > 0 && total % n == 0, "chunk: last axis \(total) is not divisible by \(n)")
        return split([Int](repeating: total / n, count: n))
    }

    /// Rows `range` of the first axis.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows(\(range)) is out of range for shape \(shape)")
        let width = count / max(shape[0], 1)
        let slice = Array(data[(range.lowerBound * width)..<(range.upperBound * width)])
        return Tensor.record(Tensor(slice, shape: [range.count] + shape.dropFirst()), [self]) { out in
            let g = out.grad!
            self.withGradBuffer { gx in
                for k in 0..<g.count { gx[range.lowerBound * width + k] += g[k] }
            }
        }
    }

    /// Rows `indices` of a table [N, D] -> [B, D]: the embedding look-up.
    ///
    /// Backward is a scatter-add: row `indices[b]` of the table's gradient gets row b of the
    /// output's gradient (repeated indices add up). A table with `sparseGradients` keeps
    /// these rows in `rowGrads`, so an optimiser touches only them.
    public func gather(_ indices: [Int32]) -> Tensor {
        precondition(rank == 2, "gather needs a table [N, D], got shape \(shape)")
        let (n, d) = (shape[0], shape[1])
        var y = [Float](repeating: 0, count: indices.count * d)
        data.withUnsafeBufferPointer { table in
            y.withUnsafeMutableBufferPointer { out in
                for (b, index) in indices.enumerated() {
                    let r = Int(index)
                    precondition(r >= 0 && r < n, "gather: index \(r) is out of range for \(n) rows")
                    (out.baseAddress! + b * d).update(from: table.baseAddress! + r * d, count: d)
                }
            }
        }
        return Tensor.record(Tensor(y, shape: [indices.count, d]), [self]) { out in
            let g = out.grad!
            if self.sparseGradients {
                g.withUnsafeBufferPointer { self.rowGrads.append(indices: indices, values: $0) }
                return
            }
            g.withUnsafeBufferPointer { g in
                self.withGradBuffer { gx in
                    for (b, index) in indices.enumerated() {
                        Kernels.axpy(1, g.baseAddress! + b * d, gx.baseAddress! + Int(index) * d, d)
                    }
                }
            }
        }
    }

    /// Inverted dropout: in training, each element is zeroed with probability `p` and the
    /// rest are scaled by 1/(1-p), so the expected value is unchanged; in evaluation, identity.
    public func dropout(_ p: Float, training: Bool, rng: RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        guard training, p > 0 else { return self }
        let scale = 1 / (1 - p)
        var mask = rng.floats(count)  // uniforms, turned in place into the kept elements' scale or 0
        for i in mask.indices { mask[i] = mask[i] >= p ? scale : 0 }
        return Tensor.record(Tensor(Kernels.apply(data, mask, MulOp()), shape: shape), [self]) { out in
            self.accumulateGrad(Kernels.apply(out.grad!, mask, MulOp()))
        }
    }
}
