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

    /// User by user in file order, but scored a block of users at a time through
    /// `scores(users:)` (one matrix product for a block instead of one per user: a sampled
    /// evaluation of EASE on 3,000 users is then 12 products, not 3,000 passes over B).
    public func scores(pairs users: [Int32], _ items: [Int32]) -> [Float] {
        var out = [Float](repeating: 0, count: users.count)
        // Runs of equal users: (user, start, end).
        var runs: [(user: Int32, start: Int, end: Int)] = []
        var start = 0
        while start < users.count {
            var end = start
            while end < users.count && users[end] == users[start] { end += 1 }
            runs.append((users[start], start, end))
            start = end
        }
        // About 16 MB of scores per block.
        let block = max(1, min(256, (1 << 22) / max(itemCount, 1)))
        var first = 0
        while first < runs.count {
            let chunk = runs[first..<min(runs.count, first + block)]
            let rows = scores(users: chunk.map(\.user))
            for (r, run) in chunk.enumerated() {
                let row = r * itemCount
                for k in run.start..<run.end { out[k] = rows[row + Int(items[k])] }
            }
            first += block
        }
        return out
    }
}
