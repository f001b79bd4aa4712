import Foundation
import Models
import RecKit
import TensorCore
import XCTest

final class GNNModelTests: XCTestCase {
    func testNormalizedAdjacencyIsSymmetricWithInverseSqrtDegrees() {
        let train = ToyData.ncfMatrix()
        let a = normalizedAdjacency(train)
        XCTAssertEqual(a.nonZeroCount, 2 * train.nonZeroCount)
        func weight(_ r: Int, _ c: Int) -> Float? {
            a.columns[a.rowStart[r]..<a.rowStart[r + 1]].firstIndex(of: Int32(c)).map { a.values[$0] }
        }
        // user 1 (4 items) - item 3 (node 6, 4 users): 1/4.
        XCTAssertEqual(weight(0, 6), 0.25)
        XCTAssertEqual(weight(6, 0), 0.25)
        XCTAssertNil(weight(0, 1), "no user-user edges")
    }

    func testLightGCNWithNoLayersIsMatrixFactorisation() {
        let model = LightGCN(train: ToyData.ncfMatrix(), dimension: 4, layers: 0, rng: RandomGenerator(seed: 1))
        XCTAssertEqual(Tensor.withoutGrad { model.propagate() }.data, model.ego.data)
    }

    func testLightGCNLayerMeanByHand() {
        let train = ToyData.ncfMatrix()
        let model = LightGCN(train: train, dimension: 2, layers: 1, rng: RandomGenerator(seed: 2))
        let a = normalizedAdjacency(train)
        let expected = Tensor.withoutGrad { (model.ego + a.matmul(model.ego)) * 0.5 }
        XCTAssertEqual(Tensor.withoutGrad { model.propagate() }.data, expected.data)
    }

    /// NGCF's one product with stacked weights is the paper's layer, written with its two products.
    func testNGCFLayerByHand() {
        let train = ToyData.ncfMatrix()
        let model = NGCF(train: train, dimension: 3, layers: 1, messageDropout: 0, rng: RandomGenerator(seed: 4))
        let (a, e, w1, w2) = (normalizedAdjacency(train), model.ego, model.transforms[0], model.interactions[0])
        w1.bias?.data = [0.1, -0.2, 0.3]  // both biases count
        w2.bias?.data = [0.05, 0.4, -0.1]
        let expected = Tensor.withoutGrad {
            let side = a.matmul(e)
            let next = (w1(side + e) + w2(side * e)).leakyRelu(slope: 0.2)
            return Tensor.concat([e, next / (next.pow(2).sum(axis: 1, keepDims: true) + 1e-12).sqrt()])
        }
        let got = Tensor.withoutGrad { model.propagate() }
        XCTAssertEqual(got.shape, expected.shape)
        for (x, y) in zip(got.data, expected.data) { XCTAssertEqual(x, y, accuracy: 1e-6) }
    }

    func testBPRTrainingLowersTheLossOnTheToyGraph() throws {
        let train = ToyData.ncfMatrix()
        let users: [Int32] = [0, 1, 2, 3], positives: [Int32] = [0, 1, 3, 4], negatives: [Int32] = [3, 0, 0, 1]
        for model in [
            LightGCN(train: train, dimension: 8, layers: 2, rng: RandomGenerator(seed: 3)) as any GraphModel,
            NGCF(train: train, dimension: 8, layers: 2, messageDropout: 0, rng: RandomGenerator(seed: 3)),
        ] {
            let first = model.bprLoss(users: users, positives: positives, negatives: negatives, l2: 0).item
            var strategy = FullBatchStrategy {
                model.bprLoss(users: users, positives: positives, negatives: negatives, l2: 0)
            }
            let record = try Trainer("BPR", settings: .fixed(100))
                .fit(&strategy, model: model, optimizer: Adam(model.parameters), learningRate: 0.01)
            XCTAssertLessThan(record.losses.last ?? .nan, Double(first) * 0.5, "\(type(of: model))")
        }
    }
}
