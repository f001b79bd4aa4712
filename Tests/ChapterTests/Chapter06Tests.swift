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
        let mf = try XCTUnwrap(r.results.first { $0.model == "MF-BPR" })
        XCTAssertGreaterThan(mf.metrics["Recall@20"]!, 0.015)
        // Each graph model carries its interval, its budget, and the paired comparison the summary reads.
        for name in ["MF-BPR", "LightGCN", "NGCF"] {
            let entry = try XCTUnwrap(r.results.first { $0.model == name })
            let bounds = try XCTUnwrap(entry.intervals?["Recall@20"])
            XCTAssertTrue(bounds[0] <= entry.metrics["Recall@20"]! && entry.metrics["Recall@20"]! <= bounds[1])
            XCTAssertGreaterThan(entry.steps ?? 0, 0)
        }
        let light = try XCTUnwrap(r.results.first { $0.model == "LightGCN" })
        XCTAssertEqual(
            try XCTUnwrap(r.values["LightGCN_minus_MF-BPR_Recall@20"]),
            light.metrics["Recall@20"]! - mf.metrics["Recall@20"]!, accuracy: 1e-9)
        // The depth sweep is scored on validation.
        for l in 0...4 { XCTAssertNotNil(r.values["layers_\(l)_validation_NDCG@20"]) }
        // Over-smoothing: trained item embeddings grow more alike with depth.
        let c0 = try XCTUnwrap(r.values["layers_0_mean_item_cosine"]),
            c4 = try XCTUnwrap(r.values["layers_4_mean_item_cosine"])
        XCTAssertGreaterThan(c4, c0)
        XCTAssertGreaterThan(
            try XCTUnwrap(r.values["layers_4_mean_item_cosine_untrained"]),
            try XCTUnwrap(r.values["layers_0_mean_item_cosine_untrained"]))
    }
}
