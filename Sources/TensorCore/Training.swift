// Learning-rate schedules, early stopping, and the check that turns a diverging run into a
// clear error.

/// Multiplies the learning rate by `gamma` every `stepSize` epochs (PyTorch's StepLR).
public final class StepLR {
    public let optimizer: any Optimizer
    public let stepSize: Int, gamma: Float
    public private(set) var epoch = 0
    private let initial: Float

    public init(_ optimizer: any Optimizer, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepLR: stepSize must be positive")
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
        initial = optimizer.learningRate
    }

    /// Call once at the end of each epoch.
    public func step() {
        epoch += 1
        var lr = initial
        for _ in 0..<(epoch / stepSize) { lr *= gamma }
        optimizer.learningRate = lr
    }
}

/// Lowers the learning rate by `factor` when a monitored value has stopped improving for
/// `patience` epochs (PyTorch's ReduceLROnPlateau, mode "min" or "max", relative threshold).
public final class ReduceLROnPlateau {
    public enum Mode: Sendable { case min, max }
    public let optimizer: any Optimizer
    public let mode: Mode, factor: Float, patience: Int, threshold: Float, cooldown: Int, minimumLearningRate: Float
    public private(set) var best: Float?
    public private(set) var badEpochs = 0
    private var cooldownLeft = 0

    public init(_ optimizer: any Optimizer, mode: Mode = .min, factor: Float = 0.1, patience: Int = 10,
                threshold: Float = 1e-4, cooldown: Int = 0, minimumLearningRate: Float = 0) {
        precondition(factor > 0 && factor < 1, "ReduceLROnPlateau: factor must be in (0, 1)")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
    }

    /// Feeds one epoch's value; returns true when the learning rate was lowered.
    @discardableResult
    public func step(_ value: Float) -> Bool {
        let improved: Bool
        if let best {
            improved = mode == .min ? value < best * (1 - threshold) : value > best * (1 + threshold)
        } else {
            improved = true
        }
        if improved { best = value; badEpochs = 0 } else { badEpochs += 1 }
        if cooldownLeft > 0 { cooldownLeft -= 1; badEpochs = 0 }
        guard badEpochs > patience else { return false }
        let lowered = max(optimizer.learningRate * factor, minimumLearningRate)
        let changed = optimizer.learningRate - lowered > 1e-12
        optimizer.learningRate = lowered
        cooldownLeft = cooldown
        badEpochs = 0
        return changed
    }
}

/// Stops training when a validation loss has not improved by more than `minDelta` for
/// `patience` epochs in a row; remembers the best epoch (the document's EarlyStopping).
public struct EarlyStopping: Sendable {
    public let patience: Int, minDelta: Float
    public private(set) var bestLoss: Float?
    public private(set) var bestEpoch: Int?
    public private(set) var counter = 0
    public private(set) var shouldStop = false
    private var epoch = 0

    public init(patience: Int = 10, minDelta: Float = 0) {
        self.patience = patience
        self.minDelta = minDelta
    }

    /// Feeds one epoch's validation loss; returns `shouldStop`.
    @discardableResult
    public mutating func update(_ loss: Float) -> Bool {
        epoch += 1
        if let best = bestLoss, loss > best - minDelta {
            counter += 1
            if counter >= patience { shouldStop = true }
        } else {
            bestLoss = loss
            bestEpoch = epoch
            counter = 0
        }
        return shouldStop
    }
}

/// A training run whose loss stopped being a number.
public struct DivergenceError: Error, CustomStringConvertible, Sendable {
    public let value: Float, epoch: Int, step: Int
    public var description: String {
        "loss became \(value.isNaN ? "NaN" : "infinite") at epoch \(epoch), step \(step): "
            + "try a lower learning rate (or check the inputs for NaN)"
    }
}

/// Throws a `DivergenceError` when `loss` is NaN or infinite.
public func checkFinite(_ loss: Float, epoch: Int, step: Int) throws {
    if !loss.isFinite { throw DivergenceError(value: loss, epoch: epoch, step: step) }
}
