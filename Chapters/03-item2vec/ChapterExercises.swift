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
            why: ["case": "length {{length}}, window {{window}}"],
            checkAnswer: { checkPairs(Chapter3Exercises.pairCount) },
            checkReference: { checkPairs(Chapter3Solutions.pairCount) }),
        Exercise(
            id: "3.2", title: "One PMI cell",
            prompt: """
                Items i and j co-occur 30 times; i's row sums to 300, j's column to 200; all counts sum to \
                60,000. PMI(i, j) = log(P(i,j) / (P(i) P(j)))?
                """,
            hint: "P(i,j) = 30/60000, P(i) = 300/60000, P(j) = 200/60000; natural log",
            answerIn: "Chapter3Exercises.pmiCell()", why: ["pmi": "PMI = log(30 · 60000 / (300 · 200)) = log 30."],
            checkAnswer: { checkPMI(Chapter3Exercises.pmiCell()) },
            checkReference: { checkPMI(Chapter3Solutions.pmiCell()) }),
        Exercise(
            id: "3.3", title: "Cosine similarity",
            prompt: "Write cosine(_:_:) for two vectors (0 if either is all zeros).",
            hint: "dot product over the product of the lengths",
            answerIn: "Chapter3Exercises.cosine(_:_:)", why: ["case": "{{a}} and {{b}}"],
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
            why: [
                "keep": """
                    frequent films are kept less often, so rarer ones get a larger share of the updates (and the \
                    window reaches further).
                    """
            ],
            checkAnswer: { checkKeep(Chapter3Exercises.keepProbability()) },
            checkReference: { checkKeep(Chapter3Solutions.keepProbability()) }),
        Exercise(
            id: "3.5", title: "Write the SGNS update",
            prompt: """
                Write one SGNS update (the heart of the sgns listing): for an input vector, an output vector and a \
                label (1: a real context item, 0: a negative), g = lr (label - sigmoid(input · output)); then \
                output += g · input and input += g · output, each with the other's value from before the update. \
                The check trains four items' vectors with your update on a seeded stream of 2,000 pairs and \
                compares them with the book's arithmetic, then checks that the pairs it trained as context are \
                now closer than the negatives.
                """,
            hint: "compute the dot product and g first; build both new vectors from the old ones",
            answerIn: "Chapter3Exercises.sgnsUpdate(input:output:label:learningRate:)",
            why: [
                "size": "both vectors must keep {{d}} values",
                "differ": """
                    after 2,000 updates item {{item}}'s vectors differ from word2vec's by up to {{gap}}: check g's \
                    sign, and that each vector's update uses the other's value from before the update
                    """,
                "not-closer": "the vectors match but context pairs did not end up closer than negatives",
            ],
            checkAnswer: { checkSGNSUpdate(Chapter3Exercises.sgnsUpdate) },
            checkReference: { checkSGNSUpdate(Chapter3Solutions.sgnsUpdate) }),
    ]

    /// A learner's SGNS update, trained on a seeded toy stream (items 0 and 1 co-occur, 2 and 3 co-occur,
    /// everything else is a negative) against word2vec's arithmetic done here.
    static func checkSGNSUpdate(_ f: ([Float], [Float], Float, Float) -> (input: [Float], output: [Float])?)
        -> ExerciseVerdict
    {
        let d = 8, rng = RandomGenerator(seed: 5, stream: "exercise-3.5")
        var mine = (0..<4).map { _ in (input: rng.normals(d, std: 0.1), output: rng.normals(d, std: 0.1)) }
        var book = mine
        for _ in 0..<2_000 {
            let centre = rng.nextInt(below: 4)
            let positive = rng.nextFloat() < 0.5
            let others = (0..<4).filter { $0 != centre && $0 != centre ^ 1 }
            let target = positive ? centre ^ 1 : others[rng.nextInt(below: others.count)]
            let label: Float = positive ? 1 : 0
            guard let got = f(mine[centre].input, mine[target].output, label, 0.05) else { return .untouched }
            guard got.input.count == d, got.output.count == d else {
                return .wrong(Explanation("size", ["d": d]))
            }
            (mine[centre].input, mine[target].output) = (got.input, got.output)
            let (x, y) = (book[centre].input, book[target].output)
            let g = 0.05 * (label - 1 / (1 + Foundation.exp(-zip(x, y).map(*).reduce(0, +))))
            book[centre].input = zip(x, y).map { $0 + g * $1 }
            book[target].output = zip(y, x).map { $0 + g * $1 }
        }
        for k in 0..<4 {
            let gap =
                zip(mine[k].input + mine[k].output, book[k].input + book[k].output).map { abs($0 - $1) }.max() ?? 0
            if gap > 1e-3 {
                return .wrong(Explanation("differ", ["item": k, "gap": gap]))
            }
        }
        func score(_ a: Int, _ b: Int) -> Float { zip(mine[a].input, mine[b].output).map(*).reduce(0, +) }
        guard score(0, 1) > score(0, 2), score(2, 3) > score(2, 0) else {
            return .wrong(Explanation("not-closer"))
        }
        return .correct
    }

    static func checkPairs(_ answer: (Int, Int) -> Int?) -> ExerciseVerdict {
        Check.function(
            cases: [(4, 2), (1, 3), (10, 1), (7, 20), (30, 5)], answer: { answer($0.0, $0.1) },
            reference: { DocumentSkipGram.skipgramPairs(Array(0..<$0.0), window: $0.1).count },
            matches: { $0 == $1 }, describe: { Explanation("case", ["length": $0.0, "window": $0.1]) })
    }

    static func checkPMI(_ answer: Double?) -> ExerciseVerdict {
        // The same cell through the chapter's own shifted PPMI with k = 1: a 2 x 2 table with
        // those margins (30 | 270 / 170 | 59,530).
        let c: [Double] = [30, 270, 170, 59_530]
        let expected = PMI.shiftedPPMI(c, n: 2, shift: 1)[0]
        return Check.number(
            answer, expected: expected, tolerance: 1e-4, explain: Explanation("pmi"))
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
            }, matches: { abs($0 - $1) < 1e-5 }, describe: { Explanation("case", ["a": "\($0.0)", "b": "\($0.1)"]) })
    }

    static func checkKeep(_ answer: Double?) -> ExerciseVerdict {
        let t = 1e-3 * 54_433.0, c = 383.0
        return Check.number(
            answer, expected: min(1, ((c / t).squareRoot() + 1) * t / c), tolerance: 1e-4,
            explain: Explanation("keep"))
    }
}
