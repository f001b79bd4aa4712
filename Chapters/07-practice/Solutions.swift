// Reference solutions of chapter 7's exercises, checked by the same checks as your answers.

import Foundation

enum Chapter7Solutions {
    static func stopEpoch(losses: [Float], patience: Int, minDelta: Float) -> Int? {
        var best: Float?
        var counter = 0
        for (k, loss) in losses.enumerated() {
            if let b = best, loss > b - minDelta {
                counter += 1
                if counter >= patience { return k + 1 }
            } else {
                best = loss
                counter = 0
            }
        }
        return 0
    }

    static func averagePrecision(hits: [Bool], relevantCount: Int) -> Double? {
        var found = 0, sum = 0.0
        for (index, hit) in hits.enumerated() where hit {
            found += 1
            sum += Double(found) / Double(index + 1)
        }
        return sum / Double(min(hits.count, relevantCount))
    }

    static func learningRates(losses: [Float], initial: Float, factor: Float, patience: Int) -> [Float]? {
        var lr = initial, best: Float?, bad = 0
        var out: [Float] = []
        for loss in losses {
            if let b = best, loss >= b * (1 - 1e-4) { bad += 1 } else { best = loss; bad = 0 }
            if bad > patience { lr *= factor; bad = 0 }
            out.append(lr)
        }
        return out
    }

    static func gini(_ counts: [Int]) -> Double? {
        let x = counts.sorted().map(Double.init), n = Double(counts.count), total = x.reduce(0, +)
        guard total > 0 else { return 0 }
        return x.enumerated().reduce(0.0) { $0 + (2 * Double($1.offset + 1) - n - 1) * $1.element } / (n * total)
    }

    static func kendallTau(_ a: [String], _ b: [String]) -> Double? {
        var score = 0, pairs = 0
        for i in a.indices {
            for j in a.indices where j > i {
                guard let pi = b.firstIndex(of: a[i]), let pj = b.firstIndex(of: a[j]) else { continue }
                score += pi < pj ? 1 : -1
                pairs += 1
            }
        }
        return pairs == 0 ? 1 : Double(score) / Double(pairs)
    }

    static func ndcgWithTies(scores: [Float], relevant: Set<Int>, k: Int) -> Double? {
        func discount(_ position: Int) -> Double { 1 / log2(Double(position) + 2) }  // 0-based position
        let ideal = (0..<min(k, relevant.count)).reduce(0.0) { $0 + discount($1) }
        guard ideal > 0 else { return 0 }
        // Walk the tie groups best first; a group of g items holding r relevant ones spreads r/g of a
        // gain over each of its positions.
        let groups = Dictionary(grouping: scores.indices, by: { scores[$0] }).sorted { $0.key > $1.key }
        var start = 0, dcg = 0.0
        for (_, items) in groups where start < k {
            let share = Double(items.filter(relevant.contains).count) / Double(items.count)
            for position in start..<min(start + items.count, k) { dcg += share * discount(position) }
            start += items.count
        }
        return dcg / ideal
    }
}
