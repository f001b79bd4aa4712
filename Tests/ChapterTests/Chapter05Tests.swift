import Chapter05EASE
import Models
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class Chapter05RunTests: XCTestCase {
    static let run = runQuick(EASEChapter.self, plots: false)

    override class func tearDown() {
        try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent())
    }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testEASEBeatsTheBaselinesWithLambdaChosenOnValidation() throws {
        XCTAssertNil(Self.run.error)
        let results = try XCTUnwrap(Self.run.results)
        let ease = try XCTUnwrap(results.results.first { $0.model.hasPrefix("EASE") })
        let knn = try XCTUnwrap(results.results.first { $0.model.hasPrefix("ItemKNN") })
        let pop = try XCTUnwrap(results.results.first { $0.model == "MostPopular" })
        XCTAssertEqual(ease.protocol, "holdout-20")
        XCTAssertGreaterThan(ease.metrics["Recall@20"]!, knn.metrics["Recall@20"]!)
        XCTAssertGreaterThan(ease.metrics["NDCG@20"]!, pop.metrics["NDCG@20"]! * 1.8)
        let chosen = try XCTUnwrap(results.values["chosen_lambda"])
        // The chosen λ maximises validation NDCG@20 over the grid.
        let validation = results.values.filter { $0.key.hasSuffix("_validation_NDCG@20") }
        XCTAssertEqual(validation["lambda_\(Int(chosen))_validation_NDCG@20"], validation.values.max())
        let share = try XCTUnwrap(results.values["negative_weight_share"])
        XCTAssertGreaterThan(share, 0.2)
        XCTAssertLessThan(share, 0.8)
        XCTAssertEqual(results.values["scale_items"], 1_500)
        // The comparison with the deep models reuses stored models and carries intervals and a paired difference.
        let stored = try XCTUnwrap(results.results.first { $0.model == "EASE" })
        XCTAssertNotNil(stored.intervals?["Recall@20"])
        let deep = results.results.filter { ["NeuMF", "Item2Vec", "Mult-VAE"].contains($0.model) }
        XCTAssertEqual(Set(deep.map(\.model)), ["NeuMF", "Item2Vec", "Mult-VAE"])
        let gap = try XCTUnwrap(results.values["ease_minus_best_deep_Recall@20"])
        let bestDeep = try XCTUnwrap(deep.map { $0.metrics["Recall@20"]! }.max())
        XCTAssertEqual(gap, stored.metrics["Recall@20"]! - bestDeep, accuracy: 1e-9)
    }
}
