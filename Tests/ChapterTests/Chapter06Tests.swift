import Chapter06GNN
import Models
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class Chapter06RunTests: XCTestCase {
    static let run = runQuick(GNNChapter.self, plots: false)

    override class func tearDown() {
        try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent())
    }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testChapterNumbers() throws {
        XCTAssertNil(Self.run.error)
        let r = try XCTUnwrap(Self.run.results)
        let pop = try XCTUnwrap(r.results.first { $0.model == "MostPopular" })
        for name in ["LightGCN", "NGCF"] {
            let entry = try XCTUnwrap(r.results.first { $0.model == name }, name)
            XCTAssertEqual(entry.protocol, "holdout-20")
            XCTAssertGreaterThan(entry.metrics["Recall@20"]!, pop.metrics["Recall@20"]! * 0.5, name)
        }
        // MF-BPR starts slowly (three epochs here), but it has left random ranking (Recall@20 0.013) behind.
        XCTAssertGreaterThan(try XCTUnwrap(r.results.first { $0.model == "MF-BPR" }).metrics["Recall@20"]!, 0.015)
        // Over-smoothing: trained item embeddings grow more alike with depth.
        let c0 = try XCTUnwrap(r.values["layers_0_mean_item_cosine"]),
            c4 = try XCTUnwrap(r.values["layers_4_mean_item_cosine"])
        XCTAssertGreaterThan(c4, c0)
        XCTAssertGreaterThan(
            try XCTUnwrap(r.values["layers_4_mean_item_cosine_untrained"]),
            try XCTUnwrap(r.values["layers_0_mean_item_cosine_untrained"]))
    }
}
