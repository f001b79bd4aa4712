// Training and evaluating the NCF models: implicit top-K with sampled negatives (BCE), and
// the document's explicit-rating regression (MSE).

import Foundation
import Narrative
import RecKit
import TensorCore

/// An NCF model as a `Recommender`, so that RecKit's evaluators rank it like any model.
public final class PairScorerRecommender: Recommender {
    public let name: String
    public let itemCount: Int
    public let model: any PairScorer

    public init(name: String, model: any PairScorer, itemCount: Int) {
        self.name = name
        self.model = model
        self.itemCount = itemCount
    }

    public func scores(users: [Int32]) -> [Float] {
        model.setTraining(false)
        defer { model.setTraining(true) }
        let items = (0..<Int32(itemCount)).map { $0 }
        return Tensor.withoutGrad {
            users.flatMap { u in model([Int32](repeating: u, count: itemCount), items).data }
        }
    }

    public func scores(user: Int32, items: [Int32]) -> [Float] {
        predict(model, users: [Int32](repeating: user, count: items.count), items: items)
    }

    public func scores(pairs users: [Int32], _ items: [Int32]) -> [Float] {
        predict(model, users: users, items: items)
    }
}

/// What one training run recorded.
public struct TrainingHistory: Sendable {
    public var losses: [Double] = []
    /// Per epoch: the evaluation metrics (e.g. HR@10, NDCG@10).
    public var metrics: [[String: Double]] = []
    public var epochSeconds: [Double] = []

    public var last: [String: Double] { metrics.last ?? [:] }
    public func series(_ metric: String) -> [Double] { metrics.map { $0[metric] ?? .nan } }
    /// The median seconds per epoch (training only, evaluation excluded).
    public var medianEpochSeconds: Double {
        let s = epochSeconds.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }
}

// listing: train-implicit
/// One NCF training run on implicit data: every epoch draws `negativeCount` fresh negatives
/// per training positive, shuffles, and takes Adam steps on the BCE of the logits.
public func trainImplicit(_ model: any PairScorer, train: InteractionMatrix, config: NCFConfig, rng: RandomGenerator,
                          optimizer: (any Optimizer)? = nil, progress: ProgressBar? = nil,
                          evaluate: (Int) -> [String: Double]) throws -> TrainingHistory {
    let optimizer = optimizer ?? Adam(model.parameters, learningRate: config.learningRate)
    let sampler = NegativeSampler(train: train)
    var history = TrainingHistory()
    let batchesPerEpoch = (train.nonZeroCount * (1 + config.negativeCount) + config.batchSize - 1) / config.batchSize
    for epoch in 1...config.epochCount {
        let start = Date()
        model.setTraining(true)
        let examples = PointwiseEpoch(train: train, negativeCount: config.negativeCount, sampler: sampler, rng: rng)
        var total = 0.0
        for (step, batch) in examples.batches(of: config.batchSize).enumerated() {
            optimizer.zeroGrad()
            let loss = Loss.bceWithLogits(model(batch.users, batch.items), Tensor(batch.labels))
            try checkFinite(loss.item, epoch: epoch, step: step + 1)
            loss.backward()
            optimizer.step()
            total += Double(loss.item) * Double(batch.users.count)
            progress?.update((epoch - 1) * batchesPerEpoch + step + 1,
                             detail: String(format: "epoch %d/%d loss %.4f", epoch, config.epochCount, total / Double((step + 1) * config.batchSize)))
        }
        history.epochSeconds.append(Date().timeIntervalSince(start))
        history.losses.append(total / Double(examples.count))
        history.metrics.append(evaluate(epoch))
    }
    return history
}
// end listing

/// Batches needed by `trainImplicit` (for progress bars).
public func implicitSteps(train: InteractionMatrix, config: NCFConfig) -> Int {
    config.epochCount * ((train.nonZeroCount * (1 + config.negativeCount) + config.batchSize - 1) / config.batchSize)
}

/// Explicit ratings as (user, item, rating) arrays.
public struct RatingRows: Sendable {
    public let users: [Int32], items: [Int32], ratings: [Float]
    public init(_ data: RatingsData, rows: [Int]) {
        users = rows.map { data.users[$0] }
        items = rows.map { data.items[$0] }
        ratings = rows.map { data.ratings[$0] }
    }
    public var count: Int { users.count }
}

// listing: train-regression
/// The document's pipeline: NeuMF regressing explicit ratings with MSE, Adam (lr 0.001),
/// batches of 256 (shuffled for training), train and validation loss per epoch.
/// `afterEpoch(epoch, validationMSE)` may adjust the optimiser and returns true to stop early.
public func trainRegression(_ model: any PairScorer, train: RatingRows, validation: RatingRows, config: NCFConfig,
                            rng: RandomGenerator, optimizer: (any Optimizer)? = nil, progress: ProgressBar? = nil,
                            afterEpoch: ((Int, Double) -> Bool)? = nil) throws -> (train: [Double], validation: [Double]) {
    let adam = optimizer ?? Adam(model.parameters, learningRate: config.learningRate)
    var trainLosses: [Double] = [], validationLosses: [Double] = []
    let steps = (train.count + config.batchSize - 1) / config.batchSize
    for epoch in 1...config.epochCount {
        model.setTraining(true)
        let order = rng.permutation(train.count)
        var total = 0.0, batches = 0
        for (step, start) in stride(from: 0, to: train.count, by: config.batchSize).enumerated() {
            let idx = order[start..<min(train.count, start + config.batchSize)]
            adam.zeroGrad()
            let loss = Loss.mse(model(idx.map { train.users[$0] }, idx.map { train.items[$0] }), Tensor(idx.map { train.ratings[$0] }))
            try checkFinite(loss.item, epoch: epoch, step: step + 1)
            loss.backward()
            adam.step()
            total += Double(loss.item)
            batches += 1
            progress?.update((epoch - 1) * steps + step + 1, detail: String(format: "epoch %d/%d mse %.4f", epoch, config.epochCount, total / Double(batches)))
        }
        trainLosses.append(total / Double(batches))  // the document averages batch losses
        let predictions = predict(model, users: validation.users, items: validation.items)
        var sum = 0.0, count = 0
        for start in stride(from: 0, to: validation.count, by: config.batchSize) {
            let end = min(validation.count, start + config.batchSize)
            sum += (start..<end).map { Double(predictions[$0] - validation.ratings[$0]) * Double(predictions[$0] - validation.ratings[$0]) }.reduce(0, +) / Double(end - start)
            count += 1
        }
        validationLosses.append(sum / Double(count))
        if afterEpoch?(epoch, validationLosses[epoch - 1]) == true { break }
    }
    return (trainLosses, validationLosses)
}
// end listing

/// Predictions for (user, item) pairs in evaluation mode, in chunks.
public func predict(_ model: any PairScorer, users: [Int32], items: [Int32], chunk: Int = 8192) -> [Float] {
    model.setTraining(false)
    defer { model.setTraining(true) }
    return Tensor.withoutGrad {
        stride(from: 0, to: users.count, by: chunk).flatMap { s in
            model(Array(users[s..<min(users.count, s + chunk)]), Array(items[s..<min(items.count, s + chunk)])).data
        }
    }
}
