// Chapter 5, parts 3 and 4: what B has learned, and EASE against the book's other models.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension EASEChapter {
    static func lookInside(_ context: ChapterContext, data: RatingsData, ease: EASE) throws {
        let say = context.narrator, t = context.text
        say.heading(t("inside.heading"))
        let popularity = ease.train.itemPopularity
        let top = popularity.indices.sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }.prefix(30).map { $0 }
        let titles = top.map { data.catalogue[$0].displayTitle }
        let shown = top.flatMap { i in top.filter { $0 != i }.map { Double(ease.weight(i, $0)) } }
        let shownNegative = 100 * Double(shown.filter { $0 < 0 }.count) / Double(max(shown.count, 1))
        let shownShare = String(format: "%.0f%%", shownNegative)
        try context.figure(
            Figure(
                name: "b-heatmap", title: t("fig.heatmap.title", ["lambda": Int(ease.lambda)]),
                xLabel: t("fig.heatmap.x"), yLabel: t("fig.heatmap.y"),
                kind: .heatmap(
                    values: top.map { i in top.map { j in Double(ease.weight(i, j)) } }, rowLabels: titles,
                    columnLabels: titles, diverging: true)
            )
            .with { $0.size = (width: 1400, height: 1250) },
            caption: t("fig.heatmap.caption", ["share": shownShare]))
        guard let toyStory = data.catalogue.firstIndex(where: { $0.displayTitle == "Toy Story (1995)" }) else { return }
        let row = (0..<data.itemCount).filter { $0 != toyStory }.map { (j: $0, w: ease.weight(toyStory, $0)) }
        let positive = row.sorted { $0.w > $1.w }.prefix(8), negative = row.sorted { $0.w < $1.w }.prefix(8)
        say.table(
            Table(
                headers: [
                    t("inside.table.rises"), t("inside.table.weight"), t("inside.table.falls"),
                    t("inside.table.weight"),
                ],
                rows: zip(positive, negative).map {
                    [
                        data.catalogue[$0.j].displayTitle, String(format: "%+.4f", $0.w),
                        data.catalogue[$1.j].displayTitle, String(format: "%+.4f", $1.w),
                    ]
                }), caption: t("inside.table.caption", ["film": data.catalogue[toyStory].displayTitle]))
        let negatives = ease.weights.filter { $0 < 0 }.count
        let share = Double(negatives) / Double(data.itemCount * (data.itemCount - 1))
        context.record("negative_weight_share", share)
        say.prose(t("inside.negative", ["share": String(format: "%.1f", 100 * share)]))
    }

    static func compare(_ context: ChapterContext, data: RatingsData, split: Split) throws {
        let say = context.narrator, t = context.text
        say.heading(t("compare.heading"))
        let trainRows = (split.train + split.validation).sorted()
        let train = InteractionMatrix(data, rows: trainRows), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        say.prose(t("compare.intro"))
        var rows: [[String]] = [], evaluations: [(name: String, evaluation: Evaluation)] = []
        func cell(_ e: Evaluation, _ metric: String) -> String {
            f4(e.metrics[metric] ?? .nan)
                + (e.interval(metric).map { String(format: " [%.3f, %.3f]", $0.lowerBound, $0.upperBound) } ?? "")
        }
        for key in ["ease", "itemknn", "most-popular", "neumf", "item2vec", "mult-vae"] {
            let entry = try Registry.entry(key)
            let fitted = try context.fitted(entry, data: data, split: split)
            let e = evaluator.evaluate(fitted.recommender, ks: [20])
            context.record(ResultEntry(fitted, evaluation: e, dataset: data.name))
            evaluations.append((entry.info.name, e))
            rows.append([
                t("compare.table.model-name", ["name": entry.info.name, "chapter": entry.info.chapter]),
                cell(e, "Recall@20"), cell(e, "NDCG@20"),
                f4(e.metrics["Coverage@20"] ?? .nan), String(format: "%.2f", fitted.seconds),
            ])
        }
        say.table(
            Table(
                headers: [
                    t("compare.table.model"), t("compare.table.recall"), t("compare.table.ndcg"),
                    t("compare.table.coverage"), t("compare.table.seconds"),
                ], rows: rows, alignments: [.left, .right, .right, .right, .right]),
            caption: t("compare.table.caption", ["seed": context.options.seed]))
        var figure = Figure(
            name: "comparison", title: t("fig.compare.title"), xLabel: t("fig.compare.x"), yLabel: t("fig.compare.y"),
            kind: .bars(
                categories: evaluations.map(\.name),
                groups: ["Recall@20", "NDCG@20"].map { metric in
                    (metric, evaluations.map { $0.evaluation.metrics[metric] ?? 0 })
                }))
        for metric in ["Recall@20", "NDCG@20"] {
            let intervals = evaluations.compactMap { $0.evaluation.interval(metric) }
            if intervals.count == evaluations.count { figure.barIntervals[metric] = intervals }
        }
        figure.keyPosition = "top right"
        figure.size = (width: 1100, height: 650)
        try context.figure(figure, caption: t("fig.compare.caption"))
        // EASE against the best deep model of the table, paired user by user.
        let deep = evaluations.filter { ["NeuMF", "Item2Vec", "Mult-VAE"].contains($0.name) }
        if let ease = evaluations.first(where: { $0.name == "EASE" })?.evaluation,
            let best = deep.max(by: {
                ($0.evaluation.metrics["Recall@20"] ?? 0) < ($1.evaluation.metrics["Recall@20"] ?? 0)
            }),
            let c = Bootstrap.compare(ease, best.evaluation, metric: "Recall@20", seed: context.options.seed)
        {
            context.record("ease_minus_best_deep_Recall@20", c.difference)
            context.record("ease_vs_best_deep_distinguishable", c.isDistinguishable ? 1 : 0)
            say.prose(t("compare.paired", ["sentence": c.sentence("EASE", best.name, metric: "Recall@20")]))
        }
    }
}
