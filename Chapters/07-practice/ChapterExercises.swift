// Chapter 7's exercises and the checks that verify them.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension PracticeChapter {
    public static let exercises: [Exercise] = [
        Exercise(
            id: "7.1", title: "When does early stopping stop?",
            prompt: """
                Write stopEpoch(losses:patience:minDelta:): the 1-based epoch after which the document's \
                EarlyStopping sets early_stop for these validation losses, or 0 if it never does.
                """,
            hint: """
                an epoch counts as bad when loss > best - minDelta; the counter resets on an improvement; stop \
                when it reaches patience
                """,
            answerIn: "Chapter7Exercises.stopEpoch(losses:patience:minDelta:)",
            why: ["case": "losses {{losses}}, patience {{patience}}, minDelta {{delta}}"],
            checkAnswer: { checkStop(Chapter7Exercises.stopEpoch) },
            checkReference: { checkStop(Chapter7Solutions.stopEpoch) }),
        Exercise(
            id: "7.2", title: "Average precision",
            prompt: """
                Write averagePrecision(hits:relevantCount:): hits[r] says whether rank r + 1 of a top-K list is \
                relevant; return AP@K as RecKit pins it (sum of precision at each hit's rank, divided by min(K, \
                relevantCount)).
                """,
            hint: "walk the list counting hits; at each hit add hits/rank",
            answerIn: "Chapter7Exercises.averagePrecision(hits:relevantCount:)",
            why: ["case": "hits {{hits}}, {{relevant}} relevant"],
            checkAnswer: { checkAP(Chapter7Exercises.averagePrecision) },
            checkReference: { checkAP(Chapter7Solutions.averagePrecision) }),
        Exercise(
            id: "7.3", title: "Follow ReduceLROnPlateau",
            prompt: """
                Write learningRates(losses:initial:factor:patience:): the learning rate after each epoch under \
                ReduceLROnPlateau (mode min, threshold 1e-4 relative, no cooldown).
                """,
            hint: """
                an epoch improves when loss < best * (1 - 1e-4); the rate drops when the bad-epoch count exceeds \
                patience, and the count then restarts at 0
                """,
            answerIn: "Chapter7Exercises.learningRates(losses:initial:factor:patience:)",
            why: ["case": "losses {{losses}}, lr {{lr}}, factor {{factor}}, patience {{patience}}"],
            checkAnswer: { checkPlateau(Chapter7Exercises.learningRates) },
            checkReference: { checkPlateau(Chapter7Solutions.learningRates) }),
        Exercise(
            id: "7.4", title: "The Gini coefficient of exposure",
            prompt: """
                Write gini(_ counts: [Int]): how unequally items are recommended, 0 when every item is \
                recommended equally often.
                """,
            hint: "sort ascending; G = Σ (2i - n - 1) x_i / (n Σ x) with i from 1",
            answerIn: "Chapter7Exercises.gini(_:)", why: ["case": "counts {{counts}}"],
            checkAnswer: { checkGini(Chapter7Exercises.gini) }, checkReference: { checkGini(Chapter7Solutions.gini) }),
        Exercise(
            id: "7.5", title: "Kendall's τ between two leaderboards",
            prompt: """
                Write kendallTau(_:_:): for two orderings of the same model names, (concordant - discordant \
                pairs) / all pairs.
                """,
            hint: "for every pair (a before b in the first order), +1 if a is also before b in the second, else -1",
            answerIn: "Chapter7Exercises.kendallTau(_:_:)", why: ["case": "{{first}} against {{second}}"],
            checkAnswer: { checkTau(Chapter7Exercises.kendallTau) },
            checkReference: { checkTau(Chapter7Solutions.kendallTau) }),
        Exercise(
            id: "7.6", title: "NDCG when scores tie",
            prompt: """
                MostPopular gives every item with the same count the same score, and RecKit breaks such ties by \
                item index, which favours whichever film happens to have the lower id. Write \
                ndcgWithTies(scores:relevant:k:): the NDCG@k you would get on average if tied items were put in \
                a random order. The check runs MostPopular on a small seeded data set and compares your answer, \
                user by user, with the average over every order of the tied items.
                """,
            hint: """
                a group of g tied items occupies g consecutive positions; each relevant item in it is equally \
                likely to be at any of them, so the group's expected gain at each position is (relevant in the \
                group) / g; the ideal DCG does not change
                """,
            answerIn: "Chapter7Exercises.ndcgWithTies(scores:relevant:k:)",
            why: [
                "case": "{{about}}: scores {{scores}}, relevant {{relevant}}, k {{k}}",
                "cut-off": "a tie across the cut-off", "all-tied": "everything tied", "no-ties": "no ties",
                "none-relevant": "nothing relevant", "popular-user": "MostPopular, user {{user}}",
            ],
            checkAnswer: { checkTies(Chapter7Exercises.ndcgWithTies) },
            checkReference: { checkTies(Chapter7Solutions.ndcgWithTies) }),
    ]

    static let lossCases: [([Float], Int, Float)] = [
        ([1.0, 0.9, 0.95, 0.97, 0.99, 0.8], 3, 0), ([1.0, 0.9, 0.95, 0.85, 0.86, 0.87], 2, 0),
        ([1.0, 0.99, 0.985, 0.984], 2, 0.01),
        ([0.5, 0.4, 0.3, 0.2], 1, 0), ([0.5, 0.5, 0.5], 2, 0),
    ]

    static func checkStop(_ answer: ([Float], Int, Float) -> Int?) -> ExerciseVerdict {
        Check.function(
            cases: lossCases, answer: { answer($0.0, $0.1, $0.2) },
            reference: { c -> Int in
                var stopper = EarlyStopping(patience: c.1, minDelta: c.2)
                for (k, loss) in c.0.enumerated() where stopper.update(loss) { return k + 1 }
                return 0
            }, matches: { $0 == $1 }, describe: {
                Explanation("case", ["losses": "\($0.0)", "patience": $0.1, "delta": $0.2])
            })
    }

    static func checkAP(_ answer: ([Bool], Int) -> Double?) -> ExerciseVerdict {
        let cases: [([Bool], Int)] = [
            ([true, false, true, false, false], 3), ([false, false, false], 2), ([true, true, true], 3),
            ([false, true, false, false, true, false, false, false, false, false], 12),
        ]
        return Check.function(
            cases: cases, answer: { answer($0.0, $0.1) },
            reference: { c in
                let ranked = c.0.indices.map { Int32($0) }
                var relevant = Set(c.0.indices.filter { c.0[$0] }.map { Int32($0) })
                var extra: Int32 = 1000
                while relevant.count < c.1 { relevant.insert(extra); extra += 1 }
                return UserMetrics.compute(ranked: ranked, relevant: relevant, k: c.0.count).averagePrecision
            }, matches: { abs($0 - $1) < 1e-9 },
            describe: { Explanation("case", ["hits": "\($0.0)", "relevant": $0.1]) })
    }

    static func checkPlateau(_ answer: ([Float], Float, Float, Int) -> [Float]?) -> ExerciseVerdict {
        let cases: [([Float], Float, Float, Int)] = [
            ([1, 0.9, 0.9, 0.91, 0.92, 0.85, 0.86, 0.87, 0.88], 0.001, 0.5, 1),
            ([1, 1, 1, 1, 1, 1, 1], 0.01, 0.1, 2), ([3, 2, 1, 0.5], 0.1, 0.5, 0),
        ]
        return Check.function(
            cases: cases, answer: { answer($0.0, $0.1, $0.2, $0.3) },
            reference: { c in
                let optimizer = SGD([Tensor.zeros([1], requiresGrad: true)], learningRate: c.1)
                let scheduler = ReduceLROnPlateau(optimizer, mode: .min, factor: c.2, patience: c.3)
                return c.0.map {
                    scheduler.step($0); return optimizer.learningRate
                }
            }, matches: { $0.count == $1.count && zip($0, $1).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) } },
            describe: { Explanation("case", ["losses": "\($0.0)", "lr": $0.1, "factor": $0.2, "patience": $0.3]) })
    }

    static func checkGini(_ answer: ([Int]) -> Double?) -> ExerciseVerdict {
        Check.function(
            cases: [[5, 5, 5, 5], [0, 0, 0, 10], [1, 2, 3, 4, 10], [0, 3, 0, 7, 1]], answer: answer,
            reference: giniCoefficient,
            matches: { abs($0 - $1) < 1e-9 }, describe: { Explanation("case", ["counts": "\($0)"]) })
    }

    static func checkTau(_ answer: ([String], [String]) -> Double?) -> ExerciseVerdict {
        let cases: [([String], [String])] = [
            (["a", "b", "c"], ["a", "b", "c"]), (["a", "b", "c"], ["c", "b", "a"]),
            (["EASE", "LightGCN", "NeuMF", "GMF"], ["LightGCN", "EASE", "GMF", "NeuMF"]),
        ]
        return Check.function(
            cases: cases, answer: { answer($0.0, $0.1) }, reference: { kendallTau($0.0, $0.1) },
            matches: { abs($0 - $1) < 1e-9 },
            describe: { Explanation("case", ["first": "\($0.0)", "second": "\($0.1)"]) })
    }

    /// One user's case for 7.6: the candidates' scores, the relevant candidates and K.
    typealias TieCase = (scores: [Float], relevant: Set<Int>, k: Int, about: Explanation)

    /// Public so that a test can show an index tie-break answer is caught.
    public static func checkTies(_ answer: ([Float], Set<Int>, Int) -> Double?) -> ExerciseVerdict {
        Check.function(
            cases: tieCases(), answer: { answer($0.scores, $0.relevant, $0.k) }, reference: averagedOverOrders,
            matches: { abs($0 - $1) < 1e-9 }, describe: {
                Explanation(
                    "case", ["scores": "\($0.scores)", "relevant": "\($0.relevant.sorted())", "k": $0.k],
                    parts: ["about": $0.about])
            })
    }

    /// Hand cases, then MostPopular on 40 seeded users of 10 items: per user, 2 held-out items are
    /// relevant and the candidates are the items the user has not rated.
    static func tieCases() -> [TieCase] {
        var cases: [TieCase] = [
            ([3, 2, 2, 1], [2], 2, Explanation("cut-off")), ([1, 1, 1, 1], [0, 3], 3, Explanation("all-tied")),
            ([0.9, 0.5, 0.7, 0.1], [1, 3], 4, Explanation("no-ties")), ([2, 2, 1], [], 2, Explanation("none-relevant")),
        ]
        let rng = RandomGenerator(seed: 7, stream: "exercise-7.6")
        let appeal: [Double] = [0.9, 0.8, 0.6, 0.6, 0.5, 0.4, 0.3, 0.3, 0.2, 0.1]
        var rated: [[Int]] = (0..<40).map { _ in appeal.indices.filter { rng.nextDouble() < appeal[$0] } }
        var held: [[Int]] = []
        for u in rated.indices {
            rng.shuffle(&rated[u])
            held.append(Array(rated[u].prefix(rated[u].count > 3 ? 2 : 0)))
            rated[u] = Array(rated[u].dropFirst(held[u].count))
        }
        let train = InteractionMatrix(
            userCount: 40, itemCount: 10, users: rated.indices.flatMap { u in rated[u].map { _ in Int32(u) } },
            items: rated.flatMap { $0.map(Int32.init) })
        let scores = MostPopular(train: train).scores(users: (0..<40).map(Int32.init))
        for u in rated.indices where !held[u].isEmpty && cases.count < 14 {
            let candidates = (0..<10).filter { !rated[u].contains($0) }
            let relevant = Set(candidates.indices.filter { held[u].contains(candidates[$0]) })
            let about = Explanation("popular-user", ["user": u])
            cases.append((candidates.map { scores[u * 10 + $0] }, relevant, 5, about))
        }
        return cases
    }

    /// The exact average of NDCG@k over every order of each group of tied scores (each group's
    /// orders enumerated; the groups are independent, so their expected gains add up).
    static func averagedOverOrders(_ c: TieCase) -> Double {
        func discount(_ position: Int) -> Double { 1 / log2(Double(position) + 2) }
        let ideal = (0..<min(c.k, c.relevant.count)).reduce(0.0) { $0 + discount($1) }
        guard ideal > 0 else { return 0 }
        let values = Set(c.scores).sorted(by: >)
        var start = 0, dcg = 0.0
        for value in values {
            let group = c.scores.indices.filter { c.scores[$0] == value }
            let orders = permutations(group)
            for order in orders {
                for (offset, item) in order.enumerated() where start + offset < c.k && c.relevant.contains(item) {
                    dcg += discount(start + offset) / Double(orders.count)
                }
            }
            start += group.count
        }
        return dcg / ideal
    }

    static func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { k in
            permutations(Array(items[..<k] + items[(k + 1)...])).map { [items[k]] + $0 }
        }
    }
}
