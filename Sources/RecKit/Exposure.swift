// Beyond accuracy: what a model's top-K lists do to the catalogue (coverage, popularity, Gini),
// and Kendall's τ for comparing two rankings of models.

import Foundation

/// Beyond accuracy: what a model's top-K lists do to the catalogue.
public struct ExposureReport: Sendable {
    /// Share of the catalogue in at least one list.
    public var coverage: Double
    /// Mean training popularity (interactions) of the recommended items.
    public var meanPopularity: Double
    /// Share of recommendations outside the most popular 20% of items (the long tail).
    public var longTailShare: Double
    /// Gini coefficient of how often each item is recommended (0: evenly; 1: one item for all).
    public var gini: Double

    public static func of(_ lists: [[Int32]], popularity: [Int]) -> ExposureReport {
        var exposure = [Int](repeating: 0, count: popularity.count)
        for list in lists { for i in list { exposure[Int(i)] += 1 } }
        let recommended = lists.reduce(0) { $0 + $1.count }
        let head = Set(
            popularity.indices.sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }.prefix(popularity.count / 5))
        var popularitySum = 0.0, tail = 0
        for list in lists {
            for i in list {
                popularitySum += Double(popularity[Int(i)])
                if !head.contains(Int(i)) { tail += 1 }
            }
        }
        let n = Double(max(recommended, 1))
        return ExposureReport(
            coverage: Double(exposure.filter { $0 > 0 }.count) / Double(max(popularity.count, 1)),
            meanPopularity: popularitySum / n, longTailShare: Double(tail) / n, gini: giniCoefficient(exposure))
    }
}

/// The Gini coefficient of non-negative counts: G = Σ_i (2i - n - 1) x_(i) / (n Σ x), with
/// x sorted ascending and i from 1. 0 when all counts are equal.
public func giniCoefficient(_ counts: [Int]) -> Double {
    let x = counts.sorted().map(Double.init)
    let n = Double(x.count), total = x.reduce(0, +)
    guard n > 0, total > 0 else { return 0 }
    var weighted = 0.0
    for (k, v) in x.enumerated() { weighted += (2 * Double(k + 1) - n - 1) * v }
    return weighted / (n * total)
}

/// Kendall's τ-a between two orderings of the same names: (concordant - discordant) pairs
/// over all pairs; 1 when the orders agree, -1 when one reverses the other.
public func kendallTau(_ a: [String], _ b: [String]) -> Double {
    let position = Dictionary(uniqueKeysWithValues: b.enumerated().map { ($1, $0) })
    var score = 0, pairs = 0
    for i in 0..<a.count {
        for j in (i + 1)..<max(a.count, i + 1) {
            guard let pi = position[a[i]], let pj = position[a[j]] else { continue }
            score += pi < pj ? 1 : -1
            pairs += 1
        }
    }
    return pairs == 0 ? 1 : Double(score) / Double(pairs)
}
