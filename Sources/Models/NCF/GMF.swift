// GMF: Generalized Matrix Factorization (He et al., "Neural Collaborative Filtering", WWW 2017).

import _WorkbookSupport
import RecKit
import TensorCore

// listing: gmf
/// Generalized Matrix Factorization: ŷ = h · (p_u ⊙ q_i). With h fixed to ones and no bias it
/// is plain MF; learning h weights each latent dimension.
public final class GMF: NCFModel {
    public let userEmbedding: Embedding  // [U, f]
    public let itemEmbedding: Embedding  // [I, f]
    public let predict: Linear  // f -> 1

    public init(userCount: Int, itemCount: Int, factors: Int, rng: RandomGenerator) {
        userEmbedding = Embedding(
            count: userCount, dimension: factors, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        itemEmbedding = Embedding(
            count: itemCount, dimension: factors, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        // The document: kaiming_uniform_(predict_layer.weight, nonlinearity='relu').
        predict = Linear(factors, 1, weightInit: .kaimingUniform, rng: rng)
        self.itemCount = itemCount
        var config = NCFConfig(mode: .standard)
        config.factors = factors
        self.config = config
    }

    /// The element-wise product p_u ⊙ q_i: [B, f].
    public func interaction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        userEmbedding(users) * itemEmbedding(items)
    }

    public func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        predict(interaction(users, items)).reshaped([-1])  // [B]
    }
    // end listing

    public static let info = ModelInfo(
        key: "gmf", name: "GMF", chapter: 2, paper: "He et al., Neural Collaborative Filtering, WWW 2017")
    public let itemCount: Int
    public var config: NCFConfig
    public var record = TrainingRecord()

    public convenience init(userCount: Int, itemCount: Int, config: NCFConfig, rng: RandomGenerator) {
        self.init(userCount: userCount, itemCount: itemCount, factors: config.factors, rng: rng)
        self.config = config
    }

    public var parameters: [Tensor] { userEmbedding.parameters + itemEmbedding.parameters + predict.parameters }
    public func setTraining(_ training: Bool) {}
}
