// NGCF (Wang, He, Wang, Feng & Chua, "Neural Graph Collaborative Filtering", SIGIR 2019), the
// paper's layer for all nodes at once.
//
// Shapes: U = users, I = items, N = U + I nodes, d = embedding size, L = layers.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

// listing: ngcf
/// NGCF's layer, as the paper writes it for all nodes at once:
///   E_{l+1} = LeakyReLU( (Â E_l + E_l) W1 + (Â E_l ⊙ E_l) W2 ),
/// i.e. each node adds W1 e_i and the interaction W2 (e_i ⊙ e_u) over its normalised
/// neighbourhood (and itself); message dropout; the final embedding concatenates every
/// layer's L2-normalised output with E_0.
public final class NGCF: GraphModel {
    public let userCount: Int, itemCount: Int
    public let ego: Tensor  // [N, d]
    public let transforms: [Linear]  // W1 per layer, d -> d
    public let interactions: [Linear]  // W2 per layer, d -> d
    let graph: SparseMatrix
    let dropout: Float
    let rng: RandomGenerator
    public private(set) var isTraining = true

    public init(
        train: InteractionMatrix, dimension: Int = 64, layers: Int = 3, messageDropout: Float = 0.1,
        graph: SparseMatrix? = nil, rng: RandomGenerator
    ) {
        userCount = train.userCount
        itemCount = train.itemCount
        self.graph = graph ?? normalizedAdjacency(train)
        dropout = messageDropout
        self.rng = rng
        let nodes = userCount + itemCount
        ego = Tensor(
            Initializer.xavierUniform.values(fanIn: nodes, fanOut: dimension, count: nodes * dimension, rng: rng),
            shape: [nodes, dimension], requiresGrad: true)
        transforms = (0..<layers).map { _ in
            Linear(dimension, dimension, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
        }
        interactions = (0..<layers).map { _ in
            Linear(dimension, dimension, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
        }
        var config = GraphConfig(mode: .standard)
        (config.embeddingSize, config.layers, config.messageDropout) = (dimension, layers, messageDropout)
        self.config = config
    }

    public func propagate() -> Tensor {
        var e = ego
        var outputs = [ego]
        for (w1, w2) in zip(transforms, interactions) {
            let side = graph.matmul(e, transpose: graph)  // Â E: [N, d]
            let message = Self.messages(side, e, w1, w2).leakyRelu(slope: 0.2)  // (Â E + E) W1 + (Â E ⊙ E) W2
            e = message.dropout(dropout, training: isTraining, rng: rng)
            outputs.append(e.rowNormalized())  // e / |e| per row
        }
        return Tensor.concat(outputs)  // [N, d (L + 1)]
    }

    /// (Â E + E) W1 + b1 + (Â E ⊙ E) W2 + b2 as one product, [Â E + E | Â E ⊙ E] [W1; W2] + (b1 + b2): the
    /// two products' numbers up to summation order, in a third of the passes over [N, d] arrays.
    static func messages(_ side: Tensor, _ e: Tensor, _ w1: Linear, _ w2: Linear) -> Tensor {
        let weights = Tensor.concat([w1.weight.transposed(), w2.weight.transposed()]).transposed()  // [2d, d]
        let bias: Tensor? = if let b1 = w1.bias, let b2 = w2.bias { b1 + b2 } else { w1.bias ?? w2.bias }
        return Tensor.biInteraction(side, e).matmul(weights, plus: bias)
    }
    // end listing

    /// Chosen on validation NDCG@20 (holdout-20, test untouched): batches of 8,192 triples at lr 0.005 reach
    /// 0.288 / 0.284 / 0.284 (split seeds 42 / 7 / 2024) by epoch 55-60, in 14 s where batches of 2,048 at
    /// lr 0.002 took 46 s for 0.292 (seed 42; times as measured when chosen); lr 0.01 peaks at 0.277 and
    /// overfits, L2 1e-3 changes nothing.
    public static func defaultConfig(_ mode: RunMode) -> GraphConfig {
        var c = GraphConfig(mode: mode)
        if mode == .standard { (c.batchSize, c.learningRate) = (8192, 0.005) }
        return c
    }

    public static let info = ModelInfo(
        key: "ngcf", name: "NGCF", chapter: 6, paper: "Wang et al., Neural Graph Collaborative Filtering, SIGIR 2019")
    public let name = "NGCF"
    public private(set) var config: GraphConfig
    public var record = TrainingRecord()
    public let cache = GraphCache()

    public convenience init(train: InteractionMatrix, config: GraphConfig, graph: SparseMatrix?, rng: RandomGenerator) {
        self.init(
            train: train, dimension: config.embeddingSize, layers: config.layers,
            messageDropout: config.messageDropout, graph: graph, rng: rng)
        self.config = config
    }

    public var parameters: [Tensor] { [ego] + transforms.flatMap(\.parameters) + interactions.flatMap(\.parameters) }
    public func setTraining(_ training: Bool) {
        isTraining = training
        cache.clear()
    }
}
