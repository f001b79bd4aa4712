// Autoencoders for recommendation: AutoRec (Sedhain et al. 2015), the document's
// collaborative denoising autoencoder (CDAE, Wu et al. 2016), and Mult-VAE / Mult-DAE
// (Liang et al. 2018), on the tensor core.
//
// Shapes: B = batch (users or items), F = features of a row (items or users), H = hidden.

import Foundation
import RecKit
import TensorCore

// listing: autorec
/// AutoRec: reconstruct a partially observed rating vector r (0 where unobserved) through one
/// hidden layer: h = sigmoid(V r + μ), r̂ = W h + b. Only observed ratings count in the loss,
/// and V, W carry an L2 penalty (the paper's objective; the document's loss has none).
public final class AutoRec: Module {
    public let encoder: Linear  // F -> H
    public let decoder: Linear  // H -> F

    public init(features: Int, hidden: Int = 500, rng: RandomGenerator) {
        encoder = Linear(features, hidden, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
        decoder = Linear(hidden, features, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
    }

    public func callAsFunction(_ r: Tensor) -> Tensor { decoder(encoder(r).sigmoid()) }  // [B, F]

    /// Σ observed (r̂ - r)² + λ/2 (‖V‖² + ‖W‖²) · share: the share of the rows in this batch, so
    /// that an epoch adds up to the paper's objective once.
    public func loss(_ r: Tensor, mask: Tensor, lambda: Float, share: Float) -> Tensor {
        let error = ((self(r) - r).pow(2) * mask).sum()
        return error + (encoder.weight.sumOfSquares() + decoder.weight.sumOfSquares()) * (lambda / 2 * share)
    }

    public var parameters: [Tensor] { encoder.parameters + decoder.parameters }
    public func setTraining(_ training: Bool) {}
}
// end listing

// listing: cdae
/// The document's CollaborativeDAE (CDAE): the user's interaction row, corrupted by dropping
/// entries, is encoded together with a per-user vector: h = sigmoid(W x̃ + V_u + b), and
/// decoded to one logit per item. Trained on implicit data with BCE over all items.
public final class CDAE: Module {
    public let encoder: Linear          // I -> H
    public let userNode: Embedding      // [U, H]: the "collaborative" input
    public let decoder: Linear          // H -> I
    public let corruption: Float
    /// Dropout noise as the document writes it (no 1/(1-q) rescaling) when false.
    public let rescale: Bool
    let rng: RandomGenerator
    public private(set) var isTraining = true

    public init(users: Int, items: Int, hidden: Int = 200, corruption: Float, rescale: Bool = false, rng: RandomGenerator) {
        encoder = Linear(items, hidden, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
        userNode = Embedding(count: users, dimension: hidden, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        decoder = Linear(hidden, items, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
        self.corruption = corruption
        self.rescale = rescale
        self.rng = rng
    }

    public func callAsFunction(_ x: Tensor, users: [Int32]) -> Tensor {
        var input = x
        if isTraining && corruption > 0 {
            // mask = rand > q, as in the document's add_noise.
            let keep = (0..<x.count).map { _ in rng.nextFloat() > corruption ? (rescale ? 1 / (1 - corruption) : 1) : Float(0) }
            input = x * Tensor(keep, shape: x.shape)
        }
        return decoder((encoder(input) + userNode(users)).sigmoid())
    }

    public var parameters: [Tensor] { encoder.parameters + userNode.parameters + decoder.parameters }
    public func setTraining(_ training: Bool) { isTraining = training }
}
// end listing

// listing: multvae
/// Mult-VAE: the user's row, L2-normalised and dropped out (p = 0.5), is encoded to a
/// Gaussian q(z|x) = N(μ, diag(exp(logvar))) by I -> 600 (tanh) -> 2 x 200; z = μ + ε exp(logvar/2)
/// (the reparameterisation trick) is decoded by 200 -> 600 (tanh) -> I logits; the loss is the
/// multinomial log-likelihood plus β·KL(q || N(0, I)). Mult-DAE: the same without z's noise or KL.
public final class MultVAE: Module {
    public let encoder: Linear, encoderOut: Linear  // I -> 600, 600 -> 2 * 200
    public let decoder: Linear, decoderOut: Linear  // 200 -> 600, 600 -> I
    public let latent: Int
    public let variational: Bool
    let dropout: Float
    let rng: RandomGenerator
    public private(set) var isTraining = true

    public init(items: Int, hidden: Int = 600, latent: Int = 200, dropout: Float = 0.5, variational: Bool = true, rng: RandomGenerator) {
        encoder = Linear(items, hidden, weightInit: .xavierUniform, biasInit: .normal(std: 0.001), rng: rng)
        encoderOut = Linear(hidden, variational ? 2 * latent : latent, weightInit: .xavierUniform, biasInit: .normal(std: 0.001), rng: rng)
        decoder = Linear(latent, hidden, weightInit: .xavierUniform, biasInit: .normal(std: 0.001), rng: rng)
        decoderOut = Linear(hidden, items, weightInit: .xavierUniform, biasInit: .normal(std: 0.001), rng: rng)
        self.latent = latent
        self.variational = variational
        self.dropout = dropout
        self.rng = rng
    }

    /// (μ, logvar) of q(z | x); logvar is nil for Mult-DAE. A user's row is 95% zeros, so it stays
    /// sparse up to the first layer: normalising, dropping out and multiplying touch only the
    /// user's items (PyTorch's dense version multiplies the zeros too).
    public func encode(_ x: SparseMatrix) -> (mean: Tensor, logVariance: Tensor?) {
        let input = x.rowsNormalized().dropout(dropout, training: isTraining, rng: rng)  // x / ‖x‖, then dropout
        let h = encoder(input).tanh()
        let out = encoderOut(h)
        guard variational else { return (out, nil) }
        let parts = out.chunk(2)
        return (parts[0], parts[1])
    }

    /// Logits over items, and (μ, logvar) for the KL term.
    public func callAsFunction(_ x: SparseMatrix) -> (logits: Tensor, mean: Tensor, logVariance: Tensor?) {
        let (mu, logvar) = encode(x)
        var z = mu
        if isTraining, let logvar {
            let epsilon = Tensor.randomNormal(mu.shape, rng: rng)
            z = mu + epsilon * (logvar * 0.5).exp()
        }
        return (decoderOut(decoder(z).tanh()), mu, logvar)
    }

    public var parameters: [Tensor] { encoder.parameters + encoderOut.parameters + decoder.parameters + decoderOut.parameters }
    public func setTraining(_ training: Bool) { isTraining = training }
}
// end listing

extension MultVAE {
    /// The same on dense rows [B, I] (the evaluators pass dense rows).
    public func callAsFunction(_ x: Tensor) -> (logits: Tensor, mean: Tensor, logVariance: Tensor?) { self(SparseMatrix(dense: x)) }
}

// Mult-VAE's input path on sparse rows (used by the listing above).
extension SparseMatrix {
    /// Each row divided by its L2 norm, sqrt(Σ x² + 1e-12) (Mult-VAE's input; the 1e-12 keeps an
    /// empty row at zero).
    public func rowsNormalized() -> SparseMatrix {
        var scaled = values
        scaled.withUnsafeMutableBufferPointer { v in
            for r in 0..<rowCount {
                let range = rowStart[r]..<rowStart[r + 1]
                var sum: Float = 0
                for k in range { sum += v[k] * v[k] }
                let norm = (sum + 1e-12).squareRoot()
                for k in range { v[k] /= norm }
            }
        }
        return SparseMatrix(rowCount: rowCount, columnCount: columnCount, rowStart: rowStart, columns: columns, values: scaled)
    }

    /// Inverted dropout on the stored entries: each is dropped (removed) with probability `p`,
    /// the rest scaled by 1/(1-p); a zero stays zero either way, so only the entries draw.
    public func dropout(_ p: Float, training: Bool, rng: RandomGenerator) -> SparseMatrix {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        guard training, p > 0 else { return self }
        let scale = 1 / (1 - p)
        var rowStart = [0], cols: [Int32] = [], vals: [Float] = []
        rowStart.reserveCapacity(rowCount + 1); cols.reserveCapacity(nonZeroCount); vals.reserveCapacity(nonZeroCount)
        for r in 0..<rowCount {
            for k in self.rowStart[r]..<self.rowStart[r + 1] where rng.nextFloat() >= p { cols.append(columns[k]); vals.append(values[k] * scale) }
            rowStart.append(cols.count)
        }
        return SparseMatrix(rowCount: rowCount, columnCount: columnCount, rowStart: rowStart, columns: cols, values: vals)
    }
}

/// The binary training rows of `users` as a sparse matrix [B, I].
public func sparseRows(_ train: InteractionMatrix, _ users: [Int32]) -> SparseMatrix {
    var rowStart = [0], columns: [Int32] = []
    for u in users { columns += train.items(of: Int(u)); rowStart.append(columns.count) }
    return SparseMatrix(rowCount: users.count, columnCount: train.itemCount, rowStart: rowStart, columns: columns,
                        values: [Float](repeating: 1, count: columns.count))
}

/// A trained row autoencoder as a `Recommender`: a user's scores are the reconstruction of
/// their training row.
public final class RowModelRecommender: Recommender {
    public let name: String
    public let itemCount: Int
    let train: InteractionMatrix
    let reconstruct: (Tensor, [Int32]) -> Tensor

    public init(name: String, train: InteractionMatrix, reconstruct: @escaping (Tensor, [Int32]) -> Tensor) {
        self.name = name
        self.train = train
        itemCount = train.itemCount
        self.reconstruct = reconstruct
    }

    public func scores(users: [Int32]) -> [Float] {
        Tensor.withoutGrad { reconstruct(interactionRows(train, users), users).data }
    }
}

/// The binary training rows of `users`: [B, I].
public func interactionRows(_ train: InteractionMatrix, _ users: [Int32]) -> Tensor {
    let n = train.itemCount
    var x = [Float](repeating: 0, count: users.count * n)
    for (b, u) in users.enumerated() { for i in train.items(of: Int(u)) { x[b * n + Int(i)] = 1 } }
    return Tensor(x, shape: [users.count, n])
}
