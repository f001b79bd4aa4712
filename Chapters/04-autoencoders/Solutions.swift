// Reference solutions of chapter 4's exercises, checked by the same checks as your answers.

import Foundation
import TensorCore

enum Chapter4Solutions {
    static func maskedMSE() -> Double? { (1.0 + 4.0) / 2 }
    static func reparameterisationGradient() -> Double? { 0.5 * exp(-0.5) / 2 }
    static func klTerm() -> Double? { -0.5 * ((1 + 0 - 0.25 - 1) + (1 - 0.5 - 1 - exp(-0.5))) }
    static func beta(step: Int, total: Int) -> Double? { min(0.2, 0.2 * Double(step) / Double(total)) }

    static func gaussianKL(mean: Tensor, logVariance: Tensor) -> Tensor? {
        let terms = 1 + logVariance - mean * mean - logVariance.exp()
        return terms.sum() * (-0.5 / Float(mean.shape[0]))
    }
}
