// Layers: Linear, Embedding, Dropout, BatchNorm1d, activations, and Sequential to compose them.
// Every layer is a `Module`: it lists its parameters and can switch between training and
// evaluation (dropout and batch norm behave differently).

import Foundation

/// Something with parameters and a training/evaluation mode.
public protocol Module: AnyObject {
    /// All trainable tensors, children's included.
    var parameters: [Tensor] { get }
    /// Switches this module and its children between training and evaluation behaviour.
    func setTraining(_ training: Bool)
}

/// A module that maps one tensor to one tensor.
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension Module {
    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    /// Clears the gradients of every parameter.
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

// MARK: - Initialisers

/// Weight initialisers. fan_in / fan_out are the input and output widths of a layer.
public enum Initializer: Sendable, Equatable {
    /// N(0, std^2): NCF's embeddings use std 0.01.
    case normal(std: Float)
    /// U(-b, b) with b = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010).
    case xavierUniform
    /// U(-b, b) with b = gain * sqrt(3 / fan_in), gain = sqrt(2) for ReLU (He et al. 2015).
    case kaimingUniform
    /// U(-b, b) with b = sqrt(3 / fan_in) (LeCun): the NCF reference's output layer.
    case lecunUniform
    /// PyTorch's default for nn.Linear weights: kaiming_uniform(a = sqrt(5)), b = 1/sqrt(fan_in).
    case pytorchDefault
    case zeros

    /// Values for a [fanIn, fanOut] weight.
    public func values(fanIn: Int, fanOut: Int, count: Int, rng: RandomGenerator) -> [Float] {
        func uniform(_ b: Float) -> [Float] { (0..<count).map { _ in (2 * rng.nextFloat() - 1) * b } }
        switch self {
        case .normal(let std): return rng.normals(count, std: std)
        case .xavierUniform: return uniform((6 / Float(fanIn + fanOut)).squareRoot())
        case .kaimingUniform: return uniform(Float(2).squareRoot() * (3 / Float(fanIn)).squareRoot())
        case .lecunUniform: return uniform((3 / Float(fanIn)).squareRoot())
        case .pytorchDefault: return uniform(1 / Float(fanIn).squareRoot())
        case .zeros: return [Float](repeating: 0, count: count)
        }
    }
}

// MARK: - Linear

/// y = x W + b, with W stored as [in, out] so that no transpose is needed.
public final class Linear: Layer {
    public let weight: Tensor  // [in, out]
    public let bias: Tensor?   // [out]
    public let inputSize: Int, outputSize: Int

    public init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true,
                weightInit: Initializer = .pytorchDefault, biasInit: Initializer? = nil, rng: RandomGenerator) {
        precondition(inputSize > 0 && outputSize > 0, "Linear(\(inputSize), \(outputSize)): sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Tensor(weightInit.values(fanIn: inputSize, fanOut: outputSize, count: inputSize * outputSize,
                                          rng: rng),
                        shape: [inputSize, outputSize], requiresGrad: true)
        weight.name = "Linear.weight"
        if bias {
            // PyTorch draws the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) by default.
            let b = (biasInit ?? .pytorchDefault).values(fanIn: inputSize, fanOut: 1, count: outputSize, rng: rng)
            self.bias = Tensor(b, shape: [outputSize], requiresGrad: true)
            self.bias?.name = "Linear.bias"
        } else {
            self.bias = nil
        }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inputSize, "Linear(\(inputSize), \(outputSize)) got input of shape \(x.shape)")
        return x.matmul(weight, plus: bias)  // [B, out]
    }

    /// The layer applied to sparse rows (data, such as a batch of interaction rows): the cost
    /// follows the non-zeros.
    public func callAsFunction(_ x: SparseMatrix) -> Tensor {
        precondition(x.columnCount == inputSize,
                     "Linear(\(inputSize), \(outputSize)) got \(x.columnCount) sparse columns")
        return x.matmul(weight, plus: bias)  // [B, out]
    }

    public var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }
    public func setTraining(_ training: Bool) {}
}

// MARK: - Embedding

/// A table of `count` vectors of `dimension` values, looked up by index.
///
/// With `sparse: true` (the default) its gradient is kept row-sparse, so that an optimiser's
/// step costs what the batch touched, not the whole table.
public final class Embedding: Module {
    public let table: Tensor  // [count, dimension]

    public init(count: Int, dimension: Int, initializer: Initializer = .normal(std: 0.01),
                sparse: Bool = true, rng: RandomGenerator) {
        precondition(count > 0 && dimension > 0, "Embedding(\(count), \(dimension)): sizes must be positive")
        table = Tensor(initializer.values(fanIn: count, fanOut: dimension, count: count * dimension, rng: rng),
                       shape: [count, dimension], requiresGrad: true)
        table.sparseGradients = sparse
        table.name = "Embedding.table"
    }

    /// Rows of the table: [B] -> [B, dimension].
    public func callAsFunction(_ indices: [Int32]) -> Tensor { table.gather(indices) }

    public var parameters: [Tensor] { [table] }
    public func setTraining(_ training: Bool) {}
}

// MARK: - Dropout and activations

public final class Dropout: Layer {
    public let probability: Float
    public private(set) var isTraining = true
    private let rng: RandomGenerator

    public init(_ probability: Float, rng: RandomGenerator) {
        precondition(probability >= 0 && probability < 1, "Dropout(\(probability)): must be in [0, 1)")
        self.probability = probability
        self.rng = rng
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.dropout(probability, training: isTraining, rng: rng) }
    public var parameters: [Tensor] { [] }
    public func setTraining(_ training: Bool) { isTraining = training }
}

/// A parameter-free element-wise layer (ReLU, Tanh, Sigmoid, ...).
public final class Activation: Layer {
    public let name: String
    private let function: (Tensor) -> Tensor
    public init(_ name: String, _ function: @escaping (Tensor) -> Tensor) {
        self.name = name
        self.function = function
    }
    public static var relu: Activation { Activation("ReLU") { $0.relu() } }
    public static var tanh: Activation { Activation("Tanh") { $0.tanh() } }
    public static var sigmoid: Activation { Activation("Sigmoid") { $0.sigmoid() } }
    public func callAsFunction(_ x: Tensor) -> Tensor { function(x) }
    public var parameters: [Tensor] { [] }
    public func setTraining(_ training: Bool) {}
}

// MARK: - BatchNorm1d

/// Batch normalisation over the batch axis of [B, F] inputs (Ioffe & Szegedy 2015).
///
/// Training: normalise by the batch mean and (biased) variance, and update running
/// statistics with `momentum` (PyTorch's convention: running = (1-m) running + m batch, with
/// the unbiased variance). Evaluation: normalise by the running statistics.
public final class BatchNorm1d: Layer {
    public let gamma: Tensor, beta: Tensor  // [F]
    public private(set) var runningMean: [Float], runningVariance: [Float]
    public let momentum: Float, epsilon: Float
    public private(set) var isTraining = true

    public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        gamma = Tensor.ones([features], requiresGrad: true)
        beta = Tensor.zeros([features], requiresGrad: true)
        runningMean = [Float](repeating: 0, count: features)
        runningVariance = [Float](repeating: 1, count: features)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == gamma.count, "BatchNorm1d(\(gamma.count)) got shape \(x.shape)")
        if !isTraining {
            let mean = Tensor(runningMean), std = Tensor(runningVariance.map { ($0 + epsilon).squareRoot() })
            return (x - mean) / std * gamma + beta
        }
        let n = x.shape[0]
        precondition(n > 1, "BatchNorm1d in training needs more than one row per batch")
        let mean = x.mean(axis: 0, keepDims: true)              // [1, F]
        let centered = x - mean                                   // [B, F]
        let variance = centered.pow(2).mean(axis: 0, keepDims: true)  // [1, F], biased
        let y = centered / (variance + epsilon).sqrt() * gamma + beta
        let unbiased = Float(n) / Float(n - 1)
        for j in 0..<gamma.count {
            runningMean[j] = (1 - momentum) * runningMean[j] + momentum * mean.data[j]
            runningVariance[j] = (1 - momentum) * runningVariance[j] + momentum * variance.data[j] * unbiased
        }
        return y
    }

    public var parameters: [Tensor] { [gamma, beta] }
    public func setTraining(_ training: Bool) { isTraining = training }
}

// MARK: - Parameter lists

/// Loose tensors trained together (a toy model's P and Q), as a module.
public final class ParameterList: Module {
    public let parameters: [Tensor]
    public init(_ parameters: [Tensor]) { self.parameters = parameters }
    public func setTraining(_ training: Bool) {}
}

// MARK: - Sequential

/// Layers applied in order.
public final class Sequential: Layer {
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public func callAsFunction(_ x: Tensor) -> Tensor { layers.reduce(x) { $1($0) } }
    public var parameters: [Tensor] { layers.flatMap(\.parameters) }
    public func setTraining(_ training: Bool) { layers.forEach { $0.setTraining(training) } }
}
