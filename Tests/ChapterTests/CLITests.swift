import Foundation
import XCTest

/// Runs the `workbook` binary as a user does and checks what it prints.
final class CLITests: XCTestCase {
    func run(
        _ arguments: [String], environment: [String: String] = [:]
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

    /// A value set by hand wins over the validation grid, and a bad one is refused, not ignored.
    func testAHandSetNeighbourCountIsUsedOrRefused() throws {
        try skipWithoutMovieLens()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("knn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let zero = try run(["evaluate", "--model", "itemknn", "--set", "neighbourCount=0", "--output", output.path])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.err.contains("ItemKNN's neighbourCount must be at least 1, not 0"), zero.err)
        XCTAssertEqual(zero.err.split(separator: "\n").count, 1, zero.err)
        let fifty = try run(["evaluate", "--model", "itemknn", "--set", "neighbourCount=50", "--output", output.path])
        XCTAssertEqual(fifty.status, 0, fifty.err)
        XCTAssertTrue(fifty.out.contains("k = 50"), fifty.out)
    }

    /// The Korean edition from the command line: a chapter into output/ko/, and the exercises.
    func testKoreanEditionFromTheCommandLine() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ko-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let chapter = try run(["chapter", "1", "--quick", "--no-plots", "--output", output.path], environment: [
            "WORKBOOK_LANG": "ko"
        ])
        XCTAssertEqual(chapter.status, 0, chapter.err)
        XCTAssertTrue(chapter.out.contains("1장. 왜 딥러닝인가"), chapter.out)
        let transcript = output.appendingPathComponent("ko/01-mf-limits/README.md")
        XCTAssertTrue(FileManager.default.fileExists(atPath: transcript.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("01-mf-limits").path))
        // `workbook list --lang ko` lists the Korean runs (chapter 1 just ran) in Korean.
        let list = try run(["list", "--lang", "ko", "--output", output.path])
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertTrue(list.out.contains("장 목록") && list.out.contains("왜 딥러닝인가"), list.out)
        let one = list.out.split(separator: "\n").first { $0.contains("mf-limits") } ?? ""
        XCTAssertTrue(one.hasSuffix("완료"), list.out)
        let unknown = try run(["chapter", "99", "--lang", "ko"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.err.contains("없는 장입니다: '99'"), unknown.err)
        XCTAssertEqual(unknown.err.split(separator: "\n").count, 1, unknown.err)
        // The model layer's errors follow the command line's language too.
        let model = try run(["evaluate", "--model", "eas"], environment: ["WORKBOOK_LANG": "ko"])
        XCTAssertNotEqual(model.status, 0)
        XCTAssertTrue(model.err.contains("알 수 없는 모델입니다: 'eas': 다음 중에서 고르세요: random"), model.err)
        // A Korean book before any Korean chapter ran says which command makes one.
        let empty = try run(["book", "--lang", "ko", "--output", output.appendingPathComponent("none").path])
        XCTAssertNotEqual(empty.status, 0)
        XCTAssertTrue(empty.err.contains("`workbook all --lang ko`"), empty.err)
        let exercises = try run(["exercises", "1", "--lang", "ko"])
        XCTAssertEqual(exercises.status, 0, exercises.err)
        XCTAssertTrue(exercises.out.contains("아직 답하지 않음") || exercises.out.contains("정답"), exercises.out)
    }

    /// The tool commands speak the edition's language too: their tables and lines, and the errors a
    /// learner meets in them (a damaged download, a film or a user that is not there).
    func testToolCommandsInKorean() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ko-tools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let zip = folder.appendingPathComponent("ml-100k.zip")
        try Data("PK".utf8).write(to: zip)
        let fetch = try run(["data", "fetch", "--from", zip.path, "--data-dir", folder.path, "--lang", "ko"])
        XCTAssertNotEqual(fetch.status, 0)
        XCTAssertTrue(fetch.err.contains("잘렸거나 zip 파일이 아닙니다"), fetch.err)
        let bad = try run(["data", "info", "--lang", "xx"])
        XCTAssertTrue(bad.err.contains("there is no 'xx' edition; the languages are en, ko"), bad.err)
        try skipWithoutMovieLens()
        let info = try run(["data", "info", "--no-plots", "--lang", "ko"])
        XCTAssertEqual(info.status, 0, info.err)
        for line in ["평점 100,000개", "사용자당 평점 수", "1~5의 정수", "파일 순서상 마지막 평점", "롱테일: "] {
            XCTAssertTrue(info.out.contains(line), "'\(line)' in\n\(info.out)")
        }
        let film = try run(["similar", "xyzzyq", "--lang", "ko"])
        XCTAssertTrue(film.err.hasPrefix("workbook: \"xyzzyq\"에 해당하는 영화가 없습니다: 제목의 일부로"), film.err)
        let user = try run(["recommend", "--model", "ease", "--user", "5000", "--output", folder.path, "--lang", "ko"])
        XCTAssertEqual(user.err, "workbook: ml-100k에 사용자 5000이(가) 없습니다: 1에서 943 사이의 사용자 ID를 고르세요\n")
        XCTAssertEqual(try run(["recommend", "--model", "ease", "--user", "5000", "--output", folder.path]).err,
            "workbook: user 5000 is not in ml-100k: choose a user id between 1 and 943\n")
    }

    /// `workbook all` runs two chapters at a time, prints each transcript whole and in order,
    /// trains a model two chapters share once, and builds the book.
    func testAllRunsTheChaptersTwoAtATimeInOrder() throws {
        try skipWithoutMovieLens()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("all-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let r = try run(["all", "--quick", "--no-plots", "--jobs", "2", "--output", output.path])
        XCTAssertEqual(r.status, 0, r.err)
        let starts = (1...8).map { n in r.out.range(of: "Chapter \(n). ")?.lowerBound }
        let ends = (1...8).map { n in r.out.range(of: "Chapter \(n) finished in")?.lowerBound }
        for n in 0..<8 {
            let start = try XCTUnwrap(starts[n], "chapter \(n + 1) printed no heading")
            let end = try XCTUnwrap(ends[n], "chapter \(n + 1) printed no closing line")
            XCTAssertLessThan(start, end)
            if n > 0, let previous = ends[n - 1] { XCTAssertLessThan(previous, start, "chapter \(n + 1) interleaved") }
        }
        XCTAssertTrue(r.out.contains("(2 at a time"), r.out.suffix(2000).description)
        // Chapter 8's leaderboard reuses the models chapters 4-6 trained on the same split.
        let eight = String(r.out[try XCTUnwrap(starts[7])...])
        XCTAssertTrue(eight.contains("EASE: loaded from") || eight.contains("EASE: another run"), eight)
        for c in ["01-mf-limits", "08-capstone", "book/index.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent(c).path), c)
        }
    }

    /// A chapter that fails stops `workbook all`: what ran before it is shown, its error is the one line.
    func testAllStopsAtTheFirstChapterThatFails() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("all-fail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let good = (1...40).map { "\($0 % 9 + 1)\t\($0 % 13 + 1)\t\($0 % 5 + 1)\t88125\($0)" }
        try (good + ["1\t2\t9\t881250949"]).joined(separator: "\n").write(
            to: root.appendingPathComponent("u.data"), atomically: true, encoding: .utf8)
        let r = try run([
            "all", "--quick", "--no-plots", "--jobs", "2", "--data-dir", root.path, "--output",
            root.appendingPathComponent("out").path,
        ])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("Chapter 1 finished in"), r.out)
        XCTAssertTrue(r.out.contains("Chapter 2. "), r.out)
        XCTAssertFalse(r.out.contains("Chapter 2 finished in"), r.out)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        XCTAssertTrue(r.err.contains("u.data, line 41") && r.err.contains("--skip-bad-lines"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/02-ncf").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/book").path))
    }

    /// Stopped by a signal, `workbook all` stops its chapters too: none is left training alone.
    func testAllStopsItsChaptersWhenStopped() throws {
        let binary = Bundle.main.bundleURL.appendingPathComponent("workbook")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("workbook is not built") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("all-stop-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["all", "--quick", "--no-plots", "--jobs", "2", "--output", output.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        func chapters() -> [String] {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return pids.compactMap { pid in
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
                let line = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
                return line.contains(" chapter ") && line.contains(output.path) ? line : nil
            }
        }
        var waited = 0.0
        while chapters().isEmpty && waited < 20 {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 0.1
        }
        XCTAssertFalse(chapters().isEmpty, "no chapter started")
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 128 + SIGTERM)
        waited = 0
        while !chapters().isEmpty && waited < 5 {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 0.1
        }
        XCTAssertEqual(chapters(), [], "chapters left running")
    }

    func testListShowsChapterOne() throws {
        let r = try run(["list", "--output", "/nonexistent"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("mf-limits"), r.out)
    }

    func testBadInputIsOneClearLine() throws {
        for (args, expected) in [
            (["chapter", "99"], "unknown chapter '99'"),
            (["chapter", "1", "--seed", "abc"], "'abc' is invalid"),
            (["chapter", "1", "--data-dir", "/no/such/dir"], "data directory '/no/such/dir' does not exist"),
            (["chapter", "1", "--quick", "--full"], "exclude each other"),
            (["chapter", "1", "--lang", "xx"], "there is no 'xx' edition; the languages are en, ko"),
            (["book", "--lang", "xx"], "there is no 'xx' edition; the languages are en, ko"),
            (["chapter", "1", "--output", "/proc/no-such-place"], "cannot create the output folder"),
            (
                ["recommend", "--model", "svd", "--user", "1"],
                "unknown model 'svd': choose one of random, most-popular"
            ),
            (
                ["evaluate", "--model", "ease", "--protocol", "ratings-90-10"],
                "EASE ranks items and predicts no ratings"
            ),
            (["evaluate", "--model", "itemknn", "--set", "neighbours=5"], "ItemKNN has no setting 'neighbours'"),
            (["evaluate", "--model", "itemknn", "--set", "oops"], "--set oops: expected key=value"),
            (["evaluate", "--model", "itemknn", "--protocol", "loo-100"], "unknown protocol 'loo-100'"),
            (
                ["data", "split", "--protocol", "holdout-20", "--out", "/tmp/x", "--format", "csv"],
                "unknown format 'csv'"
            ),
            (["recommend", "--model", "ease", "--user", "1", "-k", "0"], "-k must be between 1 and 100"),
            (["book", "--output", "/no/such/output"], "no chapter has been run yet"),
            (["bench", "time-to-quality", "--model", "neumf"], "time to quality is measured against the reference"),
            (
                ["bench", "time-to-quality", "--model", "svd", "--peers", "/tmp", "--python", "/bin/true"],
                "--model must be one of neumf, mult-vae, lightgcn, i-autorec, sgns"
            ),
            (["bench", "gnn", "--repeats", "0"], "--epochs and --repeats must be at least 1"),
            (["bench", "gnn", "--model", "gat"], "Please provide one of 'lightgcn' and 'ngcf'"),
            (["bench", "item2vec", "--threads", "0"], "--epochs, --repeats and --threads must be at least 1"),
            (["frobnicate"], "workbook: "),
        ] {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains(expected), "\(args): \(r.err)")
            XCTAssertFalse(r.err.contains("Stack") || r.err.contains("Fatal"), r.err)
        }
    }

    func testChapterWithoutGnuplotStillFinishes() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let r = try run(
            ["chapter", "mf-limits", "--quick", "--output", output.path],
            environment: ["WORKBOOK_GNUPLOT": "/nonexistent/gnuplot"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.components(separatedBy: "gnuplot is not installed").count - 1, 1, "said once")
        let files = try FileManager.default.contentsOfDirectory(
            atPath: output.appendingPathComponent("01-mf-limits").path)
        XCTAssertTrue(
            files.contains("user4-directions.gp") && files.contains("results.json") && files.contains("README.md"))
        XCTAssertFalse(files.contains { $0.hasSuffix(".png") })
    }

    func testRecommendShowsTheUsersFilmsAndTheModelsPicks() throws {
        try skipWithoutMovieLens()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let first = try run([
            "recommend", "--model", "EASE", "--user", "196", "-k", "5", "--explain", "--output", output.path,
        ])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(first.out.contains("User 196 rated 39 films"), first.out)
        XCTAssertTrue(first.out.contains("because you rated"), first.out)
        XCTAssertTrue(first.out.contains("trained now, saved to"), first.out)
        let again = try run([
            "recommend", "--model", "ease", "--user", "196", "-k", "5", "--explain", "--output", output.path,
        ])
        XCTAssertTrue(again.out.contains("loaded from"), again.out)
        // The same list either way.
        func films(_ text: String) -> [String] {
            text.components(separatedBy: "Top 5")[1].split(separator: "\n").filter { $0.contains("(19") }.map(
                String.init)
        }
        XCTAssertEqual(films(first.out), films(again.out))
        XCTAssertEqual(films(first.out).count, 5)
        // A damaged model file is one line naming it and the fix, in the command line's language.
        let models = output.appendingPathComponent("models")
        let saved = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: models.path).first { $0.hasPrefix("ease-") })
        let file = models.appendingPathComponent(saved)
        try Data(try Data(contentsOf: file).dropLast(8)).write(to: file)
        let damaged = ["recommend", "--model", "ease", "--user", "196", "--output", output.path]
        let english = try run(damaged), korean = try run(damaged, environment: ["WORKBOOK_LANG": "ko"])
        XCTAssertNotEqual(english.status, 0)
        XCTAssertTrue(english.err.contains("is corrupt: it holds") && english.err.contains("--retrain"), english.err)
        XCTAssertNotEqual(korean.status, 0)
        XCTAssertTrue(korean.err.contains("모델 파일이 손상되었습니다") && korean.err.contains(saved), korean.err)
        XCTAssertEqual(korean.err.split(separator: "\n").count, 1, korean.err)
        let unknown = try run(["recommend", "--model", "ease", "--user", "5000", "--output", output.path])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(
            unknown.err.contains("user 5000 is not in ml-100k: choose a user id between 1 and 943"), unknown.err)
    }

    func testEvaluateAnyModelAsJSONAndExportTheLists() throws {
        try skipWithoutMovieLens()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let export = output.appendingPathComponent("lists.tsv")
        let r = try run([
            "evaluate", "--model", "pop", "--protocol", "holdout-20", "--json", "--export", export.path,
            "--output", output.path,
        ])
        XCTAssertEqual(r.status, 0, r.err)
        let entry = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        XCTAssertEqual(entry["model"] as? String, "MostPopular")
        let recall = try XCTUnwrap((entry["metrics"] as? [String: Double])?["Recall@20"])
        XCTAssertEqual(recall, 0.1701, accuracy: 5e-5, "the holdout-20 popularity floor of seed 42")
        let lines = try String(contentsOf: export, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "user_id\trank\titem_id\tscore\ttitle")
        XCTAssertEqual(lines.count, 1 + 943 * 20)
        // A rating model under a rating protocol.
        let autorec = try run(["evaluate", "--model", "i-autorec", "--quick", "--output", output.path])
        XCTAssertEqual(autorec.status, 0, autorec.err)
        XCTAssertTrue(autorec.out.contains("RMSE"), autorec.out)
    }

    func testSplitWritesRecBoleAtomicFiles() throws {
        try skipWithoutMovieLens()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let r = try run([
            "data", "split", "--protocol", "holdout-20", "--seed", "42", "--out", output.path, "--format", "recbole",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        let name = "ml-100k-holdout-20-seed42"
        var total = 0
        for part in ["train", "valid", "test"] {
            let text = try String(
                contentsOf: output.appendingPathComponent("\(name)/\(name).\(part).inter"), encoding: .utf8)
            let lines = text.split(separator: "\n")
            XCTAssertEqual(lines.first, "user_id:token\titem_id:token\trating:float\ttimestamp:float")
            total += lines.count - 1
        }
        XCTAssertEqual(total, 100_000, "every rating is in exactly one part")
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("validation.tsv").path))
    }

    func testAChapterOnCorruptDataStopsWithTheLineAndAcceptsSkipBadLines() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UUID().uuidString)")
        let output = data.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: data) }
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let good = (1...40).map { "\($0 % 9 + 1)\t\($0 % 13 + 1)\t\($0 % 5 + 1)\t88125\($0)" }
        try (good + ["1\t2\t9\t881250949"]).joined(separator: "\n").write(
            to: data.appendingPathComponent("u.data"),
            atomically: true, encoding: .utf8)
        let stopped = try run([
            "chapter", "5", "--quick", "--no-plots", "--data-dir", data.path, "--output", output.path,
        ])
        XCTAssertNotEqual(stopped.status, 0, "a chapter that could not read its data does not exit 0")
        let last = stopped.err.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.contains("u.data, line 41") && last.contains("--skip-bad-lines"), stopped.err)
        // The same error in the Korean edition.
        let korean = try run([
            "chapter", "5", "--quick", "--no-plots", "--data-dir", data.path, "--output", output.path, "--lang", "ko",
        ])
        XCTAssertNotEqual(korean.status, 0)
        let line = korean.err.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(line.contains("u.data, 41번째 줄: 평점 '9'") && line.contains("--skip-bad-lines"), korean.err)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: output.appendingPathComponent("05-ease/README.md").path),
            "nothing half-written")
        // The advice works: the flag is accepted by chapters.
        let skipped = try run([
            "chapter", "5", "--quick", "--no-plots", "--data-dir", data.path, "--output", output.path,
            "--skip-bad-lines",
        ])
        XCTAssertFalse(skipped.err.contains("Unknown option"), skipped.err)
    }
}
