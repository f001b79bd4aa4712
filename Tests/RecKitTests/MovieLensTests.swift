import Foundation
import DataFetch
import Models
import RecKit
import XCTest

/// Tests on the real MovieLens-100K. They need the data (`swift run workbook data fetch`,
/// which CI runs first); without it they are skipped with that hint.
final class MovieLensTests: XCTestCase {
    static let loaded: RatingsData? = try? MovieLens.ml100k(fetchIfMissing: false)

    func data() throws -> RatingsData {
        guard let data = Self.loaded else {
            throw XCTSkip("MovieLens-100K is not in the cache: run `swift run workbook data fetch`")
        }
        return data
    }

    func testShapeAndCatalogue() throws {
        let data = try data()
        XCTAssertEqual(data.count, 100_000)
        XCTAssertEqual(data.userCount, 943)
        XCTAssertEqual(data.itemCount, 1_682)
        XCTAssertEqual(data.catalogue[0].displayTitle, "Toy Story (1995)")
        XCTAssertEqual(data.itemIds[0], 1)  // item index = id - 1
        try MovieLensFetcher.verify(directory: DataCache.ml100kDirectory(root: DataCache.root()))
    }

    func testTiedLastTimestampsAsDesignSays() throws {
        let data = try data()
        let groups = Split.rowsByUser(Array(0..<data.count), data: data)
        let tied = groups.filter { g in
            g.count > 1 && data.timestamps[g[g.count - 1]] == data.timestamps[g[g.count - 2]]
        }.count
        XCTAssertEqual(tied, 415, "DESIGN.md: 415 of 943 users rated several films in their last second")
    }

    func testPopularityUnderBothProtocolsIsInTheReferenceRange() throws {
        let data = try data()
        let loo = try Split.make(data, protocol: .loo99, seed: 42)
        let pop = MostPopular(train: InteractionMatrix(data, rows: loo.train))
        let hr = SampledEvaluator(split: loo, data: data).evaluate(pop, k: 10).metrics["HR@10"]!
        // The peers' ItemPop HR@10 is 0.409 with other sampled candidates; file-order ties matter.
        XCTAssertEqual(hr, 0.41, accuracy: 0.03)
        let holdout = try Split.make(data, protocol: .holdout20, seed: 42)
        let train = InteractionMatrix(data, rows: holdout.train)
        let e = FullRankingEvaluator(train: train, test: InteractionMatrix(data, rows: holdout.test)).evaluate(
            MostPopular(train: train))
        XCTAssertEqual(e.metrics["Recall@20"]!, 0.169, accuracy: 0.01)  // peers: recall_plain@20 0.1691
        XCTAssertEqual(e.metrics["NDCG@20"]!, 0.213, accuracy: 0.01)
        XCTAssertLessThan(e.seconds, 1, "full ranking of 943 x 1682 must take well under a second")
    }

    /// Our evaluator against an independent NumPy implementation, on the same exported split:
    /// equal to the last digit.
    func testMetricsEqualAnIndependentNumPyReference() throws {
        let data = try data()
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        guard
            let python = path.split(separator: ":").map({ "\($0)/python3" }).first(
                where: FileManager.default.isExecutableFile(atPath:))
        else {
            throw XCTSkip("python3 not found")
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import numpy"]
        try check.run(); check.waitUntilExit()
        try XCTSkipIf(check.terminationStatus != 0, "numpy is not installed")
        let split = try Split.make(data, protocol: .holdout20, seed: 9)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try split.write(to: dir, data: data)  // what `workbook data split` writes
        let reference = Process()
        reference.executableURL = URL(fileURLWithPath: python)
        reference.arguments = [
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("reference_metrics.py")
                .path, dir.path, "20",
        ]
        let pipe = Pipe()
        reference.standardOutput = pipe
        try reference.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        reference.waitUntilExit()
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: output) as? [String: Double])
        let train = InteractionMatrix(data, rows: split.train)
        let ours = FullRankingEvaluator(train: train, test: InteractionMatrix(data, rows: split.test)).evaluate(
            MostPopular(train: train), ks: [20])
        XCTAssertEqual(expected.count, 7)
        for (name, value) in expected { XCTAssertEqual(ours.metrics[name]!, value, accuracy: 1e-12, name) }
    }
}
