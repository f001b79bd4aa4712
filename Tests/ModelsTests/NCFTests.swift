import Foundation
import Models
import RecKit
import TensorCore
import XCTest

/// GMF, MLP and NeuMF on hand-made cases, and the document's evaluation next to the per-user one.
final class NCFModelTests: XCTestCase {
    func testGMFWithUnitWeightsIsMF() {
        let gmf = GMF(userCount: 2, itemCount: 2, factors: 3, rng: RandomGenerator(seed: 1))
        gmf.predict.weight.assign([1, 1, 1])
        gmf.predict.bias?.assign([0])
        let p = gmf.userEmbedding.table.row(1), q = gmf.itemEmbedding.table.row(0)
        let logit = Tensor.withoutGrad { gmf([1], [0]).item }
        XCTAssertEqual(logit, zip(p, q).map(*).reduce(0, +), accuracy: 1e-7)
    }

    func testPyramidAndShapes() {
        XCTAssertEqual(MLP.pyramid(factors: 8, layers: 3), [64, 32, 16, 8])
        XCTAssertEqual(MLP.pyramid(factors: 32, layers: 4), [512, 256, 128, 64, 32])
        var config = NCFConfig(mode: .standard)
        config.factors = 4
        let model = NeuMF(userCount: 5, itemCount: 7, config: config, rng: RandomGenerator(seed: 2))
        XCTAssertEqual(model.mlp.userEmbedding.table.shape, [5, 16])
        XCTAssertEqual(model([0, 1, 4], [6, 0, 3]).shape, [3])
        XCTAssertEqual(model.predict.inputSize, 8)
    }

    /// A full ranking splits the MLP's first layer into a user half and an item half; the scores are
    /// the pairs' own, with dropout in the tower, every weight and bias of order one (not the tiny
    /// initial embeddings, under which every score is nearly the same) and more users than one chunk holds.
    func testFullRankingScoresEqualThePairsScores() {
        var config = NCFConfig(mode: .standard)
        (config.factors, config.dropout) = (4, 0.3)
        let (users, items) = (40, 900)
        let neumf = NeuMF(userCount: users, itemCount: items, config: config, rng: RandomGenerator(seed: 5))
        let mlp = MLP(userCount: users, itemCount: items, config: config, rng: RandomGenerator(seed: 6))
        for (k, p) in (neumf.parameters + mlp.parameters).enumerated() {
            p.assign((0..<p.data.count).map { sin(Float($0) * 0.73 + Float(k)) * 0.8 })
        }
        let who: [Int32] = Array(0..<Int32(users)).reversed()
        let each = who.flatMap { [Int32](repeating: $0, count: items) }
        let all = (0..<who.count).flatMap { _ in 0..<Int32(items) }
        for model in [neumf, mlp] as [any NCFModel] {
            let fast = model.scores(users: who), slow = model.predict(users: each, items: all)
            XCTAssertEqual(fast.count, slow.count)
            let worst = zip(fast, slow).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-5, model.name)
            XCTAssertGreaterThan(Set(fast.map { ($0 * 1e3).rounded() }).count, 1000, "the scores vary")
        }
        // The split path is the one that ran (the pairs' path would pass the comparison too), and training resumes.
        for tower in [neumf.mlp, mlp] {
            XCTAssertEqual((tower.tower.layers.first as? Dropout)?.isTraining, true, "training mode is restored")
            XCTAssertNotNil(tower.firstLayerSplit(), "a tower of [p_u ; q_i] -> Linear splits")
        }
    }

    func testPretrainedNeuMFCombinesBothHeads() {
        let rng = RandomGenerator(seed: 3)
        let gmf = GMF(userCount: 3, itemCount: 4, factors: 2, rng: rng)
        let mlp = MLP(userCount: 3, itemCount: 4, factors: 2, layers: 2, dropout: 0, rng: rng)
        let neumf = NeuMF(pretrainedGMF: gmf, pretrainedMLP: mlp, alpha: 0.5)
        // With alpha = 0.5 the pre-trained NeuMF's logit is the average of the two logits.
        let expected = Tensor.withoutGrad { (gmf([1, 2], [3, 0]) + mlp([1, 2], [3, 0])) * 0.5 }
        let got = Tensor.withoutGrad { neumf([1, 2], [3, 0]) }
        XCTAssertEqual(got.data[0], expected.data[0], accuracy: 1e-6)
        XCTAssertEqual(got.data[1], expected.data[1], accuracy: 1e-6)
    }

    func testDocumentEvaluationMixesUsersButPerUserDoesNot() {
        // Two users, 12 rows each; predictions perfectly ordered within each user, but user 1's
        // predictions are all higher than user 0's.
        var users: [Int32] = [], predictions: [Float] = [], ratings: [Float] = []
        for u in 0..<2 {
            for k in 0..<12 {
                users.append(Int32(u))
                ratings.append(k < 4 ? 5 : 1)  // 4 relevant items each
                predictions.append(Float(u * 100 + 12 - k))  // relevant ranked first
            }
        }
        let perUser = perUserEvaluation(users: users, predictions: predictions, ratings: ratings, k: 10)
        XCTAssertEqual(perUser.recall, 1, accuracy: 1e-12)  // each user's 4 relevant items are in its top 10
        XCTAssertEqual(perUser.ndcg, 1, accuracy: 1e-12)
        let document = documentEvaluation(predictions: predictions, ratings: ratings, batchSize: 24, k: 10)
        // One batch: the top 10 are all user 1's rows (4 relevant of the batch's 8).
        XCTAssertEqual(document.precision, 0.4, accuracy: 1e-12)
        XCTAssertEqual(document.recall, 0.5, accuracy: 1e-12)
    }

    /// The per-user means sum the users in user order, so a run's numbers do not depend on a dictionary's
    /// per-process order (chapter 2's per_user_ndcg@10 differed in its last digits between two runs).
    func testPerUserEvaluationSumsInUserOrder() {
        let rng = RandomGenerator(seed: 8)
        var users: [Int32] = [], predictions: [Float] = [], ratings: [Float] = []
        for u in (0..<300).reversed() {
            for _ in 0..<(3 + u % 7) {
                users.append(Int32(u))
                predictions.append(rng.nextFloat())
                ratings.append(Float(1 + rng.nextInt(below: 5)))
            }
        }
        var (p, n, count) = (0.0, 0.0, 0)
        for u in 0..<Int32(300) {
            let rows = users.indices.filter { users[$0] == u }
            let relevant = Set(rows.filter { ratings[$0] > 3.5 }.map { Int32($0) })
            guard !relevant.isEmpty else { continue }
            let ranked = rows.sorted { (predictions[$0], -$0) > (predictions[$1], -$1) }.map { Int32($0) }
            let m = UserMetrics.compute(ranked: ranked, relevant: relevant, k: 10)
            (p, n, count) = (p + m.precision, n + m.ndcg, count + 1)
        }
        let summary = perUserEvaluation(users: users, predictions: predictions, ratings: ratings, k: 10)
        XCTAssertEqual(summary.groups, count)
        XCTAssertEqual(summary.precision, p / Double(count))  // exactly: the same additions in the same order
        XCTAssertEqual(summary.ndcg, n / Double(count))
    }
}
