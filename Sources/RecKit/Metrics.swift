// The metrics, pinned (DESIGN.md). For one user with ranked list L (best first, ranks from 1)
// and test items T:
//   HR@K        = 1 if any of the top K is in T, else 0
//   Precision@K = hits in top K / K
//   Recall@K    = hits in top K / |T|            (Mult-VAE's hits / min(K, |T|) is RecallCapped@K)
//   NDCG@K      = DCG / IDCG, DCG = sum over hits at rank r <= K of 1/log2(r + 1),
//                 IDCG = sum over r = 1..min(K, |T|) of 1/log2(r + 1)
//   MAP@K       = (1 / min(K, |T|)) * sum over hits at rank r <= K of Precision@r
//   MRR@K       = 1 / rank of the first hit within the top K, else 0
// Averages are over users with at least one test item; users without are skipped and counted.
// Ties in scores are broken by item index (lower first), so every ranking is deterministic.

import Foundation

public struct UserMetrics: Sendable, Equatable {
    public var hit: Double, precision: Double, recall: Double, recallCapped: Double, ndcg: Double,
        averagePrecision: Double, reciprocalRank: Double

    /// The metrics of one user's top-K list (`ranked` may be longer; only K count).
    public static func compute(ranked: [Int32], relevant: Set<Int32>, k: Int) -> UserMetrics {
        precondition(k > 0, "K must be positive")
        let n = relevant.count
        guard n > 0 else {
            return UserMetrics(
                hit: 0, precision: 0, recall: 0, recallCapped: 0, ndcg: 0, averagePrecision: 0, reciprocalRank: 0)
        }
        var hits = 0, dcg = 0.0, precisionSum = 0.0, firstHit = 0
        for (index, item) in ranked.prefix(k).enumerated() where relevant.contains(item) {
            let rank = index + 1
            hits += 1
            dcg += 1 / log2(Double(rank) + 1)
            precisionSum += Double(hits) / Double(rank)
            if firstHit == 0 { firstHit = rank }
        }
        let ideal = (1...min(k, n)).reduce(0.0) { $0 + 1 / log2(Double($1) + 1) }
        return UserMetrics(
            hit: hits > 0 ? 1 : 0, precision: Double(hits) / Double(k), recall: Double(hits) / Double(n),
            recallCapped: Double(hits) / Double(min(k, n)), ndcg: dcg / ideal,
            averagePrecision: precisionSum / Double(min(k, n)), reciprocalRank: firstHit > 0 ? 1 / Double(firstHit) : 0)
    }
}

public enum RatingMetrics {
    /// Root mean squared error.
    public static func rmse(_ predictions: [Float], _ targets: [Float]) -> Double {
        precondition(predictions.count == targets.count && !targets.isEmpty)
        return
            (zip(predictions, targets).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(targets.count))
            .squareRoot()
    }

    /// Mean absolute error.
    public static func mae(_ predictions: [Float], _ targets: [Float]) -> Double {
        precondition(predictions.count == targets.count && !targets.isEmpty)
        return zip(predictions, targets).map { abs(Double($0 - $1)) }.reduce(0, +) / Double(targets.count)
    }
}

/// The K best items of a score row, best first; ties broken by lower item index. Items in
/// `excluded` (sorted) are skipped. A partial selection: O(n) for most rows, never a full sort.
public func topK(_ scores: UnsafeBufferPointer<Float>, k: Int, excluding excluded: ArraySlice<Int32> = []) -> [Int32] {
    var best: [(score: Float, item: Int32)] = []
    best.reserveCapacity(k + 1)
    var next = excluded.startIndex
    for i in 0..<scores.count {
        if next < excluded.endIndex && excluded[next] == Int32(i) { next += 1; continue }
        let s = scores[i]
        if s.isNaN { continue }
        if best.count == k {
            let last = best[k - 1]
            // Strictly better only: an equal score with a higher index ranks below.
            if !(s > last.score) { continue }
        }
        var pos = best.count
        while pos > 0 && (best[pos - 1].score < s) { pos -= 1 }
        best.insert((s, Int32(i)), at: pos)
        if best.count > k { best.removeLast() }
    }
    return best.map(\.item)
}
