import Chapter05EASE
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class EASEModelTests: XCTestCase {
    func testClosedFormSatisfiesItsConditions() throws {
        let train = EASEChapter.toyMatrix()
        let ease = try EASE(train: train, lambda: 2)
        let n = 5
        // diag(B) = 0, and for every off-diagonal entry B = (G+λI)⁻¹ applied as -P_ij/P_jj:
        // equivalently (G + λI)(I - B) is diagonal (the KKT condition of the constrained problem).
        var g = EASE.gram(train)
        for i in 0..<n { XCTAssertEqual(ease.weight(i, i), 0) ; g[i * n + i] += 2 }
        for i in 0..<n {
            for j in 0..<n where i != j {
                let value = (0..<n).map { k in g[i * n + k] * ((k == j ? 1 : 0) - Double(ease.weight(k, j))) }.reduce(0, +)
                XCTAssertEqual(value, 0, accuracy: 1e-5, "(G + λI)(I - B) must be diagonal: entry \(i),\(j)")
            }
        }
    }

    func testGramCountsSharedUsers() {
        let g = EASE.gram(EASEChapter.toyMatrix())
        // Items 2 and 3 (indices 1, 2) are shared by users 1, 2 and 3.
        XCTAssertEqual(g[1 * 5 + 2], 3)
        XCTAssertEqual(g[2 * 5 + 2], 4)  // item 3's popularity
    }
}

final class Chapter05RunTests: XCTestCase {
    static let run = runQuick(EASEChapter.self, plots: false)

    override class func tearDown() { try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent()) }

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
    }
}
