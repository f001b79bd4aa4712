// GMF, MLP and NeuMF (He et al., "Neural Collaborative Filtering", WWW 2017), built as the
// document builds them, on the book's tensor core.
//
// Shapes: B = batch, f = predictive factors, L = MLP layers.

import TensorCore

/// The hyperparameters of the NCF family, with the document's (and the paper's) defaults.
public struct NCFConfig: Sendable, CustomStringConvertible {
    /// f: the GMF embedding size and the width of the MLP's last layer (the paper's "predictive factors").
    public var factors = 8
    /// L: MLP layers; the pyramid's embeddings are f * 2^(L-1) wide (the document: f=32, L=4 -> 256).
    public var layers = 3
    /// Dropout before each MLP layer (the document's default 0.0).
    public var dropout: Float = 0
    public var learningRate: Float = 1e-3
    public var batchSize = 256
    /// Sampled negatives per training positive, resampled every epoch (the paper's 4).
    public var negativeCount = 4
    public var epochCount = 10

    public init() {}

    public var description: String {
        "factors f = \(factors), MLP layers L = \(layers) (pyramid \(MLP.pyramid(factors: factors, layers: layers).map(String.init).joined(separator: " -> "))), dropout \(dropout), Adam lr \(learningRate), batch \(batchSize), \(negativeCount) negatives per positive, \(epochCount) epochs"
    }
}

/// Anything that scores (user, item) pairs: one logit per pair.
public protocol PairScorer: Module {
    func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor  // [B]
}

// listing: gmf
/// Generalized Matrix Factorization: ŷ = h · (p_u ⊙ q_i). With h fixed to ones and no bias it
/// is plain MF; learning h weights each latent dimension.
public final class GMF: PairScorer {
    public let userEmbedding: Embedding  // [U, f]
    public let itemEmbedding: Embedding  // [I, f]
    public let predict: Linear            // f -> 1

    public init(userCount: Int, itemCount: Int, factors: Int, rng: RandomGenerator) {
        userEmbedding = Embedding(count: userCount, dimension: factors, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        itemEmbedding = Embedding(count: itemCount, dimension: factors, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        // The document: kaiming_uniform_(predict_layer.weight, nonlinearity='relu').
        predict = Linear(factors, 1, weightInit: .kaimingUniform, rng: rng)
    }

    /// The element-wise product p_u ⊙ q_i: [B, f].
    public func interaction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        userEmbedding(users) * itemEmbedding(items)
    }

    public func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        predict(interaction(users, items)).reshaped([-1])  // [B]
    }

    public var parameters: [Tensor] { userEmbedding.parameters + itemEmbedding.parameters + predict.parameters }
    public func setTraining(_ training: Bool) {}
}
// end listing

// listing: mlp
/// Multi-Layer Perceptron over concatenated embeddings, a tower that halves at every layer:
/// embeddings of f·2^(L-1) each, concatenated to f·2^L, then L layers down to f.
public final class MLP: PairScorer {
    public let userEmbedding: Embedding  // [U, f·2^(L-1)]
    public let itemEmbedding: Embedding  // [I, f·2^(L-1)]
    public let tower: Sequential         // f·2^L -> ... -> f
    public let predict: Linear           // f -> 1

    /// The layer widths: [f·2^L, f·2^(L-1), ..., f].
    public static func pyramid(factors: Int, layers: Int) -> [Int] {
        (0...layers).map { factors << (layers - $0) }
    }

    public init(userCount: Int, itemCount: Int, factors: Int, layers: Int, dropout: Float, rng: RandomGenerator) {
        precondition(layers >= 1, "MLP needs at least one layer")
        let embeddingSize = factors * (1 << (layers - 1))
        userEmbedding = Embedding(count: userCount, dimension: embeddingSize, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        itemEmbedding = Embedding(count: itemCount, dimension: embeddingSize, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        var modules: [any Layer] = []
        for i in 0..<layers {
            let inputSize = factors * (1 << (layers - i))
            modules.append(Dropout(dropout, rng: rng))
            // The NCF reference's _init_weight_: Xavier-uniform weights, zero biases.
            modules.append(Linear(inputSize, inputSize / 2, weightInit: .xavierUniform, biasInit: .zeros, rng: rng))
            modules.append(Activation.relu)
        }
        tower = Sequential(modules)
        // kaiming_uniform_(a=1, nonlinearity='sigmoid') = LeCun uniform; zero bias.
        predict = Linear(factors, 1, weightInit: .lecunUniform, biasInit: .zeros, rng: rng)
    }

    /// The tower's output for each pair: [B, f].
    public func interaction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        tower(Tensor.concat([userEmbedding(users), itemEmbedding(items)]))
    }

    public func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        predict(interaction(users, items)).reshaped([-1])
    }

    public var parameters: [Tensor] { userEmbedding.parameters + itemEmbedding.parameters + tower.parameters + predict.parameters }
    public func setTraining(_ training: Bool) { tower.setTraining(training) }
}
// end listing

// listing: neumf
/// Neural Matrix Factorization: GMF and MLP with separate embeddings, their last layers
/// concatenated into one prediction: ŷ = h · [p_u ⊙ q_i ; MLP(p'_u, q'_i)].
public final class NeuMF: PairScorer {
    public let gmf: GMF
    public let mlp: MLP
    public let predict: Linear  // 2f -> 1

    public init(userCount: Int, itemCount: Int, config: NCFConfig, rng: RandomGenerator) {
        gmf = GMF(userCount: userCount, itemCount: itemCount, factors: config.factors, rng: rng)
        mlp = MLP(userCount: userCount, itemCount: itemCount, factors: config.factors, layers: config.layers,
                  dropout: config.dropout, rng: rng)
        predict = Linear(2 * config.factors, 1, weightInit: .lecunUniform, biasInit: .zeros, rng: rng)
    }

    /// NeuMF from pretrained GMF and MLP (the paper's pre-training): their embeddings and
    /// tower are copied, and the output layer is h = [α h_GMF ; (1 - α) h_MLP].
    public init(pretrainedGMF: GMF, pretrainedMLP: MLP, alpha: Float = 0.5) {
        gmf = pretrainedGMF
        mlp = pretrainedMLP
        let f = gmf.predict.inputSize
        predict = Linear(2 * f, 1, weightInit: .zeros, biasInit: .zeros, rng: RandomGenerator(seed: 0))
        predict.weight.assign(pretrainedGMF.predict.weight.data.map { alpha * $0 } + pretrainedMLP.predict.weight.data.map { (1 - alpha) * $0 })
        predict.bias?.assign([alpha * (pretrainedGMF.predict.bias?.data[0] ?? 0) + (1 - alpha) * (pretrainedMLP.predict.bias?.data[0] ?? 0)])
    }

    public func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        let joint = Tensor.concat([gmf.interaction(users, items), mlp.interaction(users, items)])  // [B, 2f]
        return predict(joint).reshaped([-1])
    }

    public var parameters: [Tensor] { gmf.userEmbedding.parameters + gmf.itemEmbedding.parameters + mlp.userEmbedding.parameters
        + mlp.itemEmbedding.parameters + mlp.tower.parameters + predict.parameters }
    public func setTraining(_ training: Bool) { mlp.setTraining(training) }
}
// end listing
