// Exercises for chapter 2. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests      (or: swift run workbook exercises 2)

import TensorCore

public enum Chapter2Exercises {
    /// Exercise 2.1: the widths of the document's MLP tower for `factors` f and `layers` L,
    /// from its input (the two concatenated embeddings) to its output: [f·2^L, ..., f].
    public static func pyramid(factors: Int, layers: Int) -> [Int]? {
        nil
    }

    /// Exercise 2.2: with p_u = [0.1, -0.2, 0.3], q_i = [0.5, 0.4, -0.1], h = [1, 2, -1] and
    /// bias 0.05, GMF's predicted probability sigmoid(h · (p_u ⊙ q_i) + b).
    public static func gmfProbability() -> Double? {
        nil
    }

    /// Exercise 2.3: the test item is ranked `rank` (1 = best) among the 100 candidates of
    /// loo-99. Return (HR@k, NDCG@k) for that user.
    public static func hitAndNDCG(rank: Int, k: Int) -> (Double, Double)? {
        nil
    }

    /// Exercise 2.4: GMF's logit for the p_u and q_i of 2.2 when its output weights are fixed
    /// to h = [1, 1, 1] and its bias to 0. (Which model have you got?)
    public static func gmfWithUnitWeights() -> Double? {
        nil
    }

    /// Exercise 2.5: GMF's forward pass for a batch, as a tensor function: user and item embeddings
    /// p, q [B, f], output weights h [f, 1] and bias b [1] give the logits [B, 1] = (p ⊙ q) h + b.
    /// Tensor has `*` (element-wise), `matmul(_:plus:)`.
    public static func gmfLogits(p: Tensor, q: Tensor, h: Tensor, b: Tensor) -> Tensor? {
        nil
    }
}
