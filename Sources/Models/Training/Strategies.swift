// The ways the book's models learn, as strategies of the one trainer: pointwise (a score per
// (user, item) pair: BCE over sampled negatives, or squared error on ratings), pairwise (BPR over
// (user, positive, negative) triples), row-wise (autoencoders over batches of rows) and
// full-batch (one step on all the data: the toy examples). Each draws its epoch from its own
// seeded generator, so the same seed gives the same batches.

import Foundation
import RecKit
import TensorCore

/// NCF's implicit training: every epoch pairs each training positive with `negativeCount`
/// fresh negatives, shuffles, and scores batches of (user, item) pairs; BCE on the logits.
public struct PointwiseStrategy: TrainingStrategy {
    let train: InteractionMatrix
    let negativeCount: Int, batchSize: Int
    let sampler: NegativeSampler
    let rng: RandomGenerator
    let logits: ([Int32], [Int32]) -> Tensor
    private var epoch: PointwiseEpoch?

    /// `logits(users, items)`: [B] scores of the pairs.
    public init(
        train: InteractionMatrix, negativeCount: Int, batchSize: Int, rng: RandomGenerator,
        logits: @escaping ([Int32], [Int32]) -> Tensor
    ) {
        self.train = train
        self.negativeCount = negativeCount
        self.batchSize = batchSize
        sampler = NegativeSampler(train: train)
        self.rng = rng
        self.logits = logits
    }

    public mutating func beginEpoch(_ epoch: Int) -> Int {
        let examples = PointwiseEpoch(train: train, negativeCount: negativeCount, sampler: sampler, rng: rng)
        self.epoch = examples
        return (examples.count + batchSize - 1) / batchSize
    }

    public mutating func step(_ k: Int, learningRate: Float) throws -> StepOutput {
        guard let epoch else { preconditionFailure("PointwiseStrategy: step before beginEpoch") }
        let range = (k * batchSize)..<min(epoch.count, (k + 1) * batchSize)
        let loss = Loss.bceWithLogits(
            logits(Array(epoch.users[range]), Array(epoch.items[range])),
            Tensor(Array(epoch.labels[range])))
        return .loss(loss, examples: range.count)
    }
}

/// Rating regression: shuffled batches of (user, item, rating); by default the squared error
/// of the predictions, or any loss of the batch (one with a penalty, say).
public struct RatingStrategy: TrainingStrategy {
    /// How an epoch's mean loss is formed.
    public enum Averaging: Sendable {
        /// Each batch weighted by its size: the mean over the epoch's ratings.
        case ratings
        /// Each batch counts once (the document's `total_loss / len(loader)`).
        case batches
    }

    let rows: RatingRows
    let batchSize: Int
    let rng: RandomGenerator
    let averaging: Averaging
    let loss: (_ users: [Int32], _ items: [Int32], _ ratings: [Float]) -> Tensor
    private var order: [Int] = []

    public init(
        rows: RatingRows, batchSize: Int, rng: RandomGenerator, averaging: Averaging = .ratings,
        loss: @escaping (_ users: [Int32], _ items: [Int32], _ ratings: [Float]) -> Tensor
    ) {
        self.rows = rows
        self.batchSize = batchSize
        self.rng = rng
        self.averaging = averaging
        self.loss = loss
    }

    /// The mean squared error of `predict(users, items)`.
    public init(
        rows: RatingRows, batchSize: Int, rng: RandomGenerator, averaging: Averaging = .ratings,
        predict: @escaping ([Int32], [Int32]) -> Tensor
    ) {
        self.init(rows: rows, batchSize: batchSize, rng: rng, averaging: averaging) { users, items, ratings in
            Loss.mse(predict(users, items), Tensor(ratings))
        }
    }

    public mutating func beginEpoch(_ epoch: Int) -> Int {
        order = rng.permutation(rows.count)
        return (rows.count + batchSize - 1) / batchSize
    }

    public mutating func step(_ k: Int, learningRate: Float) throws -> StepOutput {
        let batch = order[(k * batchSize)..<min(rows.count, (k + 1) * batchSize)]
        let value = loss(batch.map { rows.users[$0] }, batch.map { rows.items[$0] }, batch.map { rows.ratings[$0] })
        return .loss(value, examples: averaging == .ratings ? batch.count : 1)
    }
}

/// BPR's pairwise training: `triplesPerEpoch` (user, positive, negative) triples drawn as the
/// LightGCN reference draws them (a uniform user, one of their items, an item they lack), in
/// batches; the model turns a batch into its loss.
public struct PairwiseStrategy: TrainingStrategy {
    let train: InteractionMatrix
    let batchSize: Int, triplesPerEpoch: Int
    let sampler: NegativeSampler
    let rng: RandomGenerator
    let loss: (_ users: [Int32], _ positives: [Int32], _ negatives: [Int32]) -> Tensor
    private var triples = BPRTriples(users: [], positives: [], negatives: [])

    public init(
        train: InteractionMatrix, batchSize: Int, triplesPerEpoch: Int? = nil, rng: RandomGenerator,
        loss: @escaping (_ users: [Int32], _ positives: [Int32], _ negatives: [Int32]) -> Tensor
    ) {
        self.train = train
        self.batchSize = batchSize
        self.triplesPerEpoch = triplesPerEpoch ?? train.nonZeroCount
        sampler = NegativeSampler(train: train)
        self.rng = rng
        self.loss = loss
    }

    public mutating func beginEpoch(_ epoch: Int) -> Int {
        triples = BPRTriples.uniformUsers(train, count: triplesPerEpoch, sampler: sampler, rng: rng)
        return (triples.count + batchSize - 1) / batchSize
    }

    public mutating func step(_ k: Int, learningRate: Float) throws -> StepOutput {
        let range = (k * batchSize)..<min(triples.count, (k + 1) * batchSize)
        let value = loss(Array(triples.users[range]), Array(triples.positives[range]), Array(triples.negatives[range]))
        return .loss(value, examples: range.count)
    }
}

/// Row-wise training (autoencoders): each epoch shuffles the rows (users or items) and hands
/// batches of row indices to the model, with the global step (for annealing schedules).
public struct RowStrategy: TrainingStrategy {
    let rowCount: Int, batchSize: Int
    let rng: RandomGenerator
    let loss: (_ rows: [Int32], _ step: Int) -> Tensor
    private var order: [Int32] = []
    private var globalStep = 0

    public init(
        rowCount: Int, batchSize: Int, rng: RandomGenerator,
        loss: @escaping (_ rows: [Int32], _ step: Int) -> Tensor
    ) {
        self.rowCount = rowCount
        self.batchSize = batchSize
        self.rng = rng
        self.loss = loss
    }

    public mutating func beginEpoch(_ epoch: Int) -> Int {
        order = rng.permutation(rowCount).map(Int32.init)
        return (rowCount + batchSize - 1) / batchSize
    }

    public mutating func step(_ k: Int, learningRate: Float) throws -> StepOutput {
        globalStep += 1
        let rows = Array(order[(k * batchSize)..<min(rowCount, (k + 1) * batchSize)])
        return .loss(loss(rows, globalStep), examples: rows.count)
    }
}

/// One step per epoch on all the data (the toy examples: full-batch gradient descent).
public struct FullBatchStrategy: TrainingStrategy {
    let loss: () -> Tensor

    public init(loss: @escaping () -> Tensor) { self.loss = loss }

    public mutating func beginEpoch(_ epoch: Int) -> Int { 1 }

    public mutating func step(_ k: Int, learningRate: Float) throws -> StepOutput { .loss(loss(), examples: 1) }
}
