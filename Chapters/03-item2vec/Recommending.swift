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
        let say = context.narrator
        say.heading("Item2Vec as a recommender")
        say.prose(
            """
            A user's score for a film is its cosine with the mean of the user's liked films' unit vectors. Next-item \
            protocol (the peers' gensim script uses the same): each user's last liked film is the one test item, \
            ranked among all films except the user's other liked ones; HR@10 and NDCG@10.
            """)
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
        for (name, model) in [
            ("Item2Vec, 5 epochs (the document's)", Item2Vec(vectors: short, train: train) as any Recommender),
            ("Item2Vec, \(longEpochs(context.options.mode)) epochs", Item2Vec(vectors: long, train: train)),
            ("ItemKNN", try ItemKNN(train: train)), ("MostPopular", MostPopular(train: train)),
        ] {
            let m = evaluator.evaluate(model, ks: [10]).metrics
            rows.append([name, f4((m["HR@10"] ?? .nan)), f4((m["NDCG@10"] ?? .nan))])
            hr.append((m["HR@10"] ?? .nan))
            context.record(
                ResultEntry(
                    model: name, protocol: "next-item", dataset: data.name,
                    metrics: ["HR@10": (m["HR@10"] ?? .nan), "NDCG@10": (m["NDCG@10"] ?? .nan)]))
        }
        say.table(
            Table(headers: ["model", "HR@10", "NDCG@10"], rows: rows), caption: "Next liked film, \(cases.count) users")
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
            let name = key == "item2vec" ? "Item2Vec (\(fitted.configSummary))" : entry.info.name
            holdRows.append([name, f4(e.metrics["Recall@20"] ?? .nan), f4(e.metrics["NDCG@20"] ?? .nan)])
            context.record(ResultEntry(fitted, evaluation: e, dataset: data.name))
        }
        say.table(
            Table(headers: ["model", "Recall@20", "NDCG@20"], rows: holdRows),
            caption: """
                holdout-20 (Item2Vec sees only the liked films of each user's training part; its settings were \
                chosen on validation, the reasons are in Item2Vec.swift)
                """)
        return (hr[0], hr[1], hr[3], hr[2])
    }

    static func matrix(users: [Int], items: [Int], data: RatingsData) -> InteractionMatrix {
        InteractionMatrix(
            userCount: data.userCount, itemCount: data.itemCount, users: users.map(Int32.init),
            items: items.map(Int32.init))
    }
}
