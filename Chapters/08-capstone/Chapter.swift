// Chapter 8: the MovieLens capstone. The document's pipeline made right, then every model of
// the book on one protocol, one seed, one table.

import _WorkbookSupport
import DataFetch
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum CapstoneChapter: Chapter {
    public static let number = 8
    public static let slug = "capstone"
    public static let title = "The MovieLens capstone: one pipeline, every model, one protocol"
    public static let summary =
        "The document's project done right, then a leaderboard of all \(Registry.leaderboard.count) models on "
        + "holdout-20 (leaderboard.tsv)"

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// Epochs of the document's NeuMF regression (an upper bound: early stopping ends it sooner).
    static func pipelineEpochs(_ mode: RunMode) -> Int { mode == .quick ? 2 : (mode == .full ? 50 : 10) }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        let text = context.text
        say.heading(context.chapterHeading, level: 1)
        guard
            let data = try context.optionalData(
                "MovieLens-100K",
                { try MovieLens.ml100k(context.options) { say.status($0) } })
        else {
            say.prose(text("no-data"))
            return
        }
        try pipeline(context, data: data)
        let (board, train, test) = try leaderboard(context, data: data)
        let verdicts = easeVerdicts(board: board, seed: context.options.seed)
        closing(context, board: board, verdicts: verdicts)
        try closingRemarks(context, board: board, verdicts: verdicts, train: train, test: test)
    }

    // MARK: - The document's pipeline, made right

    static func pipeline(_ context: ChapterContext, data: RatingsData) throws {
        let say = context.narrator
        let text = context.text
        say.heading(text("pipeline.heading"))
        say.prose(text("pipeline.intro"))
        say.bullets(["columns", "split", "stopping", "per-user"].map { text("pipeline.change." + $0) })
        let split = try Split.make(data, protocol: .ratings8020, seed: context.options.seed, validation: true)
        let t = Date()
        let train = RatingRows(data, rows: split.train), validation = RatingRows(data, rows: split.validation),
            test = RatingRows(data, rows: split.test)
        let buildSeconds = Date().timeIntervalSince(t)
        var config = NCFConfig(mode: .standard)
        config.factors = 64
        config.layers = 3
        config.dropout = 0.2
        let epochs = pipelineEpochs(context.options.mode)
        let patience = context.options.mode == .full ? 5 : 2
        say.prose(
            text(
                "pipeline.setup",
                [
                    "train": train.count.formatted(), "validation": validation.count.formatted(),
                    "test": test.count.formatted(), "ms": String(format: "%.1f", buildSeconds * 1000),
                    "epochs": epochs, "patience": patience,
                ]))
        let model = NeuMF(
            userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("pipeline"))
        let record = try RatingRegression.fit(
            model, train: train, validation: validation,
            settings: TrainerSettings(maxEpochs: epochs, patience: patience),
            rng: context.rng("pipeline-train"), label: text("pipeline.progress"),
            progress: context.progress)
        let (trainLoss, validationLoss) = (record.losses, record.validation.map(\.value))
        let seconds = record.seconds
        let bestEpoch = record.bestEpoch ?? trainLoss.count
        let predictions = model.predict(users: test.users, items: test.items)
        let rmse = RatingMetrics.rmse(predictions, test.ratings), mae = RatingMetrics.mae(predictions, test.ratings)
        let perUser = perUserEvaluation(users: test.users, predictions: predictions, ratings: test.ratings)
        let mean = train.ratings.reduce(0, +) / Float(train.count)
        let meanRMSE = RatingMetrics.rmse([Float](repeating: mean, count: test.count), test.ratings)
        var figure = Figure(
            name: "pipeline-loss", title: text("fig.pipeline-loss.title"), xLabel: text("fig.pipeline-loss.x"),
            yLabel: "MSE",
            kind: .lines([
                Series(text("fig.pipeline-loss.train"), perEpoch: trainLoss),
                Series(text("fig.pipeline-loss.validation"), perEpoch: validationLoss),
            ]))
        figure.markers = [(x: Double(bestEpoch), caption: text("fig.pipeline-loss.best"))]
        figure.xTicStep = trainLoss.count > 12 ? 5 : 1
        try context.figure(figure)
        say.table(
            Table(
                headers: ["", text("pipeline.table.value")],
                rows: [
                    [text("pipeline.table.epochs"), "\(trainLoss.count) (\(bestEpoch))"],
                    [
                        text("pipeline.table.time"),
                        text("pipeline.table.seconds", ["seconds": String(format: "%.1f", seconds)]),
                    ],
                    [text("pipeline.table.rmse"), "\(f4(rmse)) / \(f4(mae))"],
                    [text("pipeline.table.mean", ["mean": String(format: "%.2f", mean)]), f4(meanRMSE)],
                    [
                        text("pipeline.table.per-user"),
                        "\(f4(perUser.precision)) / \(f4(perUser.recall)) / \(f4(perUser.ndcg))",
                    ],
                ], alignments: [.left, .right]),
            caption: text("pipeline.table.caption", ["seed": context.options.seed]))
        context.record(
            ResultEntry(
                model: "NeuMF regression (f=64, early stopped)", protocol: "ratings-80-20", dataset: data.name,
                metrics: ["RMSE": rmse, "MAE": mae, "MSE": rmse * rmse], trainSeconds: seconds, epochs: bestEpoch))
        context.record("pipeline_per_user_precision@10", perUser.precision)
        context.record("pipeline_per_user_ndcg@10", perUser.ndcg)
        context.record("pipeline_global_mean_rmse", meanRMSE)
        say.prose(text("pipeline.reading", ["rmse": f4(rmse), "mean": f4(meanRMSE)]))
    }
}
