import Chapter02NCF
import Models
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

/// Chapter 2 in --quick mode (which needs MovieLens-100K: `swift run workbook data fetch`; CI
/// fetches it first). Its models are tested in ModelsTests.
final class Chapter02RunTests: XCTestCase {
    static let run = runQuick(NCFChapter.self)

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent())
    }

    func results() throws -> ChapterResults {
        XCTAssertNil(Self.run.error)
        return try XCTUnwrap(Self.run.results)
    }

    func entry(_ model: String, _ protocolName: String) throws -> ResultEntry {
        try XCTUnwrap(
            try results().results.first { $0.model == model && $0.protocol == protocolName }, "\(model) \(protocolName)"
        )
    }

    func testToyNeuMFFitsWhatMFCannot() throws {
        let values = try results().values
        let optimum = try XCTUnwrap(values["toy_squared_error_MF_K2_optimum"])
        XCTAssertEqual(optimum, 1.2958, accuracy: 1e-3)
        // GMF is a rank-2 matrix plus its output bias: bounded by that family's optimum, not MF's.
        let bound = try XCTUnwrap(values["toy_squared_error_rank2_plus_constant_optimum"])
        XCTAssertLessThan(bound, optimum)
        XCTAssertGreaterThanOrEqual(
            try XCTUnwrap(values["toy_squared_error_GMF"]), bound - 1e-3,
            "GMF cannot beat the rank-2-plus-constant optimum")
        XCTAssertLessThan(try XCTUnwrap(values["toy_squared_error_NeuMF"]), 0.1)
    }

    func testLooNumbersAreLabelledAndSensible() throws {
        let neumf = try entry("NeuMF", "loo-99"), pop = try entry("MostPopular", "loo-99")
        XCTAssertEqual(pop.metrics["HR@10"]!, 0.41, accuracy: 0.03)
        XCTAssertGreaterThan(neumf.metrics["HR@10"]!, pop.metrics["HR@10"]!, "even two epochs of NeuMF beat popularity")
        XCTAssertGreaterThan(neumf.metrics["NDCG@10"]!, 0)
        XCTAssertEqual(neumf.epochs, NCFConfig(mode: .quick).training.maxEpochs)
        XCTAssertNotNil(neumf.intervals?["HR@10"])
        XCTAssertNotNil(try entry("NeuMF (pre-trained)", "loo-99").metrics["HR@10"])
    }

    /// The same models and held-out items under 10, 99, 999 and all candidates: fewer candidates, a higher
    /// HR@10, and the 99 column is loo-99's own number.
    func testCandidateCountsRankTheSameHeldOutItems() throws {
        let values = try results().values
        for name in ["GMF", "MLP", "NeuMF", "MostPopular", "ItemKNN"] {
            let hr = try ["10", "99", "999", "all"].map { try XCTUnwrap(values["candidates_\($0)_\(name)_HR@10"]) }
            for k in 1..<4 { XCTAssertGreaterThanOrEqual(hr[k - 1] + 0.02, hr[k], "\(name): \(hr)") }
            XCTAssertGreaterThan(hr[0], 0.9, "an item among 11 is nearly always in the top 10")
            XCTAssertEqual(hr[1], try entry(name, "loo-99").metrics["HR@10"]!, accuracy: 1e-12)
        }
        XCTAssertNotNil(values["protocol_orders_agree"])
        XCTAssertLessThanOrEqual(
            try XCTUnwrap(values["protocol_pairs_reversed_confirmed"]), try XCTUnwrap(values["protocol_pairs_reversed"])
        )
    }

    func testRegressionAndTheDocumentsEvaluation() throws {
        let rmse = try entry("NeuMF regression", "ratings-80-20").metrics["RMSE"]!
        let meanRMSE = try entry("global mean", "ratings-80-20").metrics["RMSE"]!
        XCTAssertLessThan(rmse, meanRMSE, "the regression beats the global mean")
        let values = try results().values
        XCTAssertLessThan(
            try XCTUnwrap(values["document_evaluate_recall@10"]), try XCTUnwrap(values["per_user_recall@10"]))
    }

    func testFiguresWritten() throws {
        let figures = try results().figures
        for name in [
            "training-loss", "hr-vs-factors", "hr-vs-negatives", "hr-vs-candidates", "regression-loss",
        ] {
            XCTAssertTrue(figures.contains { $0.hasSuffix("/\(name).png") || $0.hasSuffix("/\(name).gp") }, name)
        }
    }
}
