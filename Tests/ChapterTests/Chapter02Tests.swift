import Chapter02NCF
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

/// Chapter 2's models on hand-made cases, and the chapter run in --quick mode (which needs
/// MovieLens-100K: `swift run workbook data fetch`; CI fetches it first).
final class Chapter02ModelTests: XCTestCase {
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
        var config = NCFConfig()
        config.factors = 4
        let model = NeuMF(userCount: 5, itemCount: 7, config: config, rng: RandomGenerator(seed: 2))
        XCTAssertEqual(model.mlp.userEmbedding.table.shape, [5, 16])
        XCTAssertEqual(model([0, 1, 4], [6, 0, 3]).shape, [3])
        XCTAssertEqual(model.predict.inputSize, 8)
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
                ratings.append(k < 4 ? 5 : 1)                   // 4 relevant items each
                predictions.append(Float(u * 100 + 12 - k))     // relevant ranked first
            }
        }
        let perUser = perUserEvaluation(users: users, predictions: predictions, ratings: ratings, k: 10)
        XCTAssertEqual(perUser.recall, 1, accuracy: 1e-12)   // each user's 4 relevant items are in its top 10
        XCTAssertEqual(perUser.ndcg, 1, accuracy: 1e-12)
        let document = documentEvaluation(predictions: predictions, ratings: ratings, batchSize: 24, k: 10)
        // One batch: the top 10 are all user 1's rows (4 relevant of the batch's 8).
        XCTAssertEqual(document.precision, 0.4, accuracy: 1e-12)
        XCTAssertEqual(document.recall, 0.5, accuracy: 1e-12)
    }
}

final class Chapter02RunTests: XCTestCase {
    static let run = runQuick(NCFChapter.self)

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    override class func tearDown() { try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent()) }

    func results() throws -> ChapterResults {
        XCTAssertNil(Self.run.error)
        return try XCTUnwrap(Self.run.results)
    }

    func entry(_ model: String, _ protocolName: String) throws -> ResultEntry {
        try XCTUnwrap(try results().results.first { $0.model == model && $0.protocol == protocolName }, "\(model) \(protocolName)")
    }

    func testToyNeuMFFitsWhatMFCannot() throws {
        let values = try results().values
        let optimum = try XCTUnwrap(values["toy_squared_error_MF_K2_optimum"])
        XCTAssertEqual(optimum, 1.2958, accuracy: 1e-3)
        // GMF is a rank-2 matrix plus its output bias: bounded by that family's optimum, not MF's.
        let bound = try XCTUnwrap(values["toy_squared_error_rank2_plus_constant_optimum"])
        XCTAssertLessThan(bound, optimum)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(values["toy_squared_error_GMF"]), bound - 1e-3, "GMF cannot beat the rank-2-plus-constant optimum")
        XCTAssertLessThan(try XCTUnwrap(values["toy_squared_error_NeuMF"]), 0.1)
    }

    func testLooNumbersAreLabelledAndSensible() throws {
        let neumf = try entry("NeuMF", "loo-99"), pop = try entry("MostPopular", "loo-99")
        XCTAssertEqual(pop.metrics["HR@10"]!, 0.41, accuracy: 0.03)
        XCTAssertGreaterThan(neumf.metrics["HR@10"]!, pop.metrics["HR@10"]!, "even two epochs of NeuMF beat popularity")
        XCTAssertGreaterThan(neumf.metrics["NDCG@10"]!, 0)
        XCTAssertEqual(neumf.epochs, 2)
        XCTAssertNotNil(try entry("NeuMF (pre-trained)", "loo-99").metrics["HR@10"])
        XCTAssertNotNil(try entry("NeuMF", "holdout-20").metrics["Recall@20"])
        XCTAssertNotNil(try entry("ItemKNN", "holdout-20").metrics["NDCG@20"])
    }

    func testRegressionAndTheDocumentsEvaluation() throws {
        let rmse = try entry("NeuMF regression", "ratings-80-20").metrics["RMSE"]!
        let meanRMSE = try entry("global mean", "ratings-80-20").metrics["RMSE"]!
        XCTAssertLessThan(rmse, meanRMSE, "the regression beats the global mean")
        let values = try results().values
        XCTAssertLessThan(try XCTUnwrap(values["document_evaluate_recall@10"]), try XCTUnwrap(values["per_user_recall@10"]))
    }

    func testFiguresWritten() throws {
        let figures = try results().figures
        for name in ["hr-per-epoch", "ndcg-per-epoch", "training-loss", "hr-vs-factors", "hr-vs-negatives", "regression-loss"] {
            XCTAssertTrue(figures.contains { $0.hasSuffix("/\(name).png") || $0.hasSuffix("/\(name).gp") }, name)
        }
    }
}
