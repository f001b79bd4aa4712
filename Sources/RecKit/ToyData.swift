// The book's toy data: the NCF paper's four users and five items (He et al. 2017, Figure 1),
// which chapters 1, 2, 5 and 6 all start from.

import Foundation

public enum ToyData {
    /// The 4 x 5 interaction matrix, one row per user.
    public static let ncfUsers = [[1, 1, 1, 0, 1], [0, 1, 1, 0, 0], [0, 1, 1, 1, 0], [1, 0, 1, 1, 1]]

    /// The matrix as ratings (every interaction a 1).
    public static func ncfRatings() -> RatingsData {
        var u: [Int] = [], i: [Int] = []
        for (user, row) in ncfUsers.enumerated() {
            for (item, x) in row.enumerated() where x == 1 {
                u.append(user)
                i.append(item)
            }
        }
        return RatingsData(
            name: "toy", rawUsers: u, rawItems: i, ratings: u.map { _ in 1 }, timestamps: u.map { _ in 0 })
    }

    /// The matrix as training interactions.
    public static func ncfMatrix() -> InteractionMatrix {
        let data = ncfRatings()
        return InteractionMatrix(data, rows: Array(0..<data.count))
    }
}
