// Negative sampling and mini-batches: what implicit-feedback training draws every epoch.

import TensorCore

/// Walker's alias method: O(1) draws from a fixed discrete distribution.
public struct AliasTable: Sendable {
    let probability: [Double]
    let alias: [Int32]

    public init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        precondition(n > 0 && total > 0, "AliasTable needs positive total weight")
        var scaled = weights.map { $0 * Double(n) / total }
        var probability = [Double](repeating: 1, count: n), alias = [Int32](repeating: 0, count: n)
        var small = scaled.indices.filter { scaled[$0] < 1 }, large = scaled.indices.filter { scaled[$0] >= 1 }
        while let s = small.popLast(), let l = large.last {
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        self.probability = probability
        self.alias = alias
    }

    @inline(__always)
    public func sample(_ rng: RandomGenerator) -> Int32 {
        let k = rng.nextInt(below: probability.count)
        return rng.nextDouble() < probability[k] ? Int32(k) : alias[k]
    }
}

/// Draws items a user has not interacted with in training.
public struct NegativeSampler: Sendable {
    public enum Distribution: Sendable, Equatable {
        case uniform
        /// Proportional to popularity^exponent (word2vec's 0.75).
        case popularity(exponent: Double)
    }
    public let train: InteractionMatrix
    let table: AliasTable?

    public init(train: InteractionMatrix, distribution: Distribution = .uniform) {
        self.train = train
        switch distribution {
        case .uniform: table = nil
        case .popularity(let e):
            table = AliasTable(weights: train.itemPopularity.map { Foundation.pow(Double($0), e) + 1e-12 })
        }
    }

    /// One item `user` has not interacted with (rejection sampling).
    @inline(__always)
    public func sample(user: Int, rng: RandomGenerator) -> Int32 {
        precondition(train.count(of: user) < train.itemCount, "user \(user) has interacted with every item")
        while true {
            let j = table?.sample(rng) ?? Int32(rng.nextInt(below: train.itemCount))
            if !train.contains(user, j) { return j }
        }
    }
}

import Foundation

/// One epoch of (user, item, label) examples: every training positive with label 1 and
/// `negativeCount` sampled negatives with label 0 (NCF), shuffled, in batches.
public struct PointwiseEpoch: Sendable {
    public let users: [Int32], items: [Int32], labels: [Float]

    public init(train: InteractionMatrix, negativeCount: Int, sampler: NegativeSampler, rng: RandomGenerator) {
        var users: [Int32] = [], items: [Int32] = [], labels: [Float] = []
        let total = train.nonZeroCount * (1 + negativeCount)
        users.reserveCapacity(total); items.reserveCapacity(total); labels.reserveCapacity(total)
        for u in 0..<train.userCount {
            for i in train.items(of: u) {
                users.append(Int32(u)); items.append(i); labels.append(1)
                for _ in 0..<negativeCount {
                    users.append(Int32(u)); items.append(sampler.sample(user: u, rng: rng)); labels.append(0)
                }
            }
        }
        let order = rng.permutation(users.count)
        self.users = order.map { users[$0] }
        self.items = order.map { items[$0] }
        self.labels = order.map { labels[$0] }
    }

    public var count: Int { users.count }

    /// Batches of at most `size` examples, in order.
    public func batches(of size: Int) -> [(users: [Int32], items: [Int32], labels: [Float])] {
        stride(from: 0, to: count, by: size).map { s in
            let e = min(count, s + size)
            return (Array(users[s..<e]), Array(items[s..<e]), Array(labels[s..<e]))
        }
    }
}

/// (user, positive, negative) triples for BPR.
public struct BPRTriples: Sendable {
    public let users: [Int32], positives: [Int32], negatives: [Int32]

    public init(users: [Int32], positives: [Int32], negatives: [Int32]) {
        precondition(users.count == positives.count && positives.count == negatives.count, "BPRTriples: lengths differ")
        self.users = users
        self.positives = positives
        self.negatives = negatives
    }

    public var count: Int { users.count }

    /// `count` triples as the LightGCN reference draws them (UniformSample_original): a uniform
    /// user with at least one training item, one of their items, and an item they lack.
    public static func uniformUsers(
        _ train: InteractionMatrix, count: Int, sampler: NegativeSampler,
        rng: RandomGenerator
    ) -> BPRTriples {
        var users: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
        users.reserveCapacity(count)
        positives.reserveCapacity(count)
        negatives.reserveCapacity(count)
        let active = (0..<train.userCount).filter { train.count(of: $0) > 0 }
        guard !active.isEmpty else { return BPRTriples(users: [], positives: [], negatives: []) }
        for _ in 0..<count {
            let u = active[rng.nextInt(below: active.count)]
            let items = train.items(of: u)
            users.append(Int32(u))
            positives.append(items[items.startIndex + rng.nextInt(below: items.count)])
            negatives.append(sampler.sample(user: u, rng: rng))
        }
        return BPRTriples(users: users, positives: positives, negatives: negatives)
    }
}

/// Explicit ratings as three columns (user, item, rating): what a rating regressor trains on.
public struct RatingRows: Sendable {
    public let users: [Int32], items: [Int32], ratings: [Float]

    public init(_ data: RatingsData, rows: [Int]) {
        users = rows.map { data.users[$0] }
        items = rows.map { data.items[$0] }
        ratings = rows.map { data.ratings[$0] }
    }

    public var count: Int { users.count }
}
