import Narrative
import TensorCore
import XCTest

/// The modelling exercises' check can fail: a wrong value, a cut graph and a wrong gradient are each caught.
final class TensorExerciseTests: XCTestCase {
    let reference: ([Tensor]) -> Tensor = { Loss.bpr(positive: $0[0], negative: $0[1]) }
    let shapes = [[16], [16]], names = ["positive", "negative"]

    func testRightWrongCutAndUntouched() {
        XCTAssertEqual(TensorExercise.check(nil, reference: reference, shapes: shapes, names: names), .untouched)
        XCTAssertEqual(
            TensorExercise.check(
                { -($0[0] - $0[1]).logSigmoid().mean() }, reference: reference, shapes: shapes, names: names),
            .correct)
        // The sign of the gap flipped: a different value.
        guard
            case .wrong(let sign) = TensorExercise.check(
                { -($0[1] - $0[0]).logSigmoid().mean() }, reference: reference, shapes: shapes, names: names)
        else { return XCTFail("a flipped sign passed") }
        XCTAssertEqual(sign.key, "check.value")
        // The right number, read out of the graph: nothing would train.
        let cut: ([Tensor]) -> Tensor = { x in
            Tensor(scalar: Tensor.withoutGrad { -(x[0] - x[1]).logSigmoid().mean() }.item)
        }
        guard case .wrong(let why) = TensorExercise.check(cut, reference: reference, shapes: shapes, names: names)
        else { return XCTFail("a cut graph passed") }
        XCTAssertEqual(why.key, "check.no-gradient")
        XCTAssertEqual(why.values["name"], "positive")
    }

    /// A wrong answer's explanation reads in English from the exercise's `why` phrases and the shared
    /// checks' ones, and in Korean from the text files (here the shared part; the chapter's falls back).
    func testExplanationsInEitherEdition() throws {
        let exercise = Exercise(
            id: "9.9", title: "t", prompt: "p", hint: "h", answerIn: "a", why: ["x": "because {{n}} is odd"],
            checkAnswer: { .untouched }, checkReference: { .correct })
        guard case .wrong(let why) = Check.number(2, expected: 1, tolerance: 0.5, explain: Explanation("x", ["n": 3]))
        else { return XCTFail("2 is not within 0.5 of 1") }
        XCTAssertEqual(exercise.explain(why), "got 2.0, which is off by more than 0.5. because 3 is odd")
        let korean = Text(directory: Languages.sharedDirectory, language: "ko")
        XCTAssertEqual(
            exercise.explain(why, shared: korean), "답 2.0: 정답과의 차이가 허용 오차 0.5보다 큽니다. because 3 is odd")
    }
}
