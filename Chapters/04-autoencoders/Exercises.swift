// Exercises for chapter 4. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests      (or: swift run workbook exercises 4)

import TensorCore

public enum Chapter4Exercises {
    /// Exercise 4.1: predictions [4, 2, 5, 1], ratings [5, 0, 3, 0], mask [1, 0, 1, 0]: the masked MSE.
    public static func maskedMSE() -> Double? {
        nil
    }

    /// Exercise 4.2: z = μ + ε exp(logvar / 2), μ = 0.3, logvar = -1, ε = 0.5: dz/d(logvar).
    public static func reparameterisationGradient() -> Double? {
        nil
    }

    /// Exercise 4.3: KL(N(μ, exp(logvar)) || N(0, I)) for μ = [0.5, -1], logvar = [0, -0.5].
    public static func klTerm() -> Double? {
        nil
    }

    /// Exercise 4.4: β at `step` of `total`: linear from 0 to 0.2, then flat.
    public static func beta(step: Int, total: Int) -> Double? {
        nil
    }

    /// Exercise 4.5: Mult-VAE's KL term as a tensor function of the encoder's outputs, mean and
    /// logVariance [B, K]: KL(N(μ, exp(logvar)) || N(0, I)) summed over the K dimensions, averaged over
    /// the B users. Tensor has `exp()`, `pow(2)` (or `*`), `sum()`, `+`, `-`, and scalar `*`.
    public static func gaussianKL(mean: Tensor, logVariance: Tensor) -> Tensor? {
        nil
    }
}
