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

// MARK: - Baselines

/// Random scores, seeded (the floor every model must clear).
public final class RandomRecommender: Recommender {
    public let name = "Random"
    public let itemCount: Int
    let seed: UInt64
    public init(itemCount: Int, seed: UInt64) {
        self.itemCount = itemCount
        self.seed = seed
    }
    public func scores(users: [Int32]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(users.count * itemCount)
        for u in users {
            let rng = RandomGenerator(seed: seed ^ (UInt64(bitPattern: Int64(u)) &* 0x9E37_79B9_7F4A_7C15))
            for _ in 0..<itemCount { out.append(rng.nextFloat()) }
        }
        return out
    }
}

/// Most popular: each item's number of training interactions, for every user.
public final class MostPopular: Recommender {
    public let name = "MostPopular"
    public let itemCount: Int
    public let popularity: [Float]
    public init(train: InteractionMatrix) {
        itemCount = train.itemCount
        popularity = train.itemPopularity.map(Float.init)
    }
    public func scores(users: [Int32]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(users.count * itemCount)
        for _ in users { out.append(contentsOf: popularity) }
        return out
    }
}

/// Item-based k-nearest neighbours with cosine similarity (Sarwar et al. 2001):
/// sim(i, j) = |U_i ∩ U_j| / (sqrt(|U_i|) sqrt(|U_j|) + shrinkage), each item keeping its
/// `neighbourCount` most similar items; score(u, j) = sum of sim(i, j) over u's items i.
public final class ItemKNN: Recommender {
    public let name = "ItemKNN"
    public let itemCount: Int
    public let neighbourCount: Int, shrinkage: Float
    /// [I, I] similarities, column j holding item j's neighbours (others zero).
    public let similarity: [Float]
    let train: InteractionMatrix

    public init(train: InteractionMatrix, neighbourCount: Int = 100, shrinkage: Float = 10) throws {
        let n = train.itemCount
        guard n <= 20_000 else {
            throw DataError(file: "ItemKNN", "\(n) items need a \(n) x \(n) similarity matrix (\(n * n * 4 / 1_000_000) MB)", fix: "filter the catalogue (k-core) first")
        }
        itemCount = n
        self.neighbourCount = neighbourCount
        self.shrinkage = shrinkage
        self.train = train
        // G = XᵀX: co-occurrence counts, from the binary user x item matrix.
        let x = Tensor.zeros([train.userCount, n])
        for u in 0..<train.userCount { for i in train.items(of: u) { x.data[u * n + Int(i)] = 1 } }
        let gram = Tensor.withoutGrad { x.transposed().matmul(x) }  // [I, I]
        var sim = gram.data
        let norms = (0..<n).map { gram.data[$0 * n + $0].squareRoot() }
        for i in 0..<n { for j in 0..<n { sim[i * n + j] = i == j ? 0 : sim[i * n + j] / (norms[i] * norms[j] + shrinkage) } }
        // Keep each column's top neighbours.
        if neighbourCount < n - 1 {
            for j in 0..<n {
                let column = (0..<n).map { sim[$0 * n + j] }
                let keep = Set(column.withUnsafeBufferPointer { topK($0, k: neighbourCount) })
                for i in 0..<n where !keep.contains(Int32(i)) { sim[i * n + j] = 0 }
            }
        }
        similarity = sim
    }

    /// An ItemKNN from a saved similarity matrix ([I, I], as `similarity` holds it); the
    /// neighbour count is read off it (the most non-zeros in a column).
    public init(train: InteractionMatrix, similarity: [Float], shrinkage: Float) {
        let n = train.itemCount
        precondition(similarity.count == n * n, "ItemKNN: the similarity matrix must be [I, I]")
        itemCount = n
        var perColumn = [Int](repeating: 0, count: n)
        for k in similarity.indices where similarity[k] != 0 { perColumn[k % n] += 1 }
        neighbourCount = perColumn.max() ?? 0
        self.shrinkage = shrinkage
        self.train = train
        self.similarity = similarity
    }

    public func scores(users: [Int32]) -> [Float] {
        let n = itemCount
        let x = Tensor.zeros([users.count, n])
        for (b, u) in users.enumerated() { for i in train.items(of: Int(u)) { x.data[b * n + Int(i)] = 1 } }
        return Tensor.withoutGrad { x.matmul(Tensor(similarity, shape: [n, n])).data }
    }
}
