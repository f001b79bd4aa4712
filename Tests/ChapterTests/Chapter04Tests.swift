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
        let vae = try XCTUnwrap(r.results.first { $0.model == "Mult-VAE" })
        let pop = try XCTUnwrap(r.results.first { $0.model.hasPrefix("CDAE (q = 0.0)") })
        XCTAssertGreaterThan(vae.metrics["Recall@20"]!, 0)
        XCTAssertGreaterThan(pop.metrics["Recall@20"]!, 0)
        XCTAssertNotNil(r.values["cdae_q0.5_rescaled_Recall@20"])
    }
}
