// One seeded generator for every random choice of the book: the same seed gives the same
// numbers on every run and machine (no dependence on the system's generator).

import Foundation
import _TensorKernels

/// xoshiro256** (Blackman & Vigna 2018), seeded through SplitMix64.
///
/// A class, so that layers, samplers and trainers share one stream; not thread-safe (`split()` one per thread).
public final class RandomGenerator: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var cachedNormal: Float?
    /// The seed this generator started from.
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    @inline(__always)
    public func next() -> UInt64 {
        var (a, b, c, d) = (s0, s1, s2, s3)  // locals, not inout access to the stored state
        defer { (s0, s1, s2, s3) = (a, b, c, d) }
        return Self.step(&a, &b, &c, &d)
    }

    @inline(__always)
    private static func step(_ s0: inout UInt64, _ s1: inout UInt64, _ s2: inout UInt64, _ s3: inout UInt64) -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// `count` uniforms in [0, 1): the numbers `count` calls of `nextFloat()` give, with the state
    /// in locals (a dropout mask draws one per element; a class's stored state is checked per access).
    public func floats(_ count: Int) -> [Float] {
        var (a, b, c, d) = (s0, s1, s2, s3)
        defer { (s0, s1, s2, s3) = (a, b, c, d) }
        return (0..<count).map { _ in Self.unit(Self.step(&a, &b, &c, &d)) }
    }

    /// A named stream of a run: the seed mixed with the name's FNV-1a hash (each part of a chapter
    /// draws its own numbers).
    public convenience init(seed: UInt64, stream: String) {
        self.init(seed: seed ^ stream.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 })
    }

    /// A new generator whose stream is derived from this one (for a worker thread or a
    /// sub-task), so that adding a consumer elsewhere does not shift this stream's numbers.
    public func split() -> RandomGenerator { RandomGenerator(seed: next()) }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public func nextFloat() -> Float { Self.unit(next()) }

    @inline(__always) private static func unit(_ bits: UInt64) -> Float { Float(bits >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in 0..<bound (Lemire's nearly divisionless method, unbiased).
    @inline(__always)
    public func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Standard normal by the Box-Muller transform (the second value is kept for the next call).
    public func nextNormal() -> Float {
        if let z = cachedNormal { cachedNormal = nil; return z }
        var u1 = nextDouble()
        while u1 <= Double.leastNormalMagnitude { u1 = nextDouble() }
        let u2 = nextDouble()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        cachedNormal = Float(r * Foundation.sin(2 * .pi * u2))
        return Float(r * Foundation.cos(2 * .pi * u2))
    }

    /// `count` draws from N(mean, std²), in bulk: one 64-bit draw per pair, then Box-Muller in
    /// a vectorised C loop (tensors and initialisers; ten times faster than `nextNormal`).
    public func normals(_ count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        let words = (0..<(count + 1) / 2).map { _ in next() }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0 { wb_normals(words, out.baseAddress!, count) }
            for i in 0..<count { out[i] = mean + std * out[i] }
            initialized = count
        }
    }

    /// Fisher-Yates shuffle in place.
    public func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, nextInt(below: i + 1))
        }
    }

    /// A random permutation of 0..<n.
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }
}
