// The document's optimisation tips as code that runs: embedding initialisation and the
// batch-normalised MLP (an experiment's model, so it stays in this chapter).

import Foundation
import Models
import RecKit
import TensorCore

// listing: init-embeddings
/// The document's `init_embeddings(layer, method)`: the three choices, applied to an
/// embedding table [count, dimension] the way PyTorch's initialisers read its shape
/// (fan_in = dimension, fan_out = count).
public enum EmbeddingInit: String, CaseIterable, Sendable {
    case xavier, he, normal

    public func apply(_ table: Tensor, rng: RandomGenerator) {
        let count = table.shape[0], dimension = table.shape[1]
        let initializer: Initializer
        switch self {
        case .xavier: initializer = .xavierUniform
        case .he: initializer = .kaimingUniform
        case .normal: initializer = .normal(std: 0.01)
        }
        table.data = initializer.values(fanIn: dimension, fanOut: count, count: count * dimension, rng: rng)
    }

    /// The largest initial magnitude (uniform bound) or the standard deviation, as text.
    public func spread(count: Int, dimension: Int) -> String {
        switch self {
        case .xavier: return String(format: "U(±%.3f)", (6 / Double(dimension + count)).squareRoot())
        case .he: return String(format: "U(±%.3f)", (6 / Double(dimension)).squareRoot())
        case .normal: return "N(0, 0.01²)"
        }
    }
}
// end listing

// listing: improved-mlp
/// The document's ImprovedMLP (Linear → BatchNorm1d → ReLU → Dropout per hidden layer),
/// given what it needs to predict ratings: user and item embeddings concatenated at the
/// input and a final Linear to one output. `batchNorm: false` drops the BatchNorm1d layers;
/// `offset` is a constant added to every prediction (e.g. the mean rating).
public final class ImprovedMLP: PairScorer {
    public let userEmbedding: Embedding, itemEmbedding: Embedding
    public let mlp: Sequential
    public let output: Linear
    public let offset: Float

    public init(
        userCount: Int, itemCount: Int, embedding: Int = 32, hidden: [Int] = [64, 32, 16], dropout: Float = 0.2,
        batchNorm: Bool, offset: Float = 0, rng: RandomGenerator
    ) {
        self.offset = offset
        userEmbedding = Embedding(count: userCount, dimension: embedding, rng: rng)
        itemEmbedding = Embedding(count: itemCount, dimension: embedding, rng: rng)
        var layers: [any Layer] = []
        var previous = 2 * embedding
        for width in hidden {
            layers.append(Linear(previous, width, rng: rng))
            if batchNorm { layers.append(BatchNorm1d(width)) }
            layers.append(Activation.relu)
            layers.append(Dropout(dropout, rng: rng))
            previous = width
        }
        mlp = Sequential(layers)
        output = Linear(previous, 1, rng: rng)
    }

    public func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        output(mlp(Tensor.concat([userEmbedding(users), itemEmbedding(items)]))).reshaped([-1]) + offset
    }

    public var parameters: [Tensor] {
        userEmbedding.parameters + itemEmbedding.parameters + mlp.parameters + output.parameters
    }
    public func setTraining(_ training: Bool) { mlp.setTraining(training) }
}
// end listing
