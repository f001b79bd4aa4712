import RecKit
import XCTest

/// Every metric on hand-computed cases, including ties and users with fewer than K test items.
final class MetricsTests: XCTestCase {
    func testRankingMetricsByHand() {
        // Ranked: 5, 3, 8, 1, 9; relevant {3, 9, 7}; K = 5.
        let m = UserMetrics.compute(ranked: [5, 3, 8, 1, 9], relevant: [3, 9, 7], k: 5)
        XCTAssertEqual(m.hit, 1)
        XCTAssertEqual(m.precision, 2.0 / 5.0)
        XCTAssertEqual(m.recall, 2.0 / 3.0)
        XCTAssertEqual(m.recallCapped, 2.0 / 3.0)
        // DCG = 1/log2(3) + 1/log2(6); IDCG = 1 + 1/log2(3) + 1/2.
        XCTAssertEqual(m.ndcg, (1 / log2(3.0) + 1 / log2(6.0)) / (1 + 1 / log2(3.0) + 0.5), accuracy: 1e-12)
        // AP = (1/3)(1/2 + 2/5)
        XCTAssertEqual(m.averagePrecision, (0.5 + 0.4) / 3, accuracy: 1e-12)
        XCTAssertEqual(m.reciprocalRank, 0.5)
    }

    func testFewerTestItemsThanK() {
        // One relevant item at rank 3, K = 10: recall 1, IDCG over min(K, 1) = 1 position.
        let m = UserMetrics.compute(ranked: [4, 2, 7, 1], relevant: [7], k: 10)
        XCTAssertEqual(m.recall, 1)
        XCTAssertEqual(m.precision, 0.1)
        XCTAssertEqual(m.ndcg, 1 / log2(4.0), accuracy: 1e-12)
        XCTAssertEqual(m.averagePrecision, 1.0 / 3.0, accuracy: 1e-12)
        // More test items than K: Recall divides by |T|, the capped variant by K.
        let many = UserMetrics.compute(ranked: [1, 2], relevant: [1, 2, 3, 4], k: 2)
        XCTAssertEqual(many.recall, 0.5)
        XCTAssertEqual(many.recallCapped, 1)
        XCTAssertEqual(many.ndcg, 1)
    }

    func testNoHit() {
        let m = UserMetrics.compute(ranked: [1, 2, 3], relevant: [9], k: 3)
        XCTAssertEqual(
            [m.hit, m.precision, m.recall, m.ndcg, m.averagePrecision, m.reciprocalRank], [0, 0, 0, 0, 0, 0])
    }

    func testTopKBreaksTiesByItemIndexAndExcludes() {
        let scores: [Float] = [0.5, 0.9, 0.5, 0.9, 0.1, 0.5]
        XCTAssertEqual(scores.withUnsafeBufferPointer { topK($0, k: 4) }, [1, 3, 0, 2])
        XCTAssertEqual(scores.withUnsafeBufferPointer { topK($0, k: 3, excluding: [1, 2]) }, [3, 0, 5])
        // Partial selection agrees with a full sort on random scores.
        var rng = SystemRandomNumberGenerator()
        let random = (0..<1000).map { _ in Float(Int.random(in: 0..<50, using: &rng)) }
        let full = random.indices.sorted { (random[$0], -$0) > (random[$1], -$1) }.prefix(20).map { Int32($0) }
        XCTAssertEqual(random.withUnsafeBufferPointer { topK($0, k: 20) }, Array(full))
    }

    func testRatingMetrics() {
        XCTAssertEqual(RatingMetrics.rmse([3, 4], [4, 2]), (2.5).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(RatingMetrics.mae([3, 4], [4, 2]), 1.5)
    }
}
