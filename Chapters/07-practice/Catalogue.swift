// Every model of the book behind one interface: trained with its chapter's defaults, tuned
// (where it has a hyperparameter worth tuning) on validation only, and saved or restored as
// plain tensors. Chapter 7 uses it to check the model-selection flowchart and to compare
// protocols; chapter 8's leaderboard and `workbook recommend` use it for everything.

import Chapter02NCF
import Chapter03Item2Vec
import Chapter04Autoencoders
import Chapter05EASE
import Chapter06GNN
import Foundation
import Narrative
import RecKit
import TensorCore

/// What a model is trained on.
public struct TrainingInput {
    public let data: RatingsData
    /// The rows the final model is fitted on.
    public let rows: [Int]
    /// Rows for choosing hyperparameters (fit on `train`, score on `validation`); nil: the
    /// chapter's default values are used.
    public let tuning: (train: [Int], validation: [Int])?
    public let mode: RunMode
    public let seed: UInt64
    public let style: TerminalStyle
    public let matrix: InteractionMatrix
    /// The tuning rows as matrices, built once for every model that tunes on them.
    let tuningMatrices: (train: InteractionMatrix, validation: InteractionMatrix)?

    public init(data: RatingsData, rows: [Int], tuning: (train: [Int], validation: [Int])? = nil, mode: RunMode, seed: UInt64,
                style: TerminalStyle = .current()) {
        self.data = data
        self.rows = rows
        self.tuning = tuning
        self.mode = mode
        self.seed = seed
        self.style = style
        matrix = InteractionMatrix(data, rows: rows)
        tuningMatrices = tuning.map { (InteractionMatrix(data, rows: $0.train), InteractionMatrix(data, rows: $0.validation)) }
    }

    /// A generator for one part of the training, derived from the seed and the model's key.
    func rng(_ stream: String) -> RandomGenerator { RandomGenerator(seed: seed, stream: stream) }
}

/// A trained model and what it takes to save it.
public struct TrainedModel {
    public let recommender: any Recommender
    public let seconds: Double
    public let epochs: Int?
    /// The settings it was trained with, and which were chosen on validation.
    public let settings: String
    /// Named tensors that restore it (with the training interactions).
    public let state: [(name: String, shape: [Int], values: [Float])]
}

/// One model of the book.
public struct ModelRecipe: Sendable {
    /// The command-line name: "neumf", "ease", "lightgcn".
    public let key: String
    public let name: String
    public let chapter: Int
    /// Whether a user's scores decompose into per-film contributions (`--explain`).
    public let explainable: Bool
    let fitModel: @Sendable (TrainingInput) throws -> TrainedModel
    let restoreModel: @Sendable (InteractionMatrix, [[Float]], [[Int]]) throws -> any Recommender
    /// The tensor shapes a saved model must have, for a data set of (users, items); nil when
    /// they depend on the training (Item2Vec's vocabulary).
    let expectedShapes: @Sendable (Int, Int) -> [[Int]]?

    public func fit(_ input: TrainingInput) throws -> TrainedModel { try fitModel(input) }

    /// Rebuilds the model from saved tensors (shapes checked by the caller against `expectedShapes`).
    public func restore(train: InteractionMatrix, values: [[Float]], shapes: [[Int]]) throws -> any Recommender {
        try restoreModel(train, values, shapes)
    }

    public func shapes(users: Int, items: Int) -> [[Int]]? { expectedShapes(users, items) }
}

public enum Catalogue {
    /// The chapter defaults the catalogue trains with, by mode.
    public struct Epochs: Sendable {
        public var ncf: Int, item2vec: Int, cdae: Int, multVAE: Int, graph: Int
        public static func of(_ mode: RunMode) -> Epochs {
            Epochs(ncf: NCFChapter.defaultEpochs(mode), item2vec: Item2VecChapter.longEpochs(mode),
                   cdae: AutoencodersChapter.defaultEpochs(mode).cdae, multVAE: AutoencodersChapter.defaultEpochs(mode).multVAE,
                   graph: GNNChapter.defaultEpochs(mode))
        }
    }

    /// EASE's λ grid and ItemKNN's neighbour counts, searched on validation.
    public static let easeLambdas: [Double] = [50, 100, 250, 500, 1000, 2500]
    public static let knnNeighbours = [25, 50, 100, 200]

    /// Every model of the book, in the order the chapters introduce them.
    public static let all: [ModelRecipe] = [
        mostPopular, itemKNN, ncf("gmf", "GMF"), ncf("mlp", "MLP"), ncf("neumf", "NeuMF"), item2vec, cdae, multVAE, ease,
        graph("mf-bpr", "MF-BPR", layers: 0), graph("ngcf", "NGCF", layers: 3), graph("lightgcn", "LightGCN", layers: 3),
    ]

    /// Finds a model by key or name, case-insensitively ("NeuMF", "mult-vae", "multvae").
    public static func recipe(_ name: String) -> ModelRecipe? {
        let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
        return all.first { $0.key.filter { $0.isLetter || $0.isNumber } == key || $0.name.lowercased().filter { $0.isLetter || $0.isNumber } == key }
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = Date()
        let value = try body()
        return (value, Date().timeIntervalSince(start))
    }

    static func tensors(_ module: any Module) -> [(name: String, shape: [Int], values: [Float])] {
        module.parameters.enumerated().map { (name: "parameter\($0.offset)", shape: $0.element.shape, values: $0.element.data) }
    }

    static func load(_ module: any Module, _ values: [[Float]]) throws {
        let parameters = module.parameters
        guard parameters.count == values.count, zip(parameters, values).allSatisfy({ $0.count == $1.count }) else {
            throw WorkbookModelError.shape
        }
        for (p, v) in zip(parameters, values) { p.data = v }
    }

    /// Picks the value whose model scores the highest NDCG@20 on the validation rows, or
    /// `fallback` (the chapter's choice) when the input has no validation rows.
    static func chooseOnValidation<T>(_ input: TrainingInput, _ candidates: [T], fallback: T,
                                      _ make: (InteractionMatrix, T) throws -> any Recommender) throws -> T {
        guard let tuning = input.tuningMatrices else { return fallback }
        let evaluator = FullRankingEvaluator(train: tuning.train, test: tuning.validation)
        var best = (value: fallback, ndcg: -1.0)
        for value in candidates {
            let ndcg = evaluator.evaluate(try make(tuning.train, value), ks: [20]).metrics["NDCG@20"] ?? 0
            if ndcg > best.ndcg { best = (value, ndcg) }
        }
        return best.value
    }

    // MARK: - The models

    static let mostPopular = ModelRecipe(
        key: "most-popular", name: "MostPopular", chapter: 2, explainable: false,
        fitModel: { input in
            let (model, seconds) = timed { MostPopular(train: input.matrix) }
            return TrainedModel(recommender: model, seconds: seconds, epochs: nil, settings: "training counts", state: [])
        },
        restoreModel: { train, _, _ in MostPopular(train: train) },
        expectedShapes: { _, _ in [] })

    static let itemKNN = ModelRecipe(
        key: "itemknn", name: "ItemKNN", chapter: 2, explainable: true,
        fitModel: { input in
            let k = try chooseOnValidation(input, knnNeighbours, fallback: 100) { try ItemKNN(train: $0, neighbourCount: $1) }
            let (model, seconds) = try timed { try ItemKNN(train: input.matrix, neighbourCount: k) }
            let n = input.data.itemCount
            return TrainedModel(recommender: model, seconds: seconds, epochs: nil,
                                settings: "cosine, shrinkage 10, k = \(k)" + (input.tuning == nil ? "" : " (validation)"),
                                state: [("similarity", [n, n], model.similarity)])
        },
        restoreModel: { train, values, _ in ItemKNN(train: train, similarity: values[0], shrinkage: 10) },
        expectedShapes: { _, items in [[items, items]] })

    static func ncf(_ key: String, _ name: String) -> ModelRecipe {
        ModelRecipe(
            key: key, name: name, chapter: 2, explainable: false,
            fitModel: { input in
                var config = NCFConfig()
                config.epochCount = Catalogue.Epochs.of(input.mode).ncf
                let model = NCFChapter.makeModel(name, data: input.data, config: config, rng: input.rng(key))
                let bar = ProgressBar(name, total: implicitSteps(train: input.matrix, config: config), style: input.style)
                let history = try trainImplicit(model, train: input.matrix, config: config, rng: input.rng(key + "-train"), progress: bar) { _ in [:] }
                bar.finish()
                return TrainedModel(recommender: PairScorerRecommender(name: name, model: model, itemCount: input.data.itemCount),
                                    seconds: history.epochSeconds.reduce(0, +), epochs: config.epochCount,
                                    settings: "f = \(config.factors), \(config.negativeCount) negatives, \(config.epochCount) epochs", state: tensors(model))
            },
            restoreModel: { train, values, _ in
                let model = NCFChapter.makeModel(name, users: train.userCount, items: train.itemCount, config: NCFConfig(), rng: RandomGenerator(seed: 0))
                try load(model, values)
                return PairScorerRecommender(name: name, model: model, itemCount: train.itemCount)
            },
            expectedShapes: { users, items in
                NCFChapter.makeModel(name, users: users, items: items, config: NCFConfig(), rng: RandomGenerator(seed: 0)).parameters.map(\.shape)
            })
    }

    static let item2vec = ModelRecipe(
        key: "item2vec", name: "Item2Vec", chapter: 3, explainable: false,
        fitModel: { input in
            var config = Item2VecChapter.documentConfig()
            config.epochCount = Catalogue.Epochs.of(input.mode).item2vec
            // The document's sessions: each user's liked films (rating >= 4) in time order.
            let sessions = Split.rowsByUser(input.rows, data: input.data).map { $0.filter { input.data.ratings[$0] >= 4 }.map { input.data.items[$0] } }
            let vectors = trainSGNS(sessions: sessions, itemCount: input.data.itemCount, config: config, seed: input.seed)
            return TrainedModel(recommender: Item2VecRecommender(vectors: vectors, train: input.matrix), seconds: vectors.trainSeconds,
                                epochs: config.epochCount, settings: "d = \(config.dimension), window \(config.window), \(config.epochCount) epochs, liked films, 1 thread",
                                state: [("items", [vectors.count], vectors.items.map(Float.init)), ("vectors", [vectors.count, vectors.dimension], vectors.input)])
        },
        restoreModel: { train, values, shapes in
            let items = values[0].map { Int32($0) }
            guard shapes.count == 2, shapes[1].count == 2, items.allSatisfy({ $0 >= 0 && Int($0) < train.itemCount }) else { throw WorkbookModelError.shape }
            return Item2VecRecommender(vectors: ItemVectors(items: items, itemCount: train.itemCount, dimension: shapes[1][1], input: values[1]), train: train)
        },
        expectedShapes: { _, _ in nil })

    static let cdae = ModelRecipe(
        key: "cdae", name: "CDAE", chapter: 4, explainable: false,
        fitModel: { input in
            let epochs = Catalogue.Epochs.of(input.mode).cdae
            let bar = ProgressBar("CDAE", total: epochs, style: input.style)
            let (model, seconds) = try timed { try AutoencodersChapter.trainCDAE(train: input.matrix, epochs: epochs, corruption: 0.3, rng: input.rng("cdae")) { bar.update($0) } }
            bar.finish()
            return TrainedModel(recommender: RowModelRecommender(name: "CDAE", train: input.matrix) { x, users in model(x, users: users) },
                                seconds: seconds, epochs: epochs, settings: "hidden 200, q = 0.3 (the document's), \(epochs) epochs", state: tensors(model))
        },
        restoreModel: { train, values, _ in
            let model = CDAE(users: train.userCount, items: train.itemCount, corruption: 0.3, rng: RandomGenerator(seed: 0))
            try load(model, values)
            model.setTraining(false)
            return RowModelRecommender(name: "CDAE", train: train) { x, users in model(x, users: users) }
        },
        expectedShapes: { users, items in CDAE(users: users, items: items, corruption: 0.3, rng: RandomGenerator(seed: 0)).parameters.map(\.shape) })

    static let multVAE = ModelRecipe(
        key: "mult-vae", name: "Mult-VAE", chapter: 4, explainable: false,
        fitModel: { input in
            let epochs = Catalogue.Epochs.of(input.mode).multVAE
            let bar = ProgressBar("Mult-VAE", total: epochs, style: input.style)
            let result = try AutoencodersChapter.trainMultVAE(train: input.matrix, epochs: epochs, rng: input.rng("mult-vae"), progress: { bar.update($0) })
            bar.finish()
            let model = result.model
            return TrainedModel(recommender: RowModelRecommender(name: "Mult-VAE", train: input.matrix) { x, _ in model(x).logits },
                                seconds: result.seconds, epochs: epochs, settings: "600-200-600, β annealed to 0.2, \(epochs) epochs", state: tensors(model))
        },
        restoreModel: { train, values, _ in
            let model = MultVAE(items: train.itemCount, rng: RandomGenerator(seed: 0))
            try load(model, values)
            model.setTraining(false)
            return RowModelRecommender(name: "Mult-VAE", train: train) { x, _ in model(x).logits }
        },
        expectedShapes: { _, items in MultVAE(items: items, rng: RandomGenerator(seed: 0)).parameters.map(\.shape) })

    static let ease = ModelRecipe(
        key: "ease", name: "EASE", chapter: 5, explainable: true,
        fitModel: { input in
            let chosen = try chooseOnValidation(input, easeLambdas, fallback: 500) { try EASE(train: $0, lambda: $1) }
            let (model, seconds) = try timed { try EASE(train: input.matrix, lambda: chosen) }
            let n = input.data.itemCount
            return TrainedModel(recommender: model, seconds: seconds, epochs: nil,
                                settings: "λ = \(Int(chosen))" + (input.tuning == nil ? " (chapter 5's choice)" : " (validation)"),
                                state: [("B", [n, n], model.weights)])
        },
        restoreModel: { train, values, _ in EASE(train: train, lambda: 0, weights: values[0]) },
        expectedShapes: { _, items in [[items, items]] })

    static func graph(_ key: String, _ name: String, layers: Int) -> ModelRecipe {
        @Sendable func make(_ train: InteractionMatrix, rng: RandomGenerator) -> any GraphRecommenderModel {
            name == "NGCF" ? NGCF(train: train, layers: layers, rng: rng) : LightGCN(train: train, layers: layers, rng: rng)
        }
        return ModelRecipe(
            key: key, name: name, chapter: 6, explainable: false,
            fitModel: { input in
                let epochs = Catalogue.Epochs.of(input.mode).graph
                let model = make(input.matrix, rng: input.rng(key))
                let result = GNNChapter.trainGraphModel(model, name: name, train: input.matrix, test: nil, epochs: epochs, evaluateEvery: epochs,
                                                        rng: input.rng(key + "-triples"), style: input.style)
                return TrainedModel(recommender: GraphRecommender(name: name, model: model), seconds: result.seconds, epochs: epochs,
                                    settings: "d = 64, \(layers) layers, BPR, \(epochs) epochs", state: tensors(model))
            },
            restoreModel: { train, values, _ in
                let model = make(train, rng: RandomGenerator(seed: 0))
                try load(model, values)
                return GraphRecommender(name: name, model: model)
            },
            expectedShapes: { users, items in
                let one = InteractionMatrix(userCount: users, itemCount: items, users: [0], items: [0])
                return make(one, rng: RandomGenerator(seed: 0)).parameters.map(\.shape)
            })
    }
}

/// A saved model that does not fit the model it is loaded into.
enum WorkbookModelError: Error, CustomStringConvertible {
    case shape
    var description: String { "the saved tensors do not fit the model" }
}
