// Chapter 5, parts 3 and 4: what B has learned, and EASE against the book's other models.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension EASEChapter {
    static func lookInside(_ context: ChapterContext, data: RatingsData, ease: EASE) throws {
        let say = context.narrator
        say.heading("Looking inside B")
        let popularity = ease.train.itemPopularity
        let top = popularity.indices.sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }.prefix(30).map { $0 }
        let titles = top.map { data.catalogue[$0].displayTitle }
        let shown = top.flatMap { i in top.filter { $0 != i }.map { Double(ease.weight(i, $0)) } }
        let shownNegative = 100 * Double(shown.filter { $0 < 0 }.count) / Double(max(shown.count, 1))
        let shownShare = String(format: "%.0f%%", shownNegative)
        try context.figure(
            Figure(
                name: "b-heatmap", title: "B for the 30 most popular films (λ = \(Int(ease.lambda)))",
                xLabel: "to (the item whose score rises or falls)",
                yLabel: "from (an item the user has)",
                kind: .heatmap(
                    values: top.map { i in top.map { j in Double(ease.weight(i, j)) } }, rowLabels: titles,
                    columnLabels: titles, diverging: true)
            )
            .with { $0.size = (width: 1400, height: 1250) },
            caption: """
                Red: having the row's film raises the column's score; blue: it lowers it; the colour scale is \
                centred on 0. The diagonal is zero by construction. Among these popular films only \(shownShare) of \
                the weights are negative: popular films co-occur, so their weights lean positive (the share over \
                all of B follows below).
                """)
        guard let toyStory = data.catalogue.firstIndex(where: { $0.displayTitle == "Toy Story (1995)" }) else { return }
        let row = (0..<data.itemCount).filter { $0 != toyStory }.map { (j: $0, w: ease.weight(toyStory, $0)) }
        let positive = row.sorted { $0.w > $1.w }.prefix(8), negative = row.sorted { $0.w < $1.w }.prefix(8)
        say.table(
            Table(
                headers: ["rises most", "weight", "falls most", "weight"],
                rows: zip(positive, negative).map {
                    [
                        data.catalogue[$0.j].displayTitle, String(format: "%+.4f", $0.w),
                        data.catalogue[$1.j].displayTitle, String(format: "%+.4f", $1.w),
                    ]
                }), caption: "Toy Story (1995): the films whose scores it raises and lowers most (row of B)")
        let negatives = ease.weights.filter { $0 < 0 }.count
        let share = Double(negatives) / Double(data.itemCount * (data.itemCount - 1))
        context.record("negative_weight_share", share)
        say.prose(
            String(
                format: """
                    %.1f%% of B's off-diagonal weights are negative. A negative B_ij means: among users who have the \
                    other films you have, having i makes j less likely (j is explained by something else, or i's \
                    audience avoids j). ItemKNN's cosine similarities are never negative, so it cannot say \"people \
                    who have this don't want that\".
                    """, 100 * share))
    }

    static func compare(_ context: ChapterContext, data: RatingsData, split: Split) throws {
        let say = context.narrator
        say.heading("EASE against the baselines and the deep models")
        let trainRows = (split.train + split.validation).sorted()
        let train = InteractionMatrix(data, rows: trainRows), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        say.prose(
            """
            Every model below comes from the book's model store: trained once on this split with its own \
            settings (the deep models until validation stopped improving, EASE's λ and ItemKNN's neighbours chosen \
            on validation), fitted on train + validation, and scored on the same test users. Chapter 8 reuses the \
            very same models, so its numbers for them are these.
            """)
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
                "\(entry.info.name) (chapter \(entry.info.chapter))", cell(e, "Recall@20"), cell(e, "NDCG@20"),
                f4(e.metrics["Coverage@20"] ?? .nan), String(format: "%.2f", fitted.seconds),
            ])
        }
        say.table(
            Table(
                headers: ["model", "Recall@20 [95% CI]", "NDCG@20 [95% CI]", "Coverage@20", "train s"], rows: rows,
                alignments: [.left, .right, .right, .right, .right]),
            caption: """
                holdout-20 on MovieLens-100K, seed \(context.options.seed); Recall@20 = hits / the user's test \
                items; intervals: bootstrap over users
                """)
        var figure = Figure(
            name: "comparison", title: "holdout-20 on MovieLens-100K", xLabel: "model", yLabel: "metric at 20",
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
        try context.figure(figure, caption: "Whiskers: 95% bootstrap intervals over users.")
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
            say.prose(
                """
                Paired on the same users, EASE against the best of the deep models here: \
                \(c.sentence("EASE", best.name, metric: "Recall@20")).
                """)
        }
    }
}
