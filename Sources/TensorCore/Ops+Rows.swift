// Row-wise ops fused into one op each (NGCF's layer runs them on every node at every step):
// L2-normalised rows, and NGCF's bi-interaction features.

extension Tensor {
    /// Each row of a matrix divided by its L2 norm, x / sqrt(|x|² + ε) (NGCF's layer outputs; PyTorch's
    /// F.normalize divides by max(|x|, ε) instead). It is `self / (self.pow(2).sum(axis: 1, keepDims: true)
    /// + ε).sqrt()` in two passes (norms, then rows) instead of five ops; backward (g - y (y · g)) / norm per row.
    public func rowNormalized(epsilon: Float = 1e-12) -> Tensor {
        precondition(rank == 2, "rowNormalized() needs a matrix, got shape \(shape)")
        let (n, d) = (shape[0], shape[1])
        guard count > 0 else { return self }
        let (norms, y) = data.withUnsafeBufferPointer { px in
            let x = px.baseAddress!
            let norms = Kernels.fill(n) { rows, norm in  // a row is d products: serial below 2^17 rows
                for r in rows {
                    var s: Float = 0
                    for j in 0..<d { s += x[r * d + j] * x[r * d + j] }
                    norm[r] = (s + epsilon).squareRoot()
                }
            }
            return (norms, Kernels.fill(count, rows: n) { rows, out in
                norms.withUnsafeBufferPointer { norm in
                    for r in rows { for j in 0..<d { out[r * d + j] = x[r * d + j] / norm[r] } }
                }
            })
        }
        return Tensor.record(Tensor(y, shape: shape), [self]) { out in
            let dx = out.data.withUnsafeBufferPointer { py in out.grad!.withUnsafeBufferPointer { pg in
                let (y, g) = (py.baseAddress, pg.baseAddress)
                return Kernels.fill(self.count, rows: n) { rows, dx in
                    guard let y, let g else { return }
                    norms.withUnsafeBufferPointer { norm in
                        for r in rows {
                            let (yr, gr, dr, nr) = (y + r * d, g + r * d, dx + r * d, norm[r])
                            var dot: Float = 0
                            for j in 0..<d { dot += yr[j] * gr[j] }
                            for j in 0..<d { dr[j] = (gr[j] - yr[j] * dot) / nr }
                        }
                    }
                }
            } }
            self.accumulateGrad(dx)
        }
    }

    /// NGCF's two messages side by side: [S + E | S ⊙ E], [N, 2d], for S = Â E and E, [N, d].
    /// (S + E) W1 + (S ⊙ E) W2 is then one product, [S + E | S ⊙ E] [W1; W2], in place of two
    /// products, an add and two element-wise ops. Backward: dS = g1 + g2 ⊙ E, dE = g1 + g2 ⊙ S.
    public static func biInteraction(_ s: Tensor, _ e: Tensor) -> Tensor {
        precondition(s.rank == 2 && s.shape == e.shape, "biInteraction: two [N, d] tensors, got \(s.shape), \(e.shape)")
        let (n, d) = (s.shape[0], s.shape[1])
        let y = s.data.withUnsafeBufferPointer { ps in e.data.withUnsafeBufferPointer { pe in
            let (a, b) = (ps.baseAddress, pe.baseAddress)
            return Kernels.fill(2 * n * d, rows: n) { rows, out in
                guard let a, let b else { return }
                for r in rows {
                    let (sr, er, sum, product) = (a + r * d, b + r * d, out + 2 * r * d, out + 2 * r * d + d)
                    for j in 0..<d { (sum[j], product[j]) = (sr[j] + er[j], sr[j] * er[j]) }
                }
            }
        } }
        return record(Tensor(y, shape: [n, 2 * d]), [s, e]) { out in
            for (input, other) in [(s, e), (e, s)] where input.requiresGrad {
                let dx = out.grad!.withUnsafeBufferPointer { pg in other.data.withUnsafeBufferPointer { po in
                    let (g, o) = (pg.baseAddress, po.baseAddress)
                    return Kernels.fill(n * d, rows: n) { rows, dx in
                        guard let g, let o else { return }
                        for r in rows {
                            let (g1, g2, other, dr) = (g + 2 * r * d, g + 2 * r * d + d, o + r * d, dx + r * d)
                            for j in 0..<d { dr[j] = g1[j] + g2[j] * other[j] }
                        }
                    }
                } }
                input.accumulateGrad(dx)
            }
        }
    }
}
