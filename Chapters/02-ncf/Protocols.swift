// Chapter 2's other protocols: the same NCF models under full ranking (holdout-20), and the
// document's own pipeline, NeuMF as a rating regressor, with its evaluation errata.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension NCFChapter {
    // MARK: - Sampled against full ranking

    /// The same trained models and the same held-out items, ranked among 10, 99 and 999 sampled
    /// candidates and among all items. Returns whether every candidate count orders the models alike.
    static func sampledCaveat(_ context: ChapterContext, data: RatingsData, loo: LooFindings) throws -> Bool {
        let say = context.narrator
        say.heading("The sampled-metric caveat: the same models, the same test items, more candidates")
        say.prose(
            """
            Ranking a test item among 99 random items is far easier than ranking it among all 1,682, and it favours \
            models that separate popular from unpopular films (Krichene & Rendle, KDD 2020). To see what the \
            candidate count does, and nothing else, the models above (each trained once) rank each user's same \
            held-out item among 10, 99 and 999 items the user never rated (every unrated item for the few users \
            with fewer left), and among all items the user has not trained on.
            """)
        let train = InteractionMatrix(data, rows: (loo.split.train + loo.split.validation).sorted())
        let full = FullRankingEvaluator(
            train: train, test: InteractionMatrix(data, rows: loo.split.test), protocolName: "loo-full")
        let counts = [10, 99, 999]
        // 99: the split's own draw (the numbers of the table above); 10 and 999: drawn afresh with the run's seed.
        let evaluators = counts.map {
            $0 == 99
                ? SampledEvaluator(split: loo.split, data: data)
                : SampledEvaluator(split: loo.split, data: data, negatives: $0, seed: context.options.seed)
        }
        var hr: [String: [Double]] = [:], evaluations: [String: [Evaluation]] = [:]
        for (name, model) in loo.models {
            let columns = evaluators.map { $0.evaluate(model, k: 10) } + [full.evaluate(model, ks: [10])]
            let row = columns.map { $0.metrics["HR@10"] ?? .nan }
            (hr[name], evaluations[name]) = (row, columns)
            for (k, label) in (counts.map(String.init) + ["all"]).enumerated() {
                context.record("candidates_\(label)_\(name)_HR@10", row[k])
            }
        }
        let names = loo.models.map(\.name)
        let labels = counts.map { "\($0) sampled" } + ["all items"]
        let orders = labels.indices.map { k in names.sorted { (hr[$0]?[k] ?? 0, $1) > (hr[$1]?[k] ?? 0, $0) } }
        say.table(
            Table(
                headers: ["model"] + labels.map { "HR@10, \($0)" },
                rows: names.map { name in [name] + (hr[name] ?? []).map(f4) },
                alignments: [.left] + labels.map { _ in .right }),
            caption: """
                loo-99's held-out items (\(loo.split.test.count) users), every model trained once on train + \
                validation; a column differs only in how many candidates the item is ranked among
                """)
        say.table(
            Table(
                headers: ["candidates", "models by HR@10"],
                rows: labels.indices.map { [labels[$0], orders[$0].joined(separator: " > ")] },
                alignments: [.left, .left]),
            caption: "The order each candidate count gives")
        // Relative to the best model at each count: the absolute HR@10 falls from about 1 to about 0.1 and would
        // hide the crossings that are the point (the table above has the absolute numbers).
        let positions = [11.0, 100, 1000, Double(data.itemCount)]
        let bestAt = positions.indices.map { c in names.compactMap { hr[$0]?[c] }.max() ?? 1 }
        var figure = Figure(
            name: "hr-vs-candidates", title: "HR@10 relative to the best model, against the number of candidates",
            xLabel: "candidates ranked with the held-out item (log scale; the last is all items)",
            yLabel: "HR@10 / best model's HR@10 at that count",
            kind: .lines(
                names.map { name in
                    Series(
                        name, positions.indices.map { (x: positions[$0], y: (hr[name]?[$0] ?? .nan) / bestAt[$0]) },
                        style: .linesPoints)
                }))
        figure.logX = true
        figure.xTics = positions
        figure.xRange = 8...Double(data.itemCount) * 1.3
        figure.keyPosition = "below"
        try context.figure(
            figure,
            caption: """
                1 is the best model at that count. Lines that cross are models the two tests order differently; \
                with 10 candidates every model is near 1 because nearly every one finds the item.
                """)
        let agree = orders.allSatisfy { $0 == orders[3] }
        let fullOrder = orders[3]
        context.record("protocol_orders_agree", agree ? 1 : 0)
        // Pairs the 99-candidate test and full ranking order differently, and whether the paired bootstrap
        // tells them apart on both sides.
        var swaps: [String] = [], confirmed = 0
        for a in names.indices {
            for b in names.indices where a < b {
                let (x, y) = (names[a], names[b])
                guard let hx = hr[x], let hy = hr[y], hx[1] != hy[1], hx[3] != hy[3], (hx[1] > hy[1]) != (hx[3] > hy[3])
                else { continue }
                let (first, second) = hx[1] > hy[1] ? (x, y) : (y, x)
                func apart(_ column: Int, _ p: String, _ q: String) -> Bool {
                    guard let e = evaluations[p]?[column], let f = evaluations[q]?[column] else { return false }
                    return Bootstrap.compare(e, f, metric: "HR@10", seed: context.options.seed)?.isDistinguishable
                        ?? false
                }
                let real = apart(1, first, second) && apart(3, second, first)
                if real { confirmed += 1 }
                swaps.append(
                    "\(first) ahead of \(second) with 99 candidates, behind it with all items ("
                        + (real ? "both differences hold in a paired bootstrap" : "within the paired bootstrap's noise")
                        + ")")
            }
        }
        context.record("protocol_pairs_reversed", Double(swaps.count))
        context.record("protocol_pairs_reversed_confirmed", Double(confirmed))
        let reversed =
            swaps.isEmpty
            ? "The 99-candidate test and full ranking agree with each other; the other counts do not. "
            : "Reversed between 99 candidates and all items: " + swaps.joined(separator: "; ") + ". "
        // Every count whose order differs from full ranking's, against full ranking's own.
        let countLabels = ["10", "99", "999"]
        let differing =
            zip(countLabels, orders).filter { $0.1 != fullOrder }
            .map { "with \($0.0) candidates \($0.1.joined(separator: " > "))" }.joined(separator: "; ")
            + "; with all items \(fullOrder.joined(separator: " > "))"
        say.prose(
            agree
                ? """
                Every candidate count orders the models the same way (\(fullOrder.joined(separator: " > "))), but \
                the gaps change size: with 10 candidates they all but vanish, so a sampled metric says little \
                about how far apart models are.
                """
                : """
                The order changes with the candidate count: \(differing). \(reversed)Same models, same held-out \
                items: only the candidates changed, which is why this book reports full ranking wherever it can.
                """)
        return agree
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
                    batch shorter than 10 rows, where torch.topk raises. Its loop does run under torch.no_grad(), \
                    so the tensors it averages carry no autograd graph.)
                    """,
                Double(usersPerBatch.reduce(0, +)) / Double(max(usersPerBatch.count, 1)), relevantPerBatch,
                documents.recall, perUser.precision, perUser.recall))
    }
}
