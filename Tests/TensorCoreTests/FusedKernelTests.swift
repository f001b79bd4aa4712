import Foundation
import TensorCore
import XCTest

/// The C kernels and fused paths (added for chapter 4's speed targets) against plain Swift
/// references, at widths that exercise both the vectorised lanes and the scalar tails.
final class FusedKernelTests: XCTestCase {
    func testTanhAndSigmoidAreAccurateAndHandleTheEdges() {
        let xs = (0...100_000).map { -20 + 40 * Float($0) / 100_000 } + [1e-30, -1e-30, 1e-5, 0.6249, 0.6251, -0.6251]
        let t = Tensor(xs).tanh().data, s = Tensor(xs).sigmoid().data
        var worstTanh = 0.0, worstSigmoid = 0.0
        for (i, x) in xs.enumerated() {
            let exactTanh = Foundation.tanh(Double(x)), exactSigmoid = 1 / (1 + Foundation.exp(-Double(x)))
            worstTanh = max(worstTanh, abs(Double(t[i]) - exactTanh) / max(abs(exactTanh), 1e-30))
            worstSigmoid = max(worstSigmoid, abs(Double(s[i]) - exactSigmoid) / exactSigmoid)
        }
        XCTAssertLessThan(worstTanh, 1e-6, "relative error of tanh")
        XCTAssertLessThan(worstSigmoid, 1e-6, "relative error of sigmoid")
        let edges = Tensor([0, 100, -100, .infinity, -.infinity, .nan]).tanh().data
        XCTAssertEqual(Array(edges[0..<5]), [0, 1, -1, 1, -1])
        XCTAssertTrue(edges[5].isNaN)
        XCTAssertEqual(Tensor([-200, 200, -.infinity]).sigmoid().data, [0, 1, 0])
    }

    func testWideLogSoftmaxAndItsGradient() {
        // 37 columns: four lanes of eight and a tail of five.
        checkGradients([awayFromZero([3, 37], seed: 31)]) { $0[0].logSoftmax() }
        let x = Tensor.randomNormal([4, 37], std: 3, rng: RandomGenerator(seed: 32))
        let y = x.logSoftmax().data
        for r in 0..<4 {
            let row = (0..<37).map { Double(x.data[r * 37 + $0]) }
            let m = row.max() ?? 0, lse = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
            for j in 0..<37 { XCTAssertEqual(Double(y[r * 37 + j]), row[j] - lse, accuracy: 1e-5) }
        }
    }

    func testFusedMultinomialNLLIsTheComposedFormula() {
        let rng = RandomGenerator(seed: 33)
        let logits = Tensor.randomNormal([5, 41], std: 2, rng: rng)
        let counts = Tensor(
            (0..<(5 * 41)).map { _ in rng.nextFloat() < 0.2 ? Float(1 + rng.nextInt(below: 3)) : 0 }, shape: [5, 41])
        let fused = Loss.multinomialNLL(logits: logits, counts: counts).item
        let composed = -(logits.logSoftmax() * counts).sum(axis: 1).mean().item
        XCTAssertEqual(fused, composed, accuracy: 1e-4 * abs(composed))
        checkGradients([awayFromZero([3, 19], seed: 34)]) {
            Loss.multinomialNLL(
                logits: $0[0], counts: Tensor((0..<57).map { Float($0 % 3 == 0 ? 1 : 0) }, shape: [3, 19]))
        }
    }

    func testFusedGaussianKLIsTheComposedFormula() {
        let rng = RandomGenerator(seed: 47)
        let mu = Tensor.randomNormal([6, 9], rng: rng), logvar = Tensor.randomNormal([6, 9], std: 0.5, rng: rng)
        let composed = ((1 + logvar - mu.pow(2) - logvar.exp()).sum(axis: 1) * -0.5).mean().item
        XCTAssertEqual(Loss.gaussianKL(mean: mu, logVariance: logvar).item, composed, accuracy: 1e-5 * abs(composed))
    }

    func testMatmulWithBiasAndItsGradients() {
        checkGradients([awayFromZero([3, 4], seed: 35), awayFromZero([4, 5], seed: 36), awayFromZero([5], seed: 37)]) {
            $0[0].matmul($0[1], plus: $0[2])
        }
        let a = SparseMatrix(rowCount: 3, columnCount: 4, entries: [(0, 1, 0.5), (1, 0, 2), (2, 2, 0.25), (2, 3, 1)])
        checkGradients([awayFromZero([4, 2], seed: 38), awayFromZero([2], seed: 39)]) { a.matmul($0[0], plus: $0[1]) }
        // Linear on sparse rows equals Linear on the same rows dense.
        let linear = Linear(4, 3, rng: RandomGenerator(seed: 40))
        let dense = Tensor([0, 0.5, 0, 0, 2, 0, 0, 0, 0, 0, 0.25, 1], shape: [3, 4])
        XCTAssertEqual(linear(SparseMatrix(dense: dense)).data, linear(dense).data, accuracy: 1e-6)
    }

    func testBroadcastRunsMatchElementByElement() {
        // A bias row, a column, a middle run, a scalar, and two separate runs (the general path).
        let cases: [([Int], [Int])] = [
            ([6], [4, 6]), ([4, 1], [4, 6]), ([2, 1, 3], [2, 5, 3]), ([], [3, 2]), ([1, 3, 1], [2, 3, 4]),
        ]
        for (small, big) in cases {
            let rng = RandomGenerator(seed: UInt64(big.reduce(1, *)))
            let a = Tensor.randomNormal(big, rng: rng), b = Tensor.randomNormal(small, rng: rng)
            let sum = (a + b).data
            let aligned = [Int](repeating: 1, count: big.count - small.count) + small
            for flat in 0..<a.count {
                var rest = flat, index = [Int](repeating: 0, count: big.count)
                for k in stride(from: big.count - 1, through: 0, by: -1) { index[k] = rest % big[k]; rest /= big[k] }
                let source = zip(index, aligned).reduce(0) { $0 * $1.1 + ($1.1 == 1 ? 0 : $1.0) }
                XCTAssertEqual(sum[flat], a.data[flat] + b.data[source], "\(small) -> \(big) at \(flat)")
            }
            checkGradients([awayFromZero(big, seed: 41), awayFromZero(small, seed: 42)]) { $0[0] * $0[1] }
        }
    }

    func testSumAlongEveryAxisOfARank3Tensor() {
        let x = Tensor.randomNormal([3, 4, 5], rng: RandomGenerator(seed: 43))
        for axis in 0..<3 {
            let s = x.sum(axis: axis).data
            var want = [Double](repeating: 0, count: 60 / [3, 4, 5][axis])
            for i in 0..<3 {
                for j in 0..<4 {
                    for k in 0..<5 {
                        let out = axis == 0 ? j * 5 + k : axis == 1 ? i * 5 + k : i * 4 + j
                        want[out] += Double(x.data[(i * 4 + j) * 5 + k])
                    }
                }
            }
            for (a, b) in zip(s, want) { XCTAssertEqual(Double(a), b, accuracy: 1e-5) }
            checkGradients([awayFromZero([3, 4, 5], seed: 44)]) { $0[0].sum(axis: axis) }
        }
    }

    func testBulkNormalsAreStandardNormal() {
        let z = RandomGenerator(seed: 45).normals(200_001)
        XCTAssertEqual(z, RandomGenerator(seed: 45).normals(200_001), "same seed, same draws")
        let n = Double(z.count)
        let mean = z.reduce(0.0) { $0 + Double($1) } / n
        let variance = z.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        XCTAssertEqual(mean, 0, accuracy: 5 / n.squareRoot())
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        // Kolmogorov-Smirnov distance to Φ: 1.63 / sqrt(n) is the 1% critical value.
        let sorted = z.sorted()
        var distance = 0.0
        for (i, v) in sorted.enumerated() where i % 7 == 0 {
            let phi = 0.5 * erfc(-Double(v) / 2.0.squareRoot())
            distance = max(distance, abs(phi - Double(i) / n), abs(phi - Double(i + 1) / n))
        }
        XCTAssertLessThan(distance, 1.63 / n.squareRoot())
        XCTAssertEqual(RandomGenerator(seed: 1).normals(3, mean: 10, std: 0), [10, 10, 10])
    }

    func testMostlyZeroThresholdAndEveryNonZeroKept() {
        let rng = RandomGenerator(seed: 46)
        let x = Tensor((0..<(40 * 33)).map { _ in rng.nextFloat() < 0.3 ? rng.nextNormal() : 0 }, shape: [40, 33])
        let s = SparseMatrix(dense: x)
        XCTAssertEqual(s.nonZeroCount, x.data.filter { $0 != 0 }.count)
        var back = [Float](repeating: 0, count: x.count)
        for r in 0..<40 {
            for k in s.rowStart[r]..<s.rowStart[r + 1] { back[r * 33 + Int(s.columns[k])] = s.values[k] }
        }
        XCTAssertEqual(back, x.data)
    }
}

final class GraphKernelTests: XCTestCase {
    /// A small symmetric matrix (LightGCN's normalised adjacency is one).
    let adjacency = SparseMatrix(
        rowCount: 4, columnCount: 4,
        entries: [(0, 1, 0.5), (1, 0, 0.5), (1, 2, 0.25), (2, 1, 0.25), (0, 3, -1), (3, 0, -1), (2, 2, 0.3)])

    func testFusedBPROverRowsIsTheComposedFormula() {
        let table = awayFromZero([6, 5], seed: 61)
        let users: [Int32] = [0, 1, 0, 2], positives: [Int32] = [3, 4, 5, 3], negatives: [Int32] = [4, 5, 3, 3]
        let composed = Loss.bpr(
            positive: (table.gather(users) * table.gather(positives)).sum(axis: 1),
            negative: (table.gather(users) * table.gather(negatives)).sum(axis: 1)
        ).item
        XCTAssertEqual(Loss.bpr(rowsOf: table, users: users, positives: positives, negatives: negatives).item,
                       composed, accuracy: 1e-5 * abs(composed))
        // Rows repeat and one triple's positive is its negative: the gradient must still add up.
        checkGradients([table]) { Loss.bpr(rowsOf: $0[0], users: users, positives: positives, negatives: negatives) }
    }

    func testSumOfSquaresOverRowsIsTheGatheredSum() {
        let table = awayFromZero([5, 3], seed: 62), rows: [Int32] = [4, 0, 4, 2]
        XCTAssertEqual(table.sumOfSquares(rows: rows).item, table.gather(rows).sumOfSquares().item, accuracy: 1e-5)
        checkGradients([table]) { $0[0].sumOfSquares(rows: rows) }
    }

    func testPowerMeanIsTheMeanOfPowers() {
        let x = awayFromZero([4, 3], seed: 63)
        for layers in 0...3 {
            var power = x, sum = x
            for _ in 0..<layers { power = adjacency.matmul(power); sum = sum + power }
            let composed = sum * (1 / Float(layers + 1))
            XCTAssertEqual(adjacency.powerMean(x, degree: layers).data, composed.data, accuracy: 1e-5)
            checkGradients([awayFromZero([4, 3], seed: 64 + UInt64(layers))]) {
                self.adjacency.powerMean($0[0], degree: layers)
            }
        }
    }

    /// A bipartite graph big enough for the 64-wide register blocks (d = 70: one block and a tail) and
    /// for the rows to be split across threads by their non-zeros (the first 100 rows hold half of them):
    /// the same numbers on one thread as on two, and those of plain loops over the entries, both ways.
    func testLargePowerMeanMatchesPlainLoopsOnAnyThreadCount() {
        let (n, d, rng) = (400, 70, RandomGenerator(seed: 68))
        var entries: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<100 {
            for _ in 0..<40 {
                let (c, v) = (100 + rng.nextInt(below: 300), rng.nextFloat() / 20)
                entries += [(r, c, v), (c, r, v)]
            }
        }
        let a = SparseMatrix(rowCount: n, columnCount: n, entries: entries)
        XCTAssertGreaterThan(a.nonZeroCount, 4096, "below this the product runs on one thread")
        func plain(_ x: [Float]) -> [Float] {  // (x + A x + A² x + A³ x) / 4
            var power = x, sum = x
            for _ in 0..<3 {
                var next = [Float](repeating: 0, count: n * d)
                for r in 0..<n {
                    for k in a.rowStart[r]..<a.rowStart[r + 1] {
                        let c = Int(a.columns[k])
                        for j in 0..<d { next[r * d + j] += a.values[k] * power[c * d + j] }
                    }
                }
                for i in sum.indices { sum[i] += next[i] }
                power = next
            }
            return sum.map { $0 / 4 }
        }
        func largestGap(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).map { abs($0 - $1) }.max() ?? .infinity }
        let (x, w) = (awayFromZero([n, d], seed: 69), awayFromZero([n, d], seed: 70))
        let threads = Kernels.threadCount
        defer { Kernels.setThreadCount(threads) }
        var outputs: [[Float]] = [], gradients: [[Float]] = []
        for count in [1, 2, 3, 8] {  // uneven cuts, and more threads than the machine has
            Kernels.setThreadCount(count)
            let input = Tensor(x.data, shape: [n, d], requiresGrad: true)
            let y = a.powerMean(input, degree: 3)
            (y * w).sum().backward()
            outputs.append(y.data)
            gradients.append(input.grad ?? [])
        }
        XCTAssertTrue(outputs.allSatisfy { $0 == outputs[0] } && gradients.allSatisfy { $0 == gradients[0] },
                      "the thread count changed a number")
        XCTAssertLessThan(largestGap(outputs[0], plain(x.data)), 1e-4)
        // d sum(y * w) / dx = powerMean(w), A being symmetric.
        XCTAssertLessThan(largestGap(gradients[0], plain(w.data)), 1e-4)
    }

    func testDropoutKeepsOrScalesEachElementAndItsGradient() {
        let x = positive([50, 4], seed: 65)
        let y = x.dropout(0.25, training: true, rng: RandomGenerator(seed: 66))
        for (a, b) in zip(x.data, y.data) { XCTAssertTrue(b == 0 || abs(b - a / 0.75) < 1e-5 * a) }
        XCTAssertEqual(x.dropout(0.25, training: false, rng: RandomGenerator(seed: 66)).data, x.data)
        checkGradients([awayFromZero([3, 4], seed: 67)]) {
            $0[0].dropout(0.3, training: true, rng: RandomGenerator(seed: 5))
        }
    }

    /// NGCF's fused row ops give the composed ops' numbers, on a graph-sized matrix split across threads.
    func testNGCFRowOpsAreTheComposedOps() {
        let rng = RandomGenerator(seed: 41)
        let (n, d) = (3_000, 64)  // above the parallel threshold
        let s = Tensor.randomNormal([n, d], rng: rng), e = Tensor.randomNormal([n, d], rng: rng)
        XCTAssertEqual(Tensor.biInteraction(s, e).data, Tensor.concat([s + e, s * e]).data)
        let composed = (e / (e.pow(2).sum(axis: 1, keepDims: true) + 1e-12).sqrt()).data
        let fused = e.rowNormalized().data
        XCTAssertEqual(fused.count, composed.count)
        XCTAssertLessThan(zip(fused, composed).map { abs($0 - $1) }.max() ?? 1, 1e-6)
        XCTAssertEqual(Tensor.zeros([0, 4]).rowNormalized().shape, [0, 4])
    }

    /// A dropout mask draws from the generator in bulk: the same numbers as one `nextFloat()` per element.
    func testBulkFloatsAreTheStreamOfNextFloat() {
        let (a, b) = (RandomGenerator(seed: 7), RandomGenerator(seed: 7))
        XCTAssertEqual(a.floats(1_001), (0..<1_001).map { _ in b.nextFloat() })
        XCTAssertEqual(a.next(), b.next(), "both generators are left in the same state")
        XCTAssertEqual(a.floats(0), [])
    }
}
