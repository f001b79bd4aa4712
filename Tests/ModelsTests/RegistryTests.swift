import _WorkbookSupport
import Foundation
import Models
import RecKit
import TensorCore
import XCTest

/// The registry lists every model once, each fits, saves and restores to the same scores, the same
/// seed trains the same model, and a file that does not fit is refused with a message.
final class RegistryTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// A small data set in which every model of the registry trains in a moment.
    static func smallData() -> RatingsData {
        let rng = RandomGenerator(seed: 3)
        var u: [Int] = [], i: [Int] = []
        for user in 0..<60 {
            var chosen = Set<Int>()
            while chosen.count < 12 {
                chosen.insert(
                    (user % 6) * 5 + rng.nextInt(below: 10) + (rng.nextFloat() < 0.3 ? rng.nextInt(below: 40) : 0))
            }
            for item in chosen.sorted() {
                u.append(user)
                i.append(item % 80)
            }
        }
        for item in 0..<80 {
            u.append(item % 60)
            i.append(item)
        }
        return RatingsData(
            name: "small", rawUsers: u, rawItems: i, ratings: u.indices.map { Float(1 + $0 % 5) },
            timestamps: u.indices.map { Int64($0) })
    }

    func store() -> ModelStore { ModelStore(directory: root) }

    func input(_ data: RatingsData, seed: UInt64 = 5) -> FitInput {
        FitInput(data: data, rows: Array(0..<data.count), seed: seed)
    }

    func testEveryModelOfTheBookIsRegisteredOnce() throws {
        let keys = Registry.all.map(\.info.key)
        XCTAssertEqual(Set(keys).count, keys.count, "a key is registered twice")
        for key in [
            "most-popular", "itemknn", "biased-mf", "gmf", "mlp", "neumf", "item2vec", "i-autorec", "u-autorec", "cdae",
            "mult-vae", "mult-dae", "ease", "mf-bpr", "ngcf", "lightgcn",
        ] {
            XCTAssertTrue(keys.contains(key), "\(key) is missing from the registry")
        }
        XCTAssertEqual(try Registry.entry("Mult-VAE").info.key, "mult-vae")
        XCTAssertEqual(try Registry.entry("multvae").info.key, "mult-vae")
        XCTAssertEqual(try Registry.entry("pop").info.key, "most-popular")
        XCTAssertThrowsError(try Registry.entry("svd++")) { XCTAssertTrue("\($0)".contains("lightgcn"), "\($0)") }
        XCTAssertFalse(Registry.leaderboard.contains { $0.info.task == .rating })
        for entry in Registry.all {
            XCTAssertFalse(entry.info.paper.isEmpty, entry.info.key)
            XCTAssertTrue(
                FileManager.default.fileExists(atPath: entry.info.source), "\(entry.info.key): \(entry.info.source)")
            XCTAssertFalse(entry.config(.standard).summary.isEmpty, entry.info.key)
        }
    }

    func testEveryModelGivesTheSameScoresAfterARoundTrip() throws {
        let data = Self.smallData()
        for entry in Registry.all {
            let trained = try store().fitted(entry, input: input(data), mode: .quick, split: "all")
            XCTAssertTrue(trained.trainedNow, entry.info.key)
            let loaded = try store().fitted(entry, input: input(data), mode: .quick, split: "all")
            XCTAssertFalse(loaded.trainedNow, entry.info.key)
            let users: [Int32] = [0, 7, 59]
            XCTAssertEqual(
                trained.model.recommender.scores(users: users), loaded.model.recommender.scores(users: users),
                entry.info.key)
            // The record comes back (compared as JSON: a loss that was not computed is NaN, and NaN != NaN).
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf",
                nan: "nan")
            XCTAssertEqual(
                try encoder.encode(trained.model.final), try encoder.encode(loaded.model.final), entry.info.key)
        }
    }

    func testAModelFittedWithValidationComesBackWithTheRowsItWasFittedOn() throws {
        let data = Self.smallData()
        let split = try Split.make(data, protocol: .holdout20, seed: 2, validation: true)
        let fit = FitInput(data: data, rows: split.train, validation: ValidationSet(split: split, data: data), seed: 2)
        for key in ["itemknn", "mult-vae", "item2vec", "cdae"] {
            let entry = try Registry.entry(key)
            let trained = try store().fitted(entry, input: fit, mode: .quick, split: "holdout-20")
            let loaded = try store().fitted(entry, input: fit, mode: .quick, split: "holdout-20")
            XCTAssertFalse(loaded.trainedNow, key)
            XCTAssertEqual(
                trained.model.recommender.scores(users: [0, 11, 42]),
                loaded.model.recommender.scores(users: [0, 11, 42]),
                "\(key) scores users from the rows it was fitted on (train + validation)")
        }
    }

    func testTheSameSeedTrainsTheSameModel() throws {
        let data = Self.smallData()
        for entry in Registry.all {
            let a = try entry.fit(input(data, seed: 9), mode: .quick),
                b = try entry.fit(input(data, seed: 9), mode: .quick)
            XCTAssertEqual(
                a.recommender.scores(users: [1, 30]), b.recommender.scores(users: [1, 30]),
                "\(entry.info.key) is not deterministic")
        }
    }

    func testValidationChoosesThenRefitsOnTrainingAndValidation() throws {
        let data = Self.smallData()
        let split = try Split.make(data, protocol: .holdout20, seed: 1, validation: true)
        var fit = FitInput(data: data, rows: split.train, validation: ValidationSet(split: split, data: data), seed: 1)
        fit.afterEpoch = nil
        let ease = try Registry.entry("ease").fit(fit, mode: .standard)
        let chosen = try XCTUnwrap(ease.search?.chosen["λ"])
        XCTAssertEqual(ease.search?.validation.count, EASE.Config(mode: .standard).lambdaGrid.count)
        XCTAssertTrue(ease.configSummary.contains("λ = \(chosen)"), ease.configSummary)
        // Early stopping: the search ran with validation, the refit for exactly its best epoch.
        let entry = try Registry.entry("mf-bpr")
        let graph = try entry.fit(
            fit, mode: .standard, overrides: ["training.patience": "2", "training.maxEpochs": "12"])
        let search = try XCTUnwrap(graph.search)
        XCTAssertEqual(search.validationMetric, "NDCG@20")
        XCTAssertEqual(graph.final.epochs, search.bestEpoch)
        XCTAssertNil(graph.final.bestEpoch, "the refit has no validation")
    }

    func testSettingsCanBeChangedByName() throws {
        let entry = try Registry.entry("itemknn")
        XCTAssertTrue(try entry.config(.standard, overrides: ["neighbourCount": "7"]).summary.contains("k = 7"))
        XCTAssertThrowsError(try entry.config(.standard, overrides: ["neighbours": "7"])) {
            XCTAssertTrue("\($0)".contains("no setting 'neighbours'"), "\($0)")
        }
        XCTAssertThrowsError(try entry.config(.standard, overrides: ["neighbourCount": "many"])) {
            XCTAssertTrue("\($0)".contains("do not accept"), "\($0)")
        }
        // A value of the right kind outside its range is refused with the range, not a crash later.
        XCTAssertThrowsError(try Registry.entry("i-autorec").config(.standard, overrides: ["hidden": "0"])) {
            XCTAssertTrue("\($0)".contains("I-AutoRec's hidden must be at least 1, not 0"), "\($0)")
        }
        XCTAssertThrowsError(try Registry.entry("mult-vae").config(.standard, overrides: ["dropout": "1.5"])) {
            XCTAssertTrue("\($0)".contains("dropout must be at least 0 and below 1, not 1.5"), "\($0)")
        }
        XCTAssertNoThrow(try Registry.entry("lightgcn").config(.standard, overrides: ["layers": "0"]))
        // Every preset keeps its model's rules.
        for entry in Registry.all {
            for mode in RunMode.allCases { XCTAssertNoThrow(try entry.config(mode, overrides: [:]), entry.info.name) }
        }
        let neumf = try Registry.entry("neumf").config(
            .standard, overrides: ["training.maxEpochs": "3", "factors": "16"])
        XCTAssertTrue(neumf.summary.contains("f = 16") && neumf.summary.contains("3 epochs"), neumf.summary)
    }

    /// Two runs asking for the same model at once (the two chapters of `workbook all`): one trains
    /// it, the other waits for its file and loads it.
    func testAModelAskedForTwiceAtOnceIsTrainedOnce() throws {
        let data = Self.smallData()
        let entry = try Registry.entry("gmf")
        let url = store().url(entry, dataset: data.name, split: "all", seed: 5, mode: .quick)
        let lock = root.appendingPathComponent(".locks").appendingPathComponent(url.lastPathComponent)
        // While another process holds the lock, a call says it waits, and trains once it may.
        let held = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            FileLock.withLock(lock) {
                held.signal()
                release.wait()
            }
        }
        held.wait()
        let lines = LockedLines()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { release.signal() }
        let first = try store().fitted(entry, input: input(data), mode: .quick, split: "all") { lines.append($0) }
        XCTAssertTrue(first.trainedNow)
        // In the words of the edition in use (a Korean chapter test may have run before this one).
        XCTAssertTrue(lines.all.contains("  " + ProgressWords.current.waiting("GMF")), "\(lines.all)")
        // Two at once on a new file: exactly one trains.
        try FileManager.default.removeItem(at: url)
        let trained = LockedLines()
        let models = store()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let fitInput = FitInput(data: data, rows: Array(0..<data.count), seed: 5)
            if let stored = try? models.fitted(entry, input: fitInput, mode: .quick, split: "all") {
                trained.append(stored.trainedNow ? "trained" : "loaded")
            }
        }
        XCTAssertEqual(trained.all.sorted(), ["loaded", "trained"])
    }

    /// The default pair scoring (a block of users per product) gives each user's own scores.
    func testPairScoresInBlocksEqualEachUsersScores() throws {
        let data = Self.smallData()
        let ease = try store().fitted(Registry.entry("ease"), input: input(data), mode: .quick, split: "all").model
        let rng = RandomGenerator(seed: 9)
        let users = (0..<700).map { _ in Int32(rng.nextInt(below: 60)) }
        let items = (0..<700).map { _ in Int32(rng.nextInt(below: 80)) }
        let pairs = ease.recommender.scores(pairs: users, items)
        for k in users.indices {
            let own = ease.recommender.scores(users: [users[k]])[Int(items[k])]
            XCTAssertEqual(pairs[k], own, accuracy: 1e-5 * max(1, abs(own)))
        }
    }

    func testFilesThatDoNotFitAreRefusedOrRetrained() throws {
        let data = Self.smallData()
        let entry = try Registry.entry("gmf")
        let stored = try store().fitted(entry, input: input(data, seed: 1), mode: .quick, split: "all")
        let bytes = try Data(contentsOf: stored.url)
        func expectRefusal(_ contents: Data, _ fragment: String, line: UInt = #line) {
            do {
                try contents.write(to: stored.url)
                _ = try store().fitted(entry, input: input(data, seed: 1), mode: .quick, split: "all")
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
        // Another model's file under this name.
        let ease = try store().fitted(Registry.entry("ease"), input: input(data, seed: 1), mode: .quick, split: "all")
        expectRefusal(try Data(contentsOf: ease.url), "holds a ease model")
        // Trained on other data, or with other settings: trained again, with a line saying why.
        try bytes.write(to: stored.url)
        var other = data
        other.ratings[0] = 5 - other.ratings[0] + 1
        var lines: [String] = []
        let again = try store().fitted(entry, input: input(other, seed: 1), mode: .quick, split: "all") {
            lines.append($0)
        }
        XCTAssertTrue(again.trainedNow)
        XCTAssertTrue(lines.joined().contains("other data"), "\(lines)")
        // --retrain replaces a bad file.
        try Data("hello\n".utf8).write(to: stored.url)
        XCTAssertTrue(
            try store().fitted(entry, input: input(data, seed: 1), mode: .quick, split: "all", retrain: true).trainedNow
        )
    }

    func testExplanationsAddUpToEASEsScore() throws {
        let data = Self.smallData()
        let fitted = try store().fitted(Registry.entry("ease"), input: input(data, seed: 1), mode: .quick, split: "all")
            .model
        let train = InteractionMatrix(data, rows: Array(0..<data.count))
        let recommendations = Recommendation.top(fitted.recommender, train: train, user: 3, k: 5, explain: true)
        XCTAssertEqual(recommendations.count, 5)
        let ease = try XCTUnwrap(fitted.recommender as? EASE)
        let rated = train.items(of: 3).map(Int.init)
        for r in recommendations {
            XCTAssertFalse(train.contains(3, Int32(r.item)), "a recommended film was already rated")
            // The score is the sum of B[i][j] over the user's films; the explanation lists the
            // largest positive terms of that sum, largest first.
            let terms = rated.map { (item: $0, weight: ease.weight($0, r.item)) }
            XCTAssertEqual(terms.reduce(0) { $0 + $1.weight }, r.score, accuracy: 1e-4)
            let expected = terms.filter { $0.weight > 0 }.sorted { ($0.weight, -$0.item) > ($1.weight, -$1.item) }
                .prefix(3)
            XCTAssertEqual(r.because.map(\.item), expected.map(\.item))
        }
        XCTAssertEqual(recommendations.map(\.score), recommendations.map(\.score).sorted(by: >))
    }
}

/// Lines appended from several threads.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
