// CDAE: the collaborative denoising autoencoder (Wu, DuBois, Zheng & Ester, "Collaborative
// Denoising Auto-Encoders for Top-N Recommender Systems", WSDM 2016), as the document writes it.
//
// Shapes: B = batch of users, I = items, H = hidden units.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

// listing: cdae
/// The document's CollaborativeDAE (CDAE): the user's interaction row, corrupted by dropping
/// entries, is encoded together with a per-user vector: h = sigmoid(W x̃ + V_u + b), and
/// decoded to one logit per item. Trained on implicit data with BCE over all items.
public final class CDAE: RecommenderModel, Module {
    public let encoder: Linear  // I -> H
    public let userNode: Embedding  // [U, H]: the "collaborative" input
    public let decoder: Linear  // H -> I
    public let corruption: Float
    /// Dropout noise as the document writes it (no 1/(1-q) rescaling) when false.
    public let rescale: Bool
    let rng: RandomGenerator
    public private(set) var isTraining = true

    public init(
        users: Int, items: Int, hidden: Int = 200, corruption: Float, rescale: Bool = false, rng: RandomGenerator
    ) {
        encoder = Linear(items, hidden, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
        userNode = Embedding(count: users, dimension: hidden, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        decoder = Linear(hidden, items, weightInit: .xavierUniform, biasInit: .zeros, rng: rng)
        self.corruption = corruption
        self.rescale = rescale
        self.rng = rng
        var config = Config(mode: .standard)
        (config.hidden, config.corruption, config.rescale) = (hidden, corruption, rescale)
        self.config = config
    }

    public func callAsFunction(_ x: Tensor, users: [Int32]) -> Tensor {
        var input = x
        if isTraining && corruption > 0 {
            // mask = rand > q, as in the document's add_noise.
            let kept: Float = rescale ? 1 / (1 - corruption) : 1
            let keep = (0..<x.count).map { _ in rng.nextFloat() > corruption ? kept : Float(0) }
            input = x * Tensor(keep, shape: x.shape)
        }
        return decoder((encoder(input) + userNode(users)).sigmoid())
    }
    // end listing

    public static let info = ModelInfo(
        key: "cdae", name: "CDAE", chapter: 4,
        paper: "Wu et al., Collaborative Denoising Auto-Encoders for Top-N Recommender Systems, WSDM 2016")

    public struct Config: TrainableConfig {
        /// H: hidden units (chapter 4's 200, about RecBole's default).
        public var hidden = 200
        /// q: the share of a row's entries dropped in training (the document's 0.3).
        public var corruption: Float = 0.3
        /// Whether kept entries are scaled by 1/(1-q) (inverted dropout); the document does not.
        public var rescale = false
        /// Adam's step size: the document's 0.001 needs ~155 epochs to its best validation NDCG@20
        /// (0.295); 0.005 gets there (0.294) in 40, so converged runs use it.
        public var learningRate: Float = 1e-3
        /// Users per step (chapter 4's 128).
        public var batchSize = 128
        /// 2 epochs to smoke-test, chapter 4's 10, 50 for the full run.
        public var training: TrainerSettings

        public init(mode: RunMode) {
            switch mode {
            case .quick: training = .fixed(2)
            // lr 0.005 (below) peaks by epoch ~40 on validation, then overfits: evaluate every 2 epochs.
            case .standard: training = TrainerSettings(maxEpochs: 500, evaluateEvery: 2, patience: 5)
            case .full: training = .fixed(50)
            }
        }

        public var rules: [SettingRule] {
            [
                .atLeast("hidden", hidden),
                .fraction("corruption", corruption),
                .positive("learningRate", learningRate),
                .atLeast("batchSize", batchSize),
            ]
        }

        public var summary: String {
            let q = short(corruption)
            return LibraryWords.say(
                "settings.cdae",
                [
                    "hidden": hidden, "training": training.summary,
                    "corruption": rescale ? LibraryWords.say("settings.cdae.rescaled", ["corruption": q]) : q,
                    "adam": LibraryWords.say("settings.adam", ["lr": short(learningRate), "batch": batchSize]),
                ])
        }
    }

    public static func defaultConfig(_ mode: RunMode) -> Config {
        var c = Config(mode: mode)
        if mode == .standard { c.learningRate = 5e-3 }
        return c
    }

    public let name = "CDAE"
    public var itemCount: Int { decoder.outputSize }
    public private(set) var config: Config
    public internal(set) var record = TrainingRecord()
    var train: InteractionMatrix?

    public var parameters: [Tensor] { encoder.parameters + userNode.parameters + decoder.parameters }
    public func setTraining(_ training: Bool) { isTraining = training }

    public static func fit(_ input: FitInput, config: Config) throws -> CDAE {
        let model = CDAE(
            users: input.data.userCount, items: input.data.itemCount, hidden: config.hidden,
            corruption: config.corruption, rescale: config.rescale, rng: input.rng(info.key))
        model.config = config
        model.train = input.train
        model.record = try fitRows(
            model, label: info.name, input: input, settings: config.training,
            batchSize: config.batchSize, learningRate: config.learningRate, recommender: model
        ) {
            users, _ in
            let x = interactionRows(input.train, users)
            return Loss.bceWithLogits(model(x, users: users), x)
        }
        return model
    }

    public var state: [NamedTensor] { namedState }

    public convenience init(
        restoring state: [NamedTensor], config: Config, input: FitInput, record: TrainingRecord
    ) throws {
        self.init(
            users: input.data.userCount, items: input.data.itemCount, hidden: config.hidden,
            corruption: config.corruption, rescale: config.rescale, rng: RandomGenerator(seed: 0))
        try state.load(into: self, model: Self.info.name)
        self.config = config
        self.record = record
        train = input.train
        setTraining(false)
    }

    /// A user's scores: the reconstruction (logits) of their training row.
    public func scores(users: [Int32]) -> [Float] {
        guard let train else { preconditionFailure("CDAE: scores before fit") }
        return Tensor.withoutGrad { self(interactionRows(train, users), users: users).data }
    }
}
