import Chapter04Autoencoders
import Models
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class Chapter04RunTests: XCTestCase {
    static let run = runQuick(AutoencodersChapter.self, plots: false)

    override class func tearDown() {
        try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent())
    }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testChapterNumbers() throws {
        XCTAssertNil(Self.run.error)
        let r = try XCTUnwrap(Self.run.results)
        let autorec = try XCTUnwrap(r.results.first { $0.model == "I-AutoRec" })
        let mean = try XCTUnwrap(r.results.first { $0.model == "global mean" })
        XCTAssertEqual(autorec.protocol, "ratings-90-10")
        XCTAssertLessThan(
            autorec.metrics["RMSE"]!, mean.metrics["RMSE"]!, "three epochs of AutoRec beat the global mean")
        XCTAssertNotNil(autorec.intervals?["RMSE"], "the test RMSE carries a bootstrap interval")
        let vae = try XCTUnwrap(r.results.first { $0.model == "Mult-VAE" })
        let cdae = try XCTUnwrap(r.results.first { $0.model == "CDAE" })
        XCTAssertGreaterThan(vae.metrics["Recall@20"]!, 0)
        XCTAssertGreaterThan(cdae.metrics["Recall@20"]!, 0)
        XCTAssertNotNil(vae.intervals?["Recall@20"])
        for q in ["0.0", "0.2", "0.3", "0.5", "0.8", "0.5_rescaled"] {
            let v = try XCTUnwrap(r.values["cdae_q\(q)_validation_NDCG@20"], "corruption \(q) is scored on validation")
            XCTAssert(v > 0 && v < 1, "q \(q): \(v)")
        }
        let beta = try XCTUnwrap(r.values["multvae_final_beta"])
        XCTAssert(beta > 0 && beta <= 0.2 + 1e-9, "β is annealed towards its cap of 0.2, got \(beta)")
        XCTAssertNotNil(r.values["multvae_minus_multdae_Recall@20"])
        for h in [100, 500] {  // the quick plan's hidden sizes
            let v = try XCTUnwrap(
                r.values["autorec_hidden_\(h)_validation_RMSE"], "hidden \(h) is scored on validation")
            XCTAssert(v > 0.7 && v < 1.3, "hidden \(h): validation RMSE \(v)")
        }
    }
}
