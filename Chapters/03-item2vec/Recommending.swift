// Chapter 3, part 4: Item2Vec as a recommender, next-item and holdout-20.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension Item2VecChapter {
    /// Returns next-item HR@10 of the short and long runs, most-popular and ItemKNN.
    static func recommender(
        _ context: ChapterContext, data: RatingsData, cases: [(user: Int, context: [Int32], heldOut: Int32)],
        short: ItemVectors, long: ItemVectors
    ) throws -> (short: Double, long: Double, popular: Double, knn: Double) {
        let say = context.narrator, text = context.text
        say.heading(text("recommender.heading"))
        say.prose(text("recommender.intro"))
        // One evaluator for every model: contexts as training rows, the held-out film as test.
        var u: [Int] = [], i: [Int] = []
        var tu: [Int] = [], ti: [Int] = []
        for c in cases {
            for item in c.context { u.append(c.user); i.append(Int(item)) }
            tu.append(c.user); ti.append(Int(c.heldOut))
        }
        let train = matrix(users: u, items: i, data: data), test = matrix(users: tu, items: ti, data: data)
        let evaluator = FullRankingEvaluator(train: train, test: test, protocolName: "next-item")
        var rows: [[String]] = []
        var hr: [Double] = []
        let epochs = longEpochs(context.options.mode)
        // The names results.json records (English, the same in every edition), and the names the table shows.
        for (name, shown, model) in [
            (
                "Item2Vec, 5 epochs (the document's)", text("recommender.model.short"),
                Item2Vec(vectors: short, train: train) as any Recommender
            ),
            (
                "Item2Vec, \(epochs) epochs", text("recommender.model.long", ["epochs": epochs]),
                Item2Vec(vectors: long, train: train)
            ),
            ("ItemKNN", "ItemKNN", try ItemKNN(train: train)),
            ("MostPopular", "MostPopular", MostPopular(train: train)),
        ] {
            let m = evaluator.evaluate(model, ks: [10]).metrics
            rows.append([shown, f4((m["HR@10"] ?? .nan)), f4((m["NDCG@10"] ?? .nan))])
            hr.append((m["HR@10"] ?? .nan))
            context.record(
                ResultEntry(
                    model: name, protocol: "next-item", dataset: data.name,
                    metrics: ["HR@10": (m["HR@10"] ?? .nan), "NDCG@10": (m["NDCG@10"] ?? .nan)]))
        }
        say.table(
            Table(headers: [text("recommender.table.model"), "HR@10", "NDCG@10"], rows: rows),
            caption: text("recommender.next.caption", ["users": cases.count]))
        // holdout-20 with the registry's Item2Vec (trained on the training part's liked sessions, early-stopped on
        // validation, then fitted on train + validation): the model chapters 5 and 8 reuse.
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let holdTrain = InteractionMatrix(data, rows: (split.train + split.validation).sorted())
        let full = FullRankingEvaluator(train: holdTrain, test: InteractionMatrix(data, rows: split.test))
        var holdRows: [[String]] = []
        for key in ["item2vec", "itemknn", "most-popular"] {
            let entry = try Registry.entry(key)
            let fitted = try context.fitted(entry, data: data, split: split)
            let e = full.evaluate(fitted.recommender, ks: [20])
            let name =
                key == "item2vec"
                ? text("recommender.holdout.item2vec", ["config": fitted.configSummary]) : entry.info.name
            holdRows.append([name, f4(e.metrics["Recall@20"] ?? .nan), f4(e.metrics["NDCG@20"] ?? .nan)])
            context.record(ResultEntry(fitted, evaluation: e, dataset: data.name))
        }
        say.table(
            Table(headers: [text("recommender.table.model"), "Recall@20", "NDCG@20"], rows: holdRows),
            caption: text("recommender.holdout.caption"))
        return (hr[0], hr[1], hr[3], hr[2])
    }

    static func matrix(users: [Int], items: [Int], data: RatingsData) -> InteractionMatrix {
        InteractionMatrix(
            userCount: data.userCount, itemCount: data.itemCount, users: users.map(Int32.init),
            items: items.map(Int32.init))
    }
}
