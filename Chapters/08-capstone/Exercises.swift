// Exercises for chapter 8. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests      (or: swift run workbook exercises 8)

public enum Chapter8Exercises {
    /// Exercise 8.1: bytes of float32 values in a saved model with tensors of these shapes.
    public static func payloadBytes(shapes: [[Int]]) -> Int? {
        nil
    }

    /// Exercise 8.2: the user's item with the largest term B[i][target] in EASE's score
    /// (lowest index on ties). `weights` is B row-major, itemCount x itemCount.
    public static func topContributor(weights: [Float], itemCount: Int, userItems: [Int], target: Int) -> Int? {
        nil
    }

    /// Exercise 8.3: the share of the catalogue in at least one of the lists.
    public static func coverage(lists: [[Int]], itemCount: Int) -> Double? {
        nil
    }

    /// Exercise 8.4: the paired bootstrap behind every claim of this chapter: the 95% interval of
    /// mean(a) - mean(b) over `resamples` draws of the users with replacement, both models drawn
    /// together. a[u] and b[u] are the two models' metric for user u.
    public static func pairedInterval(a: [Double], b: [Double], resamples: Int, seed: UInt64) -> ClosedRange<Double>? {
        nil
    }
}
