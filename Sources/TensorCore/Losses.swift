// Losses, composed from the primitives: none of them has gradient code of its own.
// Shapes: B = batch, I = items.

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

    /// Multinomial negative log-likelihood (Mult-VAE): -mean_b sum_i x_bi log softmax(logits)_bi.
    /// logits, counts: [B, I].
    public static func multinomialNLL(logits: Tensor, counts: Tensor) -> Tensor {
        -(logits.logSoftmax() * counts).sum(axis: 1).mean()
    }

    /// KL(N(mu, exp(logVariance)) || N(0, I)), summed over dimensions, averaged over the batch:
    /// mean_b -1/2 sum_k (1 + logvar - mu^2 - exp(logvar)). mu, logVariance: [B, k].
    public static func gaussianKL(mean mu: Tensor, logVariance: Tensor) -> Tensor {
        ((1 + logVariance - mu.pow(2) - logVariance.exp()).sum(axis: 1) * -0.5).mean()
    }
}

extension Tensor {
    /// Σ x², the L2 penalty of a parameter, fused (it runs on whole weight matrices every step):
    /// a dot product forward, grad += 2g·x backward, no temporaries.
    public func sumOfSquares() -> Tensor {
        guard count > 0 else { return Tensor(scalar: 0) }
        let value = data.withUnsafeBufferPointer { Kernels.dot($0.baseAddress!, $0.baseAddress!, count) }
        return Tensor.record(Tensor(scalar: value), [self]) { out in
            guard let g = out.grad?.first else { return }
            self.data.withUnsafeBufferPointer { x in self.withGradBuffer { Kernels.axpy(2 * g, x.baseAddress!, $0.baseAddress!, self.count) } }
        }
    }
}
