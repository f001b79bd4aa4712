// Chapter 5's exercises and the checks that verify them.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension EASEChapter {
    /// The 3 x 3 Gram matrix of exercises 5.1 and 5.2.
    public static let exerciseGram: [Double] = [3, 1, 0, 1, 2, 1, 0, 1, 2]

    public static let exercises: [Exercise] = [
        Exercise(
            id: "5.1", title: "B for a 3 x 3 Gram matrix",
            prompt: "XᵀX = [[3,1,0],[1,2,1],[0,1,2]] and λ = 1. Compute EASE's B (3 x 3, rows then columns).",
            hint: "add λ to the diagonal, invert, then B_ij = -P_ij / P_jj and B_jj = 0",
            answerIn: "Chapter5Exercises.weights()",
            why: [
                "shape": "B must be 3 rows of 3 values", "reference": "the reference inverse failed",
                "weight": """
                    B[{{row}}][{{column}}] = {{got}}, expected {{want}}. Remember B_ij = -P_ij / P_jj (divide by the \
                    column's diagonal).
                    """,
            ],
            checkAnswer: { checkWeights(Chapter5Exercises.weights()) },
            checkReference: { checkWeights(Chapter5Solutions.weights()) }),
        Exercise(
            id: "5.2", title: "Why the diagonal constraint?",
            prompt: """
                For the same XᵀX and λ = 1, the unconstrained ridge solution is (XᵀX + λI)⁻¹XᵀX. What is the \
                mean of its diagonal? (What would such a model recommend?)
                """,
            hint: "compute P = (G + I)⁻¹, then P·G, and average its diagonal: each item mostly predicts itself",
            answerIn: "Chapter5Exercises.unconstrainedDiagonalMean()",
            why: [
                "reference": "the reference inverse failed",
                "diagonal": """
                    (G + λI)⁻¹G = I - λ(G + λI)⁻¹: its diagonal is close to 1, so every item would mostly recommend \
                    itself.
                    """,
            ],
            checkAnswer: { checkDiagonal(Chapter5Exercises.unconstrainedDiagonalMean()) },
            checkReference: { checkDiagonal(Chapter5Solutions.unconstrainedDiagonalMean()) }),
        Exercise(
            id: "5.3", title: "λ and negative weights",
            prompt: """
                On the toy 4 x 5 matrix (EASEChapter.toy), how many of B's 20 off-diagonal weights are negative \
                with λ = 0.1, and with λ = 100?
                """,
            hint: "fit EASE(train: EASEChapter.toyMatrix(), lambda:) twice and count weights < 0",
            answerIn: "Chapter5Exercises.negativeWeights()",
            why: [
                "reference": "the reference fit failed",
                "count": "got {{got}}, expected ({{low}}, {{high}}) negative weights: count B_ij < 0 for i != j",
            ],
            checkAnswer: { checkNegatives(Chapter5Exercises.negativeWeights()) },
            checkReference: { checkNegatives(Chapter5Solutions.negativeWeights()) }),
        Exercise(
            id: "5.4", title: "Write EASE",
            prompt: """
                Write EASE's closed form for any Gram matrix G = XᵀX and λ (the derivation at the start of the \
                chapter). The check fits it on two seeded random interaction matrices (40 users x 12 items) at λ = 1 \
                and 50, compares every weight with the book's EASE, and ranks the items of every user with it.
                """,
            hint: "add λ to G's diagonal, invert (Linalg.inverseSPD), then B_ij = -P_ij / P_jj off the diagonal, 0 on "
                + "it",
            answerIn: "Chapter5Exercises.easeWeights(gram:n:lambda:)",
            why: [
                "size": "B must have n·n = {{size}} values, not {{count}}", "reference": "the reference EASE failed",
                "diagonal":
                    "B's diagonal must be zero (an item may not predict itself); B[{{row}}][{{row}}] is {{got}}",
                "weight": """
                    at λ = {{lambda}}, B[{{row}}][{{column}}] is {{got}} but should be {{want}}: check the sign and \
                    which diagonal entry of P you divide by (the column's)
                    """,
            ],
            checkAnswer: { checkEASE(Chapter5Exercises.easeWeights) },
            checkReference: { checkEASE(Chapter5Solutions.easeWeights) }),
    ]

    /// A learner's EASE against the book's on seeded random data: the same B, and so the same rankings.
    static func checkEASE(_ f: ([Double], Int, Double) -> [Double]?) -> ExerciseVerdict {
        let (users, n) = (40, 12)
        for (seed, lambda) in [(UInt64(1), 1.0), (2, 50)] {
            let rng = RandomGenerator(seed: seed, stream: "exercise-5.4")
            var u: [Int32] = [], i: [Int32] = []
            for user in 0..<users {
                for item in 0..<n where rng.nextFloat() < 0.3 {
                    u.append(Int32(user))
                    i.append(Int32(item))
                }
            }
            let train = InteractionMatrix(userCount: users, itemCount: n, users: u, items: i)
            guard let answer = f(EASE.gram(train), n, lambda) else { return .untouched }
            guard answer.count == n * n else {
                return .wrong(Explanation("size", ["size": n * n, "count": answer.count]))
            }
            guard let ease = try? EASE(train: train, lambda: lambda) else { return .wrong(Explanation("reference")) }
            for k in 0..<(n * n) where abs(answer[k] - Double(ease.weights[k])) > 1e-4 {
                let (row, column) = (k / n, k % n)
                return .wrong(
                    row == column
                        ? Explanation("diagonal", ["row": row, "got": answer[k]])
                        : Explanation(
                            "weight",
                            [
                                "lambda": String(format: "%g", lambda), "row": row, "column": column,
                                "got": String(format: "%.5f", answer[k]),
                                "want": String(format: "%.5f", Double(ease.weights[k])),
                            ]))
            }
        }
        return .correct
    }

    /// B computed by the chapter's own EASE from the same Gram matrix.
    static func referenceWeights() -> [Double]? {
        var g = exerciseGram
        for i in 0..<3 { g[i * 4] += 1 }
        guard let p = try? Linalg.inverseSPD(g, n: 3) else { return nil }
        var b = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 where i != j { b[i * 3 + j] = -p[i * 3 + j] / p[j * 3 + j] } }
        return b
    }

    static func checkWeights(_ answer: [[Double]]?) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        guard answer.count == 3, answer.allSatisfy({ $0.count == 3 }) else {
            return .wrong(Explanation("shape"))
        }
        guard let expected = referenceWeights() else { return .wrong(Explanation("reference")) }
        for k in 0..<9 where abs(answer[k / 3][k % 3] - expected[k]) > 1e-4 {
            return .wrong(
                Explanation(
                    "weight",
                    [
                        "row": k / 3, "column": k % 3, "got": answer[k / 3][k % 3],
                        "want": String(format: "%.4f", expected[k]),
                    ]))
        }
        return .correct
    }

    static func checkDiagonal(_ answer: Double?) -> ExerciseVerdict {
        var g = exerciseGram
        for i in 0..<3 { g[i * 4] += 1 }
        guard let p = try? Linalg.inverseSPD(g, n: 3) else { return .wrong(Explanation("reference")) }
        var diagonal = [Double](repeating: 0, count: 3)
        for i in 0..<3 { for k in 0..<3 { diagonal[i] += p[i * 3 + k] * exerciseGram[k * 3 + i] } }
        return Check.number(
            answer, expected: diagonal.reduce(0, +) / 3, tolerance: 1e-4,
            explain: Explanation("diagonal"))
    }

    static func checkNegatives(_ answer: (Int, Int)?) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        func count(_ lambda: Double) -> Int? {
            guard let ease = try? EASE(train: toyMatrix(), lambda: lambda) else { return nil }
            return (0..<5).flatMap { i in (0..<5).filter { $0 != i && ease.weight(i, $0) < 0 } }.count
        }
        guard let low = count(0.1), let high = count(100) else { return .wrong(Explanation("reference")) }
        return answer == (low, high)
            ? .correct : .wrong(Explanation("count", ["got": "\(answer)", "low": low, "high": high]))
    }
}
