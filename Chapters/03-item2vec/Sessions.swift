// The document's skip-gram helpers, and PMI (as the document computes it, and as it should be).

import Foundation
import RecKit
import TensorCore

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
    public static func addNegatives<T: Equatable>(
        _ pairs: [(T, T, Int)], allItems: [T], count: Int,
        rng: RandomGenerator
    ) -> [(T, T, Int)] {
        var out: [(T, T, Int)] = []
        for (centre, context, _) in pairs {
            out.append((centre, context, 1))
            for _ in 0..<count {
                var negative = allItems[rng.nextInt(below: allItems.count)]
                while negative == centre || negative == context {
                    negative = allItems[rng.nextInt(below: allItems.count)]
                }
                out.append((centre, negative, 0))
            }
        }
        return out
    }
    // end listing
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
        for i in 0..<n {
            for j in 0..<n { pmi[i * n + j] = Foundation.log((c[i * n + j] / total) / (rows[i] * cols[j])) }
        }
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
