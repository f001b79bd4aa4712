// EASE at scale: a synthetic catalogue to time the cubic cost of the inverse (chapter 5 and
// `workbook bench ease`).

import Foundation
import RecKit
import TensorCore

extension EASE {
    /// Fits EASE (λ = 500) on a synthetic catalogue; returns the data and the timings.
    public static func syntheticFit(
        items n: Int, users: Int, seed: UInt64
    ) throws
        -> (InteractionMatrix, (gram: Double, inverse: Double, weights: Double, total: Double))
    {
        let rng = RandomGenerator(seed: seed)
        let table = AliasTable(weights: (1...n).map { 1 / pow(Double($0), 0.8) })
        var u: [Int] = [], i: [Int] = []
        u.reserveCapacity(users * 50)
        i.reserveCapacity(users * 50)
        for user in 0..<users {
            var chosen = Set<Int32>()
            while chosen.count < 50 { chosen.insert(table.sample(rng)) }
            for item in chosen { u.append(user); i.append(Int(item)) }
        }
        // Every item appears at least once, so the catalogue has all n items.
        for item in 0..<n { u.append(item % users); i.append(item) }
        let data = RatingsData(
            name: "synthetic", rawUsers: u, rawItems: i, ratings: [Float](repeating: 1, count: u.count),
            timestamps: [Int64](repeating: 0, count: u.count))
        let train = InteractionMatrix(data, rows: Array(0..<data.count))
        let ease = try EASE(train: train, lambda: 500)
        let t = ease.timings
        return (train, (t.gram, t.inverse, t.weights, t.gram + t.inverse + t.weights))
    }
}
