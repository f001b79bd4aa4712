import Foundation
import Narrative
import Plotting
import XCTest

/// A chapter that draws one figure, for the output-folder tests.
enum TinyChapter: Chapter {
    static let number = 99
    static let slug = "tiny"
    static let title = "A tiny chapter"
    static let summary = "one figure"
    static let exercises: [Exercise] = []
    static func run(_ context: ChapterContext) throws {
        context.narrator.prose("Run with seed \(context.options.seed).")
        try context.figure(
            Figure(
                name: "curve", title: "Loss", xLabel: "epoch", yLabel: "loss",
                kind: .lines([Series("train", perEpoch: [3, 2, 1])])))
        context.record("answer", 42)
    }
}

final class ChapterOutputTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("chapter-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func context(seed: UInt64 = 42, root: URL? = nil) -> ChapterContext {
        let narrator = Narrator(style: TerminalStyle(width: 80, colour: false, interactiveProgress: false)) { _ in }
        let options = ChapterOptions(seed: seed, outputRoot: root ?? self.root)
        return ChapterContext(chapter: TinyChapter.self, options: options, narrator: narrator)
    }
    var folder: URL { root.appendingPathComponent("99-tiny") }
    func readme() throws -> String {
        try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
    }
    func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() }

    /// A run that stops before `finish()` leaves the previous run's folder as it was, and no
    /// staging folder; a finished one replaces the folder whole.
    func testInterruptedRunNeverMixesWithThePreviousOutput() throws {
        let first = context(seed: 1)
        try TinyChapter.run(first)
        try first.finish()
        XCTAssertEqual(first.directory.standardizedFileURL.path, folder.standardizedFileURL.path)
        XCTAssertTrue(try readme().contains("seed 1"))
        try Data("stale".utf8).write(to: folder.appendingPathComponent("stale-figure.png"))

        var second: ChapterContext? = context(seed: 2)
        try second.map(TinyChapter.run)
        let staging = try XCTUnwrap(second?.directory)
        XCTAssertTrue(staging.lastPathComponent.hasPrefix(".99-tiny.partial-"), staging.path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: staging.appendingPathComponent("curve.gp").path))
        XCTAssertTrue(try readme().contains("seed 1"), "the finished run's folder is untouched while another runs")
        XCTAssertTrue(ChapterContext.outputStatus(of: TinyChapter.self, in: root).running.contains(getpid()))
        second = nil  // the run stops without finishing (an error): its staging folder goes
        XCTAssertEqual(try entries(), ["99-tiny"])
        XCTAssertTrue(try readme().contains("seed 1"))

        let third = context(seed: 3)
        try TinyChapter.run(third)
        try third.finish()
        XCTAssertTrue(try readme().contains("seed 3"))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("stale-figure.png").path),
            "a finished run replaces the folder whole")
        XCTAssertEqual(try entries(), ["99-tiny"])
        XCTAssertEqual(ChapterContext.outputStatus(of: TinyChapter.self, in: root).label, "yes")
    }

    /// A killed run leaves its staging folder: `workbook list` can say so, and the next run
    /// removes it.
    func testKilledRunIsReportedAndClearedByTheNextRun() throws {
        XCTAssertEqual(ChapterContext.outputStatus(of: TinyChapter.self, in: root).label, "-")
        let orphan = root.appendingPathComponent(".99-tiny.partial-999999999-deadbeef")  // no such process
        try FileManager.default.createDirectory(at: orphan, withIntermediateDirectories: true)
        let status = ChapterContext.outputStatus(of: TinyChapter.self, in: root)
        XCTAssertEqual(status.interrupted.map(\.lastPathComponent), [orphan.lastPathComponent])
        XCTAssertEqual(status.label, "interrupted")
        let run = context()
        XCTAssertFalse(FileManager.default.fileExists(atPath: orphan.path))
        try TinyChapter.run(run)
        try run.finish()
        XCTAssertEqual(ChapterContext.outputStatus(of: TinyChapter.self, in: root).label, "yes")
    }

    /// Figures are recorded relative to the output folder, so two runs into different folders
    /// write the same results.json.
    func testResultsJSONIsTheSameInAnyOutputFolder() throws {
        var files: [Data] = []
        for name in ["a", "b"] {
            let run = context(root: root.appendingPathComponent(name))
            try TinyChapter.run(run)
            try run.finish()
            XCTAssertEqual(run.recorded.figures.count, 1)
            XCTAssertTrue(run.recorded.figures[0].hasPrefix("99-tiny/curve."), run.recorded.figures[0])
            files.append(try Data(contentsOf: run.directory.appendingPathComponent("results.json")))
        }
        XCTAssertEqual(files[0], files[1])
    }
}
