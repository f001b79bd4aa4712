// Checks your answers to the exercises (Chapters/<NN-slug>/Exercises.swift):
//
//     swift test --filter ExerciseTests
//
// An exercise you have not answered is skipped with a hint; a wrong answer fails with an
// explanation; a right one passes. Each test first checks the reference solution with the
// same check, so a failing reference means the check itself is broken.

import Chapter01MFLimits
import Chapter02NCF
import Chapter03Item2Vec
import Chapter04Autoencoders
import Chapter05EASE
import Chapter06GNN
import Chapter07Practice
import Chapter08Capstone
import Foundation
import Narrative
import TensorCore
import XCTest

var chapters: [any Chapter.Type] {
    [
        MFLimitsChapter.self, NCFChapter.self, Item2VecChapter.self, AutoencodersChapter.self, EASEChapter.self,
        GNNChapter.self, PracticeChapter.self, CapstoneChapter.self,
    ]
}

/// Checks one answer; an unanswered one is skipped with its hint, a wrong one fails with why, in the
/// reader's edition (WORKBOOK_LANG, else the locale: `WORKBOOK_LANG=ko swift test` reads Korean).
func verify(_ exercise: Exercise, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(
        exercise.checkReference(), .correct, "the reference solution of exercise \(exercise.id) fails its own check",
        file: file, line: line)
    let language = (try? Languages.resolve(nil)) ?? Languages.english
    let shared = Text(directory: Languages.sharedDirectory, language: language)
    let chapter = chapters.first { "\($0.number)" == exercise.id.prefix { $0 != "." } }
    let text = chapter.map { Text(directory: Languages.chapterDirectory($0.folderName), language: language) }
    let (title, _, hint) = text.map { exercise.words($0) } ?? (exercise.title, exercise.prompt, exercise.hint)
    switch exercise.checkAnswer() {
    case .untouched:
        throw XCTSkip(
            shared("exercises.skip", ["id": exercise.id, "title": title, "answer": exercise.answerIn, "hint": hint]))
    case .wrong(let why):
        let words = exercise.explain(why, in: text, shared: shared)
        XCTFail(shared("exercises.fail", ["id": exercise.id, "title": title, "why": words]), file: file, line: line)
    case .correct:
        break
    }
}

final class Chapter01ExerciseTests: XCTestCase {
    func testExercise1_1() throws { try verify(MFLimitsChapter.exercises[0]) }
    func testExercise1_2() throws { try verify(MFLimitsChapter.exercises[1]) }
    func testExercise1_3() throws { try verify(MFLimitsChapter.exercises[2]) }
    func testExercise1_4() throws { try verify(MFLimitsChapter.exercises[3]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(MFLimitsChapter.exercises.count, 4) }
}

final class Chapter02ExerciseTests: XCTestCase {
    func testExercise2_1() throws { try verify(NCFChapter.exercises[0]) }
    func testExercise2_2() throws { try verify(NCFChapter.exercises[1]) }
    func testExercise2_3() throws { try verify(NCFChapter.exercises[2]) }
    func testExercise2_4() throws { try verify(NCFChapter.exercises[3]) }
    func testExercise2_5() throws { try verify(NCFChapter.exercises[4]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(NCFChapter.exercises.count, 5) }
}

final class Chapter05ExerciseTests: XCTestCase {
    func testExercise5_1() throws { try verify(EASEChapter.exercises[0]) }
    func testExercise5_2() throws { try verify(EASEChapter.exercises[1]) }
    func testExercise5_3() throws { try verify(EASEChapter.exercises[2]) }
    func testExercise5_4() throws { try verify(EASEChapter.exercises[3]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(EASEChapter.exercises.count, 4) }
}

final class Chapter03ExerciseTests: XCTestCase {
    func testExercise3_1() throws { try verify(Item2VecChapter.exercises[0]) }
    func testExercise3_2() throws { try verify(Item2VecChapter.exercises[1]) }
    func testExercise3_3() throws { try verify(Item2VecChapter.exercises[2]) }
    func testExercise3_4() throws { try verify(Item2VecChapter.exercises[3]) }
    func testExercise3_5() throws { try verify(Item2VecChapter.exercises[4]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(Item2VecChapter.exercises.count, 5) }
}

final class Chapter06ExerciseTests: XCTestCase {
    func testExercise6_1() throws { try verify(GNNChapter.exercises[0]) }
    func testExercise6_2() throws { try verify(GNNChapter.exercises[1]) }
    func testExercise6_3() throws { try verify(GNNChapter.exercises[2]) }
    func testExercise6_4() throws { try verify(GNNChapter.exercises[3]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(GNNChapter.exercises.count, 4) }
}

final class Chapter04ExerciseTests: XCTestCase {
    func testExercise4_1() throws { try verify(AutoencodersChapter.exercises[0]) }
    func testExercise4_2() throws { try verify(AutoencodersChapter.exercises[1]) }
    func testExercise4_3() throws { try verify(AutoencodersChapter.exercises[2]) }
    func testExercise4_4() throws { try verify(AutoencodersChapter.exercises[3]) }
    func testExercise4_5() throws { try verify(AutoencodersChapter.exercises[4]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(AutoencodersChapter.exercises.count, 5) }
}

final class Chapter07ExerciseTests: XCTestCase {
    func testExercise7_1() throws { try verify(PracticeChapter.exercises[0]) }
    func testExercise7_2() throws { try verify(PracticeChapter.exercises[1]) }
    func testExercise7_3() throws { try verify(PracticeChapter.exercises[2]) }
    func testExercise7_4() throws { try verify(PracticeChapter.exercises[3]) }
    func testExercise7_5() throws { try verify(PracticeChapter.exercises[4]) }
    func testExercise7_6() throws { try verify(PracticeChapter.exercises[5]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(PracticeChapter.exercises.count, 6) }
}

final class Chapter08ExerciseTests: XCTestCase {
    func testExercise8_1() throws { try verify(CapstoneChapter.exercises[0]) }
    func testExercise8_2() throws { try verify(CapstoneChapter.exercises[1]) }
    func testExercise8_3() throws { try verify(CapstoneChapter.exercises[2]) }
    func testExercise8_4() throws { try verify(CapstoneChapter.exercises[3]) }
    func testEveryExerciseHasATest() { XCTAssertEqual(CapstoneChapter.exercises.count, 4) }
}

/// The checks themselves can fail: a plausible wrong answer is caught.
final class ExerciseCheckTests: XCTestCase {
    func testTheTieCheckRejectsIndexTieBreaking() throws {
        let byIndex: ([Float], Set<Int>, Int) -> Double? = { scores, relevant, k in
            let ranked = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }
            let dcg = ranked.prefix(k).enumerated().reduce(0.0) {
                $0 + (relevant.contains($1.element) ? 1 / log2(Double($1.offset) + 2) : 0)
            }
            let ideal = (0..<min(k, relevant.count)).reduce(0.0) { $0 + 1 / log2(Double($1) + 2) }
            return ideal > 0 ? dcg / ideal : 0
        }
        guard case .wrong(let why) = PracticeChapter.checkTies(byIndex) else {
            return XCTFail("index tie-breaking passed")
        }
        try checkBothEditions(why, PracticeChapter.exercises[5], PracticeChapter.self, english: "scores [")
    }

    /// A wrong answer's explanation, in English and in Korean: every placeholder filled, Korean words in the latter.
    func checkBothEditions(
        _ why: Explanation, _ exercise: Exercise, _ chapter: any Chapter.Type, english: String
    ) throws {
        let en = exercise.explain(why)
        XCTAssertTrue(en.contains(english) && !en.contains("{{"), en)
        let ko = exercise.explain(
            why, in: Text(directory: Languages.chapterDirectory(chapter.folderName), language: "ko"),
            shared: Text(directory: Languages.sharedDirectory, language: "ko"))
        XCTAssertFalse(ko.contains("{{"), ko)
        XCTAssertTrue(ko.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }, ko)
        XCTAssertNotEqual(ko, en)
    }

    func testThePairedCheckRejectsAnUnpairedBootstrap() throws {
        let unpaired: ([Double], [Double], Int, UInt64) -> ClosedRange<Double>? = { a, b, resamples, seed in
            let rng = RandomGenerator(seed: seed)
            func mean(_ x: [Double]) -> Double {
                (0..<x.count).reduce(0.0) { s, _ in s + x[rng.nextInt(below: x.count)] } / Double(x.count)
            }
            let means = (0..<resamples).map { _ in mean(a) - mean(b) }.sorted()
            return means[Int(0.025 * Double(resamples))]...means[Int(0.975 * Double(resamples))]
        }
        guard case .wrong(let why) = CapstoneChapter.checkPaired(unpaired) else {
            return XCTFail("an unpaired answer passed")
        }
        try checkBothEditions(why, CapstoneChapter.exercises[3], CapstoneChapter.self, english: "users, Recall@10")
    }
}
