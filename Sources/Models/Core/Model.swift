// What every model of the book is: a `Recommender` with a paper, a Codable `Config` whose
// defaults say why, a fit, and a state that restores it. The registry (Registry.swift) lists
// them all; the trainer (Training/Trainer.swift) fits every gradient-trained one.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// Whether a model ranks items for a user (top-N) or predicts ratings.
public enum ModelTask: String, Codable, Sendable {
    case ranking, rating
}

/// Who a model is: its command-line key, display name, chapter and paper.
public struct ModelInfo: Sendable, Equatable {
    /// The command-line name: "neumf", "lightgcn".
    public let key: String
    /// The name tables and figures use: "NeuMF".
    public let name: String
    /// The chapter that introduces it.
    public let chapter: Int
    /// The paper it follows, as cited in its file.
    public let paper: String
    public let task: ModelTask
    /// Whether a user's scores are a sum of per-film contributions (`recommend --explain`).
    public let explainable: Bool
    /// The Swift file it lives in (for listings, and so that a saved model is retrained when
    /// its code changes).
    public let source: String
    /// Other names the command line accepts ("pop").
    public let aliases: [String]

    public init(
        key: String, name: String, chapter: Int, paper: String, task: ModelTask = .ranking,
        explainable: Bool = false, aliases: [String] = [], source: String = #filePath
    ) {
        self.key = key
        self.name = name
        self.chapter = chapter
        self.paper = paper
        self.task = task
        self.explainable = explainable
        self.source = source
        self.aliases = aliases
    }
}

/// A model's hyperparameters: saved in the model file, with a preset for each run mode.
public protocol ModelConfig: Codable, Sendable, Equatable {
    /// The settings for `mode`: `.quick` a smoke test, `.standard` trained to convergence,
    /// `.full` the paper's budget.
    init(mode: RunMode)
    /// One line for tables and model files: "f = 8, 4 negatives, Adam lr 0.001".
    var summary: String { get }
    /// Whether a validation set has something to choose (epochs, a hyperparameter); when it
    /// has not, the validation rows are simply training rows.
    var searchesOnValidation: Bool { get }
    /// These settings after a user set `keys` by hand: a value set explicitly wins over a search
    /// that would otherwise choose it (ItemKNN's k over its grid).
    func honouring(_ keys: Set<String>) -> Self
    /// What each setting may be (checked after `--set`; the defaults keep them).
    var rules: [SettingRule] { get }
}

extension ModelConfig {
    public var searchesOnValidation: Bool { false }
    public var rules: [SettingRule] { [] }
    public func honouring(_ keys: Set<String>) -> Self { self }
}

/// The config of a gradient-trained model: it says how long the trainer runs.
public protocol TrainableConfig: ModelConfig {
    var training: TrainerSettings { get set }
}

extension TrainableConfig {
    /// Early stopping chooses the epochs on validation; a fixed budget chooses nothing.
    public var searchesOnValidation: Bool { training.patience != nil }
}

/// One tensor of a model's saved state.
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(_ name: String, shape: [Int], values: [Float]) {
        precondition(
            shape.reduce(1, *) == values.count, "NamedTensor \(name): \(values.count) values for shape \(shape)")
        self.name = name
        self.shape = shape
        self.values = values
    }

    public init(_ name: String, _ tensor: Tensor) { self.init(name, shape: tensor.shape, values: tensor.data) }
}

/// A model of the book.
public protocol RecommenderModel: Recommender, SendableMetatype {
    associatedtype Config: ModelConfig
    static var info: ModelInfo { get }
    /// The settings this model trains with in `mode` (its Config's preset, tuned for this model).
    static func defaultConfig(_ mode: RunMode) -> Config
    var config: Config { get }
    /// What the fit did: epochs, best epoch, optimizer steps, seconds, what was chosen.
    var record: TrainingRecord { get }
    /// Fits on `input.rows`. With `input.validation`, a gradient-trained model stops early on
    /// it (keeping its best weights) and a closed-form one chooses its hyperparameters on it.
    static func fit(_ input: FitInput, config: Config) throws -> Self
    /// The tensors that, with the config and the training rows, restore the fitted model.
    var state: [NamedTensor] { get }
    /// Rebuilds a fitted model (the `record` comes back from the model file).
    init(restoring state: [NamedTensor], config: Config, input: FitInput, record: TrainingRecord) throws
    /// The config to fit again on train + validation: the hyperparameters chosen on
    /// validation, and the epochs early stopping found best.
    var refitConfig: Config { get }
}

extension RecommenderModel {
    public static func defaultConfig(_ mode: RunMode) -> Config { Config(mode: mode) }

    /// A closed-form model without hyperparameters to choose fits again as it is.
    public var refitConfig: Config { config }
}

extension RecommenderModel where Config: TrainableConfig {
    /// The same settings, for exactly the epochs early stopping found best.
    public var refitConfig: Config {
        var config = config
        config.training = config.training.fixed(epochs: record.bestEpoch ?? record.epochs)
        return config
    }
}

/// A saved model that does not fit the model it is loaded into.
public struct ModelStateError: Error, CustomStringConvertible {
    public let model: String
    public let problem: String
    public init(_ model: String, _ problem: String) {
        self.model = model
        self.problem = problem
    }
    public var description: String { LibraryWords.say("state.unfit", ["model": model, "problem": problem]) }
}

extension Array where Element == NamedTensor {
    /// The tensor called `name` with `shape`, or a `ModelStateError`.
    public func tensor(_ name: String, shape: [Int]? = nil, model: String) throws -> NamedTensor {
        guard let t = first(where: { $0.name == name }) else {
            throw ModelStateError(model, LibraryWords.say("state.no-tensor", ["name": name]))
        }
        if let shape, t.shape != shape {
            throw ModelStateError(
                model, LibraryWords.say("state.shape", ["name": name, "shape": t.shape, "needed": shape]))
        }
        return t
    }

    /// Copies saved values into a module's parameters, in order, checking every shape.
    public func load(into module: any Module, model: String) throws {
        let parameters = module.parameters
        guard parameters.count == count else {
            throw ModelStateError(
                model, LibraryWords.say("state.count", ["count": count, "parameters": parameters.count]))
        }
        for (p, t) in zip(parameters, self) {
            guard p.shape == t.shape else {
                throw ModelStateError(
                    model, LibraryWords.say("state.shape", ["name": t.name, "shape": t.shape, "needed": p.shape]))
            }
            p.data = t.values
        }
    }
}

extension Module {
    /// The parameters as named tensors, in order ("parameter0", "parameter1", ...).
    public var namedState: [NamedTensor] {
        parameters.enumerated().map { NamedTensor("parameter\($0.offset)", $0.element) }
    }
}
