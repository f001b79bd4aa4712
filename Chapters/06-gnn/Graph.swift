// The user-item bipartite graph, LightGCN (He et al., SIGIR 2020) and NGCF (Wang et al.,
// SIGIR 2019), trained with BPR on the tensor core.
//
// Shapes: U = users, I = items, N = U + I nodes, d = embedding size, B = batch.

import Foundation
import RecKit
import TensorCore

// listing: adjacency
/// The symmetric normalised adjacency Â = D^-1/2 A D^-1/2 of the bipartite graph whose
/// nodes are the users (0..<U) and the items (U..<U+I): the edge (u, i) gets weight
/// 1 / sqrt(|N_u| |N_i|).
public func normalizedAdjacency(_ train: InteractionMatrix) -> SparseMatrix {
    let (u, n) = (train.userCount, train.userCount + train.itemCount)
    let itemDegree = train.itemPopularity
    var entries: [(row: Int, column: Int, value: Float)] = []
    entries.reserveCapacity(2 * train.nonZeroCount)
    for user in 0..<u {
        let du = Float(train.count(of: user))
        for item in train.items(of: user) {
            let w = 1 / (du * Float(itemDegree[Int(item)])).squareRoot()
            entries.append((user, u + Int(item), w))
            entries.append((u + Int(item), user, w))
        }
    }
    return SparseMatrix(rowCount: n, columnCount: n, entries: entries)
}
// end listing

/// A graph model: it propagates all node embeddings and exposes the final ones.
public protocol GraphRecommenderModel: Module {
    var userCount: Int { get }
    var itemCount: Int { get }
    /// The final embeddings of every node, [N, d'].
    func propagate() -> Tensor
    /// The ego (layer-0) embeddings, [N, d]: what the L2 penalty applies to.
    var ego: Tensor { get }
}

// listing: lightgcn
/// LightGCN: no feature transforms, no non-linearity; each layer is E_{l+1} = Â E_l, and the
/// final embedding is the mean of layers 0..L (alpha_l = 1/(L+1)). Only E_0 is learned.
/// With L = 0 it is matrix factorisation trained with BPR (MF-BPR).
public final class LightGCN: GraphRecommenderModel {
    public let userCount: Int, itemCount: Int, layers: Int
    public let ego: Tensor  // [N, d]
    let graph: SparseMatrix

    public init(train: InteractionMatrix, dimension: Int = 64, layers: Int = 3, graph: SparseMatrix? = nil, rng: RandomGenerator) {
        userCount = train.userCount
        itemCount = train.itemCount
        self.layers = layers
        self.graph = graph ?? normalizedAdjacency(train)
        ego = Tensor.randomNormal([userCount + itemCount, dimension], std: 0.1, rng: rng, requiresGrad: true)
    }

    public func propagate() -> Tensor {
        var e = ego, sum = ego
        for _ in 0..<layers {
            e = graph.matmul(e, transpose: graph)  // Â is symmetric: its own transpose
            sum = sum + e
        }
        return layers == 0 ? sum : sum * (1 / Float(layers + 1))
    }

    public var parameters: [Tensor] { [ego] }
    public func setTraining(_ training: Bool) {}
}
// end listing

// listing: ngcf
/// NGCF's layer, as the paper writes it for all nodes at once:
///   E_{l+1} = LeakyReLU( (Â E_l + E_l) W1 + (Â E_l ⊙ E_l) W2 ),
/// i.e. each node adds W1 e_i and the interaction W2 (e_i ⊙ e_u) over its normalised
/// neighbourhood (and itself); message dropout; the final embedding concatenates every
/// layer's L2-normalised output with E_0.
public final class NGCF: GraphRecommenderModel {
    public let userCount: Int, itemCount: Int
    public let ego: Tensor                 // [N, d]
    public let transforms: [Linear]        // W1 per layer, d -> d
    public let interactions: [Linear]      // W2 per layer, d -> d
    let graph: SparseMatrix
    let dropout: Float
    let rng: RandomGenerator
    public private(set) var isTraining = true

    public init(train: InteractionMatrix, dimension: Int = 64, layers: Int = 3, messageDropout: Float = 0.1,
                graph: SparseMatrix? = nil, rng: RandomGenerator) {
        userCount = train.userCount
        itemCount = train.itemCount
        self.graph = graph ?? normalizedAdjacency(train)
        dropout = messageDropout
        self.rng = rng
        ego = Tensor(Initializer.xavierUniform.values(fanIn: userCount + itemCount, fanOut: dimension,
                                                       count: (userCount + itemCount) * dimension, rng: rng),
                     shape: [userCount + itemCount, dimension], requiresGrad: true)
        transforms = (0..<layers).map { _ in Linear(dimension, dimension, weightInit: .xavierUniform, biasInit: .zeros, rng: rng) }
        interactions = (0..<layers).map { _ in Linear(dimension, dimension, weightInit: .xavierUniform, biasInit: .zeros, rng: rng) }
    }

    public func propagate() -> Tensor {
        var e = ego
        var outputs = [ego]
        for (w1, w2) in zip(transforms, interactions) {
            let side = graph.matmul(e, transpose: graph)                    // Â E: [N, d]
            let message = (w1(side + e) + w2(side * e)).leakyRelu(slope: 0.2)
            e = message.dropout(dropout, training: isTraining, rng: rng)
            let norm = (e.pow(2).sum(axis: 1, keepDims: true) + 1e-12).sqrt()  // [N, 1]
            outputs.append(e / norm)
        }
        return Tensor.concat(outputs)  // [N, d (L + 1)]
    }

    public var parameters: [Tensor] { [ego] + transforms.flatMap(\.parameters) + interactions.flatMap(\.parameters) }
    public func setTraining(_ training: Bool) { isTraining = training }
}
// end listing

/// A trained graph model as a `Recommender`: the score is the dot product of final embeddings.
public final class GraphRecommender: Recommender {
    public let name: String
    public let itemCount: Int
    let final: Tensor  // [N, d']
    let userCount: Int

    public init(name: String, model: any GraphRecommenderModel) {
        self.name = name
        itemCount = model.itemCount
        userCount = model.userCount
        model.setTraining(false)
        final = Tensor.withoutGrad { model.propagate() }
        model.setTraining(true)
    }

    public func scores(users: [Int32]) -> [Float] {
        let d = final.shape[1]
        let userRows = Tensor(users.flatMap { final.row(Int($0)) }, shape: [users.count, d])
        let items = final.rows(userCount..<(userCount + itemCount))           // [I, d']
        return Tensor.withoutGrad { userRows.matmul(items.transposed()).data }  // [B, I]
    }

    /// The final embedding of a node.
    public func embedding(_ node: Int) -> [Float] { final.row(node) }
}

// listing: bpr-step
/// One BPR step on a batch of (user, positive, negative) triples: scores are dot products of
/// the propagated embeddings; the L2 penalty applies to the ego embeddings of the batch
/// (the LightGCN paper's regulariser), averaged over the batch.
public func bprStep(_ model: any GraphRecommenderModel, optimizer: any Optimizer, users: [Int32], positives: [Int32], negatives: [Int32],
                    l2: Float) -> Float {
    optimizer.zeroGrad()
    let final = model.propagate()                                        // [N, d']
    let u = final.gather(users)
    let i = final.gather(positives.map { $0 + Int32(model.userCount) })
    let j = final.gather(negatives.map { $0 + Int32(model.userCount) })
    let positive = (u * i).sum(axis: 1), negative = (u * j).sum(axis: 1)  // [B]
    let ego = model.ego
    let regulariser = (ego.gather(users).sumOfSquares() + ego.gather(positives.map { $0 + Int32(model.userCount) }).sumOfSquares()
        + ego.gather(negatives.map { $0 + Int32(model.userCount) }).sumOfSquares()) * (0.5 / Float(users.count))
    let loss = Loss.bpr(positive: positive, negative: negative) + l2 * regulariser
    loss.backward()
    optimizer.step()
    return loss.item
}
// end listing

/// LightGCN's sampler (the reference's UniformSample_original): `count` triples, each with a
/// uniformly drawn user, one of the user's training items, and an item the user lacks.
public func sampleTriples(_ train: InteractionMatrix, count: Int, sampler: NegativeSampler, rng: RandomGenerator) -> (users: [Int32], positives: [Int32], negatives: [Int32]) {
    var users: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
    users.reserveCapacity(count); positives.reserveCapacity(count); negatives.reserveCapacity(count)
    let active = (0..<train.userCount).filter { train.count(of: $0) > 0 }
    for _ in 0..<count {
        let u = active[rng.nextInt(below: active.count)]
        let items = train.items(of: u)
        users.append(Int32(u))
        positives.append(items[items.startIndex + rng.nextInt(below: items.count)])
        negatives.append(sampler.sample(user: u, rng: rng))
    }
    return (users, positives, negatives)
}
