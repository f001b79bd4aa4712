// The document's model-selection flowchart as code: measurable questions about a data set,
// answered by its numbers, and the synthetic data sets that put the flowchart to the test.

import Models
import Foundation
import RecKit
import TensorCore

/// What the flowchart asks about a data set, measured.
public struct DataProfile: Sendable {
    public var name: String
    public var users: Int, items: Int, interactions: Int
    /// Interactions / (users x items).
    public var density: Double
    public var medianPerUser: Double
    /// "Does order matter?": HR@10 of predicting each user's latest item from the successors
    /// of their previous item (counted over everyone's earlier steps), divided by the HR@10
    /// of most-popular on the same task.
    public var orderLift: Double
    /// "Are there complex patterns?": the share of the binary matrix's energy (‖X‖²_F) in its
    /// 8 largest singular values. Near 1: a rank-8 linear model explains the data.
    public var rank8Energy: Double
    /// "Do relations matter?": the mean share of the catalogue a user reaches in three hops
    /// (user → item → user → item) of the interaction graph.
    public var threeHopReach: Double

    public init(
        name: String, users: Int, items: Int, interactions: Int, density: Double, medianPerUser: Double,
        orderLift: Double,
        rank8Energy: Double, threeHopReach: Double
    ) {
        self.name = name
        self.users = users
        self.items = items
        self.interactions = interactions
        self.density = density
        self.medianPerUser = medianPerUser
        self.orderLift = orderLift
        self.rank8Energy = rank8Energy
        self.threeHopReach = threeHopReach
    }

    /// Measures a data set (its time order is the timestamps, ties in file order).
    public static func measure(_ data: RatingsData) throws -> DataProfile {
        let all = Array(0..<data.count)
        let matrix = InteractionMatrix(data, rows: all)
        let perUser = (0..<data.userCount).map { matrix.count(of: $0) }.sorted()
        let median = perUser.isEmpty ? 0 : Double(perUser[perUser.count / 2])
        // Order: successors of the previous item against popularity, on the latest item.
        let sequences = Split.rowsByUser(all, data: data).map { $0.map { data.items[$0] } }
        var successors: [Int32: [Int32: Int]] = [:]
        var popularity = [Int](repeating: 0, count: data.itemCount)
        for s in sequences where s.count >= 2 {
            for k in 0..<(s.count - 1) {
                popularity[Int(s[k])] += 1
                if k + 1 < s.count - 1 { successors[s[k], default: [:]][s[k + 1], default: 0] += 1 }
            }
        }
        let popular = popularity.indices.sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }.map(Int32.init)
        var sequenceHits = 0, popularHits = 0, cases = 0
        for s in sequences where s.count >= 3 {
            let seen = Set(s.dropLast()), target = s[s.count - 1], previous = s[s.count - 2]
            cases += 1
            let next = (successors[previous] ?? [:]).filter { !seen.contains($0.key) }.sorted {
                ($0.value, -$0.key) > ($1.value, -$1.key)
            }.prefix(10).map(\.key)
            if next.contains(target) { sequenceHits += 1 }
            if popular.lazy.filter({ !seen.contains($0) }).prefix(10).contains(target) { popularHits += 1 }
        }
        let lift = Double(sequenceHits) / Double(max(popularHits, 1))
        // Complexity: the top-8 eigenvalues of XᵀX are the squared top-8 singular values of X.
        let gram = EASE.gram(matrix).map(Float.init)
        let k = min(8, data.itemCount)
        let eigen = try Linalg.symmetricEigen(gram, n: data.itemCount, largest: k)
        let energy = eigen.values.reduce(0) { $0 + Double($1) } / Double(max(matrix.nonZeroCount, 1))
        // Relations: items reached in three hops.
        var usersOf = [[Int32]](repeating: [], count: data.itemCount)
        for u in 0..<data.userCount { for i in matrix.items(of: u) { usersOf[Int(i)].append(Int32(u)) } }
        var reach = 0.0
        var userMark = [Int](repeating: -1, count: data.userCount),
            itemMark = [Int](repeating: -1, count: data.itemCount)
        for u in 0..<data.userCount {
            var reached = 0
            for i in matrix.items(of: u) {
                for v in usersOf[Int(i)] where userMark[Int(v)] != u {
                    userMark[Int(v)] = u
                    for j in matrix.items(of: Int(v)) where itemMark[Int(j)] != u {
                        itemMark[Int(j)] = u
                        reached += 1
                    }
                }
            }
            reach += Double(reached) / Double(data.itemCount)
        }
        return DataProfile(
            name: data.name, users: data.userCount, items: data.itemCount, interactions: data.count,
            density: data.density,
            medianPerUser: median, orderLift: lift, rank8Energy: energy,
            threeHopReach: reach / Double(max(data.userCount, 1)))
    }
}

// listing: flowchart
/// The document's flowchart, with each question made measurable (thresholds stated):
///   sparse?            density below 1%                          -> EASE
///   order matters?     order lift of at least 2                  -> Item2Vec
///   complex patterns?  top-8 singular values hold under 50%      -> no: GMF
///   relations matter?  a user reaches at least half the catalogue
///                      in three hops                             -> LightGCN, else NeuMF
public func recommendModel(for p: DataProfile) -> (model: String, path: [String]) {
    if p.density < 0.01 {
        return ("EASE", [String(format: "sparse? yes (density %.2f%% < 1%%)", p.density * 100)])
    }
    var path = [String(format: "sparse? no (density %.2f%%)", p.density * 100)]
    if p.orderLift >= 2 {
        return ("Item2Vec", path + [String(format: "order matters? yes (lift %.1f ≥ 2)", p.orderLift)])
    }
    path.append(String(format: "order matters? no (lift %.1f < 2)", p.orderLift))
    guard p.rank8Energy < 0.5 else {
        return (
            "GMF",
            path + [String(format: "complex patterns? no (rank 8 holds %.0f%% of the energy)", p.rank8Energy * 100)]
        )
    }
    path.append(String(format: "complex patterns? yes (rank 8 holds only %.0f%%)", p.rank8Energy * 100))
    if p.threeHopReach >= 0.5 {
        return (
            "LightGCN",
            path + [String(format: "relations matter? yes (3 hops reach %.0f%% of items)", p.threeHopReach * 100)]
        )
    }
    return (
        "NeuMF", path + [String(format: "relations matter? no (3 hops reach %.0f%% of items)", p.threeHopReach * 100)]
    )
}
// end listing

/// Synthetic data sets that should send the flowchart down other branches.
public enum SyntheticData {
    /// Very sparse: 3,000 users with 3 to 8 interactions each among 2,000 items, drawn
    /// mostly (80%) from one of 40 taste groups, popularity falling as a power law.
    public static func sparse(seed: UInt64) -> RatingsData {
        let rng = RandomGenerator(seed: seed ^ 0x5EED_0001)
        let users = 3_000, items = 2_000, groups = 40
        let global = AliasTable(weights: (1...items).map { 1 / pow(Double($0), 0.7) })
        let inGroup = AliasTable(weights: (1...(items / groups)).map { 1 / pow(Double($0), 0.7) })
        // Items are dealt to groups round-robin, so every group has popular and obscure items.
        var u: [Int] = [], i: [Int] = []
        for user in 0..<users {
            let group = rng.nextInt(below: groups)
            var chosen = Set<Int>()
            let count = 3 + rng.nextInt(below: 6)
            while chosen.count < count {
                let item = rng.nextFloat() < 0.8 ? Int(inGroup.sample(rng)) * groups + group : Int(global.sample(rng))
                chosen.insert(item)
            }
            for item in chosen.sorted() { u.append(user); i.append(item) }
        }
        for item in 0..<items { u.append(item % users); i.append(item) }  // every item appears
        let order = rng.permutation(u.count)
        return RatingsData(
            name: "synthetic-sparse", rawUsers: order.map { u[$0] }, rawItems: order.map { i[$0] },
            ratings: [Float](repeating: 5, count: u.count), timestamps: (0..<u.count).map { Int64($0) })
    }

    /// Strongly sequential: 1,000 items form 50 series of 20 episodes; 1,500 users each
    /// follow 2 or 3 series from a random early episode, in order, for 6 to 15 episodes
    /// (one in ten steps is a random popular item instead).
    public static func sequential(seed: UInt64) -> RatingsData {
        let rng = RandomGenerator(seed: seed ^ 0x5EED_0002)
        let users = 1_500, series = 50, length = 20
        let popular = AliasTable(weights: (1...(series * length)).map { 1 / pow(Double($0), 1.0) })
        var u: [Int] = [], i: [Int] = [], t: [Int64] = []
        var clock: Int64 = 0
        for user in 0..<users {
            var seen = Set<Int>()
            let followed = 2 + rng.nextInt(below: 2)
            for _ in 0..<followed {
                let s = rng.nextInt(below: series)
                var episode = rng.nextInt(below: 4)
                let watch = 6 + rng.nextInt(below: 10)
                for _ in 0..<watch where episode < length {
                    var item = s * length + episode
                    if rng.nextFloat() < 0.1 { item = Int(popular.sample(rng)) } else { episode += 1 }
                    if seen.insert(item).inserted { u.append(user); i.append(item); t.append(clock); clock += 1 }
                }
            }
        }
        for item in 0..<(series * length) where !i.contains(item) {
            u.append(item % users); i.append(item); t.append(-1)
        }
        return RatingsData(
            name: "synthetic-sequential", rawUsers: u, rawItems: i, ratings: [Float](repeating: 5, count: u.count),
            timestamps: t)
    }
}
