// Loaders for the MovieLens layouts readers actually have:
//   ml-100k     u.data (tab: user item rating timestamp) + u.item (pipe, Latin-1, genre flags)
//   RecBole     ml-100k.inter / .item / .user (tab, typed header line)
//   ml-1m       ratings.dat / movies.dat ("::", Latin-1)
//   ml-latest   ratings.csv / movies.csv (CSV with a header; quoted titles with commas and quotes)
// Ratings files are parsed byte by byte (no per-line String), so 20 million lines load in
// seconds (Loaders+Ratings.swift); catalogues in Loaders+Catalogues.swift.
//
// What a loaded file must satisfy (anything else is an error naming the file and line, or,
// with `skipBadLines`, a counted skipped line):
//   - ids are integers from 0 to 2^63 - 1 (a negative id, or one past 64 bits, is refused);
//   - a rating lies on its layout's scale (`RatingScale`: integers 1-5 for ml-100k, ml-1m and
//     RecBole's files, 0.5-5 in halves for ml-latest);
//   - a timestamp is seconds since 1970 within the years 1 to 9999 (a fraction is dropped);
//   - a (user, item) pair rated more than once keeps its last rating in file order (a
//     re-rating replaces the earlier one); `RatingsData.duplicatesDropped` counts the others.
// A UTF-8 byte-order mark at the start of any file, and CRLF line ends, are accepted.

import Foundation
import _WorkbookSupport

public enum MovieLensLayout: String, Sendable, CaseIterable {
    case ml100k = "u.data"
    case recbole = "ml-100k.inter"
    case ml1m = "ratings.dat"
    case latest = "ratings.csv"

    /// The layout of the files in `directory`, if any is recognised.
    public static func detect(in directory: URL) -> (layout: MovieLensLayout, ratings: URL)? {
        let fm = FileManager.default
        for layout in allCases {
            let url = directory.appendingPathComponent(layout.rawValue)
            if fm.fileExists(atPath: url.path) { return (layout, url) }
        }
        // Any RecBole atomic file (e.g. ml-1m.inter).
        let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        if let inter = names.sorted().first(where: { $0.hasSuffix(".inter") }) {
            return (.recbole, directory.appendingPathComponent(inter))
        }
        return nil
    }

    /// The ratings this layout's files hold (GroupLens' READMEs; RecBole's atomic files carry
    /// ml-100k's integers).
    public var ratingScale: RatingScale {
        self == .latest ? .halfStars : .stars
    }
}

/// The values a rating may take: `lowest` to `highest` in steps of `step`.
public struct RatingScale: Sendable, Equatable, CustomStringConvertible {
    public var lowest: Double
    public var highest: Double
    public var step: Double

    public init(lowest: Double, highest: Double, step: Double) {
        precondition(lowest <= highest && step > 0, "a rating scale needs lowest <= highest and a positive step")
        self.lowest = lowest
        self.highest = highest
        self.step = step
    }

    /// Whole stars 1 to 5: ml-100k, ml-1m, RecBole's atomic files.
    public static let stars = RatingScale(lowest: 1, highest: 5, step: 1)
    /// Half stars 0.5 to 5: ml-latest (and ml-10m, ml-20m, ml-25m).
    public static let halfStars = RatingScale(lowest: 0.5, highest: 5, step: 0.5)

    public func contains(_ rating: Double) -> Bool {
        guard rating >= lowest && rating <= highest else { return false }  // false for NaN too
        let steps = (rating - lowest) / step
        return steps == steps.rounded()
    }

    /// "integers 1 to 5", "0.5 to 5 in steps of 0.5".
    public var description: String {
        func n(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
        return step == 1 && lowest == lowest.rounded()
            ? LibraryWords.say("loading.scale.integers", ["low": n(lowest), "high": n(highest)])
            : LibraryWords.say("loading.scale.steps", ["low": n(lowest), "high": n(highest), "step": n(step)])
    }
}

public struct LoadOptions: Sendable {
    /// Skip malformed lines (and count them) instead of stopping at the first.
    public var skipBadLines = false
    /// The scale ratings must lie on; nil: the layout's own (`MovieLensLayout.ratingScale`).
    public var ratingScale: RatingScale?
    public init(skipBadLines: Bool = false, ratingScale: RatingScale? = nil) {
        self.skipBadLines = skipBadLines
        self.ratingScale = ratingScale
    }
}

public enum MovieLens {
    /// The genre names of ml-100k's u.item flags (u.genre), in column order.
    public static let ml100kGenres = [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
        "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
        "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ]

    /// What the loader does with a (user, item) pair that the file rates more than once.
    public static var duplicatePolicy: String { LibraryWords.say("loading.duplicate-policy") }

    /// Loads whichever layout `directory` holds.
    public static func load(directory: URL, options: LoadOptions = LoadOptions()) throws -> RatingsData {
        guard let (layout, ratingsURL) = MovieLensLayout.detect(in: directory) else {
            throw DataError(
                file: directory.path,
                LibraryWords.say("loading.no-ratings-file"), fix: LibraryWords.say("loading.fix.no-ratings-file"))
        }
        let scale = options.ratingScale ?? layout.ratingScale
        let rules = RatingsRules(scale: scale, layout: layout.label, skipBadLines: options.skipBadLines)
        let name = directory.lastPathComponent
        let fm = FileManager.default
        let r: RawRatings, catalogue: [Int: CatalogueEntry], dataName: String
        switch layout {
        case .ml100k:
            r = try parseRatings(ratingsURL, separator: [UInt8(ascii: "\t")], header: .none, rules: rules)
            let items = directory.appendingPathComponent("u.item")
            catalogue = fm.fileExists(atPath: items.path) ? try parseML100kItems(items) : [:]
            dataName = name
        case .recbole:
            r = try parseRatings(ratingsURL, separator: [UInt8(ascii: "\t")], header: .recbole, rules: rules)
            let items = ratingsURL.deletingPathExtension().appendingPathExtension("item")
            catalogue = fm.fileExists(atPath: items.path) ? try parseRecBoleItems(items) : [:]
            dataName = ratingsURL.deletingPathExtension().lastPathComponent
        case .ml1m:
            r = try parseRatings(ratingsURL, separator: Array("::".utf8), header: .none, rules: rules)
            let movies = directory.appendingPathComponent("movies.dat")
            catalogue = fm.fileExists(atPath: movies.path) ? try parseML1mMovies(movies) : [:]
            dataName = name
        case .latest:
            r = try parseRatings(ratingsURL, separator: [UInt8(ascii: ",")], header: .csv, rules: rules)
            let movies = directory.appendingPathComponent("movies.csv")
            catalogue = fm.fileExists(atPath: movies.path) ? try parseLatestMovies(movies) : [:]
            dataName = name
        }
        var data = RatingsData(
            name: dataName, rawUsers: r.users, rawItems: r.items, ratings: r.ratings,
            timestamps: r.timestamps, catalogue: catalogue, skippedLines: r.skipped)
        data.ratingScale = scale
        return data.keepingLastRatingPerPair()
    }
}

extension MovieLensLayout {
    /// How errors name the layout ("ml-100k").
    var label: String {
        switch self {
        case .ml100k: return "ml-100k"
        case .recbole: return "RecBole atomic files"
        case .ml1m: return "ml-1m"
        case .latest: return "ml-latest"
        }
    }
}
