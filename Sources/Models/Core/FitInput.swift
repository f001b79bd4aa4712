// What a model is fitted on: rating rows of a data set, optionally a validation part held out of
// them (for early stopping and for choosing hyperparameters, never the test part), the seed,
// and where progress goes.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// What a model is fitted on.
public struct FitInput {
    public let data: RatingsData
    /// The rating rows to fit on.
    public let rows: [Int]
    /// A part held out of the training data, for early stopping and tuning.
    public let validation: ValidationSet?
    public let seed: UInt64
    public let progress: ProgressFactory?
    /// Called after every epoch with the model in evaluation mode (for a chapter's curves).
    public var afterEpoch: ((Int, any Recommender) throws -> Void)?
    /// Called after every step with named loss terms (for a chapter's figures).
    public var onStep: (([String: Double]) -> Void)?
    /// `rows` as a binary user x item matrix, built once.
    public let train: InteractionMatrix

    public init(
        data: RatingsData, rows: [Int], validation: ValidationSet? = nil, seed: UInt64,
        progress: ProgressFactory? = nil
    ) {
        self.data = data
        self.rows = rows
        self.validation = validation
        self.seed = seed
        self.progress = progress
        train = InteractionMatrix(data, rows: rows)
    }

    /// A generator for one part of a fit: the same seed and stream give the same draws.
    public func rng(_ stream: String) -> RandomGenerator { RandomGenerator(seed: seed, stream: stream) }

    /// Training and validation rows together, without validation: what a model is fitted on
    /// again once validation has chosen its epochs and hyperparameters.
    public func merged() -> FitInput {
        guard let validation else { return self }
        var input = FitInput(data: data, rows: (rows + validation.rows).sorted(), seed: seed, progress: progress)
        input.afterEpoch = afterEpoch
        input.onStep = onStep
        return input
    }

    /// The same rows without validation.
    public func withoutValidation() -> FitInput {
        var input = FitInput(data: data, rows: rows, seed: seed, progress: progress)
        input.afterEpoch = afterEpoch
        input.onStep = onStep
        return input
    }

    /// A trainer validation hook for `model` on this input's validation set, if it has one.
    public func validationHook(_ model: any Recommender) -> ValidationHook? {
        guard let validation else { return nil }
        return ValidationHook(name: validation.metricName, higherIsBetter: validation.higherIsBetter) {
            validation.evaluate(model, train: train)
        }
    }
}

/// A validation part and how a model is scored on it.
public struct ValidationSet {
    public enum Kind: Sendable {
        /// NDCG@k over all items, the fitting rows' items excluded (holdout-20, temporal).
        case ranking(k: Int)
        /// NDCG@k of each user's one held-out item among sampled candidates (loo-99).
        case sampled(candidates: [[Int32]], k: Int)
        /// RMSE of the predicted ratings (lower is better).
        case rating
    }

    public let rows: [Int]
    public let kind: Kind
    let data: RatingsData
    let matrix: InteractionMatrix

    public init(data: RatingsData, rows: [Int], kind: Kind) {
        self.data = data
        self.rows = rows
        self.kind = kind
        matrix = InteractionMatrix(data, rows: rows)
    }

    /// The validation part of `split` as its protocol scores it.
    public init(split: Split, data: RatingsData) {
        switch split.evaluationProtocol {
        case .loo99:
            self.init(
                data: data, rows: split.validation,
                kind: split.validationCandidates.map { .sampled(candidates: $0, k: 10) } ?? .ranking(k: 10))
        case .holdout20, .temporal:
            self.init(data: data, rows: split.validation, kind: .ranking(k: 20))
        case .ratings9010, .ratings8020:
            self.init(data: data, rows: split.validation, kind: .rating)
        }
    }

    public var metricName: String {
        switch kind {
        case .ranking(let k), .sampled(_, let k): return "NDCG@\(k)"
        case .rating: return "RMSE"
        }
    }

    public var higherIsBetter: Bool {
        if case .rating = kind { return false }
        return true
    }

    /// The metric of `model`, fitted on `train`.
    public func evaluate(_ model: any Recommender, train: InteractionMatrix) -> Double {
        switch kind {
        case .ranking(let k):
            let evaluator = FullRankingEvaluator(train: train, test: matrix)
            return evaluator.evaluate(model, ks: [k]).metrics["NDCG@\(k)"] ?? .nan
        case .sampled(let candidates, let k):
            return SampledEvaluator(testItems: Self.heldOutItem(matrix), candidates: candidates)
                .evaluate(model, k: k).metrics["NDCG@\(k)"] ?? .nan
        case .rating:
            let rows = RatingRows(data, rows: self.rows)
            return RatingMetrics.rmse(model.scores(pairs: rows.users, rows.items), rows.ratings)
        }
    }

    /// Each user's single validation item (-1 for users without one).
    static func heldOutItem(_ matrix: InteractionMatrix) -> [Int32] {
        (0..<matrix.userCount).map { matrix.count(of: $0) > 0 ? matrix.items(of: $0).first ?? -1 : -1 }
    }
}
