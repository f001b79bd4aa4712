// Filters that make implicit data: a rating threshold, and k-cores.

extension RatingsData {
    /// A new data set of the rows `keep` selects, re-indexed (users and items that lose all
    /// their ratings disappear).
    public func subset(_ rows: [Int]) -> RatingsData {
        var catalogueByRaw: [Int: CatalogueEntry] = [:]
        for (k, id) in itemIds.enumerated() { catalogueByRaw[id] = catalogue[k] }
        return RatingsData(
            name: name, rawUsers: rows.map { userIds[Int(users[$0])] }, rawItems: rows.map { itemIds[Int(items[$0])] },
            ratings: rows.map { ratings[$0] }, timestamps: rows.map { timestamps[$0] }, catalogue: catalogueByRaw)
    }

    /// Only ratings of at least `threshold` (e.g. 4 for "liked").
    public func withMinimumRating(_ threshold: Float) -> RatingsData {
        subset((0..<count).filter { ratings[$0] >= threshold })
    }

    /// The k-core: repeatedly drops users with fewer than `userMinimum` ratings and items with
    /// fewer than `itemMinimum`, until every remaining user and item has enough.
    public func kCore(userMinimum: Int, itemMinimum: Int) -> RatingsData {
        var alive = [Bool](repeating: true, count: count)
        while true {
            var userCounts = [Int](repeating: 0, count: userCount), itemCounts = [Int](repeating: 0, count: itemCount)
            for r in 0..<count where alive[r] { userCounts[Int(users[r])] += 1; itemCounts[Int(items[r])] += 1 }
            var changed = false
            for r in 0..<count
            where alive[r] && (userCounts[Int(users[r])] < userMinimum || itemCounts[Int(items[r])] < itemMinimum) {
                alive[r] = false
                changed = true
            }
            if !changed { break }
        }
        return subset((0..<count).filter { alive[$0] })
    }
}
