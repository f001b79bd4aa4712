// Loaders for the MovieLens layouts readers actually have:
//   ml-100k     u.data (tab: user item rating timestamp) + u.item (pipe, Latin-1, genre flags)
//   RecBole     ml-100k.inter / .item / .user (tab, typed header line)
//   ml-1m       ratings.dat / movies.dat ("::", Latin-1)
//   ml-latest   ratings.csv / movies.csv (CSV with a header; quoted titles with commas and quotes)
// Ratings files are parsed byte by byte (no per-line String), so 20 million lines load in
// seconds.

import Foundation

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
        if let inter = (try? fm.contentsOfDirectory(atPath: directory.path))?.sorted().first(where: {
            $0.hasSuffix(".inter")
        }) {
            return (.recbole, directory.appendingPathComponent(inter))
        }
        return nil
    }
}

public struct LoadOptions: Sendable {
    /// Skip malformed lines (and count them) instead of stopping at the first.
    public var skipBadLines = false
    public init(skipBadLines: Bool = false) { self.skipBadLines = skipBadLines }
}

public enum MovieLens {
    /// The genre names of ml-100k's u.item flags (u.genre), in column order.
    public static let ml100kGenres = [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
        "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
        "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ]

    /// Loads whichever layout `directory` holds.
    public static func load(directory: URL, options: LoadOptions = LoadOptions()) throws -> RatingsData {
        guard let (layout, ratingsURL) = MovieLensLayout.detect(in: directory) else {
            throw DataError(
                file: directory.path,
                "no MovieLens ratings file here (looked for u.data, *.inter, ratings.dat, ratings.csv)",
                fix: "run `workbook data fetch`, or point --data-dir at the folder that holds the files")
        }
        let name = directory.lastPathComponent
        switch layout {
        case .ml100k:
            let r = try parseRatings(ratingsURL, separator: [UInt8(ascii: "\t")], header: .none, options: options)
            let items = directory.appendingPathComponent("u.item")
            let catalogue = FileManager.default.fileExists(atPath: items.path) ? try parseML100kItems(items) : [:]
            return RatingsData(
                name: name, rawUsers: r.users, rawItems: r.items, ratings: r.ratings, timestamps: r.timestamps,
                catalogue: catalogue, skippedLines: r.skipped)
        case .recbole:
            let r = try parseRatings(ratingsURL, separator: [UInt8(ascii: "\t")], header: .recbole, options: options)
            let items = ratingsURL.deletingPathExtension().appendingPathExtension("item")
            let catalogue = FileManager.default.fileExists(atPath: items.path) ? try parseRecBoleItems(items) : [:]
            return RatingsData(
                name: ratingsURL.deletingPathExtension().lastPathComponent, rawUsers: r.users, rawItems: r.items,
                ratings: r.ratings, timestamps: r.timestamps, catalogue: catalogue, skippedLines: r.skipped)
        case .ml1m:
            let r = try parseRatings(ratingsURL, separator: Array("::".utf8), header: .none, options: options)
            let movies = directory.appendingPathComponent("movies.dat")
            let catalogue = FileManager.default.fileExists(atPath: movies.path) ? try parseML1mMovies(movies) : [:]
            return RatingsData(
                name: name, rawUsers: r.users, rawItems: r.items, ratings: r.ratings, timestamps: r.timestamps,
                catalogue: catalogue, skippedLines: r.skipped)
        case .latest:
            let r = try parseRatings(ratingsURL, separator: [UInt8(ascii: ",")], header: .csv, options: options)
            let movies = directory.appendingPathComponent("movies.csv")
            let catalogue = FileManager.default.fileExists(atPath: movies.path) ? try parseLatestMovies(movies) : [:]
            return RatingsData(
                name: name, rawUsers: r.users, rawItems: r.items, ratings: r.ratings, timestamps: r.timestamps,
                catalogue: catalogue, skippedLines: r.skipped)
        }
    }

    // MARK: - Ratings

    enum Header { case none, recbole, csv }

    struct RawRatings {
        var users: [Int] = [], items: [Int] = [], ratings: [Float] = [], timestamps: [Int64] = []
        var skipped = 0
    }

    /// Parses user, item, rating, timestamp lines. `header`: none, RecBole's typed header
    /// (whose columns may come in any order), or a CSV header (userId,movieId,rating,timestamp).
    static func parseRatings(_ url: URL, separator: [UInt8], header: Header, options: LoadOptions) throws -> RawRatings
    {
        let file = url.lastPathComponent
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else {
            throw DataError(file: url.path, "cannot be read", fix: "check that it exists and is readable")
        }
        if data.isEmpty {
            throw DataError(file: file, "is empty", fix: "fetch the data again with `workbook data fetch`")
        }
        var out = RawRatings()
        let estimate = data.count / 20
        out.users.reserveCapacity(estimate); out.items.reserveCapacity(estimate)
        out.ratings.reserveCapacity(estimate); out.timestamps.reserveCapacity(estimate)
        var columns = [0, 1, 2, 3]  // positions of user, item, rating, timestamp
        var expectHeader = header != .none
        var lineNumber = 0
        var failure: DataError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            let n = bytes.count
            var fields = [Range<Int>](repeating: 0..<0, count: 8)
            while start < n && failure == nil {
                var end = start
                while end < n && bytes[end] != 10 { end += 1 }
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start && bytes[lineEnd - 1] == 13 { lineEnd -= 1 }  // CRLF
                defer { start = end + 1 }
                if lineEnd == start { continue }  // blank line
                // Split into fields.
                var count = 0, fieldStart = start, i = start
                while i < lineEnd {
                    if bytes[i] == separator[0]
                        && (separator.count == 1 || (i + 1 < lineEnd && bytes[i + 1] == separator[1]))
                    {
                        if count < fields.count { fields[count] = fieldStart..<i }
                        count += 1
                        i += separator.count
                        fieldStart = i
                    } else {
                        i += 1
                    }
                }
                if count < fields.count { fields[count] = fieldStart..<lineEnd }
                count += 1
                let text = { (r: Range<Int>) in String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
                }
                if expectHeader {
                    expectHeader = false
                    let names = (0..<min(count, fields.count)).map { text(fields[$0]).lowercased() }
                    if header == .recbole {
                        let wanted = ["user_id", "item_id", "rating", "timestamp"]
                        let found = wanted.map { w in names.firstIndex { $0.hasPrefix(w + ":") || $0 == w } }
                        if let missing = zip(wanted, found).first(where: { $0.1 == nil }) {
                            failure = DataError(
                                file: file, line: lineNumber,
                                "the header has no \(missing.0) column (it is: \(names.joined(separator: ", ")))",
                                fix: """
                                    a RecBole .inter file needs user_id, item_id, rating and \
                                    timestamp columns
                                    """)
                            return
                        }
                        columns = found.map { $0! }
                    } else {
                        let wanted = ["userid", "movieid", "rating", "timestamp"]
                        let found = wanted.map { names.firstIndex(of: $0) }
                        if found.contains(where: { $0 == nil }) {
                            failure = DataError(
                                file: file, line: lineNumber,
                                """
                                expected the header userId,movieId,rating,timestamp, found \
                                \(names.joined(separator: ","))
                                """,
                                fix: "this does not look like a MovieLens ratings.csv")
                            return
                        }
                        columns = found.map { $0! }
                    }
                    continue
                }
                func bad(_ problem: String) {
                    if options.skipBadLines {
                        out.skipped += 1
                    } else {
                        failure = DataError(
                            file: file, line: lineNumber, problem,
                            fix: "fix or remove the line, or load with --skip-bad-lines")
                    }
                }
                let needed = (columns.max() ?? 3) + 1
                if count < needed {
                    bad(
                        """
                        expected \(needed) fields separated by \
                        '\(String(decoding: separator, as: UTF8.self).replacingOccurrences(of: "\t", with: "\\t"))', \
                        found \(count)
                        """)
                    continue
                }
                let u = parseInt(bytes, fields[columns[0]]), it = parseInt(bytes, fields[columns[1]])
                let r = parseFloat(bytes, fields[columns[2]]), t = parseFloat(bytes, fields[columns[3]])
                let names = ["user id", "item id", "rating", "timestamp"]
                let parsed: [Any?] = [u, it, r, t]
                if let k = parsed.firstIndex(where: { $0 == nil }) {
                    let value = text(fields[columns[k]])
                    let looksLikeHeader =
                        value.lowercased().contains("id") || value.lowercased().contains("rating")
                        || value.lowercased().contains("timestamp")
                    bad(
                        "\(names[k]) '\(value)' is not a number"
                            + (looksLikeHeader ? " (a header line in the wrong place?)" : ""))
                    continue
                }
                guard let r, r.isFinite, r >= 0, let t, t.isFinite else {
                    bad("rating or timestamp out of range"); continue
                }
                out.users.append(u!); out.items.append(it!); out.ratings.append(Float(r));
                out.timestamps.append(Int64(t))
            }
        }
        if let failure { throw failure }
        if out.users.isEmpty {
            throw DataError(
                file: file, header != .none && lineNumber <= 1 ? "has a header but no ratings" : "has no ratings",
                fix: "fetch the data again with `workbook data fetch`")
        }
        return out
    }

    @inline(__always)
    static func parseInt(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        var i = r.lowerBound, end = r.upperBound
        while i < end && b[i] == 32 { i += 1 }
        while end > i && b[end - 1] == 32 { end -= 1 }
        guard i < end else { return nil }
        var negative = false
        if b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < end else { return nil }
        var v = 0
        while i < end {
            let d = Int(b[i]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v &* 10 &+ d
            i += 1
        }
        return negative ? -v : v
    }

    /// Integers, decimals ("3.5") and exponents ("8.8e8", as RecBole writes some timestamps).
    @inline(__always)
    static func parseFloat(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        if let v = parseInt(b, r) { return Double(v) }
        // Fast path for plain decimals ("3.5"): digits, a point, digits.
        if let dot = r.firstIndex(where: { b[$0] == UInt8(ascii: ".") }), dot > r.lowerBound, dot + 1 < r.upperBound,
            let whole = parseInt(b, r.lowerBound..<dot), b[dot + 1] != UInt8(ascii: "-"),
            let fraction = parseInt(b, (dot + 1)..<r.upperBound), fraction >= 0, r.upperBound - dot - 1 <= 9
        {
            let scale = Foundation.pow(10.0, Double(r.upperBound - dot - 1))
            let sign: Double = b[r.lowerBound] == UInt8(ascii: "-") ? -1 : 1
            return Double(whole) + sign * Double(fraction) / scale
        }
        let s = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self).trimmingCharacters(
            in: .whitespaces)
        guard let v = Double(s), !s.isEmpty else { return nil }
        return v
    }

    // MARK: - Catalogues

    /// Text that is UTF-8 if it decodes as such, otherwise Latin-1 (MovieLens' older files).
    static func readText(_ url: URL) throws -> String {
        guard let data = try? Data(contentsOf: url) else {
            throw DataError(file: url.path, "cannot be read", fix: "check that it exists and is readable")
        }
        if let s = String(data: data, encoding: .utf8) { return s }
        guard let s = String(data: data, encoding: .isoLatin1) else {
            throw DataError(file: url.lastPathComponent, "is not text")
        }
        return s
    }

    static func lines(_ text: String) -> [(number: Int, text: Substring)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset + 1, $0.element.hasSuffix("\r") ? $0.element.dropLast() : $0.element) }
            .filter { !$0.1.isEmpty }
    }

    /// "Toy Story (1995)" -> ("Toy Story", 1995); a title without a trailing year is kept whole.
    static func splitYear(_ title: String) -> (String, Int?) {
        let t = title.trimmingCharacters(in: .whitespaces)
        guard t.hasSuffix(")"), let open = t.lastIndex(of: "(") else { return (t, nil) }
        let inner = t[t.index(after: open)..<t.index(before: t.endIndex)]
        guard inner.count == 4, let year = Int(inner) else { return (t, nil) }
        return (t[..<open].trimmingCharacters(in: .whitespaces), year)
    }

    static func parseML100kItems(_ url: URL) throws -> [Int: CatalogueEntry] {
        var out: [Int: CatalogueEntry] = [:]
        for (n, line) in lines(try readText(url)) {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count >= 5, let id = Int(f[0]) else {
                throw DataError(file: url.lastPathComponent, line: n, "expected id|title|release date|...|genre flags")
            }
            let (title, titleYear) = splitYear(String(f[1]))
            let dateYear = f[2].split(separator: "-").last.flatMap { Int($0) }
            let flags = f.suffix(from: 5)
            let genres = flags.enumerated().compactMap { k, v in
                v == "1" && k < ml100kGenres.count ? ml100kGenres[k] : nil
            }
            out[id] = CatalogueEntry(title: title, year: titleYear ?? dateYear, genres: genres)
        }
        return out
    }

    static func parseRecBoleItems(_ url: URL) throws -> [Int: CatalogueEntry] {
        var out: [Int: CatalogueEntry] = [:]
        var columns: (id: Int, title: Int, year: Int?, genres: Int?) = (0, 1, nil, nil)
        for (n, line) in lines(try readText(url)) {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if n == 1 {
                let names = f.map { $0.split(separator: ":").first.map(String.init) ?? $0 }
                guard let id = names.firstIndex(of: "item_id"),
                    let title = names.firstIndex(where: { $0.contains("title") })
                else {
                    throw DataError(file: url.lastPathComponent, line: 1, "the header needs item_id and a title column")
                }
                columns = (
                    id, title, names.firstIndex(where: { $0.contains("year") }),
                    names.firstIndex(of: "class") ?? names.firstIndex(of: "genre")
                )
                continue
            }
            guard f.count > max(columns.id, columns.title), let id = Int(f[columns.id]) else {
                throw DataError(
                    file: url.lastPathComponent, line: n,
                    "expected \(columns.title + 1) tab-separated fields with a numeric item id")
            }
            let year = columns.year.flatMap { $0 < f.count ? Int(f[$0]) : nil }
            let genres =
                columns.genres.flatMap { $0 < f.count ? f[$0].split(separator: " ").map(String.init) : nil } ?? []
            out[id] = CatalogueEntry(title: f[columns.title], year: year, genres: genres)
        }
        return out
    }

    static func parseML1mMovies(_ url: URL) throws -> [Int: CatalogueEntry] {
        var out: [Int: CatalogueEntry] = [:]
        for (n, line) in lines(try readText(url)) {
            let f = line.components(separatedBy: "::")
            guard f.count >= 3, let id = Int(f[0]) else {
                throw DataError(file: url.lastPathComponent, line: n, "expected MovieID::Title::Genres")
            }
            let (title, year) = splitYear(f[1])
            out[id] = CatalogueEntry(title: title, year: year, genres: f[2].split(separator: "|").map(String.init))
        }
        return out
    }

    static func parseLatestMovies(_ url: URL) throws -> [Int: CatalogueEntry] {
        var out: [Int: CatalogueEntry] = [:]
        for (n, line) in lines(try readText(url)) where n > 1 {
            let f = try csvFields(line, file: url.lastPathComponent, line: n)
            guard f.count >= 3, let id = Int(f[0]) else {
                throw DataError(file: url.lastPathComponent, line: n, "expected movieId,title,genres")
            }
            let (title, year) = splitYear(f[1])
            out[id] = CatalogueEntry(
                title: title, year: year,
                genres: f[2] == "(no genres listed)" ? [] : f[2].split(separator: "|").map(String.init))
        }
        return out
    }

    /// One CSV record (RFC 4180): fields may be quoted; a quote inside is doubled.
    static func csvFields(_ line: Substring, file: String, line number: Int) throws -> [String] {
        var fields: [String] = [], current = "", quoted = false, i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let next = line.index(after: i)
                    if next < line.endIndex && line[next] == "\"" {
                        current.append("\""); i = next
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"" && current.isEmpty {
                quoted = true
            } else if c == "," {
                fields.append(current); current = ""
            } else {
                current.append(c)
            }
            i = line.index(after: i)
        }
        if quoted { throw DataError(file: file, line: number, "a quoted field is not closed") }
        fields.append(current)
        return fields
    }
}
