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
        "The document's project done right, then a leaderboard of all 12 models on holdout-20 (leaderboard.tsv)"

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// Epochs of the document's NeuMF regression (an upper bound: early stopping ends it sooner).
    static func pipelineEpochs(_ mode: RunMode) -> Int { mode == .quick ? 2 : (mode == .full ? 50 : 10) }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Chapter 8. \(title)", level: 1)
        guard
            let data = try context.optionalData(
                "MovieLens-100K",
                { try MovieLens.ml100k(context.options) { say.status($0) } })
        else {
            say.prose(
                """
                Everything in this chapter runs on MovieLens-100K; fetch it with `workbook data fetch` and run the \
                chapter again.
                """)
            return
        }
        try pipeline(context, data: data)
        let board = try leaderboard(context, data: data)
        closing(context, board: board)
        try closingRemarks(context, data: data, board: board)
    }

    // MARK: - The document's pipeline, made right

    static func pipeline(_ context: ChapterContext, data: RatingsData) throws {
        let say = context.narrator
        say.heading("The document's project, made right")
        say.prose(
            """
            The document's project builds a MovieLensDataset over a DataFrame, splits it 80/20 at random, trains \
            NeuralMF(factor_num=64, num_layers=3, dropout=0.2) as a rating regressor with MSE and Adam for 50 epochs, \
            and calls evaluate_model on the validation loader. Four things change here, and nothing else:
            """)
        say.bullets([
            """
            The data set is columns, not rows: `RatingRows` holds the users, items and ratings as three arrays, \
            so a batch is three gathers. The document's `__getitem__` calls `self.ratings.iloc[idx]` and builds \
            three tensors for every single row: a pandas lookup and three allocations per example, before the \
            model sees anything.
            """,
            """
            Three parts, not two: the 80% is split again into train and validation (protocol ratings-80-20 with \
            validation), so that the number of epochs is chosen without the test set, and the test set is read \
            once.
            """,
            """
            Early stopping on the validation loss, keeping the best epoch's weights (chapter 7's errata: the \
            document's EarlyStopping is never read by its loop).
            """,
            """
            Evaluation per user (chapter 2's errata: evaluate_model ranks across the users of a mini-batch), plus \
            RMSE, the metric a rating regressor is trained for.
            """,
        ])
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
            String(
                format: """
                    Building the three column sets for %@ / %@ / %@ ratings took %.1f ms. NeuMF(64, 3, dropout 0.2), \
                    Adam lr 0.001, batches of 256, at most %d epochs (the document: 50), early stopping with \
                    patience %d:
                    """,
                train.count.formatted(), validation.count.formatted(), test.count.formatted(), buildSeconds * 1000,
                epochs, patience))
        let model = NeuMF(
            userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("pipeline"))
        let record = try RatingRegression.fit(
            model, train: train, validation: validation,
            settings: TrainerSettings(maxEpochs: epochs, patience: patience),
            rng: context.rng("pipeline-train"), label: "NeuMF regression",
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
            name: "pipeline-loss", title: "The document's NeuMF regression: train and validation MSE per epoch",
            xLabel: "epoch", yLabel: "MSE",
            kind: .lines([Series("train", perEpoch: trainLoss), Series("validation", perEpoch: validationLoss)]))
        figure.markers = [(x: Double(bestEpoch), caption: "best (kept)")]
        figure.xTicStep = trainLoss.count > 12 ? 5 : 1
        try context.figure(figure)
        say.table(
            Table(
                headers: ["", "value"],
                rows: [
                    ["epochs run (best kept)", "\(trainLoss.count) (\(bestEpoch))"],
                    ["training time", String(format: "%.1f s", seconds)],
                    ["test RMSE / MAE", "\(f4(rmse)) / \(f4(mae))"],
                    ["test RMSE of the global mean \(String(format: "%.2f", mean))", f4(meanRMSE)],
                    [
                        "per-user Precision@10 / Recall@10 / NDCG@10 (relevant: rating > 3.5)",
                        "\(f4(perUser.precision)) / \(f4(perUser.recall)) / \(f4(perUser.ndcg))",
                    ],
                ], alignments: [.left, .right]),
            caption: "ratings-80-20 (+ validation), seed \(context.options.seed); test rows read once")
        context.record(
            ResultEntry(
                model: "NeuMF regression (f=64, early stopped)", protocol: "ratings-80-20", dataset: data.name,
                metrics: ["RMSE": rmse, "MAE": mae, "MSE": rmse * rmse], trainSeconds: seconds, epochs: bestEpoch))
        context.record("pipeline_per_user_precision@10", perUser.precision)
        context.record("pipeline_per_user_ndcg@10", perUser.ndcg)
        context.record("pipeline_global_mean_rmse", meanRMSE)
        say.prose(
            String(
                format: """
                    The model beats predicting the mean rating (RMSE %.4f against %.4f). Its per-user ranking \
                    numbers rank each user's own test films by predicted rating, which is a different task from the \
                    top-N recommendation the rest of this chapter measures: a rating regressor is trained on what \
                    people rated, not on what they chose to watch.
                    """, rmse, meanRMSE))
    }
}
