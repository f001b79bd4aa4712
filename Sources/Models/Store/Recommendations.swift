// One user's recommendations from a fitted model (`workbook recommend`), with what explains
// them where a model's score is a sum over the user's films (EASE's weights, ItemKNN's
// similarities).

import Foundation
import RecKit

public struct Recommendation: Sendable {
    public let item: Int
    public let score: Float
    /// The user's films that contributed most (item, contribution), when the model's score
    /// is a sum over the user's films.
    public let because: [(item: Int, weight: Float)]
}

extension Recommendation {
    /// The user's top `k` among the films they have not trained on.
    public static func top(
        _ model: any Recommender, train: InteractionMatrix, user: Int, k: Int,
        explain: Bool
    ) -> [Recommendation] {
        let scores = model.scores(users: [Int32(user)])
        let top = scores.withUnsafeBufferPointer { topK($0, k: k, excluding: train.items(of: user)) }
        let rated = Array(train.items(of: user))
        let weight: ((Int, Int) -> Float)?
        if let ease = model as? EASE {
            weight = { i, j in ease.weight(i, j) }
        } else if let knn = model as? ItemKNN {
            weight = { i, j in knn.contribution(i, j) }
        } else {
            weight = nil
        }
        return top.map { j in
            var because: [(item: Int, weight: Float)] = []
            if explain, let weight {
                because = rated.map { (item: Int($0), weight: weight(Int($0), Int(j))) }.filter { $0.weight > 0 }
                    .sorted { ($0.weight, -$0.item) > ($1.weight, -$1.item) }.prefix(3).map { $0 }
            }
            return Recommendation(item: Int(j), score: scores[Int(j)], because: because)
        }
    }
}
