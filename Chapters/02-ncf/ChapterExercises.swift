// Chapter 2's exercises and the checks that verify them.

import Foundation
import Models
import Narrative
import RecKit
import TensorCore

extension NCFChapter {
    public static let exercises: [Exercise] = [
        Exercise(
            id: "2.1", title: "The pyramid",
            prompt: "Write pyramid(factors:layers:): the MLP layer widths [f·2^L, ..., f] for the document's tower.",
            hint: "the input is the two concatenated embeddings of f·2^(L-1) each; every layer halves",
            answerIn: "Chapter2Exercises.pyramid(factors:layers:)", why: ["case": "factors {{f}}, layers {{layers}}"],
            checkAnswer: { checkPyramid(Chapter2Exercises.pyramid) },
            checkReference: { checkPyramid(Chapter2Solutions.pyramid) }),
        Exercise(
            id: "2.2", title: "GMF by hand",
            prompt: """
                p_u = [0.1, -0.2, 0.3], q_i = [0.5, 0.4, -0.1], h = [1, 2, -1], bias 0.05. GMF's predicted \
                probability sigmoid(h · (p_u ⊙ q_i) + b)?
                """,
            hint: "multiply element-wise, weight by h, add the bias, then apply the sigmoid",
            answerIn: "Chapter2Exercises.gmfProbability()",
            why: ["gmf": "p ⊙ q = [0.05, -0.08, -0.03]; h · that + b, then sigmoid."],
            checkAnswer: { checkGMF(Chapter2Exercises.gmfProbability(), h: [1, 2, -1], bias: 0.05, sigmoid: true) },
            checkReference: { checkGMF(Chapter2Solutions.gmfProbability(), h: [1, 2, -1], bias: 0.05, sigmoid: true) }),
        Exercise(
            id: "2.3", title: "HR@10 and NDCG@10 of one ranking",
            prompt: """
                Write hitAndNDCG(rank:k:): the test item is ranked `rank` (1 = best) among the 100 candidates; \
                return (HR@k, NDCG@k).
                """,
            hint: "a hit is rank <= k; NDCG is 1/log2(rank + 1) for a hit (the ideal DCG is 1)",
            answerIn: "Chapter2Exercises.hitAndNDCG(rank:k:)", why: ["case": "rank {{rank}}, k {{k}}"],
            checkAnswer: { checkHitNDCG(Chapter2Exercises.hitAndNDCG) },
            checkReference: { checkHitNDCG(Chapter2Solutions.hitAndNDCG) }),
        Exercise(
            id: "2.4", title: "GMF with h fixed to ones",
            prompt: """
                Fix GMF's output weights to h = [1, 1, 1] and its bias to 0: for the p_u, q_i of 2.2, what logit \
                does it give? Which model is that?
                """,
            hint: "with h = 1 the weighted sum of p_u ⊙ q_i is the inner product p_u · q_i: plain MF",
            answerIn: "Chapter2Exercises.gmfWithUnitWeights()",
            why: ["mf": "with h = 1 and b = 0 GMF's logit is the inner product p · q."],
            checkAnswer: { checkGMF(Chapter2Exercises.gmfWithUnitWeights(), h: [1, 1, 1], bias: 0, sigmoid: false) },
            checkReference: {
                checkGMF(Chapter2Solutions.gmfWithUnitWeights(), h: [1, 1, 1], bias: 0, sigmoid: false)
            }),
        Exercise(
            id: "2.5", title: "Write GMF's forward pass",
            prompt: """
                Write GMF's forward pass for a batch as a tensor function: embeddings p and q ([B, f]), output \
                weights h ([f, 1]) and bias b ([1]) give one logit per pair, (p ⊙ q)·h + b. The check runs it on \
                seeded tensors, sums the logits, and compares the value and all four gradients with the book's GMF \
                arithmetic.
                """,
            hint: "the element-wise product is p * q; a [B, f] times [f, 1] product with a bias is matmul(h, plus: b)",
            answerIn: "Chapter2Exercises.gmfLogits(p:q:h:b:)",
            checkAnswer: { checkGMFForward(Chapter2Exercises.gmfLogits) },
            checkReference: { checkGMFForward(Chapter2Solutions.gmfLogits) }),
    ]

    /// A learner's GMF forward pass against the reference arithmetic (weighted by fixed coefficients, so
    /// that every logit's gradient counts differently).
    static func checkGMFForward(_ f: @escaping (Tensor, Tensor, Tensor, Tensor) -> Tensor?) -> ExerciseVerdict {
        let probe = Tensor([0], shape: [1, 1])
        guard f(probe, probe, probe, Tensor([0], shape: [1])) != nil else { return .untouched }
        let weights = Tensor((0..<6).map { Float($0) - 2.5 }, shape: [6, 1])
        return TensorExercise.check(
            { x in
                // Logits of another shape ([B] instead of [B, 1]) count as wrong: the value comes out NaN.
                guard let logits = f(x[0], x[1], x[2], x[3]), logits.shape == [6, 1] else {
                    return Tensor(scalar: .nan)
                }
                return (logits * weights).sum()
            },
            reference: { x in ((x[0] * x[1]).matmul(x[2], plus: x[3]) * weights).sum() },
            shapes: [[6, 4], [6, 4], [4, 1], [1]], names: ["p", "q", "h", "b"])
    }

    static func checkPyramid(_ answer: (Int, Int) -> [Int]?) -> ExerciseVerdict {
        Check.function(
            cases: [(8, 3), (32, 4), (16, 1), (64, 3), (4, 5)], answer: { answer($0.0, $0.1) },
            reference: { f, l in
                // The widths of the model itself: its first layer's input, then every layer's output.
                let mlp = MLP(
                    userCount: 1, itemCount: 1, factors: f, layers: l, dropout: 0, rng: RandomGenerator(seed: 1))
                let linears = mlp.tower.layers.compactMap { $0 as? Linear }
                return [linears[0].inputSize] + linears.map(\.outputSize)
            },
            matches: { $0 == $1 }, describe: { Explanation("case", ["f": $0.0, "layers": $0.1]) })
    }

    /// The expected value is computed by a real GMF with those weights.
    static func checkGMF(_ answer: Double?, h: [Float], bias: Float, sigmoid: Bool) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        let gmf = GMF(userCount: 1, itemCount: 1, factors: 3, rng: RandomGenerator(seed: 1))
        gmf.userEmbedding.table.assign([0.1, -0.2, 0.3])
        gmf.itemEmbedding.table.assign([0.5, 0.4, -0.1])
        gmf.predict.weight.assign(h)
        gmf.predict.bias?.assign([bias])
        let logit = Double(Tensor.withoutGrad { gmf([0], [0]).item })
        let expected = sigmoid ? 1 / (1 + Foundation.exp(-logit)) : logit
        return Check.number(
            answer, expected: expected, tolerance: 1e-4,
            explain: Explanation(sigmoid ? "gmf" : "mf"))
    }

    static func checkHitNDCG(_ answer: (Int, Int) -> (Double, Double)?) -> ExerciseVerdict {
        let cases = [(1, 10), (3, 10), (10, 10), (11, 10), (57, 10), (2, 1), (5, 20)]
        return Check.function(
            cases: cases, answer: { c in answer(c.0, c.1).map { [$0.0, $0.1] } },
            reference: { c in
                // The item at position `rank` of a 100-item list, scored by RecKit.
                let ranked = (0..<100).map(Int32.init)
                let m = UserMetrics.compute(ranked: ranked, relevant: [Int32(c.0 - 1)], k: c.1)
                return [m.hit, m.ndcg]
            },
            matches: { zip($0, $1).allSatisfy { abs($0 - $1) < 1e-9 } },
            describe: { Explanation("case", ["rank": $0.0, "k": $0.1]) })
    }
}
