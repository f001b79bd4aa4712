// How sure a number is: 95% bootstrap intervals over users, and the paired bootstrap that says
// whether one model beats another on the same users or the two cannot be told apart on this data.
//
// Resampling is over users (each user's metric is one draw), seeded, so the same evaluation
// always gives the same interval.

import Foundation
import _WorkbookSupport
import TensorCore

public enum Bootstrap {
    /// The percentile interval of the mean of `values` (95% by default) from `resamples`
    /// resamples with replacement.
    public static func interval(_ values: [Double], resamples: Int = 1000, level: Double = 0.95,
                                seed: UInt64 = 0) -> ClosedRange<Double> {
        guard values.count > 1 else { return (values.first ?? .nan)...(values.first ?? .nan) }
        let means = resampledMeans(values, resamples: resamples, seed: seed)
        return percentile(means, (1 - level) / 2)...percentile(means, 1 - (1 - level) / 2)
    }

    /// A paired comparison of two models' per-user values on the same users.
    public struct Comparison: Sendable, Equatable {
        /// mean(a) - mean(b), and its 95% interval.
        public let difference: Double
        public let interval: ClosedRange<Double>
        /// The share of resamples in which a's mean exceeds b's.
        public let shareAhead: Double
        /// Whether the interval excludes 0: the data tell the two apart.
        public var isDistinguishable: Bool { interval.lowerBound > 0 || interval.upperBound < 0 }
    }

    /// The paired bootstrap: users are resampled together for both models, so what is compared
    /// is the per-user difference.
    public static func compare(_ a: [Double], _ b: [Double], resamples: Int = 1000, level: Double = 0.95,
                               seed: UInt64 = 0) -> Comparison {
        precondition(a.count == b.count, "Bootstrap.compare: \(a.count) and \(b.count) users")
        let differences = zip(a, b).map { $0 - $1 }
        let means = resampledMeans(differences, resamples: resamples, seed: seed)
        let mean = differences.reduce(0, +) / Double(max(differences.count, 1))
        return Comparison(difference: mean,
                          interval: percentile(means, (1 - level) / 2)...percentile(means, 1 - (1 - level) / 2),
                          shareAhead: Double(means.filter { $0 > 0 }.count) / Double(max(means.count, 1)))
    }

    static func resampledMeans(_ values: [Double], resamples: Int, seed: UInt64) -> [Double] {
        let rng = RandomGenerator(seed: seed, stream: "bootstrap")
        let n = values.count
        return (0..<max(resamples, 1)).map { _ in
            var sum = 0.0
            for _ in 0..<n { sum += values[rng.nextInt(below: n)] }
            return sum / Double(n)
        }.sorted()
    }

    /// The q-quantile of sorted values (linear interpolation).
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        let t = position - Double(lower)
        return sorted[lower] * (1 - t) + sorted[upper] * t
    }
}

extension Bootstrap {
    /// The paired bootstrap of two evaluations on `metric`, user by user (nil when they scored
    /// different users or lack the metric's per-user values).
    public static func compare(_ a: Evaluation, _ b: Evaluation, metric: String, seed: UInt64 = 0) -> Comparison? {
        guard a.users == b.users, let x = a.perUser[metric], let y = b.perUser[metric], x.count == y.count else {
            return nil
        }
        return compare(x, y, seed: seed)
    }
}

extension Bootstrap.Comparison {
    /// "A − B: Recall@20 +0.0123 [+0.0040, +0.0210], an interval that excludes 0: ..." for a
    /// comparison of `a` against `b`.
    /// In the run's language (LibraryWords' `compare.*`): every chapter's paired claims say it so.
    public func sentence(_ a: String, _ b: String, metric: String) -> String {
        let numbers = String(format: "%+.4f [%+.4f, %+.4f]", difference, interval.lowerBound, interval.upperBound)
        let values: [String: any CustomStringConvertible] = ["a": a, "b": b, "metric": metric, "numbers": numbers]
        guard isDistinguishable else { return LibraryWords.say("compare.tied", values) }
        return LibraryWords.say("compare.ahead", values.merging(["winner": difference > 0 ? a : b]) { $1 })
    }
}
