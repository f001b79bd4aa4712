// Exercises for chapter 7. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests      (or: swift run workbook exercises 7)

public enum Chapter7Exercises {
    /// Exercise 7.1: the 1-based epoch after which the document's EarlyStopping sets
    /// early_stop for these validation losses (0 if it never does).
    public static func stopEpoch(losses: [Float], patience: Int, minDelta: Float) -> Int? {
        nil
    }

    /// Exercise 7.2: AP@K of a top-K list: hits[r] is true when rank r + 1 is relevant;
    /// relevantCount is the user's number of test items.
    public static func averagePrecision(hits: [Bool], relevantCount: Int) -> Double? {
        nil
    }

    /// Exercise 7.3: the learning rate after each epoch under ReduceLROnPlateau (mode min,
    /// relative threshold 1e-4, no cooldown).
    public static func learningRates(losses: [Float], initial: Float, factor: Float, patience: Int) -> [Float]? {
        nil
    }

    /// Exercise 7.4: the Gini coefficient of how often each item is recommended.
    public static func gini(_ counts: [Int]) -> Double? {
        nil
    }

    /// Exercise 7.5: Kendall's τ-a between two orderings of the same names.
    public static func kendallTau(_ a: [String], _ b: [String]) -> Double? {
        nil
    }

    /// Exercise 7.6: the expected NDCG@k of one user when items with equal scores are put in a
    /// uniformly random order (McSherry & Najork, ECIR 2008). Items are 0..<scores.count; `relevant`
    /// holds the user's test items; gain 1 per relevant item, discount 1 / log2(position + 1).
    public static func ndcgWithTies(scores: [Float], relevant: Set<Int>, k: Int) -> Double? {
        nil
    }
}
