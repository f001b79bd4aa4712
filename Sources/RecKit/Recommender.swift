// One protocol for every model, so that one evaluator ranks them all (as RecBole's
// full_sort_predict does): a model fitted on training interactions returns scores for
// (users x all items), and for (user, candidate items).

import Foundation
import TensorCore

public protocol Recommender: AnyObject {
    var name: String { get }
    var itemCount: Int { get }
    /// Scores of every item for each of `users`: users.count x itemCount, row-major. Higher
    /// is better; training items are excluded by the evaluator, not here.
    func scores(users: [Int32]) -> [Float]
    /// Scores of `items` for one user (default: picked from `scores(users:)`).
    func scores(user: Int32, items: [Int32]) -> [Float]
    /// Scores of (users[k], items[k]) pairs (default: user by user). Models that score pairs
    /// directly (NCF) answer all of them in a few large batches.
    func scores(pairs users: [Int32], _ items: [Int32]) -> [Float]
}

extension Recommender {
    public func scores(user: Int32, items: [Int32]) -> [Float] {
        let all = scores(users: [user])
        return items.map { all[Int($0)] }
    }

    /// Each distinct user scored once, a block of users at a time through `scores(users:)` (one
    /// matrix product per block instead of one per user: a sampled evaluation of EASE on 3,000
    /// users is then 12 products, not 3,000 passes over B), whatever the order of the pairs.
    public func scores(pairs users: [Int32], _ items: [Int32]) -> [Float] {
        var out = [Float](repeating: 0, count: users.count)
        // The pairs grouped by user: each group one row of a block.
        let order = users.indices.sorted { users[$0] < users[$1] }
        var groups: [Range<Int>] = []  // ranges of `order`
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && users[order[end]] == users[order[start]] { end += 1 }
            groups.append(start..<end)
            start = end
        }
        // About 16 MB of scores per block.
        let block = max(1, min(256, (1 << 22) / max(itemCount, 1)))
        for first in stride(from: 0, to: groups.count, by: block) {
            let chunk = groups[first..<min(groups.count, first + block)]
            let rows = scores(users: chunk.map { users[order[$0.lowerBound]] })
            for (r, group) in chunk.enumerated() {
                for k in order[group] { out[k] = rows[r * itemCount + Int(items[k])] }
            }
        }
        return out
    }
}
