// The one in-memory form every loader produces: ratings with dense user and item indices,
// maps back to the raw ids, timestamps, and an item catalogue.

import Foundation
import _WorkbookSupport

/// A film (or any item) as the catalogue knows it.
public struct CatalogueEntry: Sendable, Equatable {
    public var title: String
    public var year: Int?
    public var genres: [String]

    public init(title: String, year: Int? = nil, genres: [String] = []) {
        self.title = title
        self.year = year
        self.genres = genres
    }

    /// "Toy Story (1995)": the title with its year, as the book prints films.
    public var displayTitle: String {
        guard let year, !title.hasSuffix("(\(year))") else { return title }
        return "\(title) (\(year))"
    }
}

/// Explicit ratings with dense indices.
///
/// Users and items are numbered 0..<count in ascending order of their raw ids (so on
/// MovieLens-100K, item index = item id - 1). Ratings keep the file's row order, which the
/// splits use to break ties between equal timestamps (DESIGN.md).
public struct RatingsData: Sendable {
    /// The data set's name ("ml-100k").
    public var name: String
    public var users: [Int32]
    public var items: [Int32]
    public var ratings: [Float]
    public var timestamps: [Int64]
    /// Raw id of each dense user index.
    public var userIds: [Int]
    /// Raw id of each dense item index.
    public var itemIds: [Int]
    /// One entry per dense item index (an item missing from the item file gets "item <id>").
    public var catalogue: [CatalogueEntry]
    /// Lines skipped as malformed (only with `skipBadLines`).
    public var skippedLines = 0
    /// The scale the loader checked every rating against (nil for data built in code).
    public var ratingScale: RatingScale?
    /// Ratings dropped because the file rated the same (user, item) pair again later
    /// (`MovieLens.duplicatePolicy`).
    public var duplicatesDropped = 0

    public var userCount: Int { userIds.count }
    public var itemCount: Int { itemIds.count }
    public var count: Int { users.count }
    /// Share of the user x item matrix that is observed.
    public var density: Double { Double(count) / (Double(userCount) * Double(max(itemCount, 1))) }

    /// Builds dense indices from raw ids (ascending raw-id order).
    public init(
        name: String, rawUsers: [Int], rawItems: [Int], ratings: [Float], timestamps: [Int64],
        catalogue: [Int: CatalogueEntry] = [:], skippedLines: Int = 0
    ) {
        precondition(
            rawUsers.count == rawItems.count && rawItems.count == ratings.count
                && ratings.count == timestamps.count,
            "users, items, ratings and timestamps must have one entry per rating")
        self.name = name
        (userIds, users) = RatingsData.denseIndices(rawUsers)
        (itemIds, items) = RatingsData.denseIndices(rawItems)
        self.ratings = ratings
        self.timestamps = timestamps
        self.catalogue = itemIds.map { catalogue[$0] ?? CatalogueEntry(title: "item \($0)") }
        self.skippedLines = skippedLines
    }

    /// The sorted distinct ids, and each value's position among them. Ids that fit a lookup
    /// table (MovieLens' do) are mapped through one; others through a dictionary.
    static func denseIndices(_ raw: [Int]) -> (ids: [Int], indices: [Int32]) {
        guard let low = raw.min(), let high = raw.max() else { return ([], []) }
        if low >= 0 && high < 100_000_000 {
            var slot = [Int32](repeating: -1, count: high + 1)
            for id in raw { slot[id] = 0 }
            var ids: [Int] = []
            for id in 0...high where slot[id] == 0 { slot[id] = Int32(ids.count); ids.append(id) }
            return (ids, raw.map { slot[$0] })
        }
        let ids = Array(Set(raw)).sorted()
        var index = [Int: Int32](minimumCapacity: ids.count)
        for (k, id) in ids.enumerated() { index[id] = Int32(k) }
        return (ids, raw.map { index[$0] ?? -1 })
    }

    /// Dense user index of a raw id, if the user exists.
    public func userIndex(raw id: Int) -> Int? { binarySearch(userIds, id) }
    /// Dense item index of a raw id, if the item exists.
    public func itemIndex(raw id: Int) -> Int? { binarySearch(itemIds, id) }
}

func binarySearch(_ sorted: [Int], _ x: Int) -> Int? {
    var lo = 0, hi = sorted.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo < sorted.count && sorted[lo] == x ? lo : nil
}

/// A data file that cannot be read: which file, which line, what is wrong, what to do.
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int?
    public let problem: String
    public let fix: String?

    public init(file: String, line: Int? = nil, _ problem: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        let place = line.map { LibraryWords.say("loading.place", ["file": file, "line": $0]) } ?? file
        return "\(place): \(problem)" + (fix.map { " (\($0))" } ?? "")
    }
}
