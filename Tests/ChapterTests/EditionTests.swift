// Every chapter in the Korean edition (quick mode, no figures): each block is translated, every
// placeholder filled, and the transcript lands in output/ko/ beside the English one.

import Chapter01MFLimits
import Chapter02NCF
import Chapter03Item2Vec
import Chapter04Autoencoders
import Chapter05EASE
import Chapter06GNN
import Chapter07Practice
import Chapter08Capstone
import DataFetch
import Foundation
import Models
import Narrative
import XCTest
import _WorkbookSupport

final class KoreanEditionTests: XCTestCase {
    /// Runs `chapter` in Korean; returns its transcript and the text problems it met.
    func runKorean(_ chapter: any Chapter.Type) throws -> (transcript: String, problems: [String]) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ko-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let narrator = Narrator(style: TerminalStyle(width: 88, colour: false, interactiveProgress: false)) { _ in }
        let context = ChapterContext(
            chapter: chapter, options: ChapterOptions(mode: .quick, outputRoot: output, plots: false, language: "ko"),
            narrator: narrator)
        defer { (ProgressWords.current, LibraryWords.current) = (.english, nil) }  // the next test's language
        try chapter.run(context)
        for exercise in chapter.exercises { _ = exercise.words(context.text) }
        try context.finish()
        let file = output.appendingPathComponent("ko").appendingPathComponent(chapter.folderName)
            .appendingPathComponent("README.md")
        let transcript = try String(contentsOf: file, encoding: .utf8)
        return (transcript, context.text.problems + narrator.words.problems)
    }

    func check(_ chapter: any Chapter.Type, needsData: Bool = true) throws {
        if needsData { try skipWithoutMovieLens() }
        let (transcript, problems) = try runKorean(chapter)
        XCTAssertEqual(problems, [], "chapter \(chapter.number) in Korean")
        XCTAssertFalse(transcript.contains("{{"), "an unfilled placeholder in chapter \(chapter.number)")
        XCTAssertTrue(transcript.hasPrefix("# \(chapter.number)장. "), String(transcript.prefix(80)))
        // Hangul makes up a real share of the prose, not only the headings.
        let hangul = transcript.unicodeScalars.filter { (0xAC00...0xD7A3).contains($0.value) }.count
        XCTAssertGreaterThan(hangul, 1000, "chapter \(chapter.number) reads in Korean")
        // The models' settings (tables of chapters 4, 6 and 8) are in Korean too.
        for english in ["early stopping", "epochs, ", "Adam lr 0.001, batch"] {
            XCTAssertFalse(transcript.contains(english), "chapter \(chapter.number) in Korean says '\(english)'")
        }
    }

    func testChapter1() throws { try check(MFLimitsChapter.self, needsData: false) }
    func testChapter2() throws { try check(NCFChapter.self) }
    func testChapter3() throws { try check(Item2VecChapter.self) }
    func testChapter4() throws { try check(AutoencodersChapter.self) }
    func testChapter5() throws { try check(EASEChapter.self) }
    func testChapter6() throws { try check(GNNChapter.self) }
    func testChapter7() throws { try check(PracticeChapter.self) }
    func testChapter8() throws { try check(CapstoneChapter.self) }

    /// Errors a learner meets outside a chapter's prose read in Korean too: a damaged download,
    /// a saved model that does not fit.
    func testDataAndModelErrorsReadInKorean() throws {
        let korean = Text(directory: Languages.sharedDirectory, language: "ko")
        LibraryWords.current = ChapterContext.libraryWords(korean)
        defer { LibraryWords.current = nil }
        let zip = FileManager.default.temporaryDirectory.appendingPathComponent("ko-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: zip) }
        try Data("PK not really".utf8).write(to: zip)
        XCTAssertThrowsError(try ZipArchive(zip)) { error in
            XCTAssertTrue("\(error)".contains("잘렸거나 zip 파일이 아닙니다(너무 짧음)"), "\(error)")
        }
        let saved = [NamedTensor("vectors", shape: [2, 3], values: Array(repeating: 0, count: 6))]
        XCTAssertThrowsError(try saved.tensor("vectors", shape: [2, 4], model: "Item2Vec")) { error in
            XCTAssertEqual(
                "\(error)", "저장된 Item2Vec 모델이 맞지 않습니다: 'vectors'의 모양은 [2, 3]인데 모델에는 [2, 4] 모양이 필요합니다")
        }
        XCTAssertThrowsError(try saved.tensor("items", model: "Item2Vec")) { error in
            XCTAssertTrue("\(error)".hasSuffix("텐서 'items'이(가) 없습니다"), "\(error)")
        }
        XCTAssertEqual(korean.problems, [])
    }
}
