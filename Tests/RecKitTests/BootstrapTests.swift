import Foundation
import RecKit
import TensorCore
import XCTest

final class BootstrapTests: XCTestCase {
    func testAConstantHasNoSpreadAndTheIntervalIsSeeded() {
        XCTAssertEqual(Bootstrap.interval([0.25, 0.25, 0.25, 0.25]), 0.25...0.25)
        let values = (0..<200).map { Double($0 % 7) / 7 }
        XCTAssertEqual(Bootstrap.interval(values, seed: 3), Bootstrap.interval(values, seed: 3))
        let r = Bootstrap.interval(values)
        let mean = values.reduce(0, +) / Double(values.count)
        XCTAssertTrue(r.contains(mean))
    }

    /// For n draws of a normal variable the 95% interval of the mean is about ±1.96 σ/√n.
    func testTheIntervalHasTheNormalWidth() {
        let rng = RandomGenerator(seed: 11)
        let values = (0..<2_000).map { _ in Double(rng.nextNormal()) }
        let mean = values.reduce(0, +) / 2_000
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1_999).squareRoot()
        let r = Bootstrap.interval(values, resamples: 2_000)
        XCTAssertEqual(r.upperBound - r.lowerBound, 2 * 1.96 * sd / 2_000.0.squareRoot(), accuracy: 0.012)
    }

    func testPairedComparisonSeesAShiftThatOverlappingIntervalsHide() {
        // Users differ a lot; model a is model b plus 0.01 on every other user.
        let rng = RandomGenerator(seed: 5)
        let b = (0..<500).map { _ in Double(rng.nextFloat()) }
        let a = b.enumerated().map { $0.offset % 2 == 0 ? $0.element + 0.01 : $0.element }
        let (ra, rb) = (Bootstrap.interval(a), Bootstrap.interval(b))
        XCTAssertTrue(ra.overlaps(rb), "one by one the two intervals overlap")
        let c = Bootstrap.compare(a, b)
        XCTAssertEqual(c.difference, 0.005, accuracy: 1e-12)
        XCTAssertTrue(c.isDistinguishable)
        XCTAssertGreaterThan(c.interval.lowerBound, 0)
        XCTAssertEqual(c.shareAhead, 1)
        // The same model twice cannot be told apart.
        let same = Bootstrap.compare(b, b)
        XCTAssertEqual(same.difference, 0)
        XCTAssertFalse(same.isDistinguishable)
        XCTAssertTrue(same.sentence("A", "B", metric: "Recall@20").contains("cannot be told apart"))
        XCTAssertTrue(c.sentence("A", "B", metric: "Recall@20").hasPrefix("A − B: Recall@20 +0.0050 ["))
        XCTAssertTrue(c.sentence("A", "B", metric: "Recall@20").hasSuffix("on these users A is ahead"))
    }

    func testEvaluationsArePairedOnlyOnTheSameUsers() {
        func evaluation(_ users: [Int32], _ values: [Double]) -> Evaluation {
            Evaluation(
                evaluationProtocol: "holdout-20", metrics: ["Recall@20": values.reduce(0, +) / Double(values.count)],
                evaluatedUsers: users.count, skippedUsers: 0, seconds: 0, perUser: ["Recall@20": values], users: users)
        }
        let a = evaluation([0, 1, 2], [1, 0, 1]), b = evaluation([0, 1, 2], [0, 0, 1]),
            c = evaluation([0, 1, 3], [1, 1, 1])
        XCTAssertEqual(Bootstrap.compare(a, b, metric: "Recall@20")?.difference ?? .nan, 1.0 / 3, accuracy: 1e-12)
        XCTAssertNil(Bootstrap.compare(a, c, metric: "Recall@20"))
        XCTAssertNil(Bootstrap.compare(a, b, metric: "NDCG@20"))
        XCTAssertEqual(a.interval("Recall@20")?.lowerBound ?? -1, 0, accuracy: 1e-12)
    }
}
