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
        XCTAssertTrue(sign.contains("right value"), sign)
        // The right number, read out of the graph: nothing would train.
        let cut: ([Tensor]) -> Tensor = { x in
            Tensor(scalar: Tensor.withoutGrad { -(x[0] - x[1]).logSigmoid().mean() }.item)
        }
        guard case .wrong(let why) = TensorExercise.check(cut, reference: reference, shapes: shapes, names: names)
        else { return XCTFail("a cut graph passed") }
        XCTAssertTrue(why.contains("no gradient reaches positive"), why)
    }
}
