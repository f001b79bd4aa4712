import TensorCore
import XCTest

final class OptimizerTests: XCTestCase {
    /// Trains a small embedding-plus-linear model for a few steps and returns the table.
    private func train(sparse: Bool, batches: [[Int32]], make: ([Tensor]) -> any Optimizer) -> [Float] {
        let rng = RandomGenerator(seed: 7)
        let embedding = Embedding(count: 6, dimension: 3, sparse: sparse, rng: rng)
        let head = Linear(3, 1, rng: rng)
        let optimizer = make(embedding.parameters + head.parameters)
        for batch in batches {
            optimizer.zeroGrad()
            let target = Tensor(batch.map { Float($0 % 2) }, shape: [batch.count, 1])
            Loss.mse(head(embedding(batch)), target).backward()
            optimizer.step()
        }
        return embedding.table.data
    }

    private let partial: [[Int32]] = [[0, 1, 1], [2, 5], [1, 3, 3, 0]]
    private let everyRow: [[Int32]] = [[0, 1, 2, 3, 4, 5, 5], [5, 4, 3, 2, 1, 0]]

    func testSparseSGDEqualsDense() {
        let make: ([Tensor]) -> any Optimizer = { SGD($0, learningRate: 0.1) }
        XCTAssertEqual(
            train(sparse: true, batches: partial, make: make), train(sparse: false, batches: partial, make: make))
    }

    func testSparseAdagradEqualsDense() {
        let make: ([Tensor]) -> any Optimizer = { Adagrad($0, learningRate: 0.1) }
        XCTAssertEqual(
            train(sparse: true, batches: partial, make: make), train(sparse: false, batches: partial, make: make))
    }

    func testSparseAdamEqualsDenseWhenEveryRowIsTouched() {
        let make: ([Tensor]) -> any Optimizer = { Adam($0, learningRate: 0.01, weightDecay: 0.01) }
        let sparse = train(sparse: true, batches: everyRow, make: make)
        let dense = train(sparse: false, batches: everyRow, make: make)
        XCTAssertEqual(sparse, dense, accuracy: 1e-7)
    }

    func testLazyAdamLeavesUntouchedRowsAlone() {
        let rng = RandomGenerator(seed: 1)
        let embedding = Embedding(count: 4, dimension: 2, rng: rng)
        let before = embedding.table.data
        let adam = Adam(embedding.parameters, learningRate: 0.1)
        embedding([1]).sum().backward()
        adam.step()
        XCTAssertEqual(Array(embedding.table.data[0..<2]), Array(before[0..<2]))
        XCTAssertEqual(Array(embedding.table.data[4..<8]), Array(before[4..<8]))
        // The first Adam step moves each touched weight by lr * g/|g| (bias-corrected m/sqrt(v)).
        XCTAssertEqual(Array(embedding.table.data[2..<4]), Array(before[2..<4]).map { $0 - 0.1 }, accuracy: 1e-6)
    }

    func testSGDMomentumKnownValues() {
        let w = Tensor([1], requiresGrad: true)
        let sgd = SGD([w], learningRate: 0.1, momentum: 0.9)
        for _ in 0..<2 { sgd.zeroGrad(); (w * 2).sum().backward(); sgd.step() }
        // v1 = 2, w = 0.8; v2 = 0.9*2 + 2 = 3.8, w = 0.8 - 0.38 = 0.42
        XCTAssertEqual(w.data[0], 0.42, accuracy: 1e-6)
    }

    func testAdamMinimisesAQuadratic() {
        let w = Tensor([5, -3], requiresGrad: true)
        let adam = Adam([w], learningRate: 0.1)
        for _ in 0..<500 { adam.zeroGrad(); ((w - Tensor([1, 2])).pow(2)).sum().backward(); adam.step() }
        XCTAssertEqual(w.data, [1, 2], accuracy: 1e-2)
    }

    func testTrainingIsDeterministic() {
        func run(seed: UInt64) -> [Float] {
            let rng = RandomGenerator(seed: seed)
            let model = Sequential([
                Linear(4, 8, rng: rng), Activation.relu, Dropout(0.2, rng: rng), Linear(8, 1, rng: rng),
            ])
            let adam = Adam(model.parameters)
            let x = Tensor.randomNormal([16, 4], rng: rng), y = Tensor.randomNormal([16, 1], rng: rng)
            for _ in 0..<20 { adam.zeroGrad(); Loss.mse(model(x), y).backward(); adam.step() }
            return model.parameters.flatMap(\.data)
        }
        XCTAssertEqual(run(seed: 1), run(seed: 1))
        XCTAssertNotEqual(run(seed: 1), run(seed: 2))
    }

    func testStepLR() {
        let sgd = SGD([Tensor([0], requiresGrad: true)], learningRate: 1)
        let schedule = StepLR(sgd, stepSize: 2, gamma: 0.5)
        var rates: [Float] = []
        for _ in 0..<5 { schedule.step(); rates.append(sgd.learningRate) }
        XCTAssertEqual(rates, [1, 0.5, 0.5, 0.25, 0.25])
    }

    func testReduceLROnPlateau() {
        let sgd = SGD([Tensor([0], requiresGrad: true)], learningRate: 1)
        let plateau = ReduceLROnPlateau(sgd, factor: 0.5, patience: 2)
        let losses: [Float] = [1, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8]
        var rates: [Float] = []
        for l in losses { plateau.step(l); rates.append(sgd.learningRate) }
        // Three epochs without improvement (more than patience 2) lower the rate.
        XCTAssertEqual(rates, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25])
    }

    func testEarlyStopping() {
        var stopper = EarlyStopping(patience: 2, minDelta: 0.01)
        // 0.795 and 0.792 are not better than 0.8 by more than 0.01: two bad epochs stop it.
        let stops = [1.0, 0.8, 0.795, 0.792].map { stopper.update(Float($0)) }
        XCTAssertEqual(stops, [false, false, false, true])
        XCTAssertEqual(stopper.bestEpoch, 2)
        XCTAssertEqual(stopper.bestLoss, 0.8)
    }
}
