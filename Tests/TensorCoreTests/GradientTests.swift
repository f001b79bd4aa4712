import TensorCore
import XCTest

/// One finite-difference test per differentiable op and loss.
final class GradientTests: XCTestCase {
    // MARK: Binary ops, same shape and broadcast
    func testAdd() {
        checkGradients([awayFromZero([3, 4], seed: 1), awayFromZero([3, 4], seed: 2)]) { $0[0] + $0[1] }
    }
    func testSub() {
        checkGradients([awayFromZero([3, 4], seed: 1), awayFromZero([3, 4], seed: 2)]) { $0[0] - $0[1] }
    }
    func testMul() {
        checkGradients([awayFromZero([3, 4], seed: 1), awayFromZero([3, 4], seed: 2)]) { $0[0] * $0[1] }
    }
    func testDiv() { checkGradients([awayFromZero([3, 4], seed: 1), positive([3, 4], seed: 2)]) { $0[0] / $0[1] } }
    func testBroadcastRow() {
        checkGradients([awayFromZero([3, 4], seed: 1), awayFromZero([4], seed: 2)]) { $0[0] * $0[1] }
    }
    func testBroadcastColumn() {
        checkGradients([awayFromZero([3, 4], seed: 1), awayFromZero([3, 1], seed: 2)]) { $0[0] - $0[1] }
    }
    func testBroadcastBoth() {
        checkGradients([awayFromZero([3, 1], seed: 1), awayFromZero([1, 4], seed: 2)]) { $0[0] + $0[1] }
    }
    func testBroadcastScalar() {
        checkGradients([awayFromZero([2, 3], seed: 1), positive([], seed: 2)]) { $0[0] / $0[1] }
    }

    // MARK: Unary ops
    func testNeg() { checkGradients([awayFromZero([5], seed: 3)]) { $0[0].neg() } }
    func testExp() { checkGradients([awayFromZero([5], seed: 3)]) { $0[0].exp() } }
    func testLog() { checkGradients([positive([5], seed: 3)]) { $0[0].log() } }
    func testSqrt() { checkGradients([positive([5], seed: 3)]) { $0[0].sqrt() } }
    func testPow() {
        checkGradients([positive([5], seed: 3)]) { $0[0].pow(3) }
        checkGradients([awayFromZero([5], seed: 4)]) { $0[0].pow(2) }
        checkGradients([positive([5], seed: 5)]) { $0[0].pow(-0.5) }
    }
    func testRelu() { checkGradients([awayFromZero([8], seed: 3)]) { $0[0].relu() } }
    func testLeakyRelu() { checkGradients([awayFromZero([8], seed: 3)]) { $0[0].leakyRelu(slope: 0.2) } }
    func testSigmoid() { checkGradients([awayFromZero([8], seed: 3)]) { $0[0].sigmoid() } }
    func testTanh() { checkGradients([awayFromZero([8], seed: 3)]) { $0[0].tanh() } }
    func testSoftplus() { checkGradients([awayFromZero([8], seed: 3)]) { $0[0].softplus() } }
    func testLogSigmoid() { checkGradients([awayFromZero([8], seed: 3)]) { $0[0].logSigmoid() } }

    // MARK: Reductions
    func testSum() { checkGradients([awayFromZero([3, 4], seed: 6)]) { $0[0].sum() } }
    func testSumOfSquares() {
        checkGradients([awayFromZero([3, 4], seed: 6)]) { $0[0].sumOfSquares() }
        // odd length: the vector tail
        checkGradients([awayFromZero([37], seed: 9)]) { $0[0].sumOfSquares() * 0.5 + $0[0].sum() }
    }
    func testMean() { checkGradients([awayFromZero([3, 4], seed: 6)]) { $0[0].mean() } }
    func testSumAxis() {
        checkGradients([awayFromZero([2, 3, 4], seed: 6)]) { $0[0].sum(axis: 1) }
        checkGradients([awayFromZero([3, 4], seed: 7)]) { $0[0].sum(axis: -1, keepDims: true) }
        checkGradients([awayFromZero([3, 4], seed: 8)]) { $0[0].sum(axis: 0) }
    }
    func testMeanAxis() { checkGradients([awayFromZero([3, 4], seed: 6)]) { $0[0].mean(axis: 0) } }
    func testLogSoftmax() { checkGradients([awayFromZero([3, 5], seed: 6)]) { $0[0].logSoftmax() } }

    // MARK: Shape ops
    func testReshape() {
        checkGradients([awayFromZero([3, 4], seed: 9)]) { $0[0].reshaped([2, -1]) * $0[0].reshaped([2, 6]) }
    }
    func testTranspose() { checkGradients([awayFromZero([3, 4], seed: 9)]) { $0[0].transposed() } }
    func testConcat() {
        checkGradients([awayFromZero([3, 2], seed: 9), awayFromZero([3, 4], seed: 10)]) {
            Tensor.concat([$0[0], $0[1]])
        }
    }
    func testSplitAndChunk() {
        checkGradients([awayFromZero([3, 6], seed: 9)]) { x in
            let parts = x[0].split([1, 2, 3])
            return Tensor.concat([parts[2], parts[0] * parts[0], parts[1]])
        }
        checkGradients([awayFromZero([2, 4], seed: 11)]) { x in
            let (a, b) = (x[0].chunk(2)[0], x[0].chunk(2)[1])
            return a * b
        }
    }
    func testRows() { checkGradients([awayFromZero([5, 3], seed: 9)]) { $0[0].rows(1..<4).exp() } }
    func testGatherDense() {
        checkGradients([awayFromZero([5, 3], seed: 12)]) { $0[0].gather([4, 0, 4, 2]) }
    }
    func testGatherSparseRows() {
        let table = awayFromZero([6, 2], seed: 13)
        table.sparseGradients = true
        checkGradients([table]) { $0[0].gather([1, 5, 1, 3]).tanh() }
        XCTAssertNil(table.grad, "a sparse table must not get a dense gradient")
    }
    func testRowNormalized() {
        // rows of different norms, and a row of width 1 (its output is +-1: a zero gradient)
        checkGradients([awayFromZero([3, 5], seed: 21)]) { $0[0].rowNormalized() }
        checkGradients([awayFromZero([4, 1], seed: 22)]) { $0[0].rowNormalized() + $0[0] }
    }
    func testBiInteraction() {
        checkGradients([awayFromZero([3, 4], seed: 23), awayFromZero([3, 4], seed: 24)]) {
            Tensor.biInteraction($0[0], $0[1])
        }
        // one tensor in both places, itself and through another op (NGCF's E enters as itself and through Â E)
        checkGradients([awayFromZero([2, 3], seed: 25)]) { Tensor.biInteraction($0[0], $0[0]) }
        checkGradients([awayFromZero([2, 3], seed: 26)]) { Tensor.biInteraction($0[0] * 2, $0[0]) }
    }
    func testDropout() {
        // The same seed inside f gives the same mask on every evaluation.
        checkGradients([awayFromZero([4, 5], seed: 14)]) {
            $0[0].dropout(0.3, training: true, rng: RandomGenerator(seed: 5))
        }
    }

    // MARK: Products
    func testMatmul() {
        checkGradients([awayFromZero([3, 4], seed: 15), awayFromZero([4, 2], seed: 16)]) { $0[0].matmul($0[1]) }
    }
    func testSparseMatmul() {
        let a = SparseMatrix(
            rowCount: 3, columnCount: 4,
            entries: [
                (0, 1, 0.5), (0, 3, -1), (1, 0, 2), (2, 2, 0.25), (2, 1, 1), (2, 1, 0.5),
            ])
        checkGradients([awayFromZero([4, 2], seed: 17)]) { a.matmul($0[0]) }
    }
    func testMatmulAtAPattern() {
        // A row with no entries (row 1), a column hit twice (column 1) and one never hit (column 3).
        let pattern = SparseMatrix(
            rowCount: 3, columnCount: 5, entries: [(0, 1, 1), (0, 4, 1), (2, 0, 1), (2, 1, 1), (2, 2, 1)])
        checkGradients([awayFromZero([3, 4], seed: 21), awayFromZero([4, 5], seed: 22), awayFromZero([5], seed: 23)]) {
            $0[0].matmul($0[1], plus: $0[2], at: pattern)
        }
        // The values are the full product's at those entries.
        let x = awayFromZero([3, 4], seed: 21), w = awayFromZero([4, 5], seed: 22), b = awayFromZero([5], seed: 23)
        let full = Tensor.withoutGrad { x.matmul(w, plus: b) }.data
        let sampled = Tensor.withoutGrad { x.matmul(w, plus: b, at: pattern) }.data
        for (k, (r, c)) in [(0, 1), (0, 4), (2, 0), (2, 1), (2, 2)].enumerated() {
            XCTAssertEqual(sampled[k], full[r * 5 + c], accuracy: 1e-5)
        }
    }

    // MARK: Layers
    func testLinearAndBatchNorm() {
        let rng = RandomGenerator(seed: 3)
        let linear = Linear(4, 3, rng: rng)
        let norm = BatchNorm1d(3)
        checkGradients([awayFromZero([5, 4], seed: 18), linear.weight, linear.bias!, norm.gamma, norm.beta]) { x in
            norm(linear(x[0])).tanh()
        }
    }

    // MARK: Losses
    func testMSE() {
        checkGradients([awayFromZero([6], seed: 19), awayFromZero([6], seed: 20)]) { Loss.mse($0[0], $0[1]) }
    }
    func testMaskedMSE() {
        let mask = Tensor([1, 0, 1, 1, 0, 1])
        checkGradients([awayFromZero([6], seed: 19)]) { Loss.maskedMSE($0[0], Tensor([1, 2, 3, 4, 5, 1]), mask: mask) }
    }
    func testBCEWithLogits() {
        checkGradients([awayFromZero([6], seed: 21)]) { Loss.bceWithLogits($0[0], Tensor([1, 0, 1, 0, 0, 1])) }
    }
    func testBPR() {
        checkGradients([awayFromZero([5], seed: 22), awayFromZero([5], seed: 23)]) {
            Loss.bpr(positive: $0[0], negative: $0[1])
        }
    }
    func testMultinomialNLL() {
        let counts = Tensor(rows: [[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 0]])
        checkGradients([awayFromZero([3, 4], seed: 24)]) { Loss.multinomialNLL(logits: $0[0], counts: counts) }
    }
    func testGaussianKL() {
        checkGradients([awayFromZero([3, 4], seed: 25), awayFromZero([3, 4], seed: 26)]) {
            Loss.gaussianKL(mean: $0[0], logVariance: $0[1])
        }
    }
}
