// Chapter 1's exercises and the checks that verify them.

import Foundation
import Narrative
import Plotting
import TensorCore

extension MFLimitsChapter {
    public static let exercises: [Exercise] = [
        Exercise(
            id: "1.1", title: "Jaccard by hand",
            prompt: "The Jaccard similarity of user 1 = [1,1,0,1,0] and user 4 = [1,0,1,1,0] in the document's matrix.",
            hint: "count the items both users have, and the items either has",
            answerIn: "Chapter1Exercises.jaccardOfUsers1And4()",
            why: ["count": "Both users have items 1 and 4; together they have items 1, 2, 3 and 4."],
            checkAnswer: { checkJaccard14(Chapter1Exercises.jaccardOfUsers1And4()) },
            checkReference: { checkJaccard14(Chapter1Solutions.jaccardOfUsers1And4()) }),
        Exercise(
            id: "1.2", title: "Write Jaccard",
            prompt: "Write jaccard(a, b) for two 0/1 rows: |a ∩ b| / |a ∪ b|, and 0 when both are empty.",
            hint: "zip the rows; count positions where both are 1 and where either is 1",
            answerIn: "Chapter1Exercises.jaccard(_:_:)", why: ["case": "a = {{a}}, b = {{b}}"],
            checkAnswer: { checkJaccardFunction(Chapter1Exercises.jaccard) },
            checkReference: { checkJaccardFunction(Chapter1Solutions.jaccard) }),
        Exercise(
            id: "1.3", title: "How wrong is the fold-in?",
            prompt: """
                In the K = 2 space of the paper's users 1-3, compute cos(p4, p2) - cos(p4, p3) for MF's fold-in \
                of user 4.
                """,
            hint: "LatentSpace.exactFactors(users 1-3, k: 2), then LatentSpace.foldIn, then LatentSpace.cosine",
            answerIn: "Chapter1Exercises.foldInGapK2()",
            why: [
                "reference": "the check could not train its reference factorisation",
                "fold-in": """
                    Fold user 4 in with the item vectors of the K = 2 factorisation of users 1-3 only, then take \
                    cosines with users 2 and 3.
                    """,
            ],
            checkAnswer: { checkFoldInGap(Chapter1Exercises.foldInGapK2()) },
            checkReference: { checkFoldInGap(Chapter1Solutions.foldInGapK2()) }),
        Exercise(
            id: "1.4", title: "The price of the right order",
            prompt: """
                Among the 3,600 directions of LatentSpace.sweep, the smallest squared error of those that rank \
                u1 > u3 > u2. Compare it with ‖r4‖².
                """,
            hint: """
                filter the sweep on similarities[0] > similarities[2] > similarities[1], then take the smallest \
                squaredError
                """,
            answerIn: "Chapter1Exercises.bestErrorWithJaccardOrder()",
            why: [
                "reference": "the check could not train its reference factorisation",
                "order": """
                    Keep only directions whose cosines order u1 > u3 > u2; at each, the error is at the best \
                    non-negative length.
                    """,
            ],
            checkAnswer: { checkBestError(Chapter1Exercises.bestErrorWithJaccardOrder()) },
            checkReference: { checkBestError(Chapter1Solutions.bestErrorWithJaccardOrder()) }),
    ]

    static func checkJaccard14(_ answer: Double?) -> ExerciseVerdict {
        Check.number(
            answer, expected: LatentSpace.jaccard(documentMatrix[0], documentUser4),
            explain: Explanation("count"))
    }

    static func checkJaccardFunction(_ answer: @escaping ([Int], [Int]) -> Double?) -> ExerciseVerdict {
        let rng = RandomGenerator(seed: 11)
        var cases: [([Int], [Int])] = [([0, 0, 0], [0, 0, 0]), ([1, 1], [1, 1]), ([1, 0], [0, 1])]
        for _ in 0..<20 {
            let n = 1 + rng.nextInt(below: 8)
            cases.append(((0..<n).map { _ in rng.nextInt(below: 2) }, (0..<n).map { _ in rng.nextInt(below: 2) }))
        }
        return Check.function(
            cases: cases, answer: { answer($0.0, $0.1) }, reference: { LatentSpace.jaccard($0.0, $0.1) },
            matches: { abs($0 - $1) < 1e-12 }, describe: { Explanation("case", ["a": "\($0.0)", "b": "\($0.1)"]) })
    }

    /// The expected gap is computed with MF trained by gradient descent, a path independent
    /// of the SVD the hint suggests; both must agree to 0.01.
    static func checkFoldInGap(_ answer: Double?) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        let users = Array(paperMatrix.prefix(3))
        guard
            let trained = try? LatentSpace.trainedFactors(users, k: 2, steps: 6000, rng: RandomGenerator(seed: 5))
                .factors,
            let p4 = try? LatentSpace.foldIn(paperMatrix[3], items: trained.items)
        else {
            return .wrong(Explanation("reference"))
        }
        let expected = LatentSpace.cosine(p4, trained.users[1]) - LatentSpace.cosine(p4, trained.users[2])
        return Check.number(
            answer, expected: expected, tolerance: 0.01,
            explain: Explanation("fold-in"))
    }

    /// Checked against the sweep over gradient-descent factors (independent of the SVD).
    static func checkBestError(_ answer: Double?) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        guard
            let trained = try? LatentSpace.trainedFactors(
                Array(paperMatrix.prefix(3)), k: 2, steps: 6000, rng: RandomGenerator(seed: 5)
            ).factors
        else { return .wrong(Explanation("reference")) }
        let expected =
            LatentSpace.sweep(paperMatrix[3], factors: trained)
            .filter { $0.similarities[0] > $0.similarities[2] && $0.similarities[2] > $0.similarities[1] }
            .map(\.squaredError).min() ?? .nan
        return Check.number(
            answer, expected: expected, tolerance: 0.02,
            explain: Explanation("order"))
    }
}
