// Losses, composed from the primitives, except the fused ones that run over whole weight
// matrices or [B, I] score matrices every step (each says what it is the fusion of).
// Shapes: B = batch, I = items.

import _TensorKernels

public enum Loss {
    /// Mean squared error: mean((prediction - target)^2).
    public static func mse(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        (prediction - target).pow(2).mean()
    }

    /// Squared error averaged over the observed entries only (mask = 1 where observed):
    /// sum(mask * (prediction - target)^2) / sum(mask). AutoRec's loss.
    public static func maskedMSE(_ prediction: Tensor, _ target: Tensor, mask: Tensor) -> Tensor {
        let observed = max(mask.data.reduce(0, +), 1)
        return ((prediction - target).pow(2) * mask).sum() * (1 / observed)
    }

    /// Binary cross-entropy on logits, numerically stable for any logit:
    /// mean(softplus(x) - y * x), which equals mean(-y log sigmoid(x) - (1-y) log(1 - sigmoid(x))).
    public static func bceWithLogits(_ logits: Tensor, _ labels: Tensor) -> Tensor {
        (logits.softplus() - labels * logits).mean()
    }

    /// Bayesian personalised ranking (Rendle et al. 2009): mean(-log sigmoid(pos - neg)).
    public static func bpr(positive: Tensor, negative: Tensor) -> Tensor {
        -(positive - negative).logSigmoid().mean()
    }

    /// The same BPR loss for scores that are dot products of rows of one table [N, d]:
    /// mean -log sigmoid(f_u . f_i - f_u . f_j) over (u, i, j) triples of row indices. Fused in C:
    /// it is `bpr(positive: (F[u] * F[i]).sum(1), negative: (F[u] * F[j]).sum(1))` without the
    /// gathered copies, and its backward adds into the table's gradient row by row.
    public static func bpr(rowsOf table: Tensor, users: [Int32], positives: [Int32], negatives: [Int32]) -> Tensor {
        precondition(table.rank == 2 && users.count == positives.count && users.count == negatives.count
                     && !users.isEmpty, "bpr(rowsOf:): a [N, d] table and triples of equal length")
        let n = Int32(table.shape[0]), d = table.shape[1]
        precondition((users + positives + negatives).allSatisfy { $0 >= 0 && $0 < n },
                     "bpr(rowsOf:): a row out of range")
        let loss = table.data.withUnsafeBufferPointer { f in
            wb_bpr_rows(f.baseAddress, d, users, positives, negatives, users.count, nil, 0)
        }
        return Tensor.record(Tensor(scalar: loss), [table]) { out in
            let scale = out.grad![0] / Float(users.count)
            table.data.withUnsafeBufferPointer { f in
                table.withGradBuffer { df in
                    _ = wb_bpr_rows(f.baseAddress, d, users, positives, negatives, users.count, df.baseAddress, scale)
                }
            }
        }
    }

    /// Multinomial negative log-likelihood (Mult-VAE): -mean_b sum_i x_bi log softmax(logits)_bi,
    /// which is `-(logits.logSoftmax() * counts).sum(axis: 1).mean()`. Fused (it runs over
    /// [B, I] every step): per row, sum(x) logsumexp(z) - x.z forward and
    /// (sum(x) softmax(z) - x) / B backward, in C; the counts (data) are read only where they
    /// are non-zero. logits: [B, I]; counts: [B, I], dense or sparse.
    public static func multinomialNLL(logits: Tensor, counts: SparseMatrix) -> Tensor {
        precondition(logits.rank == 2 && logits.shape == [counts.rowCount, counts.columnCount] && logits.count > 0,
                     "multinomialNLL: logits \(logits.shape) and counts [\(counts.rowCount), \(counts.columnCount)]")
        let (b, n) = (logits.shape[0], logits.shape[1])
        var logSumExp = [Float](repeating: 0, count: b), perRow = [Float](repeating: 0, count: b)
        func row<R>(_ r: Int, _ body: (UnsafePointer<Int32>?, UnsafePointer<Float>?, Int) -> R) -> R {
            counts.columns.withUnsafeBufferPointer { c in counts.values.withUnsafeBufferPointer { v in
                let k = counts.rowStart[r]
                return body(c.baseAddress.map { $0 + k }, v.baseAddress.map { $0 + k }, counts.rowStart[r + 1] - k)
            } }
        }
        logits.data.withUnsafeBufferPointer { z in
            perRow.withUnsafeMutableBufferPointer { loss in logSumExp.withUnsafeMutableBufferPointer { lse in
                let (pl, ps) = (SendablePointer(base: loss.baseAddress!), SendablePointer(base: lse.baseAddress!))
                Kernels.parallelRanges(b, threshold: max(1, Kernels.parallelThreshold / max(n, 1))) { rows in
                    for r in rows { pl.base[r] = row(r) { wb_multinomial_nll_row(z.baseAddress! + r * n, n, $0, $1,
                                                                                 $2, ps.base + r) } }
                }
            } }
        }
        let loss = perRow.withUnsafeBufferPointer { Kernels.sum($0) } / Double(b)
        return Tensor.record(Tensor(scalar: Float(loss)), [logits]) { out in
            let g = out.grad![0] / Float(b)
            logits.accumulateGrad(logits.data.withUnsafeBufferPointer { z in
                Kernels.fill(b * n, rows: b) { rows, gz in
                    for r in rows { row(r) { wb_multinomial_nll_backward_row(z.baseAddress! + r * n, n, $0, $1, $2,
                                                                             logSumExp[r], g, gz + r * n) } }
                }
            })
        }
    }

    public static func multinomialNLL(logits: Tensor, counts: Tensor) -> Tensor {
        precondition(!counts.requiresGrad, "multinomialNLL: the counts are data (no gradient)")
        return multinomialNLL(logits: logits, counts: SparseMatrix(dense: counts))
    }

    /// KL(N(mu, exp(logVariance)) || N(0, I)), summed over dimensions, averaged over the batch:
    /// mean_b -1/2 sum_k (1 + logvar - mu^2 - exp(logvar)). mu, logVariance: [B, k]. Fused (one
    /// exp pass): d/dmu = mu / B, d/dlogvar = (exp(logvar) - 1) / 2B.
    public static func gaussianKL(mean mu: Tensor, logVariance: Tensor) -> Tensor {
        precondition(mu.shape == logVariance.shape && mu.rank == 2,
                     "gaussianKL: mean \(mu.shape) and logVariance \(logVariance.shape)")
        let b = Float(max(mu.shape[0], 1))
        let e = Tensor.withoutGrad { logVariance.exp() }.data  // a value: the gradient below is explicit
        let (lv, m) = (logVariance.data, mu.data)
        let total = e.indices.reduce(0.0) { $0 + Double(1 + lv[$1] - m[$1] * m[$1] - e[$1]) }
        return Tensor.record(Tensor(scalar: Float(-0.5 * total) / b), [mu, logVariance]) { out in
            let g = out.grad![0] / b
            if mu.requiresGrad { mu.accumulateGrad(mu.data.map { g * $0 }) }
            if logVariance.requiresGrad { logVariance.accumulateGrad(e.map { g * 0.5 * ($0 - 1) }) }
        }
    }
}

extension Tensor {
    /// Σ x², the L2 penalty of a parameter, fused (it runs on whole weight matrices every step):
    /// a dot product forward, grad += 2g·x backward (in parallel), no temporaries.
    public func sumOfSquares() -> Tensor {
        guard count > 0 else { return Tensor(scalar: 0) }
        let value = data.withUnsafeBufferPointer { Float(Kernels.sum($0, times: $0.baseAddress)) }
        return Tensor.record(Tensor(scalar: value), [self]) { out in
            guard let g = out.grad?.first else { return }
            self.data.withUnsafeBufferPointer { x in
                let px = x.baseAddress!
                if self.grad == nil {  // the first gradient: written, not added to zeros
                    self.grad = Kernels.fill(self.count) { r, gx in for i in r { gx[i] = 2 * g * px[i] } }
                } else {
                    self.withGradBuffer { gx in
                        let pg = SendablePointer(base: gx.baseAddress!)
                        Kernels.parallelRanges(self.count) { r in Kernels.axpy(2 * g, px + r.lowerBound,
                                                                               pg.base + r.lowerBound, r.count) }
                    }
                }
            }
        }
    }

    /// Σ over `rows` of ‖row‖² for a table [N, d] (rows may repeat): `gather(rows).sumOfSquares()`
    /// without the gathered copy (the L2 penalty on a batch's embeddings).
    public func sumOfSquares(rows: [Int32]) -> Tensor {
        precondition(rank == 2 && rows.allSatisfy { $0 >= 0 && Int($0) < shape[0] },
                     "sumOfSquares(rows:): rows of a [N, d] table")
        let d = shape[1]
        let value = data.withUnsafeBufferPointer { x in wb_rows_sum_squares(x.baseAddress, d, rows, rows.count) }
        return Tensor.record(Tensor(scalar: value), [self]) { out in
            guard let g = out.grad?.first else { return }
            self.data.withUnsafeBufferPointer { x in
                self.withGradBuffer { gx in
                    for r in rows { Kernels.axpy(2 * g, x.baseAddress! + Int(r) * d, gx.baseAddress! + Int(r) * d, d) }
                }
            }
        }
    }
}
