// Chapter 8, part 2: every model of the book on one protocol, and what the leaderboard says.

import _WorkbookSupport
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension CapstoneChapter {
    public struct Entry {
        public var name: String, chapter: Int, settings: String
        public var metrics: [String: Double]
        public var fitted: FittedModel
        public var seconds: Double { fitted.seconds }
    }

    static func leaderboard(_ context: ChapterContext, data: RatingsData) throws -> [Entry] {
        let say = context.narrator
        say.heading("The leaderboard: every model, one protocol")
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let fitRows = (split.train + split.validation).sorted()
        let train = InteractionMatrix(data, rows: fitRows), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        say.prose(
            """
            Protocol holdout-20, seed \(context.options.seed): each user's random 20% of ratings is test \
            (\(split.test.count.formatted()) interactions), every rating an implicit interaction, full ranking with \
            the user's training items excluded. The same rule holds out 20% of the rest as validation \
            (\(split.validation.count.formatted())). Hyperparameters that are searched (EASE's λ over \
            \(EASE.Config(mode: context.options.mode).lambdaGrid.map { String(Int($0)) }.joined(separator: ", ")); \
            ItemKNN's neighbours over \
            \(ItemKNN.Config(mode: context.options.mode).neighbourGrid.map(String.init).joined(separator: ", "))) are \
            chosen by NDCG@20 on validation; every other setting is its model's default \
            (\(context.options.mode.rawValue) mode). Then each model is fitted on train + validation and evaluated \
            once on test.
            """)
        var entries: [Entry] = []
        for entry in Registry.leaderboard {
            let fitted = try context.fitted(entry, data: data, split: split)
            let m = evaluator.evaluate(fitted.recommender, ks: [20]).metrics
            let settings = fitted.configSummary + (fitted.choice.isEmpty ? "" : " (validation: \(fitted.choice))")
            entries.append(
                Entry(
                    name: entry.info.name, chapter: entry.info.chapter, settings: settings, metrics: m, fitted: fitted))
            context.record(
                ResultEntry(
                    model: entry.info.name, protocol: "holdout-20", dataset: data.name, metrics: m,
                    trainSeconds: fitted.seconds, epochs: fitted.epochs))
        }
        entries.sort { ($0.metrics["Recall@20"] ?? 0, $1.name) > ($1.metrics["Recall@20"] ?? 0, $0.name) }
        let rows = entries.enumerated().map { k, e in
            [
                "\(k + 1)", e.name, "\(e.chapter)", f4(e.metrics["Recall@20"] ?? .nan),
                f4(e.metrics["NDCG@20"] ?? .nan),
                String(format: "%.1f%%", (e.metrics["Coverage@20"] ?? 0) * 100), String(format: "%.2f", e.seconds),
                e.settings,
            ]
        }
        say.table(
            Table(
                headers: ["#", "model", "ch.", "Recall@20", "NDCG@20", "coverage", "train s", "settings"], rows: rows,
                alignments: [.right, .left, .right, .right, .right, .right, .right, .left]),
            caption: """
                holdout-20 on MovieLens-100K, seed \(context.options.seed), \(context.options.mode.rawValue) \
                mode; sorted by Recall@20
                """)
        let tsv =
            (["rank\tmodel\tchapter\tprotocol\tRecall@20\tNDCG@20\tCoverage@20\ttrain_seconds\tsettings"]
            + entries.enumerated().map { k, e in
                [
                    "\(k + 1)", e.name, "\(e.chapter)", "holdout-20",
                    String(format: "%.6f", e.metrics["Recall@20"] ?? .nan),
                    String(format: "%.6f", e.metrics["NDCG@20"] ?? .nan),
                    String(format: "%.6f", e.metrics["Coverage@20"] ?? .nan),
                    String(format: "%.3f", e.seconds), e.settings.replacingOccurrences(of: "\t", with: " "),
                ].joined(separator: "\t")
            }).joined(separator: "\n") + "\n"
        let tsvURL = context.directory.appendingPathComponent("leaderboard.tsv")
        try AtomicFile.write(tsv, to: tsvURL)
        say.prose(
            """
            Written to \(context.options.outputRoot.lastPathComponent)/\(context.chapterName)/leaderboard.tsv \
            (tab-separated, one row per model, in this order).
            """)
        var bars = Figure(
            name: "leaderboard", title: "The leaderboard: holdout-20 on MovieLens-100K", xLabel: "model",
            yLabel: "metric at 20",
            kind: .bars(
                categories: entries.map(\.name),
                groups: [
                    ("Recall@20", entries.map { $0.metrics["Recall@20"] ?? 0 }),
                    ("NDCG@20", entries.map { $0.metrics["NDCG@20"] ?? 0 }),
                ]))
        bars.keyPosition = "top right"
        bars.size = (width: 1200, height: 700)
        try context.figure(bars)
        var scatter = Figure(
            name: "accuracy-vs-time", title: "NDCG@20 against training time", xLabel: "training time (s, log scale)",
            yLabel: "NDCG@20",
            kind: .scatter(
                entries.map {
                    Series($0.name, [(x: max($0.seconds, 1e-3), y: $0.metrics["NDCG@20"] ?? 0)], style: .points)
                },
                labels: entries.map { PointLabel($0.name, x: max($0.seconds, 1e-3), y: $0.metrics["NDCG@20"] ?? 0) }))
        scatter.logX = true
        scatter.keyPosition = "off"
        try context.figure(
            scatter,
            caption:
                """
                    Closed-form and neighbourhood models train in well under a second; the deep models in seconds to \
                    a minute.
                    """
        )
        return entries
    }
}
