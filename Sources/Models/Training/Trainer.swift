// One trainer for every gradient-trained model of the book. A model supplies a strategy (how an
// epoch's examples are drawn and what a step's loss is: Strategies.swift); the trainer owns
// everything every loop needs: the NaN guard, the optimiser step, learning-rate schedules,
// progress, evaluation on a validation set every few epochs with early stopping, restoring the
// best weights, and a record of what happened.

import _WorkbookSupport
import Foundation
import TensorCore

/// How long the trainer runs and when it stops.
public struct TrainerSettings: Codable, Sendable, Equatable {
    /// A safety net: training never runs longer than this.
    public var maxEpochs: Int
    /// Evaluate on the validation set every this many epochs (and after the last).
    public var evaluateEvery: Int
    /// Stop after this many evaluations without improvement; nil runs every epoch.
    public var patience: Int?
    /// How the learning rate moves over training.
    public var schedule: LearningRateSchedule
    /// Whether the weights of the best validation epoch are restored at the end (false keeps
    /// the last epoch's, for an experiment that shows what early stopping saves).
    public var keepBest = true

    public init(maxEpochs: Int, evaluateEvery: Int = 1, patience: Int? = 5, schedule: LearningRateSchedule = .constant)
    {
        precondition(maxEpochs > 0 && evaluateEvery > 0, "TrainerSettings: epochs must be positive")
        precondition((patience ?? 1) > 0, "TrainerSettings: patience must be positive")
        self.maxEpochs = maxEpochs
        self.evaluateEvery = evaluateEvery
        self.patience = patience
        self.schedule = schedule
    }

    /// Exactly `epochs` epochs, no early stopping (a budget fixed in advance, or a refit).
    public static func fixed(_ epochs: Int, schedule: LearningRateSchedule = .constant) -> TrainerSettings {
        TrainerSettings(maxEpochs: epochs, patience: nil, schedule: schedule)
    }

    /// These settings with exactly `epochs` epochs and no early stopping.
    public func fixed(epochs: Int) -> TrainerSettings { .fixed(max(1, epochs), schedule: schedule) }

    public var summary: String {
        patience.map {
            LibraryWords.say(
                "settings.training.early", ["epochs": maxEpochs, "patience": $0, "every": evaluateEvery])
        } ?? LibraryWords.say("settings.training.fixed", ["epochs": maxEpochs])
    }

    enum CodingKeys: String, CodingKey { case maxEpochs, evaluateEvery, patience, schedule, keepBest }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxEpochs = try c.decode(Int.self, forKey: .maxEpochs)
        evaluateEvery = try c.decode(Int.self, forKey: .evaluateEvery)
        patience = try c.decodeIfPresent(Int.self, forKey: .patience)
        schedule = try c.decode(LearningRateSchedule.self, forKey: .schedule)
        keepBest = try c.decodeIfPresent(Bool.self, forKey: .keepBest) ?? true
        guard maxEpochs > 0, evaluateEvery > 0, (patience ?? 1) > 0 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: c.codingPath,
                    debugDescription: "maxEpochs, evaluateEvery and patience must be at least 1"
                ))
        }
    }

    /// `patience` is written even when nil (as null), so that `--set training.patience=5` finds it.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(maxEpochs, forKey: .maxEpochs)
        try c.encode(evaluateEvery, forKey: .evaluateEvery)
        if let patience { try c.encode(patience, forKey: .patience) } else { try c.encodeNil(forKey: .patience) }
        try c.encode(schedule, forKey: .schedule)
        try c.encode(keepBest, forKey: .keepBest)
    }
}

/// How the learning rate changes during training.
public enum LearningRateSchedule: Codable, Sendable, Equatable {
    case constant
    /// Linearly from the initial rate to `final` over all planned steps (word2vec).
    case linear(final: Float)
    /// Multiplied by `gamma` every `epochs` epochs (PyTorch's StepLR).
    case step(epochs: Int, gamma: Float)
    /// Multiplied by `factor` after more than `patience` evaluations without improvement
    /// (PyTorch's ReduceLROnPlateau, which counts epochs: evaluate every epoch to match it).
    case plateau(factor: Float, patience: Int)
}

/// What one training run did.
public struct TrainingRecord: Codable, Sendable, Equatable {
    /// Epochs run (0 for a closed-form fit).
    public var epochs = 0
    /// The best epoch on validation, whose weights were kept (nil without validation).
    public var bestEpoch: Int?
    /// Optimiser steps (mini-batches).
    public var steps = 0
    /// Training time, evaluation excluded, in all and per epoch.
    public var seconds = 0.0
    public var epochSeconds: [Double] = []
    /// Time spent evaluating on validation.
    public var evaluationSeconds = 0.0
    public var stoppedEarly = false
    /// The mean training loss of each epoch.
    public var losses: [Double] = []
    /// The learning rate after each epoch (what the next epoch starts with).
    public var learningRates: [Double] = []
    /// What was measured on validation ("NDCG@20"), and its value at each evaluation.
    public var validationMetric: String?
    public var validation: [EvaluationPoint] = []
    /// Hyperparameters chosen on validation ("λ": "500").
    public var chosen: [String: String] = [:]
    /// Named terms of the loss at every step, for a model whose loss has parts (Mult-VAE's
    /// reconstruction, KL and β); nil for the others, and in files written before it existed.
    public var stepTerms: [String: [Double]]?

    public init() {}

    /// The validation curve as (epoch, value) points, for a figure.
    public var validationPoints: [(x: Double, y: Double)] { validation.map { (x: Double($0.epoch), y: $0.value) } }

    /// The validation value of the kept epoch.
    public var bestValue: Double? { validation.first { $0.epoch == bestEpoch }?.value }

    /// The median seconds of an epoch (training only).
    public var medianEpochSeconds: Double {
        let s = epochSeconds.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }
}

public struct EvaluationPoint: Codable, Sendable, Equatable {
    public var epoch: Int
    public var value: Double

    public init(epoch: Int, value: Double) {
        self.epoch = epoch
        self.value = value
    }
}

/// A metric the trainer evaluates every few epochs to decide when to stop.
public struct ValidationHook {
    public let name: String
    public let higherIsBetter: Bool
    public let evaluate: () -> Double

    public init(name: String, higherIsBetter: Bool, evaluate: @escaping () -> Double) {
        self.name = name
        self.higherIsBetter = higherIsBetter
        self.evaluate = evaluate
    }
}

/// What a step of a strategy produced.
public enum StepOutput {
    /// A loss for the trainer to back-propagate and step on, weighted by `examples` in the
    /// epoch's mean loss.
    case loss(Tensor, examples: Int)
    /// An update the strategy applied itself (SGNS's hand-derived gradients), and its loss if
    /// it computed one.
    case applied(loss: Double?, examples: Int)
}

/// How one model trains: what an epoch draws, and what each step's loss is.
public protocol TrainingStrategy {
    /// Draws the epoch's examples (negatives, shuffles) and returns its number of steps.
    mutating func beginEpoch(_ epoch: Int) -> Int
    /// Step `k` (from 0) of the current epoch, at learning rate `learningRate`.
    mutating func step(_ k: Int, learningRate: Float) throws -> StepOutput
}

public struct Trainer {
    public let label: String
    public let settings: TrainerSettings
    public let progress: ProgressFactory?

    public init(_ label: String, settings: TrainerSettings, progress: ProgressFactory? = nil) {
        self.label = label
        self.settings = settings
        self.progress = progress
    }

    /// Trains `model` with `strategy` and `optimizer` (nil when the strategy applies its own
    /// updates) from `learningRate`. With `validation`, evaluates every `evaluateEvery` epochs,
    /// stops after `patience` evaluations without improvement, and restores the best weights.
    /// `afterEpoch` runs after each epoch with the model in evaluation mode (untimed).
    public func fit<S: TrainingStrategy>(
        _ strategy: inout S, model: any Module, optimizer: (any Optimizer)?,
        learningRate: Float, validation: ValidationHook? = nil,
        afterEpoch: ((Int) throws -> Void)? = nil
    ) throws -> TrainingRecord {
        var record = TrainingRecord()
        record.validationMetric = validation?.name
        var schedule = ScheduleState(
            settings.schedule, initial: learningRate, optimizer: optimizer,
            higherIsBetter: validation?.higherIsBetter ?? false)
        var best: (value: Double, epoch: Int, weights: [[Float]])?
        var sinceBest = 0
        var bar: (any ProgressReporter)?
        for epoch in 1...settings.maxEpochs {
            let start = Date()
            model.setTraining(true)
            let steps = strategy.beginEpoch(epoch)
            if bar == nil { bar = progress?(label, settings.maxEpochs * max(steps, 1)) }
            schedule.plan(steps: steps * settings.maxEpochs)
            var total = 0.0, examples = 0
            for k in 0..<steps {
                let rate = schedule.rate(step: record.steps, optimizer: optimizer)
                let (loss, n) = try runStep(&strategy, k, rate: rate, optimizer: optimizer, epoch: epoch)
                record.steps += 1
                if n > 0 {
                    total += loss * Double(n)
                    examples += n
                }
                bar?.update(
                    (epoch - 1) * steps + k + 1,
                    detail: detail(epoch, examples > 0 ? total / Double(examples) : .nan, best))
            }
            record.epochSeconds.append(Date().timeIntervalSince(start))
            record.seconds += record.epochSeconds[record.epochSeconds.count - 1]
            record.epochs = epoch
            record.losses.append(examples > 0 ? total / Double(examples) : .nan)
            schedule.endEpoch()
            record.learningRates.append(Double(schedule.current(optimizer)))
            model.setTraining(false)
            try afterEpoch?(epoch)
            guard let validation, epoch % settings.evaluateEvery == 0 || epoch == settings.maxEpochs else { continue }
            let evaluationStart = Date()
            let value = validation.evaluate()
            record.evaluationSeconds += Date().timeIntervalSince(evaluationStart)
            record.validation.append(EvaluationPoint(epoch: epoch, value: value))
            schedule.validated(value)
            if best.map({ validation.higherIsBetter ? value > $0.value : value < $0.value }) ?? value.isFinite {
                best = (value, epoch, model.parameters.map(\.data))
                sinceBest = 0
            } else {
                sinceBest += 1
            }
            record.learningRates[record.learningRates.count - 1] = Double(schedule.current(optimizer))
            if let patience = settings.patience, sinceBest >= patience, epoch < settings.maxEpochs {
                record.stoppedEarly = true
                break
            }
        }
        if let best {
            record.bestEpoch = best.epoch
            if settings.keepBest, best.epoch != record.epochs {
                for (p, w) in zip(model.parameters, best.weights) { p.data = w }
            }
        }
        model.setTraining(false)
        bar?.finish(finishLine(record))
        return record
    }

    private func runStep<S: TrainingStrategy>(
        _ strategy: inout S, _ k: Int, rate: Float, optimizer: (any Optimizer)?,
        epoch: Int
    ) throws -> (loss: Double, examples: Int) {
        switch try strategy.step(k, learningRate: rate) {
        case .loss(let loss, let examples):
            guard let optimizer else {
                preconditionFailure("Trainer: a strategy that returns losses needs an optimizer")
            }
            optimizer.zeroGrad()
            try checkFinite(loss.item, epoch: epoch, step: k + 1)
            loss.backward()
            optimizer.step()
            return (Double(loss.item), examples)
        case .applied(let loss?, let examples):
            try checkFinite(Float(loss), epoch: epoch, step: k + 1)
            return (loss, examples)
        case .applied(nil, _):
            return (.nan, 0)
        }
    }

    private func detail(
        _ epoch: Int, _ loss: Double, _ best: (value: Double, epoch: Int, weights: [[Float]])?
    ) -> String {
        let words = ProgressWords.current
        var text = words.epoch(epoch, settings.maxEpochs)
        if loss.isFinite { text += words.loss(String(format: "%.4f", loss)) }
        if let best { text += words.best(String(format: "%.4f", best.value), best.epoch) }
        return text
    }

    private func finishLine(_ record: TrainingRecord) -> String {
        let words = ProgressWords.current
        var text = words.epochs(record.epochs)
        if let metric = record.validationMetric, let value = record.bestValue, let epoch = record.bestEpoch {
            text += words.kept(epoch, metric, String(format: "%.4f", value))
            if record.stoppedEarly { text += words.stoppedEarly }
        }
        return text
    }
}

/// The learning rate under a schedule: the optimiser's own rate, lowered by TensorCore's StepLR
/// and ReduceLROnPlateau, or a linear decay per step (word2vec's, also for strategies that update
/// by hand and so have no optimiser).
struct ScheduleState {
    let schedule: LearningRateSchedule
    let initial: Float
    private var rate: Float
    private var plannedSteps = 1
    private let stepLR: StepLR?
    private let plateauLR: ReduceLROnPlateau?

    init(_ schedule: LearningRateSchedule, initial: Float, optimizer: (any Optimizer)?, higherIsBetter: Bool) {
        self.schedule = schedule
        self.initial = initial
        rate = initial
        optimizer?.learningRate = initial
        switch schedule {
        case .step(let epochs, let gamma):
            stepLR = optimizer.map { StepLR($0, stepSize: epochs, gamma: gamma) }
            plateauLR = nil
        case .plateau(let factor, let patience):
            stepLR = nil
            plateauLR = optimizer.map {
                ReduceLROnPlateau($0, mode: higherIsBetter ? .max : .min, factor: factor, patience: patience)
            }
        case .constant, .linear:
            stepLR = nil
            plateauLR = nil
        }
    }

    mutating func plan(steps: Int) { plannedSteps = max(steps, 1) }

    /// The rate for global step `step` (set on the optimiser when there is one).
    mutating func rate(step: Int, optimizer: (any Optimizer)?) -> Float {
        if case .linear(let final) = schedule {
            rate = max(final, initial - (initial - final) * Float(Double(step) / Double(plannedSteps)))
            optimizer?.learningRate = rate
            return rate
        }
        return optimizer?.learningRate ?? rate
    }

    func endEpoch() { stepLR?.step() }

    /// The rate the next step will use (before a linear schedule moves it).
    func current(_ optimizer: (any Optimizer)?) -> Float { optimizer?.learningRate ?? rate }

    func validated(_ value: Double) { plateauLR?.step(Float(value)) }
}
