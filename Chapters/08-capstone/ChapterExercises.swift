// Chapter 8's exercises and the checks that verify them.

import _WorkbookSupport
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension CapstoneChapter {
    public static let exercises: [Exercise] = [
        Exercise(
            id: "8.1", title: "How big is a saved model?",
            prompt: """
                A saved model holds tensors of these shapes; its values are float32. Write \
                payloadBytes(shapes:): how many bytes of values follow the header?
                """,
            hint: "multiply each shape out, add them up, 4 bytes per float32",
            answerIn: "Chapter8Exercises.payloadBytes(shapes:)",
            checkAnswer: { checkPayload(Chapter8Exercises.payloadBytes) },
            checkReference: { checkPayload(Chapter8Solutions.payloadBytes) }),
        Exercise(
            id: "8.2", title: "Why did EASE recommend it?",
            prompt: """
                Write topContributor(weights:itemCount:userItems:target:): EASE's score for `target` is Σ \
                B[i][target] over the user's items i; return the item i with the largest term (lowest index on \
                ties).
                """,
            hint: "B is row-major: B[i][j] = weights[i * itemCount + j]",
            answerIn: "Chapter8Exercises.topContributor(weights:itemCount:userItems:target:)",
            checkAnswer: { checkContributor(Chapter8Exercises.topContributor) },
            checkReference: { checkContributor(Chapter8Solutions.topContributor) }),
        Exercise(
            id: "8.3", title: "Catalogue coverage",
            prompt: """
                Write coverage(lists:itemCount:): the share of the catalogue that appears in at least one of the \
                users' top-K lists (RecKit's Coverage@K).
                """,
            hint: "collect the distinct items of all lists, divide by the catalogue size",
            answerIn: "Chapter8Exercises.coverage(lists:itemCount:)",
            checkAnswer: { checkCoverage(Chapter8Exercises.coverage) },
            checkReference: { checkCoverage(Chapter8Solutions.coverage) }),
    ]

    static func checkPayload(_ answer: ([[Int]]) -> Int?) -> ExerciseVerdict {
        let cases: [[[Int]]] = [[[943, 8], [1682, 8], [8, 1], [1]], [[1682, 1682]], [], [[3, 4, 5]]]
        return Check.function(
            cases: cases, answer: answer,
            reference: { shapes in
                ModelFile(
                    header: ModelFile.Header(
                        model: "x", dataset: "x", fingerprint: "", users: 0, items: 0, seed: 0, mode: ""),
                    tensors: shapes.enumerated().map {
                        NamedTensor(
                            "t\($0.offset)", shape: $0.element,
                            values: [Float](repeating: 0, count: $0.element.reduce(1, *)))
                    }
                )
                .header.tensors.reduce(0) { $0 + $1.count * 4 }
            }, matches: { $0 == $1 }, describe: { "shapes \($0)" })
    }

    static func checkContributor(_ answer: ([Float], Int, [Int], Int) -> Int?) -> ExerciseVerdict {
        let ease = try? EASE(train: ToyData.ncfMatrix(), lambda: 0.5)
        guard let ease else { return .wrong("the reference EASE fit failed") }
        let cases: [([Int], Int)] = [([0, 1, 2, 4], 3), ([1, 2], 0), ([0, 2, 3, 4], 1), ([3], 4)]
        return Check.function(
            cases: cases, answer: { answer(ease.weights, 5, $0.0, $0.1) },
            reference: { c in
                c.0.max { (ease.weight($0, c.1), -$0) < (ease.weight($1, c.1), -$1) } ?? -1
            }, matches: { $0 == $1 },
            describe: { "user items \($0.0), target \($0.1) (EASE on ToyData.ncfUsers, λ = 0.5)" })
    }

    static func checkCoverage(_ answer: ([[Int]], Int) -> Double?) -> ExerciseVerdict {
        let cases: [([[Int]], Int)] = [([[0, 1], [1, 2]], 10), ([[3], [3], [3]], 4), ([], 5), ([[0, 1, 2, 3]], 4)]
        return Check.function(
            cases: cases, answer: { answer($0.0, $0.1) },
            reference: { c in
                ExposureReport.of(c.0.map { $0.map(Int32.init) }, popularity: [Int](repeating: 0, count: c.1)).coverage
            }, matches: { abs($0 - $1) < 1e-9 }, describe: { "lists \($0.0), \($0.1) items" })
    }
}
