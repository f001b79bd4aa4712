// Reference solutions of chapter 2's exercises, checked by the same checks as your answers.

import Foundation
import TensorCore

enum Chapter2Solutions {
    static func pyramid(factors: Int, layers: Int) -> [Int]? {
        (0...layers).map { factors * Int(pow(2.0, Double(layers - $0))) }
    }

    static func gmfProbability() -> Double? {
        let logit = 1 * (0.1 * 0.5) + 2 * (-0.2 * 0.4) + -1 * (0.3 * -0.1) + 0.05
        return 1 / (1 + exp(-logit))
    }

    static func hitAndNDCG(rank: Int, k: Int) -> (Double, Double)? {
        rank <= k ? (1, 1 / log2(Double(rank) + 1)) : (0, 0)
    }

    static func gmfWithUnitWeights() -> Double? {
        0.1 * 0.5 + -0.2 * 0.4 + 0.3 * -0.1
    }

    static func gmfLogits(p: Tensor, q: Tensor, h: Tensor, b: Tensor) -> Tensor? {
        (p * q).matmul(h, plus: b)
    }
}
