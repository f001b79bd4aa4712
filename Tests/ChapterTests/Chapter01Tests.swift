import Chapter01MFLimits
import Foundation
import Narrative
import XCTest

/// Runs chapter 1 in --quick mode, as a reader would, and checks the numbers it reports.
final class Chapter01Tests: XCTestCase {
    /// One quick run shared by the tests.
    static let run = runQuick(MFLimitsChapter.self)
    static var output: URL { run.directory.deletingLastPathComponent() }
    static var results: ChapterResults? { run.results }

    override class func tearDown() { try? FileManager.default.removeItem(at: output) }

    func testChapterRan() { XCTAssertNil(Self.run.error) }

    func testResultsJSONOnDiskIsWhatWasRecorded() throws {
        let data = try Data(contentsOf: Self.run.directory.appendingPathComponent("results.json"))
        let decoded = try JSONDecoder().decode(ChapterResults.self, from: data)
        XCTAssertEqual(decoded.values, Self.results?.values)
        XCTAssertEqual(decoded.chapter, "01-mf-limits")
        XCTAssertEqual(decoded.mode, .quick)
    }

    func value(_ key: String) throws -> Double {
        try XCTUnwrap(Self.results?.values[key], "results.json has no \(key)")
    }

    func testDocumentJaccardValuesAreComputedNotCopied() throws {
        XCTAssertEqual(try value("document_jaccard_U1-U2"), 0.2, accuracy: 1e-12)
        XCTAssertEqual(try value("document_jaccard_U1-U3"), 0.2, accuracy: 1e-12)
        XCTAssertEqual(try value("document_jaccard_U2-U3"), 0.5, accuracy: 1e-12)
        XCTAssertEqual(try value("document_jaccard_U4-U1"), 0.5, accuracy: 1e-12)
    }

    func testPaperMatrixGivesTheQuotedSimilarities() throws {
        XCTAssertEqual(try value("paper_jaccard_u2u3"), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try value("paper_jaccard_u1u2"), 0.5, accuracy: 1e-12)
        XCTAssertEqual(try value("paper_jaccard_u1u3"), 0.4, accuracy: 1e-12)
        XCTAssertEqual(try value("paper_jaccard_u4u1"), 0.6, accuracy: 1e-12)
        XCTAssertEqual(try value("paper_jaccard_u4u3"), 0.4, accuracy: 1e-12)
        XCTAssertEqual(try value("paper_jaccard_u4u2"), 0.2, accuracy: 1e-12)
    }

    func testTwoDimensionalFoldInContradictsJaccard() throws {
        // The fold-in prefers user 2 over user 3, against Jaccard (0.2 < 0.4).
        XCTAssertGreaterThan(try value("k2_foldin_cosine_u2"), try value("k2_foldin_cosine_u3") + 0.1)
        XCTAssertGreaterThan(try value("k2_foldin_cosine_u1"), try value("k2_foldin_cosine_u2"))
        XCTAssertEqual(try value("k2_foldin_matches_jaccard"), 0)
        XCTAssertEqual(try value("k3_foldin_matches_jaccard"), 1)
        // Every direction with Jaccard's order reconstructs user 4 no better than zeros (‖r4‖² = 4).
        XCTAssertGreaterThan(try value("k2_directions_with_jaccard_order"), 0)
        XCTAssertEqual(try value("k2_best_error_with_jaccard_order"), 4, accuracy: 1e-9)
        XCTAssertLessThan(try value("k2_foldin_squared_error"), 2.5)
        XCTAssertEqual(try value("k2_best_error_any_direction"), try value("k2_foldin_squared_error"), accuracy: 1e-3)
    }

    func testGradientDescentMatchesTheSVD() throws {
        XCTAssertLessThan(try value("k2_largest_cosine_gap_svd_vs_gd"), 0.01)
        XCTAssertEqual(try value("k2_squared_error_gd"), try value("k2_squared_error_svd"), accuracy: 0.01)
        for k in 1...4 {
            XCTAssertEqual(
                try value("all_users_k\(k)_squared_error_gd"), try value("all_users_k\(k)_squared_error_svd"),
                accuracy: 0.02)
        }
        // The error falls with K and vanishes at K = 4 (four users).
        XCTAssertGreaterThan(try value("all_users_k1_squared_error_svd"), try value("all_users_k2_squared_error_svd"))
        XCTAssertEqual(try value("all_users_k4_squared_error_svd"), 0, accuracy: 1e-6)
    }

    func testTranscriptAndFigures() throws {
        let dir = Self.output.appendingPathComponent("01-mf-limits")
        let readme = try String(contentsOf: dir.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("> **Errata.**"))
        XCTAssertTrue(readme.contains("```swift\n/// |a ∩ b| / |a ∪ b|"), "listings come from the running source")
        let figures = try XCTUnwrap(Self.results?.figures)
        XCTAssertEqual(figures.count, 5)
        for name in ["latent-space-k2", "user4-directions", "user4-error", "error-vs-dimension", "mf-training-loss"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).gp").path), name)
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).dat").path), name)
            if findGnuplot() { XCTAssertTrue(readme.contains("![") && readme.contains("\(name).png"), name) }
        }
    }

    func testSameSeedSameNumbers() throws {
        let narrator = Narrator(style: TerminalStyle(width: 88, colour: false, interactiveProgress: false)) { _ in }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chapter1b-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let context = ChapterContext(
            chapter: MFLimitsChapter.self, options: ChapterOptions(mode: .quick, outputRoot: output, plots: false),
            narrator: narrator)
        try MFLimitsChapter.run(context)
        XCTAssertEqual(context.recorded.values, Self.results?.values)
    }
}

func findGnuplot() -> Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/gnuplot")
    }
}
