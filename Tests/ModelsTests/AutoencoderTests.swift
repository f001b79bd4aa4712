import Foundation
import Models
import RecKit
import TensorCore
import XCTest

final class AutoencoderModelTests: XCTestCase {
    func testAutoRecLossCountsObservedEntriesOnly() {
        let model = AutoRec(features: 3, hidden: 2, rng: RandomGenerator(seed: 1))
        let r = Tensor(rows: [[5, 0, 3]])
        let prediction = Tensor.withoutGrad { model(r) }
        let expected = pow(prediction.data[0] - 5, 2) + pow(prediction.data[2] - 3, 2)
        let loss = Tensor.withoutGrad { model.loss(SparseMatrix(dense: r), lambda: 0, share: 1) }
        XCTAssertEqual(loss.item, expected, accuracy: 1e-4)
    }

    /// The decoder evaluated at the observed entries only gives the masked loss of the full
    /// reconstruction, and the same gradients for every weight.
    func testAutoRecSampledDecoderEqualsTheMaskedFullOne() {
        let rng = RandomGenerator(seed: 3)
        let dense = Tensor((0..<(12 * 40)).map { _ in rng.nextFloat() < 0.15 ? Float(1 + rng.nextInt(below: 5)) : 0 },
                           shape: [12, 40])
        let mask = Tensor(dense.data.map { $0 > 0 ? 1 : 0 }, shape: [12, 40])
        func run(_ sampled: Bool) -> (loss: Float, grads: [[Float]]) {
            let model = AutoRec(features: 40, hidden: 7, rng: RandomGenerator(seed: 9))
            let loss =
                sampled
                ? model.loss(SparseMatrix(dense: dense), lambda: 0.3, share: 0.5)
                : ((model(dense) - dense).pow(2) * mask).sum()
                    + (model.encoder.weight.sumOfSquares() + model.decoder.weight.sumOfSquares()) * (0.3 / 2 * 0.5)
            loss.backward()
            return (loss.item, model.parameters.map { $0.grad ?? [] })
        }
        let (sampled, full) = (run(true), run(false))
        XCTAssertEqual(sampled.loss, full.loss, accuracy: 1e-3 * abs(full.loss))
        for (a, b) in zip(sampled.grads, full.grads) {
            XCTAssertEqual(a.count, b.count)
            XCTAssertFalse(a.isEmpty, "every weight gets a gradient")
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-4 + 1e-4 * abs(y)) }
        }
    }

    func testMultVAEIsDeterministicInEvaluation() {
        let model = MultVAE(items: 6, hidden: 4, latent: 2, rng: RandomGenerator(seed: 2))
        model.setTraining(false)
        let x = SparseMatrix(dense: Tensor(rows: [[1, 0, 1, 0, 0, 1]]))
        let a = Tensor.withoutGrad { model(x).logits.data }, b = Tensor.withoutGrad { model(x).logits.data }
        XCTAssertEqual(a, b, "evaluation uses z = μ and no dropout")
        XCTAssertEqual(MultVAE.beta(step: 50, total: 100), 0.1, accuracy: 1e-12)
        XCTAssertEqual(MultVAE.beta(step: 500, total: 100), 0.2, accuracy: 1e-12)
    }

    func testMultVAESparseInputPath() {
        // Rows normalised to unit length, dropout keeps about half and doubles what it keeps,
        // and the sparse path gives the dense input's logits and loss.
        let rng = RandomGenerator(seed: 4)
        let dense = Tensor((0..<(30 * 50)).map { _ in rng.nextFloat() < 0.2 ? 1 : 0 }, shape: [30, 50])
        let x = SparseMatrix(dense: dense), normalised = x.rowsNormalized()
        for r in 0..<30 where x.rowStart[r + 1] > x.rowStart[r] {
            let norm = (normalised.rowStart[r]..<normalised.rowStart[r + 1]).reduce(Float(0)) {
                $0 + normalised.values[$1] * normalised.values[$1]
            }
            XCTAssertEqual(norm, 1, accuracy: 1e-5)
        }
        XCTAssertEqual(x.nonZeroCount, dense.data.filter { $0 != 0 }.count)
        let dropped = normalised.dropout(0.5, training: true, rng: RandomGenerator(seed: 5))
        XCTAssertEqual(Double(dropped.nonZeroCount) / Double(x.nonZeroCount), 0.5, accuracy: 0.1)
        for r in 0..<30 {
            for k in dropped.rowStart[r]..<dropped.rowStart[r + 1] {
                let j = normalised.rowStart[r]..<normalised.rowStart[r + 1]
                let original = j.first { normalised.columns[$0] == dropped.columns[k] }.map { normalised.values[$0] }
                XCTAssertEqual(dropped.values[k], 2 * (original ?? .nan), accuracy: 1e-6)
            }
        }
        XCTAssertEqual(normalised.dropout(0.5, training: false, rng: rng).values, normalised.values)
        let model = MultVAE(items: 50, hidden: 8, latent: 3, rng: RandomGenerator(seed: 6))
        model.setTraining(false)
        // The sparse path against the same network on dense, normalised rows (z = μ in evaluation).
        let b = Tensor.withoutGrad { () -> Tensor in
            let norm = (dense.pow(2).sum(axis: 1, keepDims: true) + 1e-12).sqrt()
            let mu = model.encoderOut(model.encoder(dense / norm).tanh()).chunk(2)[0]
            return model.decoderOut(model.decoder(mu).tanh())
        }
        let a = Tensor.withoutGrad { model(x).logits }
        for (p, q) in zip(a.data, b.data) { XCTAssertEqual(p, q, accuracy: 1e-5) }
        XCTAssertEqual(
            Loss.multinomialNLL(logits: a, counts: x).item, Loss.multinomialNLL(logits: a, counts: dense).item)
        let rows = sparseRows(InteractionMatrix(userCount: 2, itemCount: 4, users: [0, 0], items: [1, 3]), [1, 0])
        XCTAssertEqual(rows.rowStart, [0, 0, 2])
        XCTAssertEqual(rows.columns, [1, 3])
        XCTAssertEqual(rows.values, [1, 1])
    }

    func testCDAECorruptionDropsRoughlyQOfTheInput() {
        let model = CDAE(users: 1, items: 1000, hidden: 2, corruption: 0.5, rng: RandomGenerator(seed: 3))
        // With an identity-free check: the encoder input mask is applied only in training.
        model.setTraining(false)
        let x = Tensor.ones([1, 1000])
        let a = Tensor.withoutGrad { model(x, users: [0]).data }, b = Tensor.withoutGrad { model(x, users: [0]).data }
        XCTAssertEqual(a, b)
    }
}
