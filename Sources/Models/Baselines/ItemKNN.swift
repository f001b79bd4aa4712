// Item-based k-nearest neighbours (Sarwar, Karypis, Konstan & Riedl, "Item-based collaborative
// filtering recommendation algorithms", WWW 2001), with cosine similarity and shrinkage.
//
// Shapes: U = users, I = items, k = neighbours kept per item.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// sim(i, j) = |U_i ∩ U_j| / (sqrt(|U_i|) sqrt(|U_j|) + shrinkage), each item keeping its
/// `neighbourCount` most similar items; score(u, j) = Σ sim(i, j) over u's items i.
public final class ItemKNN: RecommenderModel {
    public static let info = ModelInfo(
        key: "itemknn", name: "ItemKNN", chapter: 2,
        paper: "Sarwar et al., Item-based collaborative filtering recommendation algorithms, WWW 2001",
        explainable: true)

    public struct Config: ModelConfig {
        /// Neighbours kept per item without a validation set: 100 is the usual middle of the grid.
        public var neighbourCount = 100
        /// The counts tried on validation (Dacrema et al. 2019 tune k over a similar range).
        public var neighbourGrid = [25, 50, 100, 200]
        /// Shrinkage damps similarities built on few co-occurrences (10: RecBole's default range).
        public var shrinkage: Float = 10

        public init(mode: RunMode) {}

        public var rules: [SettingRule] {
            [
                .atLeast("neighbourCount", neighbourCount),
                .positive("shrinkage", shrinkage, orZero: true),
            ]
        }

        public var summary: String {
            LibraryWords.say("settings.itemknn", ["shrinkage": short(shrinkage), "k": neighbourCount])
        }
        public var searchesOnValidation: Bool { neighbourGrid.count > 1 }

        /// `--set neighbourCount=50` means k = 50, not "50 unless validation prefers another".
        public func honouring(_ keys: Set<String>) -> Config {
            guard keys.contains("neighbourCount"), !keys.contains("neighbourGrid") else { return self }
            var c = self
            c.neighbourGrid = [neighbourCount]
            return c
        }
    }

    public let name = "ItemKNN"
    public let itemCount: Int
    public let config: Config
    public internal(set) var record = TrainingRecord()
    public var neighbourCount: Int { config.neighbourCount }
    /// [I, I] similarities, column j holding item j's neighbours (others zero).
    public let similarity: [Float]
    let train: InteractionMatrix

    /// Computes the similarities of `train`'s items.
    public init(train: InteractionMatrix, neighbourCount: Int = 100, shrinkage: Float = 10) throws {
        let n = train.itemCount
        guard n <= 20_000 else {
            throw DataError(
                file: "ItemKNN", "\(n) items need a \(n) x \(n) similarity matrix (\(n * n * 4 / 1_000_000) MB)",
                fix: "filter the catalogue (k-core) first")
        }
        guard neighbourCount > 0 else {
            throw WorkbookError("ItemKNN needs at least one neighbour per item", fix: "pass k >= 1")
        }
        guard shrinkage.isFinite, shrinkage >= 0 else {
            throw WorkbookError(
                "ItemKNN's shrinkage must be a finite number >= 0, not \(shrinkage)", fix: "pass e.g. 10")
        }
        var config = Config(mode: .standard)
        config.neighbourCount = neighbourCount
        config.shrinkage = shrinkage
        self.config = config
        itemCount = n
        self.train = train
        similarity = ItemKNN.similarities(train, neighbourCount: neighbourCount, shrinkage: shrinkage)
    }

    /// An ItemKNN from a saved similarity matrix ([I, I], as `similarity` holds it).
    init(train: InteractionMatrix, similarity: [Float], config: Config, record: TrainingRecord) {
        itemCount = train.itemCount
        self.train = train
        self.similarity = similarity
        self.config = config
        self.record = record
    }

    static func similarities(_ train: InteractionMatrix, neighbourCount: Int, shrinkage: Float) -> [Float] {
        let n = train.itemCount
        // G = XᵀX: co-occurrence counts, from the binary user x item matrix.
        let x = Tensor.zeros([train.userCount, n])
        for u in 0..<train.userCount { for i in train.items(of: u) { x.data[u * n + Int(i)] = 1 } }
        let gram = Tensor.withoutGrad { x.transposed().matmul(x) }  // [I, I]
        var sim = gram.data
        let norms = (0..<n).map { gram.data[$0 * n + $0].squareRoot() }
        for i in 0..<n {
            for j in 0..<n { sim[i * n + j] = i == j ? 0 : sim[i * n + j] / (norms[i] * norms[j] + shrinkage) }
        }
        // Keep each column's top neighbours.
        if neighbourCount < n - 1 {
            for j in 0..<n {
                let column = (0..<n).map { sim[$0 * n + j] }
                let keep = Set(column.withUnsafeBufferPointer { topK($0, k: neighbourCount) })
                for i in 0..<n where !keep.contains(Int32(i)) { sim[i * n + j] = 0 }
            }
        }
        return sim
    }

    public static func fit(_ input: FitInput, config: Config) throws -> ItemKNN {
        let (model, k, record) = try chooseOnValidation(
            input, grid: config.neighbourGrid, fallback: config.neighbourCount,
            name: "k"
        ) {
            try ItemKNN(train: input.train, neighbourCount: $0, shrinkage: config.shrinkage)
        }
        var chosen = config
        chosen.neighbourCount = k
        return ItemKNN(train: input.train, similarity: model.similarity, config: chosen, record: record)
    }

    /// The chosen neighbour count, without a grid to search again.
    public var refitConfig: Config {
        var c = config
        c.neighbourGrid = [config.neighbourCount]
        return c
    }

    public var state: [NamedTensor] { [NamedTensor("similarity", shape: [itemCount, itemCount], values: similarity)] }

    public convenience init(
        restoring state: [NamedTensor], config: Config, input: FitInput, record: TrainingRecord
    ) throws {
        let n = input.data.itemCount
        let s = try state.tensor("similarity", shape: [n, n], model: Self.info.name)
        self.init(train: input.train, similarity: s.values, config: config, record: record)
    }

    public func scores(users: [Int32]) -> [Float] {
        let n = itemCount
        let x = Tensor.zeros([users.count, n])
        for (b, u) in users.enumerated() { for i in train.items(of: Int(u)) { x.data[b * n + Int(i)] = 1 } }
        return Tensor.withoutGrad { x.matmul(Tensor(similarity, shape: [n, n])).data }
    }

    /// How much the user's item `i` contributes to the score of `j`.
    public func contribution(_ i: Int, _ j: Int) -> Float { similarity[i * itemCount + j] }
}
