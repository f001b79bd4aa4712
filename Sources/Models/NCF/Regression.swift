// The document's own pipeline: a pair scorer (NeuMF) regressing explicit ratings with MSE, Adam
// (lr 0.001), batches of 256, and a validation loss every epoch computed as the document
// computes it (the mean over batches of 256 of each batch's MSE). Chapters 2, 7 and 8 run it.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

public enum RatingRegression {
    // listing: train-regression
    /// Trains `model` on `train` ratings; validation MSE (the document's batch average) every
    /// epoch. With `settings.patience` it stops early and keeps the best epoch's weights.
    public static func fit(
        _ model: any PairScorer, train: RatingRows, validation: RatingRows, settings: TrainerSettings,
        learningRate: Float = 1e-3, batchSize: Int = 256, rng: RandomGenerator, label: String,
        optimizer: Adam? = nil, progress: ProgressFactory? = nil
    ) throws -> TrainingRecord {
        var strategy = RatingStrategy(rows: train, batchSize: batchSize, rng: rng, averaging: .batches) {
            model($0, $1)
        }
        let check = ValidationHook(name: "MSE", higherIsBetter: false) {
            documentMSE(model, validation, batchSize: batchSize)
        }
        return try Trainer(label, settings: settings, progress: progress)
            .fit(
                &strategy, model: model, optimizer: optimizer ?? Adam(model.parameters, learningRate: learningRate),
                learningRate: learningRate, validation: check)
    }
    // end listing

    /// The document's validation loss: the mean over batches of `batchSize` of each batch's MSE.
    public static func documentMSE(_ model: any PairScorer, _ rows: RatingRows, batchSize: Int = 256) -> Double {
        let predictions = model.predict(users: rows.users, items: rows.items)
        var sum = 0.0, batches = 0
        for start in stride(from: 0, to: rows.count, by: batchSize) {
            let end = min(rows.count, start + batchSize)
            var squared = 0.0
            for k in start..<end {
                let e = Double(predictions[k] - rows.ratings[k])
                squared += e * e
            }
            sum += squared / Double(end - start)
            batches += 1
        }
        return sum / Double(max(batches, 1))
    }
}
