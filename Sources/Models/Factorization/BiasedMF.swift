// Biased matrix factorisation (Koren, Bell & Volinsky, "Matrix Factorization Techniques for
// Recommender Systems", IEEE Computer 2009): the rating baseline AutoRec is measured against.
//
// Shapes: B = batch of ratings, k = factors.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// r̂ = μ + b_u + b_i + p_u · q_i, trained with Adam on squared error plus an L2 penalty on the
/// batch's rows.
public final class BiasedMF: RecommenderModel, PairScorer {
    public let p: Embedding, q: Embedding  // [U, k], [I, k]
    public let bu: Embedding, bi: Embedding  // [U, 1], [I, 1]
    /// μ: the mean training rating.
    public private(set) var mean: Float = 0

    public init(userCount: Int, itemCount: Int, factors: Int, rng: RandomGenerator) {
        p = Embedding(count: userCount, dimension: factors, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        q = Embedding(count: itemCount, dimension: factors, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        bu = Embedding(count: userCount, dimension: 1, initializer: .zeros, sparse: false, rng: rng)
        bi = Embedding(count: itemCount, dimension: 1, initializer: .zeros, sparse: false, rng: rng)
        self.itemCount = itemCount
        config = Config(mode: .standard)
    }

    public func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        (p(users) * q(items)).sum(axis: 1) + bu(users).reshaped([-1]) + bi(items).reshaped([-1]) + mean
    }

    public static let info = ModelInfo(
        key: "biased-mf", name: "biased MF", chapter: 4,
        paper: "Koren, Bell & Volinsky, Matrix Factorization Techniques for Recommender Systems, 2009", task: .rating)

    public struct Config: TrainableConfig {
        /// k: latent factors.
        public var factors = 32
        /// Adam's step size.
        public var learningRate: Float = 2e-3
        /// Ratings per step.
        public var batchSize = 1024
        /// The weight of the L2 penalty on the batch's embeddings and biases (per rating).
        public var l2: Float = 0.1
        /// 2 epochs to smoke-test, 20 otherwise.
        public var training: TrainerSettings

        public init(mode: RunMode) {
            training = mode == .quick ? .fixed(2) : TrainerSettings(maxEpochs: 100, evaluateEvery: 1, patience: 3)
        }

        public var rules: [SettingRule] {
            [
                .atLeast("factors", factors),
                .positive("learningRate", learningRate),
                .atLeast("batchSize", batchSize),
                .positive("l2", l2, orZero: true),
            ]
        }

        public var summary: String {
            LibraryWords.say(
                "settings.biased-mf",
                [
                    "k": factors, "l2": short(l2), "training": training.summary,
                    "adam": LibraryWords.say("settings.adam", ["lr": short(learningRate), "batch": batchSize]),
                ])
        }
    }

    public let name = "biased MF"
    public let itemCount: Int
    public private(set) var config: Config
    public internal(set) var record = TrainingRecord()

    public var parameters: [Tensor] { p.parameters + q.parameters + bu.parameters + bi.parameters }
    public func setTraining(_ training: Bool) {}

    public static func fit(_ input: FitInput, config: Config) throws -> BiasedMF {
        let model = BiasedMF(
            userCount: input.data.userCount, itemCount: input.data.itemCount, factors: config.factors,
            rng: input.rng(info.key))
        model.config = config
        let rows = RatingRows(input.data, rows: input.rows)
        model.mean = rows.ratings.reduce(0, +) / Float(max(rows.count, 1))
        var strategy = RatingStrategy(rows: rows, batchSize: config.batchSize, rng: input.rng(info.key + "-order")) {
            users, items, ratings in
            let penalty =
                model.p(users).sumOfSquares() + model.q(items).sumOfSquares() + model.bu(users).sumOfSquares()
                + model.bi(items).sumOfSquares()
            return Loss.mse(model(users, items), Tensor(ratings)) + config.l2 * (penalty * (1 / Float(users.count)))
        }
        model.record = try Trainer(info.name, settings: config.training, progress: input.progress)
            .fit(
                &strategy, model: model, optimizer: Adam(model.parameters), learningRate: config.learningRate,
                validation: input.validationHook(model)
            ) { try input.afterEpoch?($0, model) }
        return model
    }

    public var state: [NamedTensor] { namedState + [NamedTensor("mean", shape: [1], values: [mean])] }

    public convenience init(
        restoring state: [NamedTensor], config: Config, input: FitInput, record: TrainingRecord
    ) throws {
        self.init(
            userCount: input.data.userCount, itemCount: input.data.itemCount, factors: config.factors,
            rng: RandomGenerator(seed: 0))
        try Array(state.dropLast()).load(into: self, model: Self.info.name)
        mean = try state.tensor("mean", shape: [1], model: Self.info.name).values[0]
        self.config = config
        self.record = record
    }

    /// Predicted ratings, clipped to the 1-5 scale.
    public func scores(pairs users: [Int32], _ items: [Int32]) -> [Float] {
        predict(users: users, items: items).map { min(5, max(1, $0)) }
    }

    public func scores(users: [Int32]) -> [Float] {
        let items = (0..<Int32(itemCount)).map { $0 }
        return users.flatMap { scores(pairs: [Int32](repeating: $0, count: itemCount), items) }
    }
}
