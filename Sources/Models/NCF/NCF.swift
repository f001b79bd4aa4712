// What GMF, MLP and NeuMF (He et al., "Neural Collaborative Filtering", WWW 2017) share: the
// Config, the pair-scoring interface, how they train on implicit data (BCE over sampled
// negatives) and how they rank as recommenders.
//
// Shapes: B = batch of (user, item) pairs, f = predictive factors, L = MLP layers.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// The hyperparameters of the NCF family.
public struct NCFConfig: TrainableConfig {
    /// f: the GMF embedding size and the width of the MLP's last layer (the paper's default 8).
    public var factors = 8
    /// L: MLP layers; the pyramid's embeddings are f * 2^(L-1) wide (the paper's 3).
    public var layers = 3
    /// Dropout before each MLP layer (the document's default 0.0).
    public var dropout: Float = 0
    /// Adam's step size (the paper's 0.001).
    public var learningRate: Float = 1e-3
    /// (user, item) pairs per step (the paper's 256).
    public var batchSize = 256
    /// Sampled negatives per training positive, drawn afresh every epoch (the paper's 4).
    public var negativeCount = 4
    /// Adam's L2 weight decay on every parameter (the paper uses none).
    public var weightDecay: Float = 0
    /// How long it trains: 2 epochs to smoke-test, chapter 2's 10, the paper's 20.
    public var training: TrainerSettings

    public init(mode: RunMode) {
        switch mode {
        case .quick: training = .fixed(2)
        // Converged: validation NDCG every 2 epochs (measured for NeuMF at f = 16: a loo-99 check costs 1/20 of
        // an epoch, a full ranking of holdout-20 about 3/5).
        case .standard: training = TrainerSettings(maxEpochs: 60, evaluateEvery: 2, patience: 3)
        case .full: training = .fixed(20)
        }
    }

    /// The pyramid of MLP widths: [f·2^L, f·2^(L-1), ..., f].
    public var pyramid: [Int] { MLP.pyramid(factors: factors, layers: layers) }

    public var rules: [SettingRule] {
        [
            .atLeast("factors", factors),
            .atLeast("layers", layers, 0),
            .fraction("dropout", dropout),
            .positive("learningRate", learningRate),
            .atLeast("batchSize", batchSize),
            .atLeast("negativeCount", negativeCount),
            .positive("weightDecay", weightDecay, orZero: true),
        ]
    }

    public var summary: String {
        let lr =
            weightDecay > 0
            ? LibraryWords.say("settings.ncf.l2", ["lr": short(learningRate), "decay": short(weightDecay)])
            : short(learningRate)
        let widths = pyramid.map(String.init).joined(separator: "-")
        let tower =
            dropout > 0 ? LibraryWords.say("settings.ncf.dropout", ["pyramid": widths, "p": short(dropout)]) : widths
        return LibraryWords.say(
            "settings.ncf",
            [
                "f": factors, "layers": layers, "pyramid": tower,
                "negatives": negativeCount, "adam": LibraryWords.say("settings.adam", ["lr": lr, "batch": batchSize]),
                "training": training.summary,
            ])
    }
}

/// Anything that scores (user, item) pairs: one logit per pair.
public protocol PairScorer: Module {
    func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor  // [B]
}

extension PairScorer {
    /// Scores of (user, item) pairs in evaluation mode, in chunks.
    public func predict(users: [Int32], items: [Int32], chunk: Int = 8192) -> [Float] {
        evaluating(users.count, by: chunk) { self(Array(users[$0]), Array(items[$0])).data }
    }

    /// `score(chunk)` for chunks of `users` of about 16k (user, item) pairs, concatenated (a full ranking of
    /// many users at once), in evaluation mode.
    func inUserChunks(_ users: [Int32], itemCount: Int, _ score: ([Int32]) -> [Float]) -> [Float] {
        evaluating(users.count, by: max(1, 16_384 / max(itemCount, 1))) { score(Array(users[$0])) }
    }

    /// `body` over consecutive ranges of 0..<count, at most `size` long, concatenated: in evaluation mode and
    /// without gradients, and back in training mode afterwards.
    private func evaluating(_ count: Int, by size: Int, _ body: (Range<Int>) -> [Float]) -> [Float] {
        setTraining(false)
        defer { setTraining(true) }
        return Tensor.withoutGrad {
            stride(from: 0, to: count, by: size).flatMap { body($0..<min(count, $0 + size)) }
        }
    }

    /// Every item's score for each of `users`: [users, items].
    public func scoresOfAllItems(users: [Int32], itemCount: Int) -> [Float] {
        let items = (0..<Int32(itemCount)).map { $0 }
        return predict(
            users: users.flatMap { [Int32](repeating: $0, count: itemCount) },
            items: Array(repeating: items, count: users.count).flatMap { $0 })
    }
}

/// A pair scorer (an experiment's model, say) as a `Recommender`.
public final class PairScorerRecommender: Recommender {
    public let name: String
    public let itemCount: Int
    public let model: any PairScorer

    public init(name: String, model: any PairScorer, itemCount: Int) {
        self.name = name
        self.model = model
        self.itemCount = itemCount
    }

    public func scores(users: [Int32]) -> [Float] { model.scoresOfAllItems(users: users, itemCount: itemCount) }
    public func scores(user: Int32, items: [Int32]) -> [Float] {
        model.predict(users: [Int32](repeating: user, count: items.count), items: items)
    }
    public func scores(pairs users: [Int32], _ items: [Int32]) -> [Float] { model.predict(users: users, items: items) }
}

/// What the three NCF models have in common as models of the book.
public protocol NCFModel: PairScorer, RecommenderModel where Config == NCFConfig {
    /// A fresh model for `users` x `items` (the initial weights drawn from `rng`).
    init(userCount: Int, itemCount: Int, config: NCFConfig, rng: RandomGenerator)
    var config: NCFConfig { get set }
    var record: TrainingRecord { get set }
}

extension NCFModel {
    public var name: String { Self.info.name }
    public func scores(users: [Int32]) -> [Float] { scoresOfAllItems(users: users, itemCount: itemCount) }
    public func scores(user: Int32, items: [Int32]) -> [Float] {
        predict(users: [Int32](repeating: user, count: items.count), items: items)
    }
    public func scores(pairs users: [Int32], _ items: [Int32]) -> [Float] { predict(users: users, items: items) }

    /// A fresh model trained on `input` (see `train`).
    public static func fit(_ input: FitInput, config: NCFConfig) throws -> Self {
        let model = Self(
            userCount: input.data.userCount, itemCount: input.data.itemCount, config: config,
            rng: input.rng(info.key))
        try model.train(input, config: config)
        return model
    }

    // listing: train-implicit
    /// NCF's training on implicit data: each epoch draws `negativeCount` fresh negatives per
    /// training positive, shuffles, and takes optimiser steps (Adam unless given another) on the
    /// BCE of the logits.
    public func train(_ input: FitInput, config: NCFConfig, optimizer: (any Optimizer)? = nil) throws {
        var strategy = PointwiseStrategy(
            train: input.train, negativeCount: config.negativeCount,
            batchSize: config.batchSize, rng: input.rng(Self.info.key + "-train")
        ) {
            self($0, $1)
        }
        self.config = config
        record = try Trainer(name, settings: config.training, progress: input.progress)
            .fit(
                &strategy, model: self, optimizer: optimizer ?? Adam(parameters, weightDecay: config.weightDecay),
                learningRate: config.learningRate,
                validation: input.validationHook(self)
            ) { try input.afterEpoch?($0, self) }
    }
    // end listing

    public var state: [NamedTensor] { namedState }

    public init(restoring state: [NamedTensor], config: NCFConfig, input: FitInput, record: TrainingRecord) throws {
        self.init(
            userCount: input.data.userCount, itemCount: input.data.itemCount, config: config,
            rng: RandomGenerator(seed: 0))
        try state.load(into: self, model: Self.info.name)
        self.record = record
    }
}
