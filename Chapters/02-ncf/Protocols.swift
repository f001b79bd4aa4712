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
        let say = context.narrator, t = context.text
        say.heading(t("caveat.heading"))
        say.prose(t("caveat.intro"))
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
        let labels = counts.map { t("caveat.label.sampled", ["n": $0]) } + [t("caveat.label.all")]
        let orders = labels.indices.map { k in names.sorted { (hr[$0]?[k] ?? 0, $1) > (hr[$1]?[k] ?? 0, $0) } }
        say.table(
            Table(
                headers: [t("common.model")] + labels.map { t("caveat.header.hr", ["candidates": $0]) },
                rows: names.map { name in [name] + (hr[name] ?? []).map(f4) },
                alignments: [.left] + labels.map { _ in .right }),
            caption: t("caveat.caption", ["users": loo.split.test.count]))
        say.table(
            Table(
                headers: [t("caveat.order.header.candidates"), t("caveat.order.header.models")],
                rows: labels.indices.map { [labels[$0], orders[$0].joined(separator: " > ")] },
                alignments: [.left, .left]),
            caption: t("caveat.order.caption"))
        // Relative to the best model at each count: the absolute HR@10 falls from about 1 to about 0.1 and would
        // hide the crossings that are the point (the table above has the absolute numbers).
        let positions = [11.0, 100, 1000, Double(data.itemCount)]
        let bestAt = positions.indices.map { c in names.compactMap { hr[$0]?[c] }.max() ?? 1 }
        var figure = Figure(
            name: "hr-vs-candidates", title: t("fig.candidates.title"),
            xLabel: t("fig.candidates.x"), yLabel: t("fig.candidates.y"),
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
        try context.figure(figure, caption: t("fig.candidates.caption"))
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
                    t(real ? "caveat.swap.confirmed" : "caveat.swap.noise", ["first": first, "second": second]))
            }
        }
        context.record("protocol_pairs_reversed", Double(swaps.count))
        context.record("protocol_pairs_reversed_confirmed", Double(confirmed))
        let reversed =
            swaps.isEmpty
            ? t("caveat.reversed.none") : t("caveat.reversed.some", ["swaps": swaps.joined(separator: "; ")])
        // Every count whose order differs from full ranking's, against full ranking's own.
        let countLabels = ["10", "99", "999"]
        let differing =
            (zip(countLabels, orders).filter { $0.1 != fullOrder }
                .map { t("caveat.order.count", ["n": $0.0, "order": $0.1.joined(separator: " > ")]) }
                + [t("caveat.order.all", ["order": fullOrder.joined(separator: " > ")])]).joined(separator: "; ")
        say.prose(
            agree
                ? t("caveat.agree", ["order": fullOrder.joined(separator: " > ")])
                : t("caveat.changes", ["orders": differing, "reversed": reversed]))
        return agree
    }

    // MARK: - The document's pipeline

    static func regression(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator, t = context.text
        say.heading(t("regression.heading"))
        let split = try Split.make(data, protocol: .ratings8020, seed: context.options.seed)
        let train = RatingRows(data, rows: split.train), validation = RatingRows(data, rows: split.test)
        var config = NCFConfig(mode: .standard)
        config.factors = 64
        config.layers = 3
        config.dropout = 0.2
        let epochs = plan.regressionEpochs
        say.prose(
            t(
                "regression.intro",
                ["train": train.count.formatted(), "validation": validation.count.formatted(), "epochs": epochs]))
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
                headers: [t("common.epoch"), t("regression.header.train"), t("regression.header.validation")],
                rows: zip(trainLoss, validationLoss).enumerated().map {
                    ["\($0.offset + 1)", f4($0.element.0), f4($0.element.1)]
                }), caption: t("regression.caption"))
        let bestEpoch = (best?.offset ?? 0) + 1
        say.prose(
            t(
                bestEpoch < epochs ? "regression.result.overfits" : "regression.result.improving",
                [
                    "rmse": String(format: "%.4f", rmse), "mae": String(format: "%.4f", mae),
                    "mean": String(format: "%.4f", meanRMSE), "epoch": bestEpoch,
                ]))
        var figure = Figure(
            name: "regression-loss", title: t("fig.regression.title"),
            xLabel: t("common.epoch"), yLabel: "MSE",
            kind: .lines([
                Series(t("fig.regression.train"), perEpoch: trainLoss),
                Series(t("fig.regression.validation"), perEpoch: validationLoss),
            ]))
        figure.xTicStep = epochs > 12 ? 5 : 1
        try context.figure(figure)

        say.heading(t("evaluate.heading"), level: 3)
        say.prose(t("evaluate.intro"))
        say.listing(try listing("document-evaluate", RecKitSource.file("RatingRanking.swift")))
        say.prose(t("evaluate.per-user-listing"))
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
                headers: [t("evaluate.header.evaluation"), t("evaluate.header.groups"), "Precision@10", "Recall@10",
                    "NDCG@10"],
                rows: [
                    [
                        t("evaluate.row.document"), t("evaluate.row.batches", ["n": documents.groups]),
                        f4(documents.precision), f4(documents.recall), f4(documents.ndcg),
                    ],
                    [
                        t("evaluate.row.per-user"), t("evaluate.row.users", ["n": perUser.groups]),
                        f4(perUser.precision), f4(perUser.recall), f4(perUser.ndcg),
                    ],
                ]), caption: t("evaluate.caption"))
        let relevantPerBatch = Double(validation.ratings.filter { $0 > 3.5 }.count) / (Double(validation.count) / 256)
        let usersPerBatch = stride(from: 0, to: validation.count, by: 256).map {
            Set(validation.users[$0..<min(validation.count, $0 + 256)]).count
        }
        context.record("validation_relevant_rows_per_batch", relevantPerBatch)
        say.errata(
            t(
                "evaluate.errata",
                [
                    "users": String(
                        format: "%.0f", Double(usersPerBatch.reduce(0, +)) / Double(max(usersPerBatch.count, 1))),
                    "relevant": String(format: "%.0f", relevantPerBatch), "recall": f4(documents.recall),
                    "user-precision": f4(perUser.precision), "user-recall": f4(perUser.recall),
                ]))
    }
}
