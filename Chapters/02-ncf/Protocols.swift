// Chapter 2's other protocols: the same NCF models under full ranking (holdout-20), and the
// document's own pipeline, NeuMF as a rating regressor, with its evaluation errata.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension NCFChapter {
    // MARK: - Full ranking

    /// Returns whether the two protocols order the models the same way.
    static func sampledCaveat(
        _ context: ChapterContext, data: RatingsData, plan: Plan, looResults: LooFindings
    ) throws -> Bool {
        let say = context.narrator
        say.heading("The sampled-metric caveat: the same models under full ranking")
        say.prose(
            """
            Ranking a test item among 99 random items is far easier than ranking it among all 1,682, and it favours \
            models that separate popular from unpopular films (Krichene & Rendle, KDD 2020). Here the same three \
            models (same configuration, \(plan.holdoutEpochs) epochs) are trained on holdout-20: each user's random \
            20% of ratings is test, and every item the user did not train on is a candidate.
            """)
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        var rows: [[String]] = []
        var recall: [(String, Double)] = []
        for name in ["GMF", "MLP", "NeuMF"] {
            var config = looResults.config
            config.training = .fixed(plan.holdoutEpochs)
            let model = makeModel(name, data: data, config: config, rng: context.rng("holdout-\(name)"))
            try model.train(
                FitInput(data: data, rows: split.train, seed: context.options.seed, progress: context.progress),
                config: config)
            let e = evaluator.evaluate(model, ks: [20])
            context.record(
                ResultEntry(
                    model: name, protocol: "holdout-20", dataset: data.name, metrics: e.metrics,
                    trainSeconds: model.record.seconds, epochs: model.record.epochs))
            rows.append([
                name, f4(looResults.runs[name]?.last["HR@10"] ?? .nan), f4(e.metrics["Recall@20"] ?? .nan),
                f4(e.metrics["NDCG@20"] ?? .nan),
            ])
            recall.append((name, e.metrics["Recall@20"] ?? .nan))
        }
        for (name, model) in [
            ("MostPopular", MostPopular(train: train) as any Recommender), ("ItemKNN", try ItemKNN(train: train)),
        ] {
            let e = evaluator.evaluate(model, ks: [20])
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: e.metrics))
            rows.append([
                name, f4(looResults.baselines[name]?["HR@10"] ?? .nan), f4(e.metrics["Recall@20"] ?? .nan),
                f4(e.metrics["NDCG@20"] ?? .nan),
            ])
            recall.append((name, e.metrics["Recall@20"] ?? .nan))
        }
        say.table(
            Table(headers: ["model", "HR@10 (loo-99)", "Recall@20 (holdout-20)", "NDCG@20 (holdout-20)"], rows: rows),
            caption: "The same models under both protocols")
        let looOrder = rows.sorted { (Double($0[1]) ?? 0) > (Double($1[1]) ?? 0) }.map { $0[0] }
        let fullOrder = recall.sorted { $0.1 > $1.1 }.map(\.0)
        say.prose(
            """
            Ordered by loo-99 HR@10: \(looOrder.joined(separator: " > ")). Ordered by holdout-20 Recall@20: \
            \(fullOrder.joined(separator: " > ")). 
            """
                + (looOrder == fullOrder
                    ? """
                    Here the two protocols agree on the order, but the gaps change size: a sampled metric says \
                    little about how far apart models are.
                    """
                    : """
                    The orders differ: a sampled metric can reverse comparisons, because beating 99 random (mostly \
                    obscure) films is a different task from ranking the whole catalogue, which is why this book \
                    reports full ranking wherever it can.
                    """))
        context.record("protocol_orders_agree", looOrder == fullOrder ? 1 : 0)
        return looOrder == fullOrder
    }

    // MARK: - The document's pipeline

    static func regression(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("The document's pipeline: NeuMF as a rating regressor")
        let split = try Split.make(data, protocol: .ratings8020, seed: context.options.seed)
        let train = RatingRows(data, rows: split.train), validation = RatingRows(data, rows: split.test)
        var config = NCFConfig(mode: .standard)
        config.factors = 64
        config.layers = 3
        config.dropout = 0.2
        let epochs = plan.regressionEpochs
        say.prose(
            """
            The document's project trains NeuralMF(factor_num=64, num_layers=3, dropout=0.2) on explicit ratings with \
            MSE, Adam (lr 0.001), batches of 256, on a random 80/20 split (protocol ratings-80-20: \
            \(train.count.formatted()) / \(validation.count.formatted()) ratings), for \(epochs) epochs here (the \
            document: 50).
            """)
        say.listing(try listing("train-regression", ModelsSource.file("NCF/Regression.swift")))
        let model = NeuMF(
            userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("regression"))
        var settings = TrainerSettings.fixed(epochs)
        settings.keepBest = false  // the document keeps the last epoch's weights
        let record = try RatingRegression.fit(
            model, train: train, validation: validation, settings: settings,
            rng: context.rng("regression-train"), label: "NeuMF regression",
            progress: context.progress)
        let (trainLoss, validationLoss) = (record.losses, record.validation.map(\.value))
        let seconds = record.seconds
        let predictions = model.predict(users: validation.users, items: validation.items)
        let rmse = RatingMetrics.rmse(predictions, validation.ratings),
            mae = RatingMetrics.mae(predictions, validation.ratings)
        let mean = train.ratings.reduce(0, +) / Float(train.count)
        let meanRMSE = RatingMetrics.rmse([Float](repeating: mean, count: validation.count), validation.ratings)
        let best = validationLoss.enumerated().min { $0.element < $1.element }
        context.record(
            ResultEntry(
                model: "NeuMF regression", protocol: "ratings-80-20", dataset: data.name,
                metrics: ["MSE": rmse * rmse, "RMSE": rmse, "MAE": mae], trainSeconds: seconds, epochs: epochs))
        context.record(
            ResultEntry(
                model: "global mean", protocol: "ratings-80-20", dataset: data.name, metrics: ["RMSE": meanRMSE]))
        say.table(
            Table(
                headers: ["epoch", "train MSE", "validation MSE"],
                rows: zip(trainLoss, validationLoss).enumerated().map {
                    ["\($0.offset + 1)", f4($0.element.0), f4($0.element.1)]
                }), caption: "ratings-80-20, NeuMF f = 64, L = 3, dropout 0.2")
        say.prose(
            String(
                format: """
                    Validation RMSE %.4f (MAE %.4f), against %.4f for predicting the global mean rating. The lowest \
                    validation MSE came at epoch %d; 
                    """, rmse, mae, meanRMSE, (best?.offset ?? 0) + 1)
                + ((best?.offset ?? 0) + 1 < epochs
                    ? "after it the model overfits, which is what chapter 7's early stopping is for."
                    : "it was still improving when training stopped."))
        var figure = Figure(
            name: "regression-loss", title: "NeuMF regression: train and validation MSE (ratings-80-20)",
            xLabel: "epoch", yLabel: "MSE",
            kind: .lines([Series("train", perEpoch: trainLoss), Series("validation", perEpoch: validationLoss)]))
        figure.xTicStep = epochs > 12 ? 5 : 1
        try context.figure(figure)

        say.heading("Errata: evaluate_model ranks across users", level: 3)
        say.prose(
            """
            The document then calls evaluate_model(model, val_loader, top_k=10). Each validation batch holds 256 rows \
            of many different users; the function takes the 10 highest predictions of the whole batch, so its \
            \"Precision@10\" asks whether the 10 highest-rated-looking rows of a random mix of users have true \
            ratings above 3.5. Here is that computation, faithfully, next to a per-user evaluation of the same model \
            and predictions:
            """)
        say.listing(try listing("document-evaluate", RecKitSource.file("RatingRanking.swift")))
        say.listing(try listing("per-user-evaluate", RecKitSource.file("RatingRanking.swift")))
        let documents = documentEvaluation(predictions: predictions, ratings: validation.ratings)
        let perUser = perUserEvaluation(users: validation.users, predictions: predictions, ratings: validation.ratings)
        context.record("document_evaluate_precision@10", documents.precision)
        context.record("document_evaluate_recall@10", documents.recall)
        context.record("document_evaluate_ndcg@10", documents.ndcg)
        context.record("per_user_precision@10", perUser.precision)
        context.record("per_user_recall@10", perUser.recall)
        context.record("per_user_ndcg@10", perUser.ndcg)
        say.table(
            Table(
                headers: ["evaluation", "groups", "Precision@10", "Recall@10", "NDCG@10"],
                rows: [
                    [
                        "document's evaluate_model (per mini-batch)", "\(documents.groups) batches",
                        f4(documents.precision), f4(documents.recall), f4(documents.ndcg),
                    ],
                    [
                        "per user", "\(perUser.groups) users", f4(perUser.precision), f4(perUser.recall),
                        f4(perUser.ndcg),
                    ],
                ]), caption: "The same trained model and validation predictions, evaluated two ways")
        let relevantPerBatch = Double(validation.ratings.filter { $0 > 3.5 }.count) / (Double(validation.count) / 256)
        let usersPerBatch = stride(from: 0, to: validation.count, by: 256).map {
            Set(validation.users[$0..<min(validation.count, $0 + 256)]).count
        }
        context.record("validation_relevant_rows_per_batch", relevantPerBatch)
        say.errata(
            String(
                format: """
                    evaluate_model mixes users inside a mini-batch (here %.0f distinct users per batch of 256 on \
                    average), so its numbers are not recommendation metrics: its Recall@10 divides 10 picks by the \
                    ~%.0f relevant rows of a whole batch (hence %.4f), and its Precision@10 measures whether the \
                    batch's highest predictions are high ratings, not whether a user's own list is good. Per user, \
                    the same model scores Precision@10 %.4f and Recall@10 %.4f. (The function also fails on a last \
                    batch shorter than 10 rows, where torch.topk raises, and averages tensors that still carry the \
                    graph.)
                    """,
                Double(usersPerBatch.reduce(0, +)) / Double(max(usersPerBatch.count, 1)), relevantPerBatch,
                documents.recall, perUser.precision, perUser.recall))
    }
}
