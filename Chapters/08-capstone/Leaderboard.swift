// Chapter 8, part 2: every model of the book on one protocol, with what each cost to train and
// how sure each number is.

import _WorkbookSupport
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension CapstoneChapter {
    public struct Entry {
        public var name: String, chapter: Int
        public var fitted: FittedModel
        /// The test evaluation, with each user's values (for intervals and paired comparisons).
        public var evaluation: Evaluation
        public var result: ResultEntry
        public var metrics: [String: Double] { evaluation.metrics }
        public var seconds: Double { fitted.seconds }
        /// The settings as leaderboard.tsv records them (in English, like results.json).
        public var settings: String {
            LibraryWords.inEnglish { fitted.englishSummary + (fitted.choice.isEmpty ? "" : "; chose \(fitted.choice)") }
        }
        /// The settings as the transcript shows them.
        func settings(_ text: Text) -> String {
            fitted.choice.isEmpty
                ? fitted.configSummary
                : text("board.settings.chose", ["config": fitted.configSummary, "choice": fitted.choice])
        }
        func interval(_ metric: String) -> ClosedRange<Double>? {
            result.intervals?[metric].flatMap { $0.count == 2 ? $0[0]...$0[1] : nil }
        }
    }

    static func withInterval(_ entry: Entry, _ metric: String) -> String {
        let value = f4(entry.metrics[metric] ?? .nan)
        guard let r = entry.interval(metric) else { return value }
        return value + " [" + String(format: "%.3f, %.3f", r.lowerBound, r.upperBound) + "]"
    }

    /// The leaderboard, sorted by Recall@20, with the train (train + validation) and test matrices it
    /// was fitted and scored on (the closing remarks refit EASE on damaged copies of the same train).
    static func leaderboard(_ context: ChapterContext, data: RatingsData) throws
        -> (entries: [Entry], train: InteractionMatrix, test: InteractionMatrix)
    {
        let say = context.narrator
        let text = context.text
        say.heading(text("board.heading"))
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let fitRows = (split.train + split.validation).sorted()
        let train = InteractionMatrix(data, rows: fitRows), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        let mode = context.options.mode
        let training = text("board.training." + (mode == .standard ? "standard" : mode.rawValue))
        say.prose(
            text(
                "board.intro",
                [
                    "seed": context.options.seed, "test": split.test.count.formatted(),
                    "validation": split.validation.count.formatted(), "training": training,
                ]))
        var entries: [Entry] = []
        for entry in Registry.leaderboard {
            let fitted = try context.fitted(entry, data: data, split: split)
            let evaluation = evaluator.evaluate(fitted.recommender, ks: [20])
            let result = ResultEntry(fitted, evaluation: evaluation, dataset: data.name)
            entries.append(
                Entry(
                    name: entry.info.name, chapter: entry.info.chapter, fitted: fitted, evaluation: evaluation,
                    result: result))
            context.record(result)
        }
        entries.sort { ($0.metrics["Recall@20"] ?? 0, $1.name) > ($1.metrics["Recall@20"] ?? 0, $0.name) }
        func budget(_ e: Entry) -> [String] {
            guard e.fitted.steps > 0 else { return ["-", "-", text("board.closed-form")] }
            let best = e.fitted.bestEpoch.map(String.init) ?? "-"
            let run = (e.fitted.searchEpochs ?? e.fitted.epochs).map(String.init) ?? "-"
            return [best, run, e.fitted.steps.formatted()]
        }
        let rows = entries.enumerated().map { k, e in
            [
                "\(k + 1)", e.name, "\(e.chapter)", withInterval(e, "Recall@20"), withInterval(e, "NDCG@20"),
                String(format: "%.1f%%", (e.metrics["Coverage@20"] ?? 0) * 100),
            ]
                + budget(e) + [String(format: "%.1f", e.seconds)]
        }
        say.table(
            Table(
                headers: ["#"]
                    + ["model", "chapter", "recall", "ndcg", "coverage", "best-epoch", "epochs-run", "steps", "seconds"]
                    .map { text("board.col." + $0) },
                rows: rows,
                alignments: [.right, .left, .right, .right, .right, .right, .right, .right, .right, .right]),
            caption: text(
                "board.caption",
                [
                    "seed": context.options.seed, "mode": mode.rawValue,
                    "users": entries.first?.evaluation.evaluatedUsers ?? 0,
                ]))
        say.table(
            Table(
                headers: [text("board.col.model"), text("board.settings.col")],
                rows: entries.map { [$0.name, $0.settings(text)] }, alignments: [.left, .left]),
            caption: text("board.settings.caption"))
        try writeTSV(context, entries)
        try figures(context, entries)
        return (entries, train, test)
    }

    static func writeTSV(_ context: ChapterContext, _ entries: [Entry]) throws {
        let header = [
            "rank", "model", "chapter", "protocol", "Recall@20", "NDCG@20", "Coverage@20", "train_seconds",
            "Recall@20_low", "Recall@20_high", "NDCG@20_low", "NDCG@20_high", "best_epoch", "epochs_run", "steps",
            "settings",
        ]
        func number(_ x: Double?, _ format: String = "%.6f") -> String { x.map { String(format: format, $0) } ?? "" }
        let lines = entries.enumerated().map { k, e in
            [
                "\(k + 1)", e.name, "\(e.chapter)", "holdout-20", number(e.metrics["Recall@20"]),
                number(e.metrics["NDCG@20"]), number(e.metrics["Coverage@20"]), number(e.seconds, "%.3f"),
                number(e.interval("Recall@20")?.lowerBound), number(e.interval("Recall@20")?.upperBound),
                number(e.interval("NDCG@20")?.lowerBound), number(e.interval("NDCG@20")?.upperBound),
                e.result.bestEpoch.map(String.init) ?? "", e.result.epochsRun.map(String.init) ?? "",
                "\(e.fitted.steps)", e.settings.replacingOccurrences(of: "\t", with: " "),
            ].joined(separator: "\t")
        }
        try AtomicFile.write(
            ([header.joined(separator: "\t")] + lines).joined(separator: "\n") + "\n",
            to: context.directory.appendingPathComponent("leaderboard.tsv"))
        context.narrator.prose(context.text("board.tsv", ["path": context.shown("leaderboard.tsv")]))
    }

    static func figures(_ context: ChapterContext, _ entries: [Entry]) throws {
        let text = context.text
        var bars = Figure(
            name: "leaderboard", title: text("fig.leaderboard.title"), xLabel: text("fig.leaderboard.x"),
            yLabel: text("fig.leaderboard.y"),
            kind: .bars(
                categories: entries.map(\.name),
                groups: [
                    ("Recall@20", entries.map { $0.metrics["Recall@20"] ?? 0 }),
                    ("NDCG@20", entries.map { $0.metrics["NDCG@20"] ?? 0 }),
                ]))
        for metric in ["Recall@20", "NDCG@20"] {
            let intervals = entries.compactMap { $0.interval(metric) }
            if intervals.count == entries.count { bars.barIntervals[metric] = intervals }
        }
        bars.keyPosition = "top right"
        bars.size = (width: 1200, height: 700)
        try context.figure(bars, caption: text("fig.leaderboard.caption"))
        let timed = entries.filter { $0.seconds >= 0.01 }
        var scatter = Figure(
            name: "accuracy-vs-time", title: text("fig.time.title"), xLabel: text("fig.time.x"), yLabel: "NDCG@20",
            kind: .scatter(
                timed.map {
                    Series($0.name, [(x: max($0.seconds, 1e-3), y: $0.metrics["NDCG@20"] ?? 0)], style: .points)
                },
                labels: timed.map { PointLabel($0.name, x: max($0.seconds, 1e-3), y: $0.metrics["NDCG@20"] ?? 0) }))
        scatter.logX = true
        scatter.keyPosition = "off"
        let slowest = timed.max { $0.seconds < $1.seconds }
        let caption =
            slowest.map {
                text("fig.time.caption", ["model": $0.name, "seconds": String(format: "%.0f", $0.seconds)])
            } ?? text("fig.time.caption.none")
        try context.figure(scatter, caption: caption)
    }
}
