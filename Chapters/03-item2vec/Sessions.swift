// Sessions, the document's skip-gram helpers, next-item evaluation, and Item2Vec as a
// recommender.

import Foundation
import RecKit
import TensorCore

public enum Sessions {
    /// Each user's items rated at least `threshold`, in time order (ties: file order), users
    /// in index order: the document's prepare_item_sessions, kept per user.
    public static func liked(_ data: RatingsData, threshold: Float = 4) -> [[Int32]] {
        Split.rowsByUser(Array(0..<data.count), data: data).map { rows in rows.filter { data.ratings[$0] >= threshold }.map { data.items[$0] } }
    }

    /// Next-item protocol: from each session of at least two items, the last item is held out
    /// and the rest is the training session. Returns (user, training session, held-out item).
    public static func holdOutLast(_ sessions: [[Int32]]) -> [(user: Int, context: [Int32], heldOut: Int32)] {
        sessions.enumerated().compactMap { u, s in s.count >= 2 ? (u, Array(s.dropLast()), s[s.count - 1]) : nil }
    }
}

// MARK: - The document's helpers

public enum DocumentSkipGram {
    // listing: document-skipgram
    /// create_skipgram_data: every (centre, context, 1) within `window` positions.
    public static func skipgramPairs<T>(_ session: [T], window: Int = 2) -> [(T, T, Int)] {
        var pairs: [(T, T, Int)] = []
        for (i, centre) in session.enumerated() {
            for j in max(0, i - window)..<min(session.count, i + window + 1) where i != j {
                pairs.append((centre, session[j], 1))
            }
        }
        return pairs
    }

    /// add_negative_samples as the document writes it: a "negative" only has to differ from the
    /// pair's own two items, so it can be another item of the same session.
    public static func addNegatives<T: Equatable>(_ pairs: [(T, T, Int)], allItems: [T], count: Int,
                                                  rng: RandomGenerator) -> [(T, T, Int)] {
        var out: [(T, T, Int)] = []
        for (centre, context, _) in pairs {
            out.append((centre, context, 1))
            for _ in 0..<count {
                var negative = allItems[rng.nextInt(below: allItems.count)]
                while negative == centre || negative == context { negative = allItems[rng.nextInt(below: allItems.count)] }
                out.append((centre, negative, 0))
            }
        }
        return out
    }
    // end listing
}

// MARK: - Evaluation

public struct NextItemResult: Sendable {
    public var hr: Double, ndcg: Double, users: Int, outOfVocabulary: Int
}

/// Next-item HR@K / NDCG@K: the query is the mean of the unit vectors of the user's other
/// liked items (those in the vocabulary), ranked by cosine against every vocabulary item
/// except those; an out-of-vocabulary held-out item is a miss.
public func nextItemEvaluation(_ vectors: ItemVectors, cases: [(user: Int, context: [Int32], heldOut: Int32)], k: Int = 10) -> NextItemResult {
    let d = vectors.dimension
    let unit = vectors.normalizedMatrix()
    var hits = 0.0, ndcg = 0.0, oov = 0
    for c in cases {
        let target = Int(vectors.index[Int(c.heldOut)])
        let known = c.context.compactMap { vectors.index[Int($0)] >= 0 ? Int(vectors.index[Int($0)]) : nil }
        guard target >= 0, !known.isEmpty else { if target < 0 { oov += 1 }; continue }
        var query = [Float](repeating: 0, count: d)
        for v in known { for j in 0..<d { query[j] += unit[v * d + j] } }
        let excluded = Set(known)
        var scores = [Float](repeating: -.infinity, count: vectors.count)
        for v in 0..<vectors.count where !excluded.contains(v) {
            var s: Float = 0
            for j in 0..<d { s += unit[v * d + j] * query[j] }
            scores[v] = s
        }
        let ranked = scores.withUnsafeBufferPointer { topK($0, k: k) }
        if let rank = ranked.firstIndex(of: Int32(target)) { hits += 1; ndcg += 1 / log2(Double(rank) + 2) }
    }
    let n = Double(max(cases.count, 1))
    return NextItemResult(hr: hits / n, ndcg: ndcg / n, users: cases.count, outOfVocabulary: oov)
}

/// Item2Vec as a `Recommender`: a user's score for an item is the cosine between the item's
/// vector and the mean of the user's training items' unit vectors (items outside the
/// vocabulary score lowest).
public final class Item2VecRecommender: Recommender {
    public let name = "Item2Vec"
    public let itemCount: Int
    let vectors: ItemVectors
    let train: InteractionMatrix
    let unit: [Float]

    public init(vectors: ItemVectors, train: InteractionMatrix) {
        self.vectors = vectors
        self.train = train
        itemCount = train.itemCount
        unit = vectors.normalizedMatrix()
    }

    public func scores(users: [Int32]) -> [Float] {
        let d = vectors.dimension
        var out = [Float](repeating: -2, count: users.count * itemCount)
        for (b, u) in users.enumerated() {
            var query = [Float](repeating: 0, count: d)
            for i in train.items(of: Int(u)) where vectors.index[Int(i)] >= 0 {
                let v = Int(vectors.index[Int(i)])
                for j in 0..<d { query[j] += unit[v * d + j] }
            }
            for (v, item) in vectors.items.enumerated() {
                var s: Float = 0
                for j in 0..<d { s += unit[v * d + j] * query[j] }
                out[b * itemCount + Int(item)] = s
            }
        }
        return out
    }
}

// MARK: - PMI

public enum PMI {
    /// Symmetric co-occurrence counts within `window` positions, [V, V]; `index` maps an item
    /// to its row (-1: not counted).
    public static func cooccurrence(_ sessions: [[Int32]], index: [Int32], size v: Int, window: Int) -> [Double] {
        var c = [Double](repeating: 0, count: v * v)
        for s in sessions {
            let ids = s.compactMap { index[Int($0)] >= 0 ? Int(index[Int($0)]) : nil }
            for (i, a) in ids.enumerated() {
                for j in max(0, i - window)..<min(ids.count, i + window + 1) where j != i { c[a * v + ids[j]] += 1 }
            }
        }
        return c
    }

    // listing: document-pmi
    /// compute_pmi_matrix exactly as the document writes it (NumPy semantics): log of 0 is
    /// -inf, 0/0 is NaN, and `pmi[pmi < 0] = 0` leaves NaN in place (NaN < 0 is false).
    /// Also returns how many cells were -inf before that line.
    public static func documentPMI(_ c: [Double], n: Int) -> (pmi: [Double], minusInfinity: Int) {
        let total = c.reduce(0, +)
        let rows = (0..<n).map { i in (0..<n).map { c[i * n + $0] }.reduce(0, +) / total }
        let cols = (0..<n).map { j in (0..<n).map { c[$0 * n + j] }.reduce(0, +) / total }
        var pmi = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { pmi[i * n + j] = Foundation.log((c[i * n + j] / total) / (rows[i] * cols[j])) } }
        let minusInfinity = pmi.filter { $0 == -.infinity }.count
        for k in pmi.indices where pmi[k] < 0 { pmi[k] = 0 }
        return (pmi, minusInfinity)
    }
    // end listing

    // listing: shifted-ppmi
    /// Shifted positive PMI (Levy & Goldberg 2014): max(PMI - log k, 0), where a pair never seen
    /// together (PMI = -inf) and a row or column never seen at all (0/0) both give 0.
    public static func shiftedPPMI(_ c: [Double], n: Int, shift k: Double = 1) -> [Double] {
        let total = c.reduce(0, +)
        let rows = (0..<n).map { i in (0..<n).map { c[i * n + $0] }.reduce(0, +) }
        let cols = (0..<n).map { j in (0..<n).map { c[$0 * n + j] }.reduce(0, +) }
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n where rows[i] > 0 {
            for j in 0..<n where cols[j] > 0 && c[i * n + j] > 0 {
                out[i * n + j] = max(Foundation.log(c[i * n + j] * total / (rows[i] * cols[j])) - Foundation.log(k), 0)
            }
        }
        return out
    }
    // end listing
}
