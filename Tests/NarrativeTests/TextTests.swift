// The editions' text files: every language has every block of English, with the same
// placeholders; the format's rules hold; the glossary is well formed; --lang resolves.

import Foundation
import Narrative
import Plotting
import XCTest
import _WorkbookSupport

final class TextTests: XCTestCase {
    /// Sources/Narrative/text and every Chapters/<NN-slug>/text folder.
    var directories: [URL] {
        let chapters = (try? FileManager.default.contentsOfDirectory(
            atPath: Languages.root.appendingPathComponent("Chapters").path)) ?? []
        return [Languages.sharedDirectory]
            + chapters.sorted().filter { $0.first?.isNumber == true }.map { Languages.chapterDirectory($0) }
    }

    func testEveryLanguageHasEveryBlockWithTheSamePlaceholders() throws {
        XCTAssertTrue(Languages.available.contains("ko"), "the Korean edition exists")
        XCTAssertEqual(directories.count, 9)
        for directory in directories {
            let english = try TextCatalog.load(directory.appendingPathComponent("en.txt"), language: "en")
            for language in Languages.available where language != "en" {
                let file = directory.appendingPathComponent("\(language).txt")
                let other = try TextCatalog.load(file, language: language)
                let name = directory.path.replacingOccurrences(of: Languages.root.path + "/", with: "")
                // Exercises' and the libraries' English is in Swift (checked below and in ExerciseTests).
                let shared = directory == Languages.sharedDirectory
                let exercise = { (id: String) in id.hasPrefix("exercise.") || (shared && Self.isLibraryWord(id)) }
                XCTAssertEqual(
                    Set(english.order).subtracting(other.order).sorted(), [],
                    "\(name)/\(language).txt lacks these blocks of en.txt")
                XCTAssertEqual(
                    Set(other.order).subtracting(english.order).filter { !exercise($0) }.sorted(), [],
                    "\(name)/\(language).txt has blocks en.txt does not")
                for id in english.order where other.blocks[id] != nil {
                    XCTAssertEqual(
                        other.placeholders(of: id), english.placeholders(of: id),
                        "\(name)/\(language).txt, block \(id): the placeholders differ from English")
                }
            }
        }
    }

    /// Whether `id` belongs to the libraries' words: its first part ("settings", "store", "fetch") is theirs.
    static func isLibraryWord(_ id: String) -> Bool {
        let families = Set(LibraryWords.english.keys.map { $0.prefix { $0 != "." } })
        return families.contains(id.prefix { $0 != "." })
    }

    /// The libraries' English is in Swift (LibraryWords.english); every other language has each of its
    /// phrases, with the same placeholders, and no other block of those families.
    func testEveryLanguageTranslatesTheLibraryWords() throws {
        let english = LibraryWords.english
        XCTAssertGreaterThan(english.count, 40)
        for language in Languages.available where language != "en" {
            let file = Languages.sharedDirectory.appendingPathComponent("\(language).txt")
            let other = try TextCatalog.load(file, language: language)
            let theirs = Set(other.order.filter(Self.isLibraryWord))
            XCTAssertEqual(Set(english.keys).subtracting(theirs).sorted(), [], "\(language).txt lacks these")
            XCTAssertEqual(theirs.subtracting(english.keys).sorted(), [], "\(language).txt has extra blocks of these")
            for (id, template) in english where other.blocks[id] != nil {
                XCTAssertEqual(
                    other.placeholders(of: id), TextCatalog.placeholders(in: template), "\(language).txt, \(id)")
            }
        }
    }

    /// The shared exercise checks' English is in Swift (Explanation.shared); every other language has each
    /// as an `exercise.check.*` block with the same placeholders.
    func testEveryLanguageTranslatesTheSharedExerciseChecks() throws {
        for language in Languages.available where language != "en" {
            let file = Languages.sharedDirectory.appendingPathComponent("\(language).txt")
            let other = try TextCatalog.load(file, language: language)
            for (key, english) in Explanation.shared {
                XCTAssertNotNil(other.blocks["exercise.\(key)"], "\(language).txt lacks exercise.\(key)")
                XCTAssertEqual(
                    other.placeholders(of: "exercise.\(key)"), TextCatalog.placeholders(in: english),
                    "\(language).txt, exercise.\(key)")
            }
        }
    }

    /// Placeholders are filled in one pass: a value is not scanned again, whatever order the values
    /// come in; `inEnglish` gives the English words with another edition's installed.
    func testFillingIsOnePassAndEnglishCanBeAskedFor() {
        XCTAssertEqual(LibraryWords.fill("{{a}} and {{b}}, {{c}}", ["a": "{{b}}", "b": "x"]), "{{b}} and x, {{c}}")
        let saved = LibraryWords.current
        defer { LibraryWords.current = saved }
        LibraryWords.current = { id, _ in id == "settings.random" ? "균등 분포 무작위 점수" : nil }
        XCTAssertEqual(LibraryWords.say("settings.random"), "균등 분포 무작위 점수")
        XCTAssertEqual(LibraryWords.inEnglish { LibraryWords.say("settings.random") }, "uniform scores")
    }

    func testTheFormat() throws {
        let catalog = try TextCatalog(
            parsing: "%% comment\n@@ a\nfirst line\nsecond {{n}}\n~\nafter a break\n\n@@ b.c-d\nx\n", language: "en",
            source: "test")
        XCTAssertEqual(catalog.order, ["a", "b.c-d"])
        XCTAssertEqual(catalog.blocks["a"], "first line second {{n}}\nafter a break")
        XCTAssertEqual(catalog.placeholders(of: "a"), ["n"])
        XCTAssertThrowsError(try TextCatalog(parsing: "@@ a\nx\n@@ a\ny", language: "en", source: "t"))
        XCTAssertThrowsError(try TextCatalog(parsing: "stray\n@@ a\nx", language: "en", source: "t"))
        XCTAssertThrowsError(try TextCatalog(parsing: "@@ a b\nx", language: "en", source: "t"))
    }

    func testMissingBlocksAndUnfilledPlaceholdersAreRecorded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "@@ a\nhello {{who}}\n@@ b\nonly English\n".write(
            to: directory.appendingPathComponent("en.txt"), atomically: true, encoding: .utf8)
        try "@@ a\n안녕 {{who}}\n".write(
            to: directory.appendingPathComponent("ko.txt"), atomically: true, encoding: .utf8)
        let ko = Text(directory: directory, language: "ko")
        XCTAssertEqual(ko("a", ["who": "세상"]), "안녕 세상")
        XCTAssertEqual(ko.problems, [])
        XCTAssertEqual(ko("b"), "only English")
        XCTAssertEqual(ko("a"), "안녕 {{who}}")
        XCTAssertEqual(ko.problems, ["block 'b' is missing in ko", "placeholder {{who}} of 'a' is not filled"])
    }

    func testLanguageResolution() throws {
        XCTAssertEqual(try Languages.resolve(nil, environment: [:]), "en")
        XCTAssertEqual(try Languages.resolve("ko", environment: [:]), "ko")
        XCTAssertEqual(try Languages.resolve(nil, environment: ["WORKBOOK_LANG": "ko"]), "ko")
        XCTAssertEqual(try Languages.resolve(nil, environment: ["LANG": "ko_KR.UTF-8"]), "ko")
        XCTAssertEqual(try Languages.resolve(nil, environment: ["LANG": "de_DE.UTF-8"]), "en")
        XCTAssertEqual(try Languages.resolve("en", environment: ["LANG": "ko_KR.UTF-8"]), "en")
        XCTAssertThrowsError(try Languages.resolve("xx", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("en, ko"), "\(error)")
        }
    }

    /// Terminal columns: Hangul takes two, so wrapping and tables line up.
    func testKoreanTakesTwoColumns() {
        XCTAssertEqual(displayWidth("추천 system"), 11)
        for line in wrap("추천 시스템은 사용자가 좋아할 아이템을 고릅니다", width: 12).split(separator: "\n") {
            XCTAssertLessThanOrEqual(displayWidth(line), 12)
        }
    }

    func testGlossaryRows() throws {
        let file = Languages.sharedDirectory.appendingPathComponent("glossary.tsv")
        let text = try String(contentsOf: file, encoding: .utf8)
        let rows = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.first, ["english", "korean", "definition"])
        XCTAssertGreaterThan(rows.count, 50)
        for row in rows { XCTAssertEqual(row.count, 3, "glossary row \(row)") }
        XCTAssertEqual(Set(rows.map { $0[0] }).count, rows.count, "each English term once")
    }
}
