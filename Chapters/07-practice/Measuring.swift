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
        let say = context.narrator
        say.heading("Measuring it right")

        // The document's evaluate_model against a per-user evaluation.
        say.heading("evaluate_model, and the evaluation it should be", level: 3)
        say.prose(
            """
            Chapter 2 showed that the document's evaluate_model ranks the rows of a mini-batch (a mix of users) \
            instead of each user's items. One more consequence: its numbers depend on how the loader happens to order \
            the rows. Here is the early-stopped model above, evaluated on the test ratings in three row orders (file \
            order, then two shuffles), by both functions:
            """)
        let (model, test) = regression
        let predictions = model.predict(users: test.users, items: test.items)
        var rows: [[String]] = [], documentPrecisions: [Double] = [], perUserPrecisions: [Double] = []
        for (k, name) in ["file order", "shuffle 1", "shuffle 2"].enumerated() {
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
                headers: [
                    "row order", "document P@10", "document R@10", "document NDCG@10", "per-user P@10", "per-user R@10",
                    "per-user NDCG@10",
                ], rows: rows),
            caption: "The same predictions; only the order of the test rows changes")
        let spread = (documentPrecisions.max() ?? 0) - (documentPrecisions.min() ?? 0),
            perUserSpread = (perUserPrecisions.max() ?? 0) - (perUserPrecisions.min() ?? 0)
        context.record("document_evaluate_precision_spread", spread)
        context.record("per_user_precision_spread", perUserSpread)
        say.prose(
            String(
                format: """
                    The document's Precision@10 moves by %.4f with the row order; the per-user numbers move by %.4f, \
                    because a user's list does not depend on which other users share a batch. A metric that changes \
                    when the data loader shuffles is measuring the loader.
                    """, spread, perUserSpread))

        try workedUser(context, data: data)
        if let loo { try sampledAgainstFull(context, data: data, loo: loo) }
    }

    static func workedUser(_ context: ChapterContext, data: RatingsData) throws {
        let say = context.narrator
        say.heading("Six metrics on one user", level: 3)
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
            """
            User \(data.userIds[user]) of MovieLens-100K, holdout-20: \(train.count(of: user)) training films, \
            \(relevant.count) held-out test films. EASE (λ = 500) ranks the films the user has not trained on; the \
            top 10:
            """)
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
                    ? data.catalogue[Int(item)].displayTitle : "item \(data.itemIds[Int(item)])",
                isHit ? "yes" : "",
                isHit ? String(format: "1/log2(%d+1) = %.4f", rank, 1 / log2(Double(rank) + 1)) : "",
                isHit ? String(format: "%d/%d = %.4f", hits, rank, Double(hits) / Double(rank)) : "",
            ])
        }
        say.table(
            Table(
                headers: ["rank", "film", "in test?", "DCG term", "precision at this rank"], rows: table,
                alignments: [.right, .left, .left, .left, .left]), caption: "User \(data.userIds[user])'s top 10")
        let n = relevant.count, ideal = (1...min(10, n)).reduce(0.0) { $0 + 1 / log2(Double($1) + 1) }
        let m = UserMetrics.compute(ranked: list, relevant: relevant, k: 10)
        say.table(
            Table(
                headers: ["metric", "by hand", "value", "RecKit"],
                rows: [
                    ["HR@10", "a hit in the top 10?", f4(hits > 0 ? 1 : 0), f4(m.hit)],
                    ["Precision@10", "\(hits) hits / 10", f4(Double(hits) / 10), f4(m.precision)],
                    ["Recall@10", "\(hits) hits / \(n) test films", f4(Double(hits) / Double(n)), f4(m.recall)],
                    [
                        "NDCG@10", String(format: "DCG %.4f / IDCG %.4f (the best %d ranks)", dcg, ideal, min(10, n)),
                        f4(dcg / ideal), f4(m.ndcg),
                    ],
                    [
                        "MAP@10 (AP)", String(format: "%.4f / min(10, %d)", precisionSum, n),
                        f4(precisionSum / Double(min(10, n))), f4(m.averagePrecision),
                    ],
                    [
                        "MRR@10", "1 / first hit's rank \(firstHit)", f4(firstHit > 0 ? 1 / Double(firstHit) : 0),
                        f4(m.reciprocalRank),
                    ],
                ], alignments: [.left, .left, .right, .right]),
            caption: "The definitions pinned in RecKit/Metrics.swift, computed by hand and by the library")
        context.record("worked_user_id", Double(data.userIds[user]))
        context.record("worked_user_ndcg@10", m.ndcg)
        context.record("worked_user_ap@10", m.averagePrecision)
        say.prose(
            """
            Precision and recall count hits; NDCG and MAP also reward putting them early; HR and MRR only look at \
            whether, and how early, the first hit comes. A data set's score is the mean over users with at least one \
            test item.
            """)
    }

    static func sampledAgainstFull(_ context: ChapterContext, data: RatingsData, loo: LooFindings) throws {
        let say = context.narrator
        say.heading("Sampled against full ranking", level: 3)
        say.prose(
            """
            The models of the flowchart check were trained on MovieLens-100K's leave-one-out split; the same split \
            carries the loo-99 candidates (each test item against 99 sampled unobserved films, the NCF paper's \
            protocol). ItemKNN joins them. Each model is evaluated both ways on the same held-out items:
            """)
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
                    "model", "HR@10 loo-99", "NDCG@10 loo-99", "HR@10 full", "NDCG@10 full", "place (sampled)",
                    "place (full)",
                ], rows: rows),
            caption: "The same models, the same held-out items, two protocols")
        let tau = kendallTau(bySampled, byFull)
        context.record("kendall_tau_sampled_full", tau)
        let flips = (0..<bySampled.count).flatMap { i in
            ((i + 1)..<bySampled.count).compactMap { j -> String? in
                let a = bySampled[i], b = bySampled[j]
                return (byFull.firstIndex(of: a) ?? 0) > (byFull.firstIndex(of: b) ?? 0) ? "\(a) over \(b)" : nil
            }
        }
        context.record("sampled_full_flipped_pairs", Double(flips.count))
        var figure = Figure(
            name: "sampled-vs-full",
            title: "HR@10 of the same models: 99 sampled candidates against the full catalogue", xLabel: "model",
            yLabel: "HR@10",
            kind: .bars(
                categories: models.map(\.name),
                groups: [
                    ("loo-99 (sampled)", models.map { sampledHR[$0.name] ?? 0 }),
                    ("full ranking", models.map { fullHR[$0.name] ?? 0 }),
                ]))
        figure.keyPosition = "below"
        figure.size = (width: 1100, height: 680)
        try context.figure(figure)
        say.prose(
            String(format: "Kendall's τ between the two orders is %.2f. ", tau)
                + (flips.isEmpty
                    ? """
                    Here no pair of models swaps places, but the gaps change: sampled HR@10 compresses the \
                    differences between models, and every absolute number is several times higher than the \
                    full-ranking one.
                    """
                    : "Pairs the sampled metric orders one way and full ranking the other: "
                        + flips.joined(separator: ", ") + """
                            . This is Krichene & Rendle's (KDD 2020) point on our own models: beating 99 random \
                            (mostly obscure) films rewards different things from ranking the whole catalogue.
                            """))

        // Beyond accuracy.
        say.heading("Beyond accuracy: coverage and popularity bias", level: 3)
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
                headers: [
                    "model", "HR@10 full", "catalogue coverage", "mean popularity of a pick", "long-tail share",
                    "Gini of exposure",
                ], rows: exposureRows),
            caption: """
                Each model's top-10 lists for all \(data.userCount) users; long tail = outside the 20% \
                most-rated films; popularity = training interactions
                """)
        var scatter = Figure(
            name: "coverage-accuracy", title: "Accuracy against catalogue coverage of the top-10 lists",
            xLabel: "catalogue coverage of the top-10 lists (%)", yLabel: "HR@10 (full ranking)",
            kind: .scatter(points, labels: labels))
        scatter.keyPosition = "off"
        try context.figure(scatter)
        say.prose(
            """
            Most-popular recommends the same few films to everyone (highest Gini, almost no long tail); a \
            personalised model spreads its lists over more of the catalogue. Accuracy and coverage are different \
            goals, and the usual accuracy metrics reward popularity (popular films are also the likeliest held-out \
            items), so report both.
            """)
    }
}
