import Chapter01MFLimits
import DataFetch
import Foundation
import Narrative
import RecKit
import XCTest

/// Chapters whose figures cannot be drawn still finish: through the built binary, with a
/// fake gnuplot (WORKBOOK_GNUPLOT) that hangs or fails.
final class FigureCLITests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("figure-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func workbook(
        _ arguments: [String],
        environment: [String: String] = [:]
    ) throws -> (status: Int32, out: String, err: String) {
        let binary = Bundle.main.bundleURL.appendingPathComponent("workbook")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("the workbook binary is not built at \(binary.path)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func fakeGnuplot(_ body: String) throws -> String {
        let url = dir.appendingPathComponent("gnuplot")
        try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    func testChapterWithAHangingGnuplotWarnsPerFigureAndFinishes() throws {
        let output = dir.appendingPathComponent("output")
        let start = Date()
        let r = try workbook(
            ["chapter", "mf-limits", "--quick", "--output", output.path],
            environment: [
                "WORKBOOK_GNUPLOT": try fakeGnuplot("sleep 1000"),
                "WORKBOOK_FIGURE_TIMEOUT": "1",
            ])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        let folder = output.appendingPathComponent("01-mf-limits")
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertEqual(readme.components(separatedBy: "was not drawn").count - 1, 5, readme)
        XCTAssertTrue(readme.contains("did not finish within 1 s"), readme)
        XCTAssertTrue(readme.contains("user4-directions.gp"), readme)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertFalse(files.contains { $0.hasSuffix(".png") || $0.hasPrefix(".") }, "\(files)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), ["01-mf-limits"])
    }

    func testChapterWithAFailingGnuplotWarnsAndFinishes() throws {
        let output = dir.appendingPathComponent("output")
        let r = try workbook(
            ["chapter", "1", "--quick", "--output", output.path],
            environment: [
                "WORKBOOK_GNUPLOT":
                    try fakeGnuplot("cat >/dev/null; echo oops >&2; exit 3")
            ])
        XCTAssertEqual(r.status, 0, r.err)
        let readme = try String(contentsOf: output.appendingPathComponent("01-mf-limits/README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("The figure user4-directions"), readme)
        XCTAssertTrue(readme.contains("oops"), readme)
        let results = output.appendingPathComponent("01-mf-limits/results.json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: results.path))
    }

    /// Chapter 3 on ratings without an item file: its genre map has no points. It used to stop
    /// the chapter ("x range is invalid"); now it is an empty, labelled plot.
    func testChapterThreeWithoutAnItemFileDrawsEveryFigure() throws {
        try skipWithoutMovieLens()
        try XCTSkipIf(findGnuplot() == false, "gnuplot is not installed")
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let source = DataCache.ml100kDirectory(root: DataCache.root())
        let ratings = try XCTUnwrap(MovieLensLayout.detect(in: source)?.ratings)
        try FileManager.default.copyItem(at: ratings, to: data.appendingPathComponent(ratings.lastPathComponent))
        let output = dir.appendingPathComponent("output")
        let r = try workbook(["chapter", "item2vec", "--quick", "--output", output.path, "--data-dir", data.path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.out.contains("was not drawn"), r.out)
        XCTAssertFalse(r.out.contains("is not available"), r.out)
    }

    /// Two runs of the same seed into different folders write the same results.json but for
    /// timing fields: figures are recorded relative to the output folder.
    func testResultsDifferBetweenFoldersOnlyInTimings() throws {
        let first = runQuick(MFLimitsChapter.self, plots: true), second = runQuick(MFLimitsChapter.self, plots: true)
        defer {
            try? FileManager.default.removeItem(at: first.directory.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: second.directory.deletingLastPathComponent())
        }
        func normalised(_ folder: URL) throws -> NSDictionary {
            let data = try Data(contentsOf: folder.appendingPathComponent("results.json"))
            func strip(_ value: Any) -> Any {
                if let object = value as? [String: Any] {
                    return object.filter { !$0.key.hasSuffix("_seconds") }.mapValues(strip)
                }
                if let array = value as? [Any] { return array.map(strip) }
                return value
            }
            return try XCTUnwrap(strip(try JSONSerialization.jsonObject(with: data)) as? NSDictionary)
        }
        XCTAssertNil(first.error)
        XCTAssertEqual(try normalised(first.directory), try normalised(second.directory))
        let figures = first.results?.figures ?? []
        XCTAssertTrue(!figures.isEmpty && figures.allSatisfy { $0.hasPrefix("01-mf-limits/") }, "\(figures)")
    }
}
