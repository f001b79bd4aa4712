// Reference solutions of chapter 8's exercises, checked by the same checks as your answers.

import TensorCore

enum Chapter8Solutions {
    static func payloadBytes(shapes: [[Int]]) -> Int? {
        shapes.reduce(0) { $0 + $1.reduce(1, *) } * 4
    }

    static func topContributor(weights: [Float], itemCount: Int, userItems: [Int], target: Int) -> Int? {
        var best: (item: Int, weight: Float)?
        for i in userItems.sorted() {
            let w = weights[i * itemCount + target]
            if best == nil || w > best?.weight ?? -.infinity { best = (i, w) }
        }
        return best?.item
    }

    static func coverage(lists: [[Int]], itemCount: Int) -> Double? {
        Double(Set(lists.joined()).count) / Double(itemCount)
    }

    static func pairedInterval(a: [Double], b: [Double], resamples: Int, seed: UInt64) -> ClosedRange<Double>? {
        let differences = zip(a, b).map { $0 - $1 }
        guard !differences.isEmpty, resamples > 0 else { return nil }
        let rng = RandomGenerator(seed: seed)
        let means = (0..<resamples).map { _ in
            (0..<differences.count).reduce(0.0) { sum, _ in sum + differences[rng.nextInt(below: differences.count)] }
                / Double(differences.count)
        }.sorted()
        func percentile(_ q: Double) -> Double {
            let position = q * Double(means.count - 1)
            let lower = Int(position), upper = min(lower + 1, means.count - 1)
            return means[lower] + (means[upper] - means[lower]) * (position - Double(lower))
        }
        return percentile(0.025)...percentile(0.975)
    }
}
