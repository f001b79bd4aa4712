// The document's optimisation tips as code that runs: embedding initialisation, the
// batch-normalised MLP, and the measures of beyond-accuracy quality used in chapter 7.

import Chapter02NCF
import Foundation
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

    public init(userCount: Int, itemCount: Int, embedding: Int = 32, hidden: [Int] = [64, 32, 16], dropout: Float = 0.2,
                batchNorm: Bool, offset: Float = 0, rng: RandomGenerator) {
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

    public var parameters: [Tensor] { userEmbedding.parameters + itemEmbedding.parameters + mlp.parameters + output.parameters }
    public func setTraining(_ training: Bool) { mlp.setTraining(training) }
}
// end listing

/// Beyond accuracy: what a model's top-K lists do to the catalogue.
public struct ExposureReport: Sendable {
    /// Share of the catalogue in at least one list.
    public var coverage: Double
    /// Mean training popularity (interactions) of the recommended items.
    public var meanPopularity: Double
    /// Share of recommendations outside the most popular 20% of items (the long tail).
    public var longTailShare: Double
    /// Gini coefficient of how often each item is recommended (0: evenly; 1: one item for all).
    public var gini: Double

    public static func of(_ lists: [[Int32]], popularity: [Int]) -> ExposureReport {
        var exposure = [Int](repeating: 0, count: popularity.count)
        for list in lists { for i in list { exposure[Int(i)] += 1 } }
        let recommended = lists.reduce(0) { $0 + $1.count }
        let head = Set(popularity.indices.sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }.prefix(popularity.count / 5))
        var popularitySum = 0.0, tail = 0
        for list in lists { for i in list { popularitySum += Double(popularity[Int(i)]); if !head.contains(Int(i)) { tail += 1 } } }
        let n = Double(max(recommended, 1))
        return ExposureReport(coverage: Double(exposure.filter { $0 > 0 }.count) / Double(max(popularity.count, 1)),
                              meanPopularity: popularitySum / n, longTailShare: Double(tail) / n, gini: giniCoefficient(exposure))
    }
}

/// The Gini coefficient of non-negative counts: G = Σ_i (2i - n - 1) x_(i) / (n Σ x), with
/// x sorted ascending and i from 1. 0 when all counts are equal.
public func giniCoefficient(_ counts: [Int]) -> Double {
    let x = counts.sorted().map(Double.init)
    let n = Double(x.count), total = x.reduce(0, +)
    guard n > 0, total > 0 else { return 0 }
    var weighted = 0.0
    for (k, v) in x.enumerated() { weighted += (2 * Double(k + 1) - n - 1) * v }
    return weighted / (n * total)
}

/// Kendall's τ-a between two orderings of the same names: (concordant - discordant) pairs
/// over all pairs; 1 when the orders agree, -1 when one reverses the other.
public func kendallTau(_ a: [String], _ b: [String]) -> Double {
    let position = Dictionary(uniqueKeysWithValues: b.enumerated().map { ($1, $0) })
    var score = 0, pairs = 0
    for i in 0..<a.count {
        for j in (i + 1)..<max(a.count, i + 1) {
            guard let pi = position[a[i]], let pj = position[a[j]] else { continue }
            score += pi < pj ? 1 : -1
            pairs += 1
        }
    }
    return pairs == 0 ? 1 : Double(score) / Double(pairs)
}
