import TensorCore
import XCTest

/// Known values, numerical stability, broadcasting and autograd bookkeeping.
final class ValueTests: XCTestCase {
    func testMatmulKnownValues() {
        let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        let b = Tensor(rows: [[7, 8], [9, 10], [11, 12]])
        XCTAssertEqual(a.matmul(b).data, [58, 64, 139, 154])
    }

    func testStableActivationsAtExtremes() {
        let x = Tensor([-100, 0, 100])
        XCTAssertEqual(x.sigmoid().data, [0, 0.5, 1], accuracy: 1e-7)
        XCTAssertEqual(x.softplus().data, [0, Float(M_LN2), 100], accuracy: 1e-5)
        XCTAssertEqual(x.logSigmoid().data, [-100, -Float(M_LN2), 0], accuracy: 1e-5)
        // BCE with confident, correct logits is ~0, with confident wrong ones ~100: never NaN.
        XCTAssertEqual(Loss.bceWithLogits(Tensor([100, -100]), Tensor([1, 0])).item, 0, accuracy: 1e-6)
        XCTAssertEqual(Loss.bceWithLogits(Tensor([100, -100]), Tensor([0, 1])).item, 100, accuracy: 1e-3)
    }

    func testLogSoftmaxRowsNormalise() {
        let y = Tensor(rows: [[1, 2, 3], [1000, 1000, 1000]]).logSoftmax()
        XCTAssertEqual(y.row(0).map { Foundation.exp($0) }.reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertEqual(y.row(1), [Float](repeating: -Foundation.log(3), count: 3), accuracy: 1e-6)
    }

    func testLossesKnownValues() {
        XCTAssertEqual(Loss.mse(Tensor([1, 2]), Tensor([3, 2])).item, 2)
        XCTAssertEqual(Loss.maskedMSE(Tensor([1, 9, 2]), Tensor([3, 0, 2]), mask: Tensor([1, 0, 1])).item, 2)
        XCTAssertEqual(Loss.bpr(positive: Tensor([0]), negative: Tensor([0])).item, Float(M_LN2), accuracy: 1e-6)
        XCTAssertEqual(Loss.gaussianKL(mean: Tensor.zeros([2, 3]), logVariance: Tensor.zeros([2, 3])).item, 0)
        // KL(N(1, 1) || N(0, 1)) = 1/2 per dimension.
        XCTAssertEqual(
            Loss.gaussianKL(mean: Tensor.ones([1, 4]), logVariance: Tensor.zeros([1, 4])).item, 2, accuracy: 1e-6)
        // Uniform logits over 4 items, one item observed: -log(1/4).
        XCTAssertEqual(
            Loss.multinomialNLL(logits: Tensor.zeros([1, 4]), counts: Tensor(rows: [[0, 1, 0, 0]])).item,
            Foundation.log(4), accuracy: 1e-6)
    }

    func testBroadcastShapesAndValues() {
        let y = Tensor(rows: [[1, 2, 3], [4, 5, 6]]) + Tensor([10, 20, 30])
        XCTAssertEqual(y.data, [11, 22, 33, 14, 25, 36])
        let z = Tensor([1, 2], shape: [2, 1]) * Tensor([1, 10, 100], shape: [1, 3])
        XCTAssertEqual(z.shape, [2, 3])
        XCTAssertEqual(z.data, [1, 10, 100, 2, 20, 200])
    }

    func testGradientsAccumulateUntilZeroed() {
        let x = Tensor([1, 2], requiresGrad: true)
        (x * x).sum().backward()
        (x * x).sum().backward()
        XCTAssertEqual(x.grad, [4, 8])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testNoGradScopeRecordsNothing() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = Tensor.withoutGrad { x * x }
        XCTAssertFalse(y.requiresGrad)
    }

    func testSharedSubexpressionGetsBothPaths() {
        // y = x*x + x at x=3: dy/dx = 2x + 1 = 7.
        let x = Tensor(scalar: 3, requiresGrad: true)
        (x * x + x).backward()
        XCTAssertEqual(x.grad, [7])
    }

    func testDropoutIsIdentityInEvaluationAndKeepsExpectation() {
        let x = Tensor.ones([100_000])
        XCTAssertEqual(x.dropout(0.5, training: false, rng: RandomGenerator(seed: 1)).data, x.data)
        let y = x.dropout(0.5, training: true, rng: RandomGenerator(seed: 1))
        XCTAssertEqual(y.mean().item, 1, accuracy: 0.02)
        XCTAssertEqual(Float(y.data.filter { $0 == 0 }.count) / 100_000, 0.5, accuracy: 0.01)
    }

    func testBatchNormTrainingAndEvaluation() {
        let norm = BatchNorm1d(2, momentum: 1)
        let x = Tensor(rows: [[1, 10], [3, 30]])
        let y = norm(x)
        XCTAssertEqual(y.data, [-1, -1, 1, 1], accuracy: 1e-3)
        XCTAssertEqual(norm.runningMean, [2, 20])
        XCTAssertEqual(norm.runningVariance, [2, 200], accuracy: 1e-4)  // unbiased
        norm.setTraining(false)
        XCTAssertEqual(norm(Tensor(rows: [[2, 20]])).data, [0, 0], accuracy: 1e-5)
    }

    func testInitialiserBounds() {
        let rng = RandomGenerator(seed: 1)
        let xavier = Initializer.xavierUniform.values(fanIn: 100, fanOut: 50, count: 5000, rng: rng)
        let bound = Float(6.0 / 150.0).squareRoot()
        XCTAssertLessThanOrEqual(xavier.map(abs).max()!, bound)
        XCTAssertGreaterThan(xavier.map(abs).max()!, 0.95 * bound)
        let normal = Initializer.normal(std: 0.01).values(fanIn: 1, fanOut: 1, count: 20000, rng: rng)
        let std = (normal.map { $0 * $0 }.reduce(0, +) / 20000).squareRoot()
        XCTAssertEqual(std, 0.01, accuracy: 0.0005)
    }

    func testRandomGeneratorIsDeterministicAndUniform() {
        let a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let xs = (0..<5).map { _ in a.next() }
        XCTAssertEqual(xs, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(xs, (0..<5).map { _ in c.next() })
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[a.nextInt(below: 10)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
        XCTAssertEqual(a.permutation(50).sorted(), Array(0..<50))
    }

    func testDivergenceIsAClearError() {
        XCTAssertThrowsError(try checkFinite(.nan, epoch: 3, step: 120)) { error in
            XCTAssertEqual(
                "\(error)",
                "loss became NaN at epoch 3, step 120: try a lower learning rate (or check the inputs for NaN)")
        }
        XCTAssertNoThrow(try checkFinite(0.5, epoch: 1, step: 1))
    }

    func testExpIsAccurateAndHandlesTheEdges() {
        let xs = (0...200_000).map { -87 + 175 * Float($0) / 200_000 }
        let ys = Tensor(xs).exp().data
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(y) - exact) / exact)
        }
        XCTAssertLessThan(worst, 3e-7, "relative error of exp")
        let edges = Tensor([0, -200, 200, .nan, -.infinity, .infinity]).exp().data
        XCTAssertEqual(edges[0], 1)
        XCTAssertEqual(edges[1], 0)
        XCTAssertEqual(edges[2], .infinity)
        XCTAssertTrue(edges[3].isNaN)
        XCTAssertEqual(edges[4], 0)
        XCTAssertEqual(edges[5], .infinity)
    }

    func testLargeElementwiseMatchesSmall() {
        // The multi-threaded path (> 2^17 elements) computes the same values as the serial one.
        let n = 300_000
        let x = Tensor((0..<n).map { Float($0 % 17) - 8 })
        let y = x.relu()
        for i in stride(from: 0, to: n, by: 9973) { XCTAssertEqual(y.data[i], max(x.data[i], 0)) }
        XCTAssertEqual(x.sum().item, Float((0..<n).map { Double($0 % 17) - 8 }.reduce(0, +)))
    }
}

func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
}

/// Products large enough for OpenBLAS's threads, tall and short-wide, with odd sizes: the result
/// and both gradients (the transposed GEMMs of the backward pass) match a plain triple loop.
final class LargeGEMMTests: XCTestCase {
    func check(m: Int, k: Int, n: Int, file: StaticString = #filePath, line: UInt = #line) {
        let rng = RandomGenerator(seed: UInt64(m * 7 + n))
        let a = Tensor.randomNormal([m, k], rng: rng), b = Tensor.randomNormal([k, n], rng: rng),
            w = Tensor.randomNormal([m, n], rng: rng)
        a.requiresGrad = true
        b.requiresGrad = true
        let c = a.matmul(b)
        (c * w).sum().backward()
        func close(_ x: Float, _ y: Double) -> Bool { abs(Double(x) - y) <= 1e-3 * max(1, abs(y)) }
        for (i, j) in [(0, 0), (m - 1, n - 1), (m / 2, n / 3), (m - 1, 0), (0, n - 1), (m / 3, n / 2 + 1)] {
            let want = (0..<k).reduce(0.0) { $0 + Double(a.data[i * k + $1]) * Double(b.data[$1 * n + j]) }
            XCTAssertTrue(
                close(c.data[i * n + j], want), "C[\(i),\(j)] = \(c.data[i * n + j]), want \(want)", file: file,
                line: line)
        }
        // dA = W Bᵀ and dB = Aᵀ W.
        for (i, p) in [(0, 0), (m - 1, k - 1), (m / 2, k / 2)] {
            let want = (0..<n).reduce(0.0) { $0 + Double(w.data[i * n + $1]) * Double(b.data[p * n + $1]) }
            XCTAssertTrue(close(a.grad![i * k + p], want), "dA[\(i),\(p)]", file: file, line: line)
        }
        for (p, j) in [(0, 0), (k - 1, n - 1), (k / 2, n / 2)] {
            let want = (0..<m).reduce(0.0) { $0 + Double(a.data[$1 * k + p]) * Double(w.data[$1 * n + j]) }
            XCTAssertTrue(close(b.grad![p * n + j], want), "dB[\(p),\(j)]", file: file, line: line)
        }
    }

    func testTallProduct() { check(m: 300, k: 200, n: 150) }
    func testShortWideProduct() { check(m: 20, k: 400, n: 3000) }
    func testOddSizesLeaveNoElementOut() { check(m: 517, k: 33, n: 131) }
}

/// A left operand that is data and mostly zeros takes the sparse path; the numbers must be the
/// dense product's.
final class SparseLeftOperandTests: XCTestCase {
    func testMostlyZeroDataMatchesTheDenseProduct() {
        let rng = RandomGenerator(seed: 11)
        let (m, k, n) = (300, 200, 64)
        let a = Tensor((0..<(m * k)).map { _ in rng.nextFloat() < 0.05 ? rng.nextNormal() : 0 }, shape: [m, k])
        let b = Tensor.randomNormal([k, n], rng: rng), w = Tensor.randomNormal([m, n], rng: rng)
        b.requiresGrad = true
        let c = a.matmul(b)
        (c * w).sum().backward()
        for (i, j) in [(0, 0), (m - 1, n - 1), (m / 2, 7), (17, n / 2)] {
            let want = (0..<k).reduce(0.0) { $0 + Double(a.data[i * k + $1]) * Double(b.data[$1 * n + j]) }
            XCTAssertEqual(Double(c.data[i * n + j]), want, accuracy: 1e-4)
        }
        for (p, j) in [(0, 0), (k - 1, n - 1), (k / 2, 5)] {
            let want = (0..<m).reduce(0.0) { $0 + Double(a.data[$1 * k + p]) * Double(w.data[$1 * n + j]) }
            XCTAssertEqual(Double(b.grad![p * n + j]), want, accuracy: 1e-4)
        }
    }

    func testEntriesAreSortedAndDuplicatesSummed() {
        let s = SparseMatrix(
            rowCount: 3, columnCount: 3, entries: [(2, 1, 1), (0, 2, 2), (0, 0, 3), (2, 1, 4), (1, 1, 5)])
        XCTAssertEqual(s.rowStart, [0, 2, 3, 4])
        XCTAssertEqual(s.columns, [0, 2, 1, 1])
        XCTAssertEqual(s.values, [3, 2, 5, 5])
    }
}
