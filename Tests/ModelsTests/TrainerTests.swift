import Foundation
import Models
import RecKit
import TensorCore
import XCTest

/// The one trainer: early stopping keeps the best weights, patience counts evaluations, a loss
/// that is not a number stops training with a message, and the schedules move the rate.
final class TrainerTests: XCTestCase {
    /// Minimises (w - target)^2 one full-batch step an epoch.
    func quadratic(target: Float = 3) -> (Tensor, FullBatchStrategy) {
        let w = Tensor([0], requiresGrad: true)
        return (w, FullBatchStrategy { (w - Tensor([target])).pow(2).sum() })
    }

    func testEarlyStoppingKeepsTheBestEpochsWeights() throws {
        let (w, start) = quadratic()
        var strategy = start
        // A validation score that peaks at epoch 4 and falls after it.
        var epoch = 0
        var weightsAt: [Int: Float] = [:]
        let hook = ValidationHook(name: "score", higherIsBetter: true) {
            epoch += 1
            weightsAt[epoch] = w.data[0]
            return -abs(Double(epoch) - 4)
        }
        let record = try Trainer("q", settings: TrainerSettings(maxEpochs: 50, patience: 3))
            .fit(
                &strategy, model: ParameterList([w]), optimizer: SGD([w], learningRate: 0.1), learningRate: 0.1,
                validation: hook)
        XCTAssertEqual(record.bestEpoch, 4)
        XCTAssertEqual(record.epochs, 7, "three evaluations without improvement after the best")
        XCTAssertTrue(record.stoppedEarly)
        XCTAssertEqual(w.data[0], weightsAt[4], "the best epoch's weights are restored")
        XCTAssertEqual(record.steps, 7)
        XCTAssertEqual(record.validation.map(\.epoch), Array(1...7))
    }

    func testWithoutPatienceEveryEpochRunsAndKeepBestCanBeOff() throws {
        let (w, start) = quadratic()
        var strategy = start
        var settings = TrainerSettings.fixed(10)
        settings.keepBest = false
        var calls = 0
        let hook = ValidationHook(name: "score", higherIsBetter: true) {
            calls += 1
            return calls == 2 ? 1 : 0
        }
        let record = try Trainer("q", settings: settings)
            .fit(
                &strategy, model: ParameterList([w]), optimizer: SGD([w], learningRate: 0.1), learningRate: 0.1,
                validation: hook)
        XCTAssertEqual(record.epochs, 10)
        XCTAssertEqual(record.bestEpoch, 2)
        // The last epoch's weights: ten SGD steps on (w - 3)^2 from 0 with rate 0.1.
        XCTAssertEqual(w.data[0], 3 * (1 - pow(0.8, 10)), accuracy: 1e-5)
    }

    func testALossThatIsNotANumberStopsWithAMessage() {
        let w = Tensor([1], requiresGrad: true)
        var strategy = FullBatchStrategy { (w * Float.infinity).sum() }
        XCTAssertThrowsError(
            try Trainer("inf", settings: .fixed(3))
                .fit(&strategy, model: ParameterList([w]), optimizer: SGD([w], learningRate: 0.1), learningRate: 0.1)
        ) {
            XCTAssertTrue("\($0)".contains("lower learning rate"), "\($0)")
        }
    }

    func testSchedules() throws {
        // Linear: from 1 to 0.1 over 10 planned steps.
        let (w, start) = quadratic()
        var strategy = start
        let optimizer = SGD([w], learningRate: 1)
        let record = try Trainer("linear", settings: .fixed(10, schedule: .linear(final: 0.1)))
            .fit(&strategy, model: ParameterList([w]), optimizer: optimizer, learningRate: 1)
        XCTAssertEqual(record.learningRates.first ?? 0, 1, accuracy: 1e-6, "step 0 used the initial rate")
        XCTAssertEqual(record.learningRates.last ?? 0, 1 - 0.9 * 0.9, accuracy: 1e-5)
        // Step: halved every 2 epochs.
        let (v, start2) = quadratic()
        var stepStrategy = start2
        let stepped = try Trainer("step", settings: .fixed(5, schedule: .step(epochs: 2, gamma: 0.5)))
            .fit(&stepStrategy, model: ParameterList([v]), optimizer: SGD([v], learningRate: 0.1), learningRate: 0.1)
        XCTAssertEqual(stepped.learningRates.map { ($0 * 1000).rounded() / 1000 }, [0.1, 0.05, 0.05, 0.025, 0.025])
        // Plateau: a validation score that never improves after epoch 1 halves the rate after
        // more than one evaluation without improvement (PyTorch's patience 1).
        let (u, start3) = quadratic()
        var plateauStrategy = start3
        let flat = ValidationHook(name: "flat", higherIsBetter: true) { 0 }
        let plateau = try Trainer("plateau", settings: .fixed(5, schedule: .plateau(factor: 0.5, patience: 1)))
            .fit(
                &plateauStrategy, model: ParameterList([u]), optimizer: SGD([u], learningRate: 0.1), learningRate: 0.1,
                validation: flat)
        XCTAssertEqual(plateau.learningRates.map { ($0 * 1000).rounded() / 1000 }, [0.1, 0.1, 0.05, 0.05, 0.025])
    }

    func testStrategiesDrawTheSameEpochsFromTheSameSeed() throws {
        let train = ToyMatrix.matrix
        func epoch(_ seed: UInt64) -> [[Int32]] {
            // The "loss" encodes the batch it was given, so equal losses mean equal triples.
            var s = PairwiseStrategy(train: train, batchSize: 4, rng: RandomGenerator(seed: seed)) {
                users, positives, negatives in
                Tensor(zip(users, zip(positives, negatives)).map { Float($0 * 100 + $1.0 * 10 + $1.1) }).sum()
            }
            let steps = s.beginEpoch(1)
            var out: [[Int32]] = []
            for k in 0..<steps {
                if case .loss(let t, _)? = try? s.step(k, learningRate: 0) { out.append([Int32(t.item)]) }
            }
            return out
        }
        XCTAssertEqual(epoch(1).count, (train.nonZeroCount + 3) / 4)
        XCTAssertEqual(epoch(1), epoch(1))
        XCTAssertNotEqual(epoch(1), epoch(2))
    }
}

enum ToyMatrix {
    static let matrix = ToyData.ncfMatrix()
}
