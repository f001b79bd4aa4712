// One evaluator for every model: full ranking (holdout-20: all items, the user's training
// items excluded) and sampled ranking (loo-99: the test item among 99 sampled candidates).

import Dispatch
import TensorCore
import Foundation

/// Averaged metrics with the protocol that produced them.
public struct Evaluation: Sendable {
    public let evaluationProtocol: String
    /// Metric names as DESIGN.md writes them: "Recall@20", "NDCG@20", "HR@10", ...
    public let metrics: [String: Double]
    public let evaluatedUsers: Int
    /// Users without test items (skipped).
    public let skippedUsers: Int
    public let seconds: Double
    /// Each evaluated user's value of each metric, in the order of `users`.
    public let perUser: [String: [Double]]
    public let users: [Int32]

    public init(evaluationProtocol: String, metrics: [String: Double], evaluatedUsers: Int, skippedUsers: Int,
                seconds: Double, perUser: [String: [Double]] = [:], users: [Int32] = []) {
        self.evaluationProtocol = evaluationProtocol
        self.metrics = metrics
        self.evaluatedUsers = evaluatedUsers
        self.skippedUsers = skippedUsers
        self.seconds = seconds
        self.perUser = perUser
        self.users = users
    }

    /// The 95% bootstrap interval of `metric`'s mean over users (nil without per-user values).
    public func interval(_ metric: String, resamples: Int = 1000, seed: UInt64 = 0) -> ClosedRange<Double>? {
        perUser[metric].map { Bootstrap.interval($0, resamples: resamples, seed: seed) }
    }
}

/// Full-ranking evaluation over all items with training items excluded.
public struct FullRankingEvaluator: Sendable {
    public let train: InteractionMatrix
    public let test: InteractionMatrix
    public let protocolName: String

    public init(
        train: InteractionMatrix, test: InteractionMatrix, protocolName: String = EvaluationProtocol.holdout20.rawValue
    ) {
        precondition(
            train.userCount == test.userCount && train.itemCount == test.itemCount, "train and test shapes differ")
        self.train = train
        self.test = test
        self.protocolName = protocolName
    }

    /// Each evaluated user's top-K (users without test items get an empty list).
    public func topLists(_ model: any Recommender, k: Int, batchSize: Int = 256, allUsers: Bool = false) -> [[Int32]] {
        let users = (0..<train.userCount).filter { allUsers || test.count(of: $0) > 0 }
        var lists = [[Int32]](repeating: [], count: train.userCount)
        for start in stride(from: 0, to: users.count, by: batchSize) {
            let batch = users[start..<min(users.count, start + batchSize)].map { Int32($0) }
            let scores = model.scores(users: batch)
            precondition(
                scores.count == batch.count * train.itemCount,
                "\(model.name) returned \(scores.count) scores for \(batch.count) users")
            let n = train.itemCount
            let results = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: batch.count)
            results.initialize(repeating: [])
            defer { results.deallocate() }
            let out = SendableBuffer(base: results.baseAddress!)
            scores.withUnsafeBufferPointer { s in
                let base = SendableConstBuffer(base: s.baseAddress!)
                let workers = min(batch.count, Kernels.threadCount)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for b in stride(from: worker, to: batch.count, by: workers) {
                        let row = UnsafeBufferPointer(start: base.base + b * n, count: n)
                        out.base[b] = topK(row, k: k, excluding: train.items(of: Int(batch[b])))
                    }
                }
            }
            for (b, u) in batch.enumerated() { lists[Int(u)] = results[b] }
        }
        return lists
    }

    /// Recall, Precision, NDCG, HR, MAP and MRR at each K, and catalogue coverage of the top K;
    /// with every evaluated user's own values (for intervals and paired comparisons).
    public func evaluate(_ model: any Recommender, ks: [Int] = [20], batchSize: Int = 256) -> Evaluation {
        let start = Date()
        let kMax = ks.max() ?? 20
        let lists = topLists(model, k: kMax, batchSize: batchSize)
        var metrics: [String: Double] = [:], perUser: [String: [Double]] = [:]
        let users = (0..<test.userCount).filter { test.count(of: $0) > 0 }
        for k in ks {
            var values: [String: [Double]] = [:]
            var covered = Set<Int32>()
            for u in users {
                let m = UserMetrics.compute(ranked: lists[u], relevant: Set(test.items(of: u)), k: k)
                for (name, value) in [("HR", m.hit), ("Precision", m.precision), ("Recall", m.recall),
                                      ("RecallCapped", m.recallCapped), ("NDCG", m.ndcg), ("MAP", m.averagePrecision),
                                      ("MRR", m.reciprocalRank)] {
                    values["\(name)@\(k)", default: []].append(value)
                }
                covered.formUnion(lists[u].prefix(k))
            }
            for (name, column) in values {
                metrics[name] = column.reduce(0, +) / Double(max(users.count, 1))
                perUser[name] = column
            }
            metrics["Coverage@\(k)"] = Double(covered.count) / Double(test.itemCount)
        }
        return Evaluation(
            evaluationProtocol: protocolName, metrics: metrics, evaluatedUsers: users.count,
            skippedUsers: test.userCount - users.count, seconds: Date().timeIntervalSince(start), perUser: perUser,
            users: users.map(Int32.init))
    }
}

/// Sampled evaluation (loo-99): each user's test item ranked among its sampled candidates.
/// rank = candidates scoring higher + candidates scoring equal with a lower item index.
public struct SampledEvaluator: Sendable {
    public let testItems: [Int32]
    public let candidates: [[Int32]]

    public init(split: Split, data: RatingsData) {
        self.init(testItems: split.testItemPerUser(data), candidates: split.candidates ?? [])
    }

    /// Each user's held-out item (-1: none) and its candidates.
    public init(testItems: [Int32], candidates: [[Int32]]) {
        precondition(candidates.count == testItems.count, "the split has no sampled candidates (use loo-99)")
        self.testItems = testItems
        self.candidates = candidates
    }

    /// The split's held-out items, each ranked among `negatives` items its user never rated, drawn
    /// with `seed` (every unrated item when fewer are left): the same held-out items as loo-99's,
    /// under a candidate set of another size (Krichene & Rendle's experiment).
    public init(split: Split, data: RatingsData, negatives: Int, seed: UInt64) {
        precondition(negatives > 0, "SampledEvaluator: at least one negative")
        let testItems = split.testItemPerUser(data)
        var rated = [Set<Int32>](repeating: [], count: data.userCount)
        for r in 0..<data.count { rated[Int(data.users[r])].insert(data.items[r]) }
        let rng = RandomGenerator(seed: seed, stream: "candidates-\(negatives)")
        let candidates = (0..<data.userCount).map { u -> [Int32] in
            guard testItems[u] >= 0 else { return [] }
            var pool = (0..<Int32(data.itemCount)).filter { !rated[u].contains($0) }
            guard pool.count > negatives else { return pool }
            for k in 0..<negatives { pool.swapAt(k, k + rng.nextInt(below: pool.count - k)) }  // partial shuffle
            return Array(pool[0..<negatives])
        }
        self.init(testItems: testItems, candidates: candidates)
    }

    /// HR@K and NDCG@K (one relevant item: NDCG = 1/log2(rank + 1) for a hit).
    public func evaluate(_ model: any Recommender, k: Int = 10) -> Evaluation {
        let start = Date()
        var hitsPerUser: [Double] = [], ndcgPerUser: [Double] = []
        let users = testItems.indices.filter { testItems[$0] >= 0 }
        var pairUsers: [Int32] = [], pairItems: [Int32] = []
        for u in users {
            pairUsers.append(contentsOf: [Int32](repeating: Int32(u), count: 1 + candidates[u].count))
            pairItems.append(testItems[u])
            pairItems.append(contentsOf: candidates[u])
        }
        let all = model.scores(pairs: pairUsers, pairItems)
        var offset = 0
        for u in users {
            let test = testItems[u]
            let s = all[offset]
            var rank = 1
            for (c, item) in candidates[u].enumerated() {
                let t = all[offset + 1 + c]
                if t > s || (t == s && item < test) { rank += 1 }
            }
            offset += 1 + candidates[u].count
            hitsPerUser.append(rank <= k ? 1 : 0)
            ndcgPerUser.append(rank <= k ? 1 / log2(Double(rank) + 1) : 0)
        }
        let n = Double(max(users.count, 1))
        return Evaluation(
            evaluationProtocol: EvaluationProtocol.loo99.rawValue,
            metrics: ["HR@\(k)": hitsPerUser.reduce(0, +) / n, "NDCG@\(k)": ndcgPerUser.reduce(0, +) / n],
            evaluatedUsers: users.count, skippedUsers: testItems.count - users.count,
            seconds: Date().timeIntervalSince(start), perUser: ["HR@\(k)": hitsPerUser, "NDCG@\(k)": ndcgPerUser],
            users: users.map(Int32.init))
    }
}

struct SendableBuffer<T>: @unchecked Sendable { let base: UnsafeMutablePointer<T> }
struct SendableConstBuffer<T>: @unchecked Sendable { let base: UnsafePointer<T> }
