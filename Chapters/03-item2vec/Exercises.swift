// Exercises for chapter 3. Replace each `nil` with your answer, then check with
//
//     swift test --filter ExerciseTests      (or: swift run workbook exercises 3)

public enum Chapter3Exercises {
    /// Exercise 3.1: the number of (centre, context) pairs create_skipgram_data makes for a
    /// session of `length` items with window `window`.
    public static func pairCount(length: Int, window: Int) -> Int? {
        nil
    }

    /// Exercise 3.2: co-occurrence 30, row sum 300, column sum 200, total 60,000: PMI(i, j).
    public static func pmiCell() -> Double? {
        nil
    }

    /// Exercise 3.3: the cosine similarity of two vectors (0 if either is all zeros).
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float? {
        nil
    }

    /// Exercise 3.4: the probability that an epoch keeps one occurrence of a film seen 383
    /// times among 54,433 training items, with sample = 1e-3.
    public static func keepProbability() -> Double? {
        nil
    }

    /// Exercise 3.5: one SGNS update of a centre item's input vector and a target item's output vector,
    /// label 1 for a real context item, 0 for a negative: g = lr (label - sigmoid(input · output)), then
    /// output += g · input and input += g · output, both with the vectors from before the update.
    public static func sgnsUpdate(
        input: [Float], output: [Float], label: Float, learningRate: Float
    ) -> (input: [Float], output: [Float])? {
        nil
    }
}
