// Chapter 3's exercises and the checks that verify them.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension Item2VecChapter {
    public static let exercises: [Exercise] = [
        Exercise(
            id: "3.1", title: "Counting skip-gram pairs",
            prompt: """
                Write pairCount(length:window:): how many (centre, context) pairs create_skipgram_data makes for \
                a session of `length` items.
                """,
            hint: "each position pairs with the positions within `window` on either side that exist",
            answerIn: "Chapter3Exercises.pairCount(length:window:)",
            checkAnswer: { checkPairs(Chapter3Exercises.pairCount) },
            checkReference: { checkPairs(Chapter3Solutions.pairCount) }),
        Exercise(
            id: "3.2", title: "One PMI cell",
            prompt: """
                Items i and j co-occur 30 times; i's row sums to 300, j's column to 200; all counts sum to \
                60,000. PMI(i, j) = log(P(i,j) / (P(i) P(j)))?
                """,
            hint: "P(i,j) = 30/60000, P(i) = 300/60000, P(j) = 200/60000; natural log",
            answerIn: "Chapter3Exercises.pmiCell()",
            checkAnswer: { checkPMI(Chapter3Exercises.pmiCell()) },
            checkReference: { checkPMI(Chapter3Solutions.pmiCell()) }),
        Exercise(
            id: "3.3", title: "Cosine similarity",
            prompt: "Write cosine(_:_:) for two vectors (0 if either is all zeros).",
            hint: "dot product over the product of the lengths",
            answerIn: "Chapter3Exercises.cosine(_:_:)",
            checkAnswer: { checkCosine(Chapter3Exercises.cosine) },
            checkReference: { checkCosine(Chapter3Solutions.cosine) }),
        Exercise(
            id: "3.4", title: "Why subsample?",
            prompt: """
                With sample = 1e-3 on 54,433 training items, word2vec keeps an item seen c times with \
                probability min(1, (sqrt(c/t) + 1) t/c), t = 1e-3 · 54,433. What share of the most liked film's \
                383 occurrences does an epoch keep?
                """,
            hint: "t = 54.433; plug in c = 383",
            answerIn: "Chapter3Exercises.keepProbability()",
            checkAnswer: { checkKeep(Chapter3Exercises.keepProbability()) },
            checkReference: { checkKeep(Chapter3Solutions.keepProbability()) }),
    ]

    static func checkPairs(_ answer: (Int, Int) -> Int?) -> ExerciseVerdict {
        Check.function(
            cases: [(4, 2), (1, 3), (10, 1), (7, 20), (30, 5)], answer: { answer($0.0, $0.1) },
            reference: { DocumentSkipGram.skipgramPairs(Array(0..<$0.0), window: $0.1).count },
            matches: { $0 == $1 }, describe: { "length \($0.0), window \($0.1)" })
    }

    static func checkPMI(_ answer: Double?) -> ExerciseVerdict {
        // The same cell through the chapter's own shifted PPMI with k = 1: a 2 x 2 table with
        // those margins (30 | 270 / 170 | 59,530).
        let c: [Double] = [30, 270, 170, 59_530]
        let expected = PMI.shiftedPPMI(c, n: 2, shift: 1)[0]
        return Check.number(
            answer, expected: expected, tolerance: 1e-4, explain: "PMI = log(30 · 60000 / (300 · 200)) = log 30.")
    }

    static func checkCosine(_ answer: ([Float], [Float]) -> Float?) -> ExerciseVerdict {
        let cases: [([Float], [Float])] = [
            ([1, 0], [0, 1]), ([1, 2, 3], [2, 4, 6]), ([1, -1], [-1, 1]), ([0, 0], [1, 1]),
            ([0.5, 0.2, -0.3], [0.1, 0.9, 0.4]),
        ]
        return Check.function(
            cases: cases, answer: { answer($0.0, $0.1) },
            reference: { c in
                let v = ItemVectors.cosine(c.0, c.1); return v
            }, matches: { abs($0 - $1) < 1e-5 }, describe: { "\($0.0) and \($0.1)" })
    }

    static func checkKeep(_ answer: Double?) -> ExerciseVerdict {
        let t = 1e-3 * 54_433.0, c = 383.0
        return Check.number(
            answer, expected: min(1, ((c / t).squareRoot() + 1) * t / c), tolerance: 1e-4,
            explain: """
                frequent films are kept less often, so rarer ones get a larger share of the updates \
                (and the window reaches further).
                """)
    }
}
