// Exercises for chapter 5. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests      (or: swift run workbook exercises 5)

public enum Chapter5Exercises {
    /// Exercise 5.1: XᵀX = [[3,1,0],[1,2,1],[0,1,2]], λ = 1. EASE's B as 3 rows of 3 values.
    public static func weights() -> [[Double]]? {
        nil
    }

    /// Exercise 5.2: for the same XᵀX and λ = 1, the mean of the diagonal of the
    /// unconstrained ridge solution (XᵀX + λI)⁻¹XᵀX.
    public static func unconstrainedDiagonalMean() -> Double? {
        nil
    }

    /// Exercise 5.3: on EASEChapter.toy, the number of negative off-diagonal weights of B with
    /// λ = 0.1 and with λ = 100, as (λ = 0.1, λ = 100).
    public static func negativeWeights() -> (Int, Int)? {
        nil
    }

    /// Exercise 5.4: EASE's closed form for any Gram matrix G = XᵀX (n x n, row-major) and λ: B as n·n
    /// values, row-major. `Linalg.inverseSPD(_:n:)` (import TensorCore) inverts a symmetric positive
    /// definite matrix.
    public static func easeWeights(gram: [Double], n: Int, lambda: Double) -> [Double]? {
        nil
    }
}
