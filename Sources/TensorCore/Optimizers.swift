// Optimisers: SGD with momentum, Adagrad, Adam (L2 or decoupled weight decay).
//
// Each handles two kinds of gradient: a dense `grad`, and the row-sparse `rowGrads` of an
// embedding table. With only row gradients, the step is lazy: it reads and writes only the
// rows the batch touched (PyTorch's SparseAdam semantics for Adam), so a 10^6-row table
// costs what the batch touched. Where the semantics agree, lazy and dense give the same
// numbers: SGD without momentum or weight decay, Adagrad, and any optimiser on a step that
// touches every row.

import Foundation
import _TensorKernels

public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    var parameters: [Tensor] { get }
    /// Applies the accumulated gradients.
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient (call before each `backward()`).
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// What one parameter's gradient looks like this step.
enum GradientView {
    case none
    case dense([Float])
    /// Unique rows (ascending) of width `width`, with their summed gradients.
    case rows([Int32], [Float], width: Int)

    init(_ p: Tensor) {
        let width = p.rank == 2 ? p.shape[1] : p.count
        switch (p.grad, p.rowGrads.isEmpty) {
        case (nil, true): self = .none
        case (let g?, true): self = .dense(g)
        case (nil, false):
            let (rows, values) = p.rowGrads.coalesced(rowWidth: width)
            self = .rows(rows, values, width: width)
        case (var g?, false):
            // Both kinds: fold the rows into the dense gradient and take a dense step.
            let idx = p.rowGrads.indices, vals = p.rowGrads.values
            for (k, r) in idx.enumerated() {
                for j in 0..<width { g[Int(r) * width + j] += vals[k * width + j] }
            }
            self = .dense(g)
        }
    }

    /// Calls `update(elementIndex, gradient)` for every element that has a gradient.
    @inline(__always)
    func forEach(_ update: (Int, Float) -> Void) {
        switch self {
        case .none: return
        case .dense(let g):
            g.withUnsafeBufferPointer { g in for i in 0..<g.count { update(i, g[i]) } }
        case .rows(let rows, let values, let width):
            values.withUnsafeBufferPointer { v in
                for (k, r) in rows.enumerated() {
                    let base = Int(r) * width
                    for j in 0..<width { update(base + j, v[k * width + j]) }
                }
            }
        }
    }
}

/// Stochastic gradient descent: v = momentum v + (g + weightDecay p); p -= lr v.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float
    public let parameters: [Tensor]
    private var velocity: [[Float]]

    public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        precondition(learningRate > 0, "SGD: learning rate must be positive")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = parameters.map { _ in [] }
    }

    public func step() {
        for (k, p) in parameters.enumerated() {
            let view = GradientView(p)
            if momentum != 0 && velocity[k].isEmpty { velocity[k] = [Float](repeating: 0, count: p.count) }
            let (lr, mu, wd) = (learningRate, momentum, weightDecay)
            if case .dense(let grad) = view {
                // The same arithmetic as below, as a vectorised C loop.
                p.data.withUnsafeMutableBufferPointer { w in velocity[k].withUnsafeMutableBufferPointer { v in
                    grad.withUnsafeBufferPointer { g in wb_sgd_dense(w.baseAddress, mu != 0 ? v.baseAddress : nil,
                                                                     g.baseAddress, g.count, lr, mu, wd) }
                } }
                continue
            }
            p.data.withUnsafeMutableBufferPointer { w in
                velocity[k].withUnsafeMutableBufferPointer { v in
                    view.forEach { i, g in
                        var d = g + wd * w[i]
                        if mu != 0 { v[i] = mu * v[i] + d; d = v[i] }
                        w[i] -= lr * d
                    }
                }
            }
        }
    }
}

/// Adagrad (Duchi et al. 2011): s += g^2; p -= lr g / (sqrt(s) + eps).
public final class Adagrad: Optimizer {
    public var learningRate: Float
    public let epsilon: Float, weightDecay: Float
    public let parameters: [Tensor]
    private var squares: [[Float]]

    public init(_ parameters: [Tensor], learningRate: Float, epsilon: Float = 1e-10, weightDecay: Float = 0,
                initialAccumulator: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        squares = parameters.map { [Float](repeating: initialAccumulator, count: $0.count) }
    }

    public func step() {
        for (k, p) in parameters.enumerated() {
            let view = GradientView(p)
            let (lr, eps, wd) = (learningRate, epsilon, weightDecay)
            p.data.withUnsafeMutableBufferPointer { w in
                squares[k].withUnsafeMutableBufferPointer { s in
                    view.forEach { i, g0 in
                        let g = g0 + wd * w[i]
                        s[i] += g * g
                        w[i] -= lr * g / (s[i].squareRoot() + eps)
                    }
                }
            }
        }
    }
}

/// Adam (Kingma & Ba 2015) with bias correction.
///
/// The dense update (every element of a parameter) is a vectorised C loop; it computes
/// exactly what the element-by-element loop below computes.
///
/// `weightDecay` adds wd * p to the gradient (PyTorch's Adam, an L2 penalty); with
/// `decoupled: true` it shrinks the weights directly instead (AdamW, Loshchilov & Hutter 2019).
/// Row-sparse gradients update only their rows' moments, with the global step count in the
/// bias correction (PyTorch's SparseAdam).
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, decoupled: Bool
    public let parameters: [Tensor]
    public private(set) var stepCount = 0
    private var first: [[Float]], second: [[Float]]

    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        precondition(learningRate > 0, "Adam: learning rate must be positive")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        first = parameters.map { _ in [] }
        second = parameters.map { _ in [] }
    }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let correction1 = 1 - Foundation.pow(beta1, t), correction2 = 1 - Foundation.pow(beta2, t)
        let stepSize = learningRate / correction1
        let (b1, b2, eps, wd, lr, decoupled) = (beta1, beta2, epsilon, weightDecay, learningRate, decoupled)
        let invSqrtC2 = 1 / correction2.squareRoot()
        for (k, p) in parameters.enumerated() {
            let view = GradientView(p)
            if case .none = view { continue }
            if first[k].isEmpty {
                first[k] = [Float](repeating: 0, count: p.count)
                second[k] = [Float](repeating: 0, count: p.count)
            }
            if case .dense(let grad) = view, !(wd != 0 && decoupled) {
                Adam.denseStep(p, grad, &first[k], &second[k], b1: b1, b2: b2, eps: eps, l2: wd, stepSize: stepSize,
                               invSqrtC2: invSqrtC2)
                continue
            }
            p.data.withUnsafeMutableBufferPointer { w in
                first[k].withUnsafeMutableBufferPointer { m in
                    second[k].withUnsafeMutableBufferPointer { v in
                        view.forEach { i, g0 in
                            var g = g0
                            if wd != 0 { if decoupled { w[i] -= lr * wd * w[i] } else { g += wd * w[i] } }
                            m[i] = b1 * m[i] + (1 - b1) * g
                            v[i] = b2 * v[i] + (1 - b2) * g * g
                            w[i] -= stepSize * m[i] / (v[i].squareRoot() * invSqrtC2 + eps)
                        }
                    }
                }
            }
        }
    }

    /// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; w -= stepSize m / (sqrt(v)/sqrt(c2) + eps),
    /// with g += l2 w first, in a C loop vectorised for the machine's instruction set.
    static func denseStep(_ p: Tensor, _ grad: [Float], _ first: inout [Float], _ second: inout [Float],
                          b1: Float, b2: Float, eps: Float, l2: Float, stepSize: Float, invSqrtC2: Float) {
        p.data.withUnsafeMutableBufferPointer { w in first.withUnsafeMutableBufferPointer { m in
            second.withUnsafeMutableBufferPointer { v in grad.withUnsafeBufferPointer { g in
                let (pw, pm, pv) = (SendablePointer(base: w.baseAddress!), SendablePointer(base: m.baseAddress!),
                                    SendablePointer(base: v.baseAddress!))
                Kernels.parallelRanges(g.count) { r in  // element-wise: the split changes no bit
                    let i = r.lowerBound
                    wb_adam_dense(pw.base + i, pm.base + i, pv.base + i, g.baseAddress! + i, r.count, b1, b2, eps, l2,
                                  stepSize, invSqrtC2)
                }
            } } } }
    }
}
