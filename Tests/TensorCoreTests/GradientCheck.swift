import TensorCore
import XCTest

/// Finite-difference gradient checking.
///
/// The scalar checked is L = sum(f(inputs) * W) with a fixed random weighting W, so that
/// every output element contributes a different amount. The numeric derivative is the
/// central difference (L(x + h) - L(x - h)) / 2h with h = 1e-2 in Float32; its error is
/// O(h^2) from truncation plus O(ulp(L) / h) from rounding, so analytic and numeric values
/// are compared with |a - n| <= 1e-2 + 2e-2 * max(|a|, |n|).
func checkGradients(
    _ inputs: [Tensor], h: Float = 1e-2, file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Tensor]) -> Tensor
) {
    for x in inputs { x.requiresGrad = true; x.zeroGrad() }
    let probe = f(inputs)
    let rng = RandomGenerator(seed: 99)
    let weights = Tensor((0..<probe.count).map { _ in rng.nextFloat() * 2 - 1 }, shape: probe.shape)
    func loss() -> Float { Tensor.withoutGrad { (f(inputs) * weights).sum().item } }
    let l = (f(inputs) * weights).sum()
    l.backward()
    for (k, x) in inputs.enumerated() {
        var analytic = x.grad ?? [Float](repeating: 0, count: x.count)
        // A row-sparse gradient (embedding tables) counts as its dense equivalent.
        if !x.rowGrads.isEmpty, x.rank == 2 {
            let width = x.shape[1]
            for (n, r) in x.rowGrads.indices.enumerated() {
                for j in 0..<width { analytic[Int(r) * width + j] += x.rowGrads.values[n * width + j] }
            }
        }
        for i in 0..<x.count {
            let saved = x.data[i]
            x.data[i] = saved + h; let plus = loss()
            x.data[i] = saved - h; let minus = loss()
            x.data[i] = saved
            let numeric = (plus - minus) / (2 * h)
            let tolerance = 1e-2 + 2e-2 * max(abs(numeric), abs(analytic[i]))
            XCTAssertLessThanOrEqual(
                abs(numeric - analytic[i]), tolerance,
                "input \(k), element \(i): analytic \(analytic[i]) vs numeric \(numeric)",
                file: file, line: line)
        }
    }
}

/// Values in [-2, 2] kept at least 0.1 away from 0 (kinks of relu, poles of division).
func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
    let rng = RandomGenerator(seed: seed)
    return Tensor(
        (0..<shape.reduce(1, *)).map { _ in
            let v = 0.1 + 1.9 * rng.nextFloat()
            return rng.nextFloat() < 0.5 ? -v : v
        }, shape: shape)
}

func positive(_ shape: [Int], seed: UInt64) -> Tensor {
    let rng = RandomGenerator(seed: seed)
    return Tensor((0..<shape.reduce(1, *)).map { _ in 0.2 + 2 * rng.nextFloat() }, shape: shape)
}
