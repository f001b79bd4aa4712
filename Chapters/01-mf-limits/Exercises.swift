// Exercises for chapter 1. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests
//
// An exercise you have not touched is skipped with a hint; a wrong answer fails with an
// explanation; a right one passes. (Reference solutions: Solutions.swift. Try first!)

public enum Chapter1Exercises {
    /// Exercise 1.1: the Jaccard similarity of user 1 and user 4 in the document's matrix
    /// (user 1 = [1, 1, 0, 1, 0], user 4 = [1, 0, 1, 1, 0]). A number.
    public static func jaccardOfUsers1And4() -> Double? {
        nil
    }

    /// Exercise 1.2: write Jaccard similarity for two 0/1 rows of equal length:
    /// |a ∩ b| / |a ∪ b|, and 0 when both rows are empty (the document's version divides by
    /// zero there).
    public static func jaccard(_ a: [Int], _ b: [Int]) -> Double? {
        nil
    }

    /// Exercise 1.3: in the K = 2 latent space of the paper's users 1-3, MF folds user 4 in
    /// closer to user 2 than to user 3, against Jaccard. By how much? Compute
    /// cos(p4, p2) - cos(p4, p3) (use `LatentSpace.exactFactors`, `foldIn` and `cosine`).
    public static func foldInGapK2() -> Double? {
        nil
    }

    /// Exercise 1.4: some directions of the K = 2 space do rank users 1 > 3 > 2 for user 4,
    /// as Jaccard does. Among the 3,600 directions of `LatentSpace.sweep`, what is the
    /// smallest squared error with which such a direction reconstructs user 4's row? Compare
    /// it with ‖r4‖², the error of predicting nothing at all, and explain.
    public static func bestErrorWithJaccardOrder() -> Double? {
        nil
    }
}
