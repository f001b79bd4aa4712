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
            answerIn: "Chapter8Exercises.payloadBytes(shapes:)", why: ["case": "shapes {{shapes}}"],
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
            why: [
                "reference": "the reference EASE fit failed",
                "case": "user items {{items}}, target {{target}} (EASE on ToyData.ncfUsers, λ = 0.5)",
            ],
            checkAnswer: { checkContributor(Chapter8Exercises.topContributor) },
            checkReference: { checkContributor(Chapter8Solutions.topContributor) }),
        Exercise(
            id: "8.3", title: "Catalogue coverage",
            prompt: """
                Write coverage(lists:itemCount:): the share of the catalogue that appears in at least one of the \
                users' top-K lists (RecKit's Coverage@K).
                """,
            hint: "collect the distinct items of all lists, divide by the catalogue size",
            answerIn: "Chapter8Exercises.coverage(lists:itemCount:)", why: ["case": "lists {{lists}}, {{count}} items"],
            checkAnswer: { checkCoverage(Chapter8Exercises.coverage) },
            checkReference: { checkCoverage(Chapter8Solutions.coverage) }),
        Exercise(
            id: "8.4", title: "Is the difference real? The paired bootstrap",
            prompt: """
                Write pairedInterval(a:b:resamples:seed:): draw the users with replacement `resamples` times, \
                both models' values together, and return the 2.5th and 97.5th percentiles of the mean \
                difference. The check trains ItemKNN and MostPopular on a small seeded data set, and compares \
                your interval for their Recall@10 with the book's Bootstrap.compare.
                """,
            hint: """
                resample the per-user differences a[u] - b[u], not a and b separately; sort the resampled means \
                and interpolate between neighbours at positions q·(resamples - 1); RandomGenerator(seed:) and \
                nextInt(below:) draw the users
                """,
            answerIn: "Chapter8Exercises.pairedInterval(a:b:resamples:seed:)",
            why: [
                "reference": "the reference models failed to fit", "case": "{{about}} ({{users}} users, Recall@10)",
                "knn-pop": "ItemKNN against MostPopular", "pop-knn": "MostPopular against ItemKNN",
                "itself": "a model against itself", "better": "a model 0.05 better for every user",
            ],
            checkAnswer: { checkPaired(Chapter8Exercises.pairedInterval) },
            checkReference: { checkPaired(Chapter8Solutions.pairedInterval) }),
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
            }, matches: { $0 == $1 }, describe: { Explanation("case", ["shapes": "\($0)"]) })
    }

    static func checkContributor(_ answer: ([Float], Int, [Int], Int) -> Int?) -> ExerciseVerdict {
        let ease = try? EASE(train: ToyData.ncfMatrix(), lambda: 0.5)
        guard let ease else { return .wrong(Explanation("reference")) }
        let cases: [([Int], Int)] = [([0, 1, 2, 4], 3), ([1, 2], 0), ([0, 2, 3, 4], 1), ([3], 4)]
        return Check.function(
            cases: cases, answer: { answer(ease.weights, 5, $0.0, $0.1) },
            reference: { c in
                c.0.max { (ease.weight($0, c.1), -$0) < (ease.weight($1, c.1), -$1) } ?? -1
            }, matches: { $0 == $1 },
            describe: { Explanation("case", ["items": "\($0.0)", "target": $0.1]) })
    }

    static func checkCoverage(_ answer: ([[Int]], Int) -> Double?) -> ExerciseVerdict {
        let cases: [([[Int]], Int)] = [([[0, 1], [1, 2]], 10), ([[3], [3], [3]], 4), ([], 5), ([[0, 1, 2, 3]], 4)]
        return Check.function(
            cases: cases, answer: { answer($0.0, $0.1) },
            reference: { c in
                ExposureReport.of(c.0.map { $0.map(Int32.init) }, popularity: [Int](repeating: 0, count: c.1)).coverage
            }, matches: { abs($0 - $1) < 1e-9 }, describe: { Explanation("case", ["lists": "\($0.0)", "count": $0.1]) })
    }

    /// Public so that a test can show an unpaired answer is caught.
    public static func checkPaired(_ answer: ([Double], [Double], Int, UInt64) -> ClosedRange<Double>?)
        -> ExerciseVerdict
    {
        guard let (knn, popular) = try? pairedModels() else { return .wrong(Explanation("reference")) }
        let shifted = knn.map { $0 + 0.05 }
        let cases: [(a: [Double], b: [Double], about: String)] = [
            (knn, popular, "knn-pop"), (popular, knn, "pop-knn"), (knn, knn, "itself"), (shifted, knn, "better"),
        ]
        // Two seeds draw different users, so the intervals agree only up to the resampling noise:
        // a quarter of the interval's width (plus a floor for the zero-width cases).
        return Check.function(
            cases: cases, answer: { answer($0.a, $0.b, 1000, 42) },
            reference: { Bootstrap.compare($0.a, $0.b, seed: 42).interval },
            matches: { got, want in
                let slack = 0.25 * (want.upperBound - want.lowerBound) + 1e-9
                return abs(got.lowerBound - want.lowerBound) <= slack && abs(got.upperBound - want.upperBound) <= slack
            }, describe: {
                Explanation("case", ["users": $0.a.count], parts: ["about": Explanation($0.about)])
            })
    }

    /// Per-user Recall@10 of ItemKNN and MostPopular on 80 seeded users of two tastes over 30 items,
    /// two of each user's items held out.
    static func pairedModels() throws -> ([Double], [Double]) {
        let rng = RandomGenerator(seed: 8, stream: "exercise-8.4")
        var train: (users: [Int32], items: [Int32]) = ([], []), test: (users: [Int32], items: [Int32]) = ([], [])
        for u in 0..<80 {
            var rated = (0..<30).filter { i in rng.nextDouble() < ((i < 15) == (u % 2 == 0) ? 0.45 : 0.08) }
            rng.shuffle(&rated)
            let held = rated.count >= 4 ? 2 : 0
            test.users += Array(repeating: Int32(u), count: held)
            test.items += rated.prefix(held).map(Int32.init)
            train.users += Array(repeating: Int32(u), count: rated.count - held)
            train.items += rated.dropFirst(held).map(Int32.init)
        }
        let trainMatrix = InteractionMatrix(userCount: 80, itemCount: 30, users: train.users, items: train.items)
        let evaluator = FullRankingEvaluator(
            train: trainMatrix,
            test: InteractionMatrix(userCount: 80, itemCount: 30, users: test.users, items: test.items))
        let knn = evaluator.evaluate(try ItemKNN(train: trainMatrix, neighbourCount: 10), ks: [10])
        let popular = evaluator.evaluate(MostPopular(train: trainMatrix), ks: [10])
        return (knn.perUser["Recall@10"] ?? [], popular.perUser["Recall@10"] ?? [])
    }
}
