// Reference solutions of chapter 6's exercises, checked by the same checks as your answers.

import Foundation
import TensorCore

enum Chapter6Solutions {
    static func edgeWeight() -> Double? { 1 / (2.0 * 4.0).squareRoot() }

    static func propagatedUser1() -> Double? {
        // Items 1, 2, 3, 5 are nodes 5, 6, 7, 9 with degrees 2, 3, 4, 2; user 1 has degree 4.
        [(5.0, 2.0), (6, 3), (7, 4), (9, 2)].map { $0.0 / (4 * $0.1).squareRoot() }.reduce(0, +)
    }

    static func bprLoss() -> Double? {
        func softplus(_ x: Double) -> Double { log(1 + exp(x)) }
        return (softplus(-1) + softplus(1)) / 2
    }

    static func bpr(positive: Tensor, negative: Tensor) -> Tensor? {
        -(positive - negative).logSigmoid().mean()
    }
}
