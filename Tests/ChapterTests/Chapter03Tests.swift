import Chapter03Item2Vec
import Models
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class Item2VecDocumentTests: XCTestCase {
    func testDocumentHelpers() {
        let pairs = DocumentSkipGram.skipgramPairs(["a", "b", "c", "d"], window: 2)
        XCTAssertEqual(pairs.count, 10)
        XCTAssertEqual(pairs.prefix(3).map { "\($0.0)\($0.1)" }, ["ab", "ac", "ba"])
        let withNegatives = DocumentSkipGram.addNegatives(
            pairs, allItems: ["a", "b", "c", "d"], count: 5, rng: RandomGenerator(seed: 1))
        XCTAssertEqual(withNegatives.count, 60)
        // The document's bug: with a catalogue of only the session's items, every negative is a consumed item.
        XCTAssertTrue(withNegatives.filter { $0.2 == 0 }.allSatisfy { ["a", "b", "c", "d"].contains($0.1) })
    }

    func testPMIHandling() {
        // Items 0 and 1 co-occur; item 2 never co-occurs.
        let c: [Double] = [0, 4, 0, 4, 0, 0, 0, 0, 0]
        let (pmi, minusInfinity) = PMI.documentPMI(c, n: 3)
        XCTAssertEqual(minusInfinity, 2)  // (0,0) and (1,1)
        XCTAssertTrue(pmi[2].isNaN)  // 0/0 survives the clip
        let sppmi = PMI.shiftedPPMI(c, n: 3, shift: 1)
        XCTAssertFalse(sppmi.contains { $0.isNaN || $0.isInfinite })
        XCTAssertEqual(sppmi[1], log(2), accuracy: 1e-12)  // log(4 * 8 / (4 * 4))
    }
}

final class Chapter03RunTests: XCTestCase {
    static let run = runQuick(Item2VecChapter.self, plots: false)

    override class func tearDown() {
        try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent())
    }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testChapterNumbers() throws {
        XCTAssertNil(Self.run.error)
        let r = try XCTUnwrap(Self.run.results)
        XCTAssertEqual(r.values["document_session_pairs_window2"], 10)
        XCTAssertGreaterThan(try XCTUnwrap(r.values["document_negatives_consumed_share"]), 0)
        XCTAssertGreaterThan(try XCTUnwrap(r.values["document_pmi_nan_all_films"]), 0)
        let overlap = try XCTUnwrap(r.values["pmi_svd_sgns_neighbour_overlap"]),
            chance = try XCTUnwrap(r.values["pmi_svd_sgns_neighbour_overlap_chance"])
        XCTAssertGreaterThan(overlap, 3 * chance, "SVD of shifted PPMI and SGNS share neighbours well beyond chance")
        XCTAssertGreaterThan(try XCTUnwrap(r.values["sgns_dot_vs_shifted_pmi_correlation"]), 0.3)
        let pop = try XCTUnwrap(r.results.first { $0.model == "MostPopular" && $0.protocol == "next-item" })
        XCTAssertEqual(
            pop.metrics["HR@10"]!, 0.0786, accuracy: 0.002, "the peers' popularity floor for this protocol is 0.0786")
        let long = try XCTUnwrap(r.results.first { $0.model.hasPrefix("Item2Vec, 10") })
        XCTAssertGreaterThan(long.metrics["HR@10"]!, 0.03)
    }
}
