// Exercises for chapter 6. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests      (or: swift run workbook exercises 6)

import TensorCore

public enum Chapter6Exercises {
    /// Exercise 6.1: the weight of the edge (user 2, item 3) in the toy graph's D^-1/2 A D^-1/2.
    public static func edgeWeight() -> Double? {
        nil
    }

    /// Exercise 6.2: with e = node index + 1 (users 1-4, items 5-9), user 1's value after one
    /// LightGCN propagation step Â e.
    public static func propagatedUser1() -> Double? {
        nil
    }

    /// Exercise 6.3: the BPR loss for positives [2.0, 0.5] and negatives [1.0, 1.5].
    public static func bprLoss() -> Double? {
        nil
    }

    /// Exercise 6.4: the BPR loss as a tensor function of a batch's scores, [B] each, so that it trains:
    /// mean over the batch of -log sigmoid(positive - negative). Tensor has `-`, `logSigmoid()`, `mean()`.
    public static func bpr(positive: Tensor, negative: Tensor) -> Tensor? {
        nil
    }
}
