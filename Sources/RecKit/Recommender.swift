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

    public func scores(pairs users: [Int32], _ items: [Int32]) -> [Float] {
        var out = [Float](repeating: 0, count: users.count)
        var start = 0
        while start < users.count {
            var end = start
            while end < users.count && users[end] == users[start] { end += 1 }
            let s = scores(user: users[start], items: Array(items[start..<end]))
            for k in start..<end { out[k] = s[k - start] }
            start = end
        }
        return out
    }
}
