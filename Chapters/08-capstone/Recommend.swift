// Recommendations on demand (`workbook recommend`): any model of the book, trained on all of
// MovieLens-100K or loaded from `output/models/`, and one user's top K with what explains it.

import Chapter05EASE
import Chapter07Practice
import _WorkbookSupport
import Foundation
import Narrative
import RecKit

public enum ModelStore {
    /// `output/models/<key>-<dataset>-seed<seed>-<mode>.wbmodel`
    public static func url(root: URL, recipe: ModelRecipe, dataset: String, seed: UInt64, mode: RunMode) -> URL {
        root.appendingPathComponent("models").appendingPathComponent("\(recipe.key)-\(dataset)-seed\(seed)-\(mode.rawValue).wbmodel")
    }

    public struct Loaded {
        public let recommender: any Recommender
        public let header: ModelFile.Header
        /// The interactions it was trained on (every rating of the data set).
        public let train: InteractionMatrix
        /// The file it came from, and whether it was trained by this call.
        public let url: URL
        public let trainedNow: Bool
    }

    /// The model trained on all of `data`'s ratings: loaded from its file when one exists (and
    /// fits), else trained with its chapter's defaults and saved.
    public static func model(_ recipe: ModelRecipe, data: RatingsData, root: URL, mode: RunMode, seed: UInt64, retrain: Bool = false,
                             style: TerminalStyle = .current(), log: (String) -> Void = { _ in }) throws -> Loaded {
        let url = url(root: root, recipe: recipe, dataset: data.name, seed: seed, mode: mode)
        let rows = Array(0..<data.count)
        let fingerprint = ModelFile.fingerprint(data, rows: rows)
        let train = InteractionMatrix(data, rows: rows)
        if !retrain && FileManager.default.fileExists(atPath: url.path) {
            let file = try ModelFile.read(from: url)
            let shapes = recipe.shapes(users: data.userCount, items: data.itemCount) ?? file.header.tensors.map(\.shape)
            try file.check(model: recipe.key, fingerprint: fingerprint, shapes: shapes, path: url.path)
            do {
                let model = try recipe.restore(train: train, values: file.values, shapes: file.header.tensors.map(\.shape))
                return Loaded(recommender: model, header: file.header, train: train, url: url, trainedNow: false)
            } catch {
                throw WorkbookError("\(url.path) does not fit the \(recipe.name) model (\(error))", fix: "delete it (or pass --retrain) to train the model again")
            }
        }
        log("training \(recipe.name) on all \(data.count.formatted()) ratings of \(data.name) (\(mode.rawValue) mode, seed \(seed))...")
        let trained = try recipe.fit(TrainingInput(data: data, rows: rows, mode: mode, seed: seed, style: style))
        let header = ModelFile.Header(model: recipe.key, dataset: data.name, fingerprint: fingerprint, users: data.userCount, items: data.itemCount,
                                      seed: seed, mode: mode.rawValue, settings: trained.settings, trainSeconds: trained.seconds)
        let file = ModelFile(header: header, tensors: trained.state)
        try file.write(to: url)
        return Loaded(recommender: trained.recommender, header: file.header, train: train, url: url, trainedNow: true)
    }

    public struct Recommendation: Sendable {
        public let item: Int
        public let score: Float
        /// The user's films that contributed most (item, contribution), when the model's score
        /// is a sum over the user's films (EASE, ItemKNN).
        public let because: [(item: Int, weight: Float)]
    }

    /// The user's top `k` among the films they have not rated.
    public static func recommend(_ loaded: Loaded, user: Int, k: Int, explain: Bool) -> [Recommendation] {
        let model = loaded.recommender, train = loaded.train
        let scores = model.scores(users: [Int32(user)])
        let top = scores.withUnsafeBufferPointer { topK($0, k: k, excluding: train.items(of: user)) }
        let rated = Array(train.items(of: user))
        let n = train.itemCount
        let weight: ((Int, Int) -> Float)?
        if let ease = model as? EASE {
            weight = { i, j in ease.weights[i * n + j] }
        } else if let knn = model as? ItemKNN {
            weight = { i, j in knn.similarity[i * n + j] }
        } else {
            weight = nil
        }
        return top.map { j in
            var because: [(item: Int, weight: Float)] = []
            if explain, let weight {
                because = rated.map { (item: Int($0), weight: weight(Int($0), Int(j))) }.filter { $0.weight > 0 }
                    .sorted { ($0.weight, -$0.item) > ($1.weight, -$1.item) }.prefix(3).map { $0 }
            }
            return Recommendation(item: Int(j), score: scores[Int(j)], because: because)
        }
    }
}
