// Ranking metrics of a rating regressor: the document's `evaluate_model`, reproduced faithfully
// for chapter 2's and chapter 7's errata, and the per-user evaluation it should have been.

import Foundation

public struct RankingSummary: Sendable {
    public var precision: Double, recall: Double, ndcg: Double, groups: Int
}

// listing: document-evaluate
/// What the document's evaluate_model computes: for each validation mini-batch of 256
/// (user, item, rating) rows, as the loader happens to cut them, it takes the top 10
/// predictions *of the batch* (a mix of ~256 different users), counts ratings > 3.5 among
/// them, and divides by the batch's relevant count. Its IDCG uses min(10, relevant).
public func documentEvaluation(
    predictions: [Float], ratings: [Float], batchSize: Int = 256,
    k: Int = 10
) -> RankingSummary {
    var precisions: [Double] = [], recalls: [Double] = [], ndcgs: [Double] = []
    for start in stride(from: 0, to: predictions.count, by: batchSize) {
        let end = min(predictions.count, start + batchSize)
        let batch = Array(start..<end)
        guard batch.count >= k else { continue }  // torch.topk(k) would raise on a shorter batch
        let top = batch.sorted { (predictions[$0], -$0) > (predictions[$1], -$1) }.prefix(k)
        let relevant = top.map { ratings[$0] > 3.5 ? 1.0 : 0.0 }
        precisions.append(relevant.reduce(0, +) / Double(k))
        let totalRelevant = batch.filter { ratings[$0] > 3.5 }.count
        if totalRelevant > 0 { recalls.append(relevant.reduce(0, +) / Double(totalRelevant)) }
        let dcg = relevant.enumerated().map { $0.element / log2(Double($0.offset) + 2) }.reduce(0, +)
        let idcg = (0..<min(k, totalRelevant)).map { 1 / log2(Double($0) + 2) }.reduce(0, +)
        if idcg > 0 { ndcgs.append(dcg / idcg) }
    }
    func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }
    return RankingSummary(
        precision: mean(precisions), recall: mean(recalls), ndcg: mean(ndcgs), groups: precisions.count)
}
// end listing

// listing: per-user-evaluate
/// The evaluation the document meant: for each user, rank *that user's* validation items by
/// predicted rating and score the top 10 against the user's own relevant items (> 3.5).
/// Users without a relevant validation item are skipped.
public func perUserEvaluation(users: [Int32], predictions: [Float], ratings: [Float], k: Int = 10) -> RankingSummary {
    var byUser: [Int32: [Int]] = [:]
    for (row, u) in users.enumerated() { byUser[u, default: []].append(row) }
    var p = 0.0, r = 0.0, n = 0.0, count = 0
    for (_, rows) in byUser.sorted(by: { $0.key < $1.key }) {  // in user order: the same sums on every run
        let relevant = Set(rows.filter { ratings[$0] > 3.5 }.map { Int32($0) })
        guard !relevant.isEmpty else { continue }
        let ranked = rows.sorted { (predictions[$0], -$0) > (predictions[$1], -$1) }.map { Int32($0) }
        let m = UserMetrics.compute(ranked: ranked, relevant: relevant, k: k)
        p += m.precision
        r += m.recall
        n += m.ndcg
        count += 1
    }
    let c = Double(max(count, 1))
    return RankingSummary(precision: p / c, recall: r / c, ndcg: n / c, groups: count)
}
// end listing

/// Where RecKit's sources are, for listings that quote them ("RatingRanking.swift").
public enum RecKitSource {
    public static func file(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
