// What the row autoencoders share: a user's training row as dense or sparse input, and the
// row-wise training loop over batches of users.
//
// Shapes: B = batch of users, I = items.

import Foundation
import RecKit
import TensorCore

/// The binary training rows of `users`: [B, I].
public func interactionRows(_ train: InteractionMatrix, _ users: [Int32]) -> Tensor {
    let n = train.itemCount
    var x = [Float](repeating: 0, count: users.count * n)
    for (b, u) in users.enumerated() { for i in train.items(of: Int(u)) { x[b * n + Int(i)] = 1 } }
    return Tensor(x, shape: [users.count, n])
}

/// The binary training rows of `users` as a sparse matrix [B, I].
public func sparseRows(_ train: InteractionMatrix, _ users: [Int32]) -> SparseMatrix {
    var rowStart = [0], columns: [Int32] = []
    for u in users {
        columns += train.items(of: Int(u))
        rowStart.append(columns.count)
    }
    return SparseMatrix(
        rowCount: users.count, columnCount: train.itemCount, rowStart: rowStart, columns: columns,
        values: [Float](repeating: 1, count: columns.count))
}

/// Trains a user-row model: `Trainer` over shuffled batches of users, Adam.
func fitRows(
    _ model: any Module, label: String, input: FitInput, settings: TrainerSettings, batchSize: Int,
    learningRate: Float, recommender: any Recommender, loss: @escaping ([Int32], Int) -> Tensor
) throws
    -> TrainingRecord
{
    var strategy = RowStrategy(
        rowCount: input.train.userCount, batchSize: batchSize, rng: input.rng(label + "-order"),
        loss: loss)
    return try Trainer(label, settings: settings, progress: input.progress)
        .fit(
            &strategy, model: model, optimizer: Adam(model.parameters), learningRate: learningRate,
            validation: input.validationHook(recommender)
        ) { try input.afterEpoch?($0, recommender) }
}
