// Chapter 6's exercises and the checks that verify them.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension GNNChapter {
    public static let exercises: [Exercise] = [
        Exercise(
            id: "6.1", title: "One normalised edge",
            prompt: """
                In the toy graph, the weight of the edge between user 2 (items 2 and 3) and item 3 (users 1-4) \
                in D^-1/2 A D^-1/2?
                """,
            hint: "1 / sqrt(degree of the user × degree of the item)",
            answerIn: "Chapter6Exercises.edgeWeight()", why: ["degrees": "user 2 has 2 items, item 3 has 4 users."],
            checkAnswer: { checkEdge(Chapter6Exercises.edgeWeight()) },
            checkReference: { checkEdge(Chapter6Solutions.edgeWeight()) }),
        Exercise(
            id: "6.2", title: "One propagation step",
            prompt: """
                Give every node of the toy graph the 1-D embedding e = its index + 1 (users 1-4, then items \
                5-9). After one LightGCN step (Â e), what is user 1's value?
                """,
            hint: "user 1 has items 1, 2, 3, 5 (nodes 5, 6, 7, 9): sum value × 1/sqrt(4 · degree of the item)",
            answerIn: "Chapter6Exercises.propagatedUser1()",
            why: ["neighbours": "user 1's neighbours are items 1, 2, 3 and 5, with degrees 2, 3, 4 and 2."],
            checkAnswer: { checkPropagation(Chapter6Exercises.propagatedUser1()) },
            checkReference: { checkPropagation(Chapter6Solutions.propagatedUser1()) }),
        Exercise(
            id: "6.3", title: "The BPR loss",
            prompt: """
                Scores: positives [2.0, 0.5], negatives [1.0, 1.5]. The BPR loss, mean of -log sigmoid(pos - \
                neg)?
                """,
            hint: "-log sigmoid(1.0) and -log sigmoid(-1.0), averaged",
            answerIn: "Chapter6Exercises.bprLoss()",
            why: ["pairs": "the pair the model orders wrongly (0.5 < 1.5) costs much more than the right one."],
            checkAnswer: { checkBPR(Chapter6Exercises.bprLoss()) },
            checkReference: { checkBPR(Chapter6Solutions.bprLoss()) }),
        Exercise(
            id: "6.4", title: "Write the BPR loss that trains LightGCN",
            prompt: """
                Write the BPR loss as a function of a batch's positive and negative scores (tensors of shape [B]), \
                built from tensor operations so that gradients flow back to the embeddings. The check runs it on \
                seeded scores and compares its value and both gradients with the book's Loss.bpr.
                """,
            hint: "the score gap is positive - negative; Tensor has logSigmoid() and mean(); mind the sign",
            answerIn: "Chapter6Exercises.bpr(positive:negative:)",
            checkAnswer: { checkBPRFunction(Chapter6Exercises.bpr) },
            checkReference: { checkBPRFunction(Chapter6Solutions.bpr) }),
    ]

    /// A learner's BPR loss against Loss.bpr: the same value and the same gradients on seeded scores.
    static func checkBPRFunction(_ f: @escaping (Tensor, Tensor) -> Tensor?) -> ExerciseVerdict {
        let probe = Tensor([0], shape: [1])
        guard f(probe, probe) != nil else { return .untouched }
        return TensorExercise.check(
            { f($0[0], $0[1]) ?? Tensor(scalar: .nan) }, reference: { Loss.bpr(positive: $0[0], negative: $0[1]) },
            shapes: [[64], [64]], names: ["the positive scores", "the negative scores"])
    }

    static func checkEdge(_ answer: Double?) -> ExerciseVerdict {
        let a = normalizedAdjacency(toyMatrix())
        let k = a.columns[a.rowStart[1]..<a.rowStart[2]].firstIndex(of: 4 + 2)
        return Check.number(
            answer, expected: Double(k.map { a.values[$0] } ?? .nan), tolerance: 1e-4,
            explain: Explanation("degrees"))
    }

    static func checkPropagation(_ answer: Double?) -> ExerciseVerdict {
        let a = normalizedAdjacency(toyMatrix())
        let e = Tensor((1...9).map(Float.init), shape: [9, 1])
        let expected = Double(Tensor.withoutGrad { a.matmul(e) }.data[0])
        return Check.number(
            answer, expected: expected, tolerance: 1e-4,
            explain: Explanation("neighbours"))
    }

    static func checkBPR(_ answer: Double?) -> ExerciseVerdict {
        let expected = Double(Loss.bpr(positive: Tensor([2, 0.5]), negative: Tensor([1, 1.5])).item)
        return Check.number(
            answer, expected: expected, tolerance: 1e-4,
            explain: Explanation("pairs"))
    }
}
