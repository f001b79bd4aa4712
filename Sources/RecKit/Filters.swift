// Filters: one rating per (user, item) pair, a rating threshold, and k-cores. Each keeps the
// file's row order and the loader's metadata (skipped lines, scale, duplicates dropped).

extension RatingsData {
    /// A new data set of the rows `keep` selects, re-indexed (users and items that lose all
    /// their ratings disappear).
    public func subset(_ rows: [Int]) -> RatingsData {
        var catalogueByRaw: [Int: CatalogueEntry] = [:]
        for (k, id) in itemIds.enumerated() { catalogueByRaw[id] = catalogue[k] }
        var out = RatingsData(
            name: name, rawUsers: rows.map { userIds[Int(users[$0])] },
            rawItems: rows.map { itemIds[Int(items[$0])] }, ratings: rows.map { ratings[$0] },
            timestamps: rows.map { timestamps[$0] }, catalogue: catalogueByRaw,
            skippedLines: skippedLines)
        out.ratingScale = ratingScale
        out.duplicatesDropped = duplicatesDropped
        return out
    }

    /// Each (user, item) pair once: a pair rated several times keeps its last rating in row
    /// order (a re-rating replaces the earlier one), and `duplicatesDropped` grows by the number
    /// of ratings dropped. Users and items keep their indices (each keeps at least one rating).
    /// O(ratings + users + items).
    public func keepingLastRatingPerPair() -> RatingsData {
        // Rows grouped by user (a counting sort, stable), then each user's rows from last to first.
        var start = [Int](repeating: 0, count: userCount + 1)
        for u in users { start[Int(u) + 1] += 1 }
        for u in 0..<userCount { start[u + 1] += start[u] }
        var fill = start, order = [Int32](repeating: 0, count: count)
        for r in 0..<count {
            let u = Int(users[r])
            order[fill[u]] = Int32(r)
            fill[u] += 1
        }
        var lastUser = [Int32](repeating: -1, count: itemCount)
        var keep = [Bool](repeating: true, count: count), dropped = 0
        for u in 0..<userCount {
            for k in stride(from: start[u + 1] - 1, through: start[u], by: -1) {
                let r = Int(order[k]), i = Int(items[r])
                if lastUser[i] == Int32(u) { keep[r] = false; dropped += 1 } else { lastUser[i] = Int32(u) }
            }
        }
        guard dropped > 0 else { return self }
        var out = self
        out.users = users.indices.filter { keep[$0] }.map { users[$0] }
        out.items = items.indices.filter { keep[$0] }.map { items[$0] }
        out.ratings = ratings.indices.filter { keep[$0] }.map { ratings[$0] }
        out.timestamps = timestamps.indices.filter { keep[$0] }.map { timestamps[$0] }
        out.duplicatesDropped += dropped
        return out
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
            var userCounts = [Int](repeating: 0, count: userCount)
            var itemCounts = [Int](repeating: 0, count: itemCount)
            for r in 0..<count where alive[r] { userCounts[Int(users[r])] += 1; itemCounts[Int(items[r])] += 1 }
            var changed = false
            for r in 0..<count
            where alive[r]
                && (userCounts[Int(users[r])] < userMinimum || itemCounts[Int(items[r])] < itemMinimum)
            {
                alive[r] = false
                changed = true
            }
            if !changed { break }
        }
        return subset((0..<count).filter { alive[$0] })
    }
}
