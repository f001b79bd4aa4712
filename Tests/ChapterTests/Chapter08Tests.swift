import Chapter05EASE
import Chapter07Practice
import Chapter08Capstone
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class Chapter08RunTests: XCTestCase {
    static let run = runQuick(CapstoneChapter.self, plots: false)

    override class func tearDown() { try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent()) }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testLeaderboardHasEveryModelOnOneProtocol() throws {
        XCTAssertNil(Self.run.error)
        let results = try XCTUnwrap(Self.run.results)
        let board = results.results.filter { $0.protocol == "holdout-20" }
        XCTAssertEqual(Set(board.map(\.model)), Set(Catalogue.all.map(\.name)))
        let pop = try XCTUnwrap(board.first { $0.model == "MostPopular" }?.metrics["Recall@20"])
        // The seeded holdout-20 split's most-popular number (the same as chapters 5 and 6, and RecKit's tests).
        XCTAssertEqual(pop, 0.1701, accuracy: 5e-5)
        let ease = try XCTUnwrap(board.first { $0.model == "EASE" }?.metrics["Recall@20"])
        XCTAssertGreaterThan(ease, 0.33)
        // The TSV: a header and 12 rows sorted by Recall@20, the same numbers as results.json.
        let tsv = try String(contentsOf: Self.run.directory.appendingPathComponent("leaderboard.tsv"), encoding: .utf8)
        let lines = tsv.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines.first?[0...4], ["rank", "model", "chapter", "protocol", "Recall@20"])
        XCTAssertEqual(lines.count, 13)
        let recalls = lines.dropFirst().compactMap { Double($0[4]) }
        XCTAssertEqual(recalls.count, 12)
        XCTAssertEqual(recalls, recalls.sorted(by: >))
        for row in lines.dropFirst() {
            let recorded = try XCTUnwrap(board.first { $0.model == row[1] }?.metrics["Recall@20"])
            XCTAssertEqual(Double(row[4]) ?? -1, recorded, accuracy: 1e-6)
        }
    }

    func testPipelineBeatsTheMeanAndStopsEarly() throws {
        let results = try XCTUnwrap(Self.run.results)
        let entry = try XCTUnwrap(results.results.first { $0.protocol == "ratings-80-20" })
        let rmse = try XCTUnwrap(entry.metrics["RMSE"])
        XCTAssertLessThan(rmse, try XCTUnwrap(results.values["pipeline_global_mean_rmse"]))
        XCTAssertLessThanOrEqual(entry.epochs ?? 99, 2)
    }
}

/// Saving and loading models: the same recommendations after a round trip, and clear errors
/// for files that do not fit.
final class ModelStoreTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// A small implicit data set in which every model of the catalogue can train in a moment.
    static func smallData() -> RatingsData {
        let rng = RandomGenerator(seed: 3)
        var u: [Int] = [], i: [Int] = []
        for user in 0..<60 {
            var chosen = Set<Int>()
            while chosen.count < 12 { chosen.insert((user % 6) * 5 + rng.nextInt(below: 10) + (rng.nextFloat() < 0.3 ? rng.nextInt(below: 40) : 0)) }
            for item in chosen.sorted() { u.append(user); i.append(item % 80) }
        }
        for item in 0..<80 { u.append(item % 60); i.append(item) }
        return RatingsData(name: "small", rawUsers: u, rawItems: i, ratings: u.indices.map { Float(1 + $0 % 5) }, timestamps: u.indices.map { Int64($0) })
    }

    func testEveryModelGivesTheSameScoresAfterARoundTrip() throws {
        let data = Self.smallData()
        let style = TerminalStyle(width: 80, colour: false, interactiveProgress: false)
        for recipe in Catalogue.all {
            let trained = try ModelStore.model(recipe, data: data, root: root, mode: .quick, seed: 5, style: style)
            XCTAssertTrue(trained.trainedNow)
            let loaded = try ModelStore.model(recipe, data: data, root: root, mode: .quick, seed: 5, style: style)
            XCTAssertFalse(loaded.trainedNow, recipe.name)
            let users: [Int32] = [0, 7, 59]
            XCTAssertEqual(trained.recommender.scores(users: users), loaded.recommender.scores(users: users), recipe.name)
        }
    }

    func testTheSameSeedTrainsTheSameModel() throws {
        let data = Self.smallData()
        let style = TerminalStyle(width: 80, colour: false, interactiveProgress: false)
        for recipe in Catalogue.all {
            let a = try recipe.fit(TrainingInput(data: data, rows: Array(0..<data.count), mode: .quick, seed: 9, style: style))
            let b = try recipe.fit(TrainingInput(data: data, rows: Array(0..<data.count), mode: .quick, seed: 9, style: style))
            XCTAssertEqual(a.recommender.scores(users: [1, 30]), b.recommender.scores(users: [1, 30]), "\(recipe.name) is not deterministic")
        }
    }

    func testFilesThatDoNotFitAreRefusedWithAMessage() throws {
        let data = Self.smallData()
        guard let recipe = Catalogue.recipe("gmf") else { return XCTFail("gmf is in the catalogue") }
        let loaded = try ModelStore.model(recipe, data: data, root: root, mode: .quick, seed: 1)
        let bytes = try Data(contentsOf: loaded.url)
        func expectRefusal(_ contents: Data, _ fragment: String, data other: RatingsData? = nil, line: UInt = #line) {
            do {
                try contents.write(to: loaded.url)
                _ = try ModelStore.model(recipe, data: other ?? data, root: root, mode: .quick, seed: 1)
                XCTFail("a bad file was accepted", line: line)
            } catch {
                XCTAssertTrue("\(error)".contains(fragment), "\(error)", line: line)
                XCTAssertTrue("\(error)".contains("--retrain"), "\(error)", line: line)
            }
        }
        expectRefusal(bytes.prefix(bytes.count - 10), "is corrupt")
        var flipped = bytes
        flipped[flipped.count - 3] ^= 0xFF
        expectRefusal(flipped, "checksum")
        expectRefusal(Data("hello\n".utf8), "not a workbook model file")
        var other = data
        other.ratings[0] = 5 - other.ratings[0] + 1
        expectRefusal(bytes, "other data", data: other)
        // Another model's file under this name.
        let ease = try ModelStore.model(XCTUnwrap(Catalogue.recipe("ease")), data: data, root: root, mode: .quick, seed: 1)
        expectRefusal(try Data(contentsOf: ease.url), "holds a ease model")
        // --retrain replaces a bad file.
        try Data("hello\n".utf8).write(to: loaded.url)
        XCTAssertTrue(try ModelStore.model(recipe, data: data, root: root, mode: .quick, seed: 1, retrain: true).trainedNow)
        XCTAssertFalse(try ModelStore.model(recipe, data: data, root: root, mode: .quick, seed: 1).trainedNow)
    }

    func testExplanationsAreTheTermsOfTheScore() throws {
        let data = Self.smallData()
        let loaded = try ModelStore.model(XCTUnwrap(Catalogue.recipe("ease")), data: data, root: root, mode: .quick, seed: 1)
        let recommendations = ModelStore.recommend(loaded, user: 3, k: 5, explain: true)
        XCTAssertEqual(recommendations.count, 5)
        let train = InteractionMatrix(data, rows: Array(0..<data.count))
        let ease = try XCTUnwrap(loaded.recommender as? EASE)
        let n = data.itemCount, rated = train.items(of: 3).map(Int.init)
        for r in recommendations {
            XCTAssertFalse(train.contains(3, Int32(r.item)), "a recommended film was already rated")
            // The score is the sum of B[i][j] over the user's films; the explanation lists the
            // largest positive terms of that sum, largest first.
            let terms = rated.map { (item: $0, weight: ease.weights[$0 * n + r.item]) }
            XCTAssertEqual(terms.reduce(0) { $0 + $1.weight }, r.score, accuracy: 1e-4)
            let expected = terms.filter { $0.weight > 0 }.sorted { ($0.weight, -$0.item) > ($1.weight, -$1.item) }.prefix(3)
            XCTAssertEqual(r.because.map(\.item), expected.map(\.item))
        }
        XCTAssertEqual(recommendations.map(\.score), recommendations.map(\.score).sorted(by: >))
    }
}
