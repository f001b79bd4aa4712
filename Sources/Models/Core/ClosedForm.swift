// Closed-form models (EASE, ItemKNN) have no epochs; what validation chooses for them is a
// hyperparameter from a small grid. This is that search, in one place.

import Foundation
import RecKit

/// Seconds `body` takes, with its value.
func timed<T>(_ body: () throws -> T) rethrows -> (value: T, seconds: Double) {
    let start = Date()
    let value = try body()
    return (value, Date().timeIntervalSince(start))
}

/// Fits `make(value)` on the training part for every value of `grid`, scores each on the
/// validation set, and returns the best model with a record of the search (every fit's seconds;
/// the choice under `name`). Without validation (or with one value) it fits `fallback` only.
func chooseOnValidation<T, M: Recommender>(
    _ input: FitInput, grid: [T], fallback: T, name: String,
    describe: (T) -> String = { "\($0)" },
    make: (T) throws -> M
) throws -> (model: M, value: T, record: TrainingRecord) {
    var record = TrainingRecord()
    guard let validation = input.validation, grid.count > 1 else {
        let value = grid.count == 1 ? grid[0] : fallback
        let (model, seconds) = try timed { try make(value) }
        record.seconds = seconds
        return (model, value, record)
    }
    record.validationMetric = validation.metricName
    var best: (model: M, value: T, score: Double)?
    for (k, value) in grid.enumerated() {
        let (model, seconds) = try timed { try make(value) }
        record.seconds += seconds
        let (score, evaluationSeconds) = timed { validation.evaluate(model, train: input.train) }
        record.evaluationSeconds += evaluationSeconds
        record.validation.append(EvaluationPoint(epoch: k + 1, value: score))
        let better = best.map { validation.higherIsBetter ? score > $0.score : score < $0.score } ?? true
        if better { best = (model, value, score) }
    }
    guard let best else { preconditionFailure("chooseOnValidation: an empty grid") }
    record.chosen[name] = describe(best.value)
    return (best.model, best.value, record)
}
