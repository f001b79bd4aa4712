// Element-wise primitives: each op's forward and its backward side by side.

import Foundation

// MARK: - Binary ops with broadcasting

extension Tensor {
    /// A binary op on operands broadcast to a common shape. `da`/`db` give the local
    /// derivatives d(out)/d(a) and d(out)/d(b) at one element, from (a, b, out).
    @inline(__always)
    static func binary(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float,
                       da: @escaping (Float, Float, Float) -> Float,
                       db: @escaping (Float, Float, Float) -> Float) -> Tensor {
        let shape = Broadcast.shape(a.shape, b.shape)
        let x = Broadcast.expand(a.data, from: a.shape, to: shape)
        let y = Broadcast.expand(b.data, from: b.shape, to: shape)
        var z = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in
            z.withUnsafeMutableBufferPointer { pz in Kernels.zip(px, py, pz, f) } } }
        let out = Tensor(z, shape: shape)
        return record(out, [a, b]) { out in
            let g = out.grad!
            if a.requiresGrad {
                var ga = [Float](repeating: 0, count: g.count)
                for i in 0..<g.count { ga[i] = g[i] * da(x[i], y[i], out.data[i]) }
                a.accumulateGrad(Broadcast.reduce(ga, from: shape, to: a.shape))
            }
            if b.requiresGrad {
                var gb = [Float](repeating: 0, count: g.count)
                for i in 0..<g.count { gb[i] = g[i] * db(x[i], y[i], out.data[i]) }
                b.accumulateGrad(Broadcast.reduce(gb, from: shape, to: b.shape))
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 + $1 }, da: { _, _, _ in 1 }, db: { _, _, _ in 1 })
    }
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 - $1 }, da: { _, _, _ in 1 }, db: { _, _, _ in -1 })
    }
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 * $1 }, da: { _, y, _ in y }, db: { x, _, _ in x })
    }
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 / $1 }, da: { _, y, _ in 1 / y }, db: { x, y, _ in -x / (y * y) })
    }

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

extension Tensor {
    /// An element-wise op; `derivative(x, y)` is dy/dx at one element given input and output.
    @inline(__always)
    func unary(_ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
        var y = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in Kernels.map(px, py, f) } }
        let out = Tensor(y, shape: shape)
        return Tensor.record(out, [self]) { out in
            let g = out.grad!
            var gx = [Float](repeating: 0, count: g.count)
            self.data.withUnsafeBufferPointer { px in out.data.withUnsafeBufferPointer { py in
                g.withUnsafeBufferPointer { pg in gx.withUnsafeMutableBufferPointer { pgx in
                    for i in 0..<pg.count { pgx[i] = pg[i] * derivative(px[i], py[i]) }
                } } } }
            self.accumulateGrad(gx)
        }
    }

    public func neg() -> Tensor { unary({ -$0 }, derivative: { _, _ in -1 }) }
    public func exp() -> Tensor { unary({ Foundation.exp($0) }, derivative: { _, y in y }) }
    /// Natural logarithm (of positive inputs).
    public func log() -> Tensor { unary({ Foundation.log($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { unary({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    /// x^p for a constant exponent p.
    public func pow(_ p: Float) -> Tensor {
        if p == 2 { return unary({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
        return unary({ Foundation.pow($0, p) }, derivative: { x, _ in p * Foundation.pow(x, p - 1) })
    }
    public func relu() -> Tensor { unary({ max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 }) }
    /// max(x, slope * x): NGCF's activation (slope 0.2 in the paper).
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        unary({ $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
    }
    /// 1 / (1 + e^-x), computed without overflow for large |x|.
    public func sigmoid() -> Tensor { unary(Tensor.sigmoid, derivative: { _, y in y * (1 - y) }) }
    public func tanh() -> Tensor { unary({ Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }) }
    /// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): stable for any x. Its derivative is sigmoid(x).
    public func softplus() -> Tensor { unary(Tensor.softplus, derivative: { x, _ in Tensor.sigmoid(x) }) }
    /// log(sigmoid(x)) = -softplus(-x), stable for any x. Its derivative is sigmoid(-x).
    public func logSigmoid() -> Tensor {
        unary({ -Tensor.softplus(-$0) }, derivative: { x, _ in Tensor.sigmoid(-x) })
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : { let e = Foundation.exp(x); return e / (1 + e) }()
    }
    @inline(__always)
    static func softplus(_ x: Float) -> Float { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }
}
