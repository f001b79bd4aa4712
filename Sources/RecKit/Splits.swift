// The evaluation protocols of DESIGN.md, named once and used everywhere. Every split is
// seeded and deterministic; ties between equal timestamps keep the file's row order.

import Foundation
import TensorCore
import _WorkbookSupport

public enum EvaluationProtocol: String, Sendable, CaseIterable {
    /// Leave-one-out: each user's latest interaction is the test item, ranked among 99
    /// sampled unobserved items (NCF). HR@10, NDCG@10.
    case loo99 = "loo-99"
    /// Per user, a seeded random 20% of interactions is test; ranking over all items with the
    /// user's training items excluded. Recall@20, NDCG@20.
    case holdout20 = "holdout-20"
    /// Seeded random 90/10 of the explicit ratings (AutoRec). RMSE, MAE.
    case ratings9010 = "ratings-90-10"
    /// Seeded random 80/20 of the explicit ratings (the document's NeuMF regression). MSE, RMSE.
    case ratings8020 = "ratings-80-20"
    /// Global temporal split: the latest 20% of all interactions (by time, then file row) is test.
    case temporal = "temporal-80-20"

    public var summary: String { LibraryWords.say("protocol.\(rawValue)") }
}

/// A train/test (and optionally validation) partition of a data set's rating rows.
public struct Split: Sendable {
    public let evaluationProtocol: EvaluationProtocol
    public let seed: UInt64
    /// Row indices into the RatingsData.
    public let train: [Int]
    public let validation: [Int]
    public let test: [Int]
    /// loo-99 only: for each user, the 99 sampled candidate items (dense indices).
    public let candidates: [[Int32]]?
    /// loo-99 with validation: each user's 99 candidates for the validation item (drawn apart
    /// from the test candidates, so that choosing on validation never reads the test draw).
    public let validationCandidates: [[Int32]]?

    /// Splits `data` by `protocol` with `seed`. With `validation`, the same protocol is
    /// applied once more to the training rows to hold out a validation set (for choosing
    /// hyperparameters without looking at the test set).
    public static func make(
        _ data: RatingsData, protocol p: EvaluationProtocol, seed: UInt64,
        validation: Bool = false
    ) throws -> Split {
        let rng = RandomGenerator(seed: seed)
        let all = Array(0..<data.count)
        var (train, test) = try partition(all, data: data, protocol: p, rng: rng)
        var valid: [Int] = []
        if validation { (train, valid) = try partition(train, data: data, protocol: p, rng: rng) }
        var candidates: [[Int32]]?, validationCandidates: [[Int32]]?
        if p == .loo99 {
            candidates = try sampleCandidates(
                data: data, test: test, count: 99, rng: RandomGenerator(seed: seed &+ 2017))
            if validation {
                validationCandidates = try sampleCandidates(
                    data: data, test: valid, count: 99,
                    rng: RandomGenerator(seed: seed &+ 2018))
            }
        }
        return Split(
            evaluationProtocol: p, seed: seed, train: train, validation: valid, test: test, candidates: candidates,
            validationCandidates: validationCandidates)
    }

    /// Rows grouped by user (users in index order), each group in (timestamp, file row) order.
    public static func rowsByUser(_ rows: [Int], data: RatingsData) -> [[Int]] {
        var groups = [[Int]](repeating: [], count: data.userCount)
        for r in rows { groups[Int(data.users[r])].append(r) }  // rows ascend: file order kept
        for u in groups.indices where groups[u].count > 1 {
            // A stable sort by timestamp: equal timestamps keep the file's row order.
            groups[u] = groups[u].enumerated().sorted {
                (data.timestamps[$0.element], $0.offset) < (data.timestamps[$1.element], $1.offset)
            }.map(\.element)
        }
        return groups
    }

    static func partition(
        _ rows: [Int], data: RatingsData, protocol p: EvaluationProtocol,
        rng: RandomGenerator
    ) throws -> (keep: [Int], out: [Int]) {
        switch p {
        case .loo99:
            var keep: [Int] = [], out: [Int] = []
            for group in rowsByUser(rows, data: data) where !group.isEmpty {
                out.append(group[group.count - 1])
                keep.append(contentsOf: group.dropLast())
            }
            return (keep.sorted(), out.sorted())
        case .holdout20:
            var keep: [Int] = [], out: [Int] = []
            for group in rowsByUser(rows, data: data) where !group.isEmpty {
                let n = group.count
                let k = max(1, Int((0.2 * Double(n) + 0.5).rounded(.down)))
                let order = rng.permutation(n)
                for (j, position) in order.enumerated() {
                    if j < k { out.append(group[position]) } else { keep.append(group[position]) }
                }
            }
            return (keep.sorted(), out.sorted())
        case .ratings9010, .ratings8020:
            let fraction = p == .ratings9010 ? 0.1 : 0.2
            let order = rng.permutation(rows.count)
            let k = Int((fraction * Double(rows.count)).rounded())
            return (order[k...].map { rows[$0] }.sorted(), order[..<k].map { rows[$0] }.sorted())
        case .temporal:
            let ordered = rows.enumerated().sorted {
                (data.timestamps[$0.element], $0.offset) < (data.timestamps[$1.element], $1.offset)
            }
            .map(\.element)
            let k = Int((0.2 * Double(rows.count)).rounded())
            return (Array(ordered[..<(ordered.count - k)]).sorted(), Array(ordered[(ordered.count - k)...]).sorted())
        }
    }

    /// For each user, `count` distinct items the user never rated (train or test).
    static func sampleCandidates(data: RatingsData, test: [Int], count: Int, rng: RandomGenerator) throws -> [[Int32]] {
        var rated = [Set<Int32>](repeating: [], count: data.userCount)
        for r in 0..<data.count { rated[Int(data.users[r])].insert(data.items[r]) }
        return try (0..<data.userCount).map { u in
            var seen = rated[u]
            guard data.itemCount - seen.count >= count else {
                throw WorkbookError(
                    """
                    user \(data.userIds[u]) has rated all but \(data.itemCount - seen.count) items: cannot sample \
                    \(count) candidates
                    """)
            }
            var out: [Int32] = []
            while out.count < count {
                let j = Int32(rng.nextInt(below: data.itemCount))
                if seen.insert(j).inserted { out.append(j) }
            }
            return out
        }
    }

    /// loo-99: each user's test item (dense index), or -1 for a user without one.
    public func testItemPerUser(_ data: RatingsData) -> [Int32] {
        var out = [Int32](repeating: -1, count: data.userCount)
        for r in test { out[Int(data.users[r])] = data.items[r] }
        return out
    }
}

/// A users x items matrix in CSR form with sorted item lists per user: the training
/// interactions as models and evaluators see them.
public struct InteractionMatrix: Sendable {
    public let userCount: Int
    public let itemCount: Int
    public let rowStart: [Int]
    public let items: [Int32]
    public let values: [Float]

    /// From rating rows; `implicit` turns every rating into 1. Duplicate (user, item) pairs
    /// keep their last value.
    public init(_ data: RatingsData, rows: [Int], implicit: Bool = true) {
        self.init(
            userCount: data.userCount, itemCount: data.itemCount, users: rows.map { data.users[$0] },
            items: rows.map { data.items[$0] }, values: implicit ? nil : rows.map { data.ratings[$0] })
    }

    /// From (user, item) pairs of dense indices, with values (1 when nil).
    public init(userCount: Int, itemCount: Int, users: [Int32], items: [Int32], values: [Float]? = nil) {
        precondition(
            users.count == items.count && (values == nil || values!.count == users.count),
            "InteractionMatrix: arrays differ in length")
        self.userCount = userCount
        self.itemCount = itemCount
        var perUser = [[(Int32, Float)]](repeating: [], count: userCount)
        for k in users.indices {
            precondition(
                Int(users[k]) < userCount && Int(items[k]) < itemCount, "InteractionMatrix: index out of range")
            perUser[Int(users[k])].append((items[k], values?[k] ?? 1))
        }
        var start = [0], itemList: [Int32] = [], valueList: [Float] = []
        itemList.reserveCapacity(users.count); valueList.reserveCapacity(users.count)
        for var row in perUser {
            row.sort { $0.0 < $1.0 }
            for (k, (i, v)) in row.enumerated() {
                if k > 0 && row[k - 1].0 == i { valueList[valueList.count - 1] = v; continue }
                itemList.append(i); valueList.append(v)
            }
            start.append(itemList.count)
        }
        rowStart = start
        self.items = itemList
        self.values = valueList
    }

    public var nonZeroCount: Int { items.count }
    /// The items of user `u` (ascending).
    @inlinable public func items(of u: Int) -> ArraySlice<Int32> { items[rowStart[u]..<rowStart[u + 1]] }
    public func count(of u: Int) -> Int { rowStart[u + 1] - rowStart[u] }
    /// Whether user `u` interacted with item `i` (binary search).
    public func contains(_ u: Int, _ i: Int32) -> Bool {
        var lo = rowStart[u], hi = rowStart[u + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if items[mid] < i { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowStart[u + 1] && items[lo] == i
    }
    /// How many users interacted with each item.
    public var itemPopularity: [Int] {
        var counts = [Int](repeating: 0, count: itemCount)
        for i in items { counts[Int(i)] += 1 }
        return counts
    }
}
