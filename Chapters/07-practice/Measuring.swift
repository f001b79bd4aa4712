// Chapter 7, part 3: evaluation done right: per-user metrics, six metrics on one user, sampled against full
// ranking, exposure.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension PracticeChapter {
    static func evaluationDoneRight(
        _ context: ChapterContext, data: RatingsData, regression: (model: any PairScorer, test: RatingRows),
        loo: LooFindings?
    ) throws {
        let say = context.narrator, text = context.text
        say.heading(text("measure.heading"))

        // The document's evaluate_model against a per-user evaluation.
        say.heading(text("measure.evaluate.heading"), level: 3)
        say.prose(text("measure.evaluate.intro"))
        let (model, test) = regression
        let predictions = model.predict(users: test.users, items: test.items)
        var rows: [[String]] = [], documentPrecisions: [Double] = [], perUserPrecisions: [Double] = []
        let orders = [text("measure.order.file")] + (1...2).map { text("measure.order.shuffle", ["n": $0]) }
        for (k, name) in orders.enumerated() {
            let order = k == 0 ? Array(0..<test.count) : context.rng("order-\(k)").permutation(test.count)
            let p = order.map { predictions[$0] }, r = order.map { test.ratings[$0] }, u = order.map { test.users[$0] }
            let document = documentEvaluation(predictions: p, ratings: r),
                perUser = perUserEvaluation(users: u, predictions: p, ratings: r)
            documentPrecisions.append(document.precision)
            perUserPrecisions.append(perUser.precision)
            rows.append([
                name, f4(document.precision), f4(document.recall), f4(document.ndcg), f4(perUser.precision),
                f4(perUser.recall), f4(perUser.ndcg),
            ])
        }
        say.table(
            Table(
                headers: [text("measure.evaluate.order")]
                    + ["document", "per-user"].flatMap { by in
                        ["P@10", "R@10", "NDCG@10"].map { text("measure.evaluate." + by, ["metric": $0]) }
                    }, rows: rows),
            caption: text("measure.evaluate.caption"))
        let spread = (documentPrecisions.max() ?? 0) - (documentPrecisions.min() ?? 0),
            perUserSpread = (perUserPrecisions.max() ?? 0) - (perUserPrecisions.min() ?? 0)
        context.record("document_evaluate_precision_spread", spread)
        context.record("per_user_precision_spread", perUserSpread)
        say.prose(text("measure.evaluate.spread", ["spread": f4(spread), "perUser": f4(perUserSpread)]))

        try workedUser(context, data: data)
        if let loo { try sampledAgainstFull(context, data: data, loo: loo) }
    }

    static func workedUser(_ context: ChapterContext, data: RatingsData) throws {
        let say = context.narrator, text = context.text
        say.heading(text("measure.user.heading"), level: 3)
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let ease = try EASE(train: train, lambda: 500)
        let lists = FullRankingEvaluator(train: train, test: test).topLists(ease, k: 10)
        // The first user (by id) with 2 to 4 hits in the top 10: enough to show every term.
        guard
            let user = (0..<data.userCount).first(where: { u in
                let hits = lists[u].filter { test.contains(u, $0) }.count
                return hits >= 2 && hits <= 4 && test.count(of: u) <= 30
            })
        else { return }
        let relevant = Set(test.items(of: user)), list = lists[user]
        say.prose(
            text(
                "measure.user.intro",
                ["user": data.userIds[user], "train": train.count(of: user), "test": relevant.count]))
        var hits = 0, dcg = 0.0, precisionSum = 0.0, firstHit = 0
        var table: [[String]] = []
        for (index, item) in list.enumerated() {
            let rank = index + 1, isHit = relevant.contains(item)
            if isHit {
                hits += 1
                dcg += 1 / log2(Double(rank) + 1)
                precisionSum += Double(hits) / Double(rank)
                if firstHit == 0 { firstHit = rank }
            }
            table.append([
                "\(rank)",
                data.catalogue.indices.contains(Int(item))
                    ? data.catalogue[Int(item)].displayTitle
                    : text("measure.user.item", ["id": data.itemIds[Int(item)]]),
                isHit ? text("measure.user.yes") : "",
                isHit ? String(format: "1/log2(%d+1) = %.4f", rank, 1 / log2(Double(rank) + 1)) : "",
                isHit ? String(format: "%d/%d = %.4f", hits, rank, Double(hits) / Double(rank)) : "",
            ])
        }
        say.table(
            Table(
                headers: ["rank", "film", "in-test", "dcg", "precision"].map { text("measure.user." + $0) },
                rows: table, alignments: [.right, .left, .left, .left, .left]),
            caption: text("measure.user.caption", ["user": data.userIds[user]]))
        let n = relevant.count, ideal = (1...min(10, n)).reduce(0.0) { $0 + 1 / log2(Double($1) + 1) }
        let m = UserMetrics.compute(ranked: list, relevant: relevant, k: 10)
        say.table(
            Table(
                headers: ["metric", "by-hand", "value"].map { text("measure.user." + $0) } + ["RecKit"],
                rows: [
                    ["HR@10", text("measure.user.hr"), f4(hits > 0 ? 1 : 0), f4(m.hit)],
                    [
                        "Precision@10", text("measure.user.hits", ["hits": hits]), f4(Double(hits) / 10),
                        f4(m.precision),
                    ],
                    [
                        "Recall@10", text("measure.user.recall", ["hits": hits, "n": n]), f4(Double(hits) / Double(n)),
                        f4(m.recall),
                    ],
                    [
                        "NDCG@10", text("measure.user.ndcg", ["dcg": f4(dcg), "idcg": f4(ideal), "ranks": min(10, n)]),
                        f4(dcg / ideal), f4(m.ndcg),
                    ],
                    [
                        "MAP@10 (AP)", String(format: "%.4f / min(10, %d)", precisionSum, n),
                        f4(precisionSum / Double(min(10, n))), f4(m.averagePrecision),
                    ],
                    [
                        "MRR@10", text("measure.user.mrr", ["rank": firstHit]),
                        f4(firstHit > 0 ? 1 / Double(firstHit) : 0),
                        f4(m.reciprocalRank),
                    ],
                ], alignments: [.left, .left, .right, .right]),
            caption: text("measure.user.metrics.caption"))
        context.record("worked_user_id", Double(data.userIds[user]))
        context.record("worked_user_ndcg@10", m.ndcg)
        context.record("worked_user_ap@10", m.averagePrecision)
        say.prose(text("measure.user.outro"))
    }

    static func sampledAgainstFull(_ context: ChapterContext, data: RatingsData, loo: LooFindings) throws {
        let say = context.narrator, text = context.text
        say.heading(text("measure.sampled.heading"), level: 3)
        say.prose(text("measure.sampled.intro"))
        // The stored models were fitted on train + validation, so those are the items a list may not repeat.
        let fitRows = (loo.split.train + loo.split.validation).sorted()
        let train = InteractionMatrix(data, rows: fitRows), test = InteractionMatrix(data, rows: loo.split.test)
        var models = loo.models
        // Chapter 2's ItemKNN on this very split, from the store (k chosen on validation): the same numbers.
        let knn = try context.fitted(Registry.entry("itemknn"), data: data, split: loo.split)
        models.append(("ItemKNN", knn.recommender))
        let sampled = SampledEvaluator(split: loo.split, data: data)
        let full = FullRankingEvaluator(train: train, test: test, protocolName: "loo-full")
        var rows: [[String]] = [], sampledHR: [String: Double] = [:], fullHR: [String: Double] = [:]
        var lists: [String: [[Int32]]] = [:]
        for (name, model) in models {
            let s = sampled.evaluate(model, k: 10).metrics
            let f = loo.full[name] ?? full.evaluate(model, ks: [10]).metrics
            sampledHR[name] = s["HR@10"] ?? 0
            fullHR[name] = f["HR@10"] ?? 0
            lists[name] = full.topLists(model, k: 10)
            rows.append([
                name, f4(s["HR@10"] ?? .nan), f4(s["NDCG@10"] ?? .nan), f4(f["HR@10"] ?? .nan),
                f4(f["NDCG@10"] ?? .nan),
            ])
            context.record(ResultEntry(model: name, protocol: "loo-99", dataset: data.name, metrics: s))
        }
        let bySampled = models.map(\.name).sorted { (sampledHR[$0] ?? 0, $1) > (sampledHR[$1] ?? 0, $0) }
        let byFull = models.map(\.name).sorted { (fullHR[$0] ?? 0, $1) > (fullHR[$1] ?? 0, $0) }
        rows = rows.map {
            $0 + ["\((bySampled.firstIndex(of: $0[0]) ?? 0) + 1)", "\((byFull.firstIndex(of: $0[0]) ?? 0) + 1)"]
        }
        say.table(
            Table(
                headers: [
                    text("measure.model"), "HR@10 loo-99", "NDCG@10 loo-99", text("measure.hr-full"),
                    text("measure.ndcg-full"),
                    text("measure.sampled.place-sampled"), text("measure.sampled.place-full"),
                ], rows: rows),
            caption: text("measure.sampled.caption"))
        let tau = kendallTau(bySampled, byFull)
        context.record("kendall_tau_sampled_full", tau)
        let flips = (0..<bySampled.count).flatMap { i in
            ((i + 1)..<bySampled.count).compactMap { j -> String? in
                let a = bySampled[i], b = bySampled[j]
                return (byFull.firstIndex(of: a) ?? 0) > (byFull.firstIndex(of: b) ?? 0)
                    ? text("measure.sampled.flip", ["a": a, "b": b]) : nil
            }
        }
        context.record("sampled_full_flipped_pairs", Double(flips.count))
        var figure = Figure(
            name: "sampled-vs-full",
            title: text("fig.sampled-vs-full.title"), xLabel: text("measure.model"), yLabel: "HR@10",
            kind: .bars(
                categories: models.map(\.name),
                groups: [
                    (text("fig.sampled-vs-full.sampled"), models.map { sampledHR[$0.name] ?? 0 }),
                    (text("fig.sampled-vs-full.full"), models.map { fullHR[$0.name] ?? 0 }),
                ]))
        figure.keyPosition = "below"
        figure.size = (width: 1100, height: 680)
        try context.figure(figure)
        say.prose(
            text("measure.sampled.tau", ["tau": String(format: "%.2f", tau)]) + " "
                + (flips.isEmpty
                    ? text("measure.sampled.no-flips")
                    : text("measure.sampled.flips", ["pairs": flips.joined(separator: ", ")])))

        // Beyond accuracy.
        say.heading(text("measure.exposure.heading"), level: 3)
        let popularity = train.itemPopularity
        var exposureRows: [[String]] = [], points: [Series] = [], labels: [PointLabel] = []
        for (name, _) in models {
            let report = ExposureReport.of(lists[name] ?? [], popularity: popularity)
            exposureRows.append([
                name, f4(fullHR[name] ?? .nan), String(format: "%.1f%%", report.coverage * 100),
                String(format: "%.0f", report.meanPopularity),
                String(format: "%.1f%%", report.longTailShare * 100), String(format: "%.3f", report.gini),
            ])
            points.append(Series(name, [(x: report.coverage * 100, y: fullHR[name] ?? 0)], style: .points))
            labels.append(PointLabel(name, x: report.coverage * 100, y: fullHR[name] ?? 0))
            context.record("\(name)_coverage@10", report.coverage)
            context.record("\(name)_gini@10", report.gini)
            context.record("\(name)_long_tail_share@10", report.longTailShare)
        }
        say.table(
            Table(
                headers: [text("measure.model"), text("measure.hr-full")]
                    + ["coverage", "popularity", "tail", "gini"].map { text("measure.exposure." + $0) },
                rows: exposureRows),
            caption: text("measure.exposure.caption", ["users": data.userCount]))
        var scatter = Figure(
            name: "coverage-accuracy", title: text("fig.coverage-accuracy.title"),
            xLabel: text("fig.coverage-accuracy.x"), yLabel: text("fig.coverage-accuracy.y"),
            kind: .scatter(points, labels: labels))
        scatter.keyPosition = "off"
        try context.figure(scatter)
        say.prose(text("measure.exposure.outro"))
    }
}
