// Checks for exercises where the learner writes a piece of a model as a tensor function (a loss,
// a forward pass): the answer runs on seeded inputs and must give the reference's value and, through
// the learner's own graph, the reference's gradients. Matching the value alone is not enough: a
// function that calls `.item` or rebuilds tensors from numbers would cut the graph and train nothing.

import Foundation
import TensorCore

public enum TensorExercise {
    /// Runs `answer` and `reference` on the same seeded inputs of `shapes` (values from N(0, 1),
    /// or from `values` when given) and compares the scalar result and each input's gradient.
    public static func check(
        _ answer: (([Tensor]) -> Tensor)?, reference: ([Tensor]) -> Tensor, shapes: [[Int]], names: [String],
        seed: UInt64 = 7
    ) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        let rng = RandomGenerator(seed: seed, stream: "exercise")
        let values = shapes.map { rng.normals($0.reduce(1, *)) }
        func run(_ f: ([Tensor]) -> Tensor) -> (value: Float, grads: [[Float]])? {
            let inputs = zip(values, shapes).map { Tensor($0, shape: $1, requiresGrad: true) }
            let out = f(inputs)
            guard out.count == 1 else { return nil }
            out.backward()
            return (out.item, inputs.map { $0.grad ?? [Float](repeating: 0, count: $0.count) })
        }
        guard let expected = run(reference) else { return .wrong(Explanation("check.reference-not-scalar")) }
        guard let got = run(answer) else { return .wrong(Explanation("check.not-scalar")) }
        func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-4 + 1e-3 * max(abs(a), abs(b)) }
        guard close(got.value, expected.value) else {
            return .wrong(
                Explanation(
                    "check.value",
                    ["got": String(format: "%.6f", got.value), "want": String(format: "%.6f", expected.value)]))
        }
        for (k, name) in names.enumerated() where !zip(got.grads[k], expected.grads[k]).allSatisfy(close) {
            let zero = got.grads[k].allSatisfy { $0 == 0 }
            return .wrong(Explanation(zero ? "check.no-gradient" : "check.gradient", ["name": name]))
        }
        return .correct
    }
}
