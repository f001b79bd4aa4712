// Element-wise primitives. Each op is a small type holding its forward and its derivatives
// side by side; the kernels are generic over it, so every op compiles to its own
// vectorised loop (a closure would cost an indirect call per element).

import Foundation
import _TensorKernels

/// out = forward(a, b), with d(out)/da and d(out)/db at one element given (a, b, out).
public protocol BinaryOp {
    func forward(_ a: Float, _ b: Float) -> Float
    func da(_ a: Float, _ b: Float, _ out: Float) -> Float
    func db(_ a: Float, _ b: Float, _ out: Float) -> Float
}

/// dy/dx at one element given (x, y): the backward of a unary op.
public protocol UnaryDerivative {
    func derivative(_ x: Float, _ y: Float) -> Float
}

/// y = forward(x), with its derivative. Ops whose forward is a C kernel (exp, sigmoid, tanh)
/// are only `UnaryDerivative`: the kernel is their one definition, tested against Foundation's.
public protocol UnaryOp: UnaryDerivative {
    func forward(_ x: Float) -> Float
}

// MARK: - Binary ops

struct AddOp: BinaryOp {
    func forward(_ a: Float, _ b: Float) -> Float { a + b }
    func da(_ a: Float, _ b: Float, _ out: Float) -> Float { 1 }
    func db(_ a: Float, _ b: Float, _ out: Float) -> Float { 1 }
}
struct SubOp: BinaryOp {
    func forward(_ a: Float, _ b: Float) -> Float { a - b }
    func da(_ a: Float, _ b: Float, _ out: Float) -> Float { 1 }
    func db(_ a: Float, _ b: Float, _ out: Float) -> Float { -1 }
}
struct MulOp: BinaryOp {
    func forward(_ a: Float, _ b: Float) -> Float { a * b }
    func da(_ a: Float, _ b: Float, _ out: Float) -> Float { b }
    func db(_ a: Float, _ b: Float, _ out: Float) -> Float { a }
}
struct DivOp: BinaryOp {
    func forward(_ a: Float, _ b: Float) -> Float { a / b }
    func da(_ a: Float, _ b: Float, _ out: Float) -> Float { 1 / b }
    func db(_ a: Float, _ b: Float, _ out: Float) -> Float { -a / (b * b) }
}

extension Tensor {
    /// A binary op on operands broadcast to a common shape; the backward sums each
    /// operand's gradient back down to its own shape.
    @inline(__always)
    static func binary<Op: BinaryOp>(_ a: Tensor, _ b: Tensor, _ op: Op) -> Tensor {
        let shape = Broadcast.shape(a.shape, b.shape)
        let x = Broadcast.expand(a.data, from: a.shape, to: shape)
        let y = Broadcast.expand(b.data, from: b.shape, to: shape)
        let z = Kernels.apply(x, y, op)
        return record(Tensor(z, shape: shape), [a, b]) { out in
            let g = out.grad!
            // A sum passes its gradient through unchanged: no pass to multiply it by 1.
            if a.requiresGrad {
                let ga = op is AddOp || op is SubOp ? g : Kernels.gradient(x, y, out.data, g, op, first: true)
                a.accumulateGrad(Broadcast.reduce(ga, from: shape, to: a.shape))
            }
            if b.requiresGrad {
                let gb = op is AddOp ? g : Kernels.gradient(x, y, out.data, g, op, first: false)
                b.accumulateGrad(Broadcast.reduce(gb, from: shape, to: b.shape))
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, AddOp()) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, SubOp()) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, MulOp()) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, DivOp()) }

    // Scalars broadcast as one-element tensors (composed: no gradient code of their own).
    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(scalar: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a + Tensor(scalar: -s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(scalar: s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a * Tensor(scalar: 1 / s) }
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) + a }
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) - a }
    public static func * (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) * a }
    public static prefix func - (a: Tensor) -> Tensor { a.neg() }
}

// MARK: - Unary ops

struct NegOp: UnaryOp {
    func forward(_ x: Float) -> Float { -x }
    func derivative(_ x: Float, _ y: Float) -> Float { -1 }
}
/// d e^x / dx = e^x = y (the forward is wb_exp).
struct ExpDerivative: UnaryDerivative {
    func derivative(_ x: Float, _ y: Float) -> Float { y }
}
struct LogOp: UnaryOp {
    func forward(_ x: Float) -> Float { Foundation.log(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 / x }
}
struct SqrtOp: UnaryOp {
    func forward(_ x: Float) -> Float { x.squareRoot() }
    func derivative(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}
struct SquareOp: UnaryOp {
    func forward(_ x: Float) -> Float { x * x }
    func derivative(_ x: Float, _ y: Float) -> Float { 2 * x }
}
struct PowOp: UnaryOp {
    let p: Float
    func forward(_ x: Float) -> Float { Foundation.pow(x, p) }
    func derivative(_ x: Float, _ y: Float) -> Float { p * Foundation.pow(x, p - 1) }
}
struct ReluOp: UnaryOp {
    func forward(_ x: Float) -> Float { max(x, 0) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}
struct LeakyReluOp: UnaryOp {
    let slope: Float
    func forward(_ x: Float) -> Float { x > 0 ? x : slope * x }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : slope }
}
/// sigmoid' = y (1 - y) (the forward is wb_sigmoid).
struct SigmoidDerivative: UnaryDerivative {
    func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}
/// tanh' = 1 - y² (the forward is wb_tanh).
struct TanhDerivative: UnaryDerivative {
    func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}
/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): stable for any x. Its derivative is sigmoid(x).
struct SoftplusOp: UnaryOp {
    func forward(_ x: Float) -> Float { Tensor.softplus(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { Tensor.sigmoid(x) }
}
/// log(sigmoid(x)) = -softplus(-x), stable for any x. Its derivative is sigmoid(-x).
struct LogSigmoidOp: UnaryOp {
    func forward(_ x: Float) -> Float { -Tensor.softplus(-x) }
    func derivative(_ x: Float, _ y: Float) -> Float { Tensor.sigmoid(-x) }
}

extension Tensor {
    @inline(__always)
    func unary<Op: UnaryOp>(_ op: Op) -> Tensor {
        let y = Kernels.apply(data, op)
        return Tensor.record(Tensor(y, shape: shape), [self]) { out in
            self.accumulateGrad(Kernels.gradient(self.data, out.data, out.grad!, op))
        }
    }

    /// A unary op whose forward pass is a vectorised C loop; its backward is `op`'s derivative.
    @inline(__always)
    func unary<Op: UnaryDerivative>(_ op: Op, kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)
        -> Tensor {
        let y = data.withUnsafeBufferPointer { x in
            let px = x.baseAddress
            return Kernels.fill(count) { r, out in kernel(px! + r.lowerBound, out + r.lowerBound, r.count) }
        }
        return Tensor.record(Tensor(y, shape: shape), [self]) { out in
            self.accumulateGrad(Kernels.gradient(self.data, out.data, out.grad!, op))
        }
    }

    public func neg() -> Tensor { unary(NegOp()) }
    /// e^x, by Cephes' polynomial in C (relative error below 3e-7).
    public func exp() -> Tensor { unary(ExpDerivative()) { wb_exp($0, $1, $2) } }
    /// Natural logarithm (of positive inputs).
    public func log() -> Tensor { unary(LogOp()) }
    public func sqrt() -> Tensor { unary(SqrtOp()) }
    /// x^p for a constant exponent p.
    public func pow(_ p: Float) -> Tensor { p == 2 ? unary(SquareOp()) : unary(PowOp(p: p)) }
    public func relu() -> Tensor { unary(ReluOp()) }
    /// max(x, slope * x): NGCF's activation (slope 0.2 in the paper).
    public func leakyRelu(slope: Float = 0.01) -> Tensor { unary(LeakyReluOp(slope: slope)) }
    /// 1 / (1 + e^-x), computed without overflow for large |x|.
    public func sigmoid() -> Tensor { unary(SigmoidDerivative()) { wb_sigmoid($0, $1, $2) } }
    /// tanh, by Cephes' tanhf in C (glibc's is scalar and several times slower).
    public func tanh() -> Tensor { unary(TanhDerivative()) { wb_tanh($0, $1, $2) } }
    public func softplus() -> Tensor { unary(SoftplusOp()) }
    public func logSigmoid() -> Tensor { unary(LogSigmoidOp()) }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        let e = Foundation.exp(-abs(x))  // never overflows
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }
    @inline(__always)
    static func softplus(_ x: Float) -> Float { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }
}
