// What the graph models share (NGCF, LightGCN, and MF-BPR as their zero-layer case): the
// user-item bipartite graph, the BPR objective on propagated embeddings, and how they train.
//
// Shapes: U = users, I = items, N = U + I nodes, d = embedding size, B = batch of triples.

import _WorkbookSupport
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

/// The hyperparameters of the BPR-trained graph models.
public struct GraphConfig: TrainableConfig {
    /// d: the LightGCN reference's 64.
    public var embeddingSize = 64
    /// Propagation layers (LightGCN's and NGCF's 3; MF-BPR has none).
    public var layers = 3
    /// Adam's step size (the LightGCN reference's 0.001).
    public var learningRate: Float = 1e-3
    /// Triples per step (the reference's 2,048).
    public var batchSize = 2048
    /// The L2 weight on the batch's ego embeddings (the reference's 1e-4).
    public var l2: Float = 1e-4
    /// NGCF's message dropout (its paper's 0.1).
    public var messageDropout: Float = 0.1
    /// 3 epochs to smoke-test, chapter 6's 15, the reference's 150.
    public var training: TrainerSettings

    public init(mode: RunMode) {
        switch mode {
        case .quick: training = .fixed(3)
        case .standard: training = TrainerSettings(maxEpochs: 500, evaluateEvery: 5, patience: 4)
        case .full: training = .fixed(150)
        }
    }

    public var rules: [SettingRule] {
        [
            .atLeast("embeddingSize", embeddingSize),
            .atLeast("layers", layers, 0),
            .positive("learningRate", learningRate),
            .atLeast("batchSize", batchSize),
            .positive("l2", l2, orZero: true),
            .fraction("messageDropout", messageDropout),
        ]
    }

    public var summary: String {
        LibraryWords.say(
            "settings.graph",
            [
                "d": embeddingSize, "layers": layers, "l2": short(l2), "training": training.summary,
                "adam": LibraryWords.say("settings.adam", ["lr": short(learningRate), "batch": batchSize]),
            ])
    }
}

/// A graph model: it propagates all node embeddings and exposes the final ones.
public protocol GraphModel: RecommenderModel, Module where Config == GraphConfig {
    var userCount: Int { get }
    /// The final embeddings of every node, [N, d'].
    func propagate() -> Tensor
    /// The ego (layer-0) embeddings, [N, d]: what the L2 penalty applies to.
    var ego: Tensor { get }
    /// Propagated embeddings kept between weight changes (for scoring).
    var cache: GraphCache { get }
    init(train: InteractionMatrix, config: GraphConfig, graph: SparseMatrix?, rng: RandomGenerator)
    var record: TrainingRecord { get set }
}

/// The final embeddings, computed once per set of weights.
public final class GraphCache {
    var final: Tensor?
    public init() {}
    public func clear() { final = nil }
}

extension GraphModel {
    /// The final embeddings in evaluation mode (cached until the weights change).
    public var finalEmbeddings: Tensor {
        if let final = cache.final { return final }
        let final = Tensor.withoutGrad { propagate() }
        cache.final = final
        return final
    }

    /// The final embedding of a node (users 0..<U, then items).
    public func embedding(_ node: Int) -> [Float] { finalEmbeddings.row(node) }

    /// Scores are dot products of final embeddings: [B, I].
    public func scores(users: [Int32]) -> [Float] {
        let final = finalEmbeddings
        let userRows = final.gather(users)  // [B, d']
        let items = final.rows(userCount..<(userCount + itemCount))  // [I, d']
        return Tensor.withoutGrad { userRows.matmul(items.transposed()).data }
    }

    // listing: bpr-loss
    /// BPR on a batch of (user, positive, negative) triples: scores are dot products of the
    /// propagated embeddings; the L2 penalty applies to the ego embeddings of the batch (the
    /// LightGCN paper's regulariser), averaged over the batch.
    public func bprLoss(users: [Int32], positives: [Int32], negatives: [Int32], l2: Float) -> Tensor {
        let offset = Int32(userCount)
        let (pos, neg) = (positives.map { $0 + offset }, negatives.map { $0 + offset })
        let final = propagate()  // [N, d']
        // -log sigmoid(f_u · f_i - f_u · f_j), averaged: one fused pass over the batch's rows of `final`.
        let ranking = Loss.bpr(rowsOf: final, users: users, positives: pos, negatives: neg)
        let regulariser = (ego.sumOfSquares(rows: users) + ego.sumOfSquares(rows: pos) + ego.sumOfSquares(rows: neg))
            * (0.5 / Float(users.count))
        return ranking + l2 * regulariser
    }
    // end listing

    /// Trains with BPR on triples drawn as the LightGCN reference draws them, Adam.
    public static func fit(_ input: FitInput, config: GraphConfig) throws -> Self {
        let model = Self(train: input.train, config: config, graph: nil, rng: input.rng(info.key))
        try model.train(input, config: config)
        return model
    }

    /// Trains this (fresh) model on `input`: what `fit` does, for a chapter that builds its own.
    public func train(_ input: FitInput, config: GraphConfig) throws {
        var strategy = PairwiseStrategy(
            train: input.train, batchSize: config.batchSize, rng: input.rng(Self.info.key + "-triples")
        ) {
            self.bprLoss(users: $0, positives: $1, negatives: $2, l2: config.l2)
        }
        record = try Trainer(name, settings: config.training, progress: input.progress)
            .fit(
                &strategy, model: self, optimizer: Adam(parameters), learningRate: config.learningRate,
                validation: input.validationHook(self)
            ) { try input.afterEpoch?($0, self) }
    }

    public var state: [NamedTensor] { namedState }

    public init(restoring state: [NamedTensor], config: GraphConfig, input: FitInput, record: TrainingRecord) throws {
        self.init(train: input.train, config: config, graph: nil, rng: RandomGenerator(seed: 0))
        try state.load(into: self, model: Self.info.name)
        self.record = record
        setTraining(false)
    }
}
