// The ratings parser: user, item, rating, timestamp lines, byte by byte. Every value is
// checked as it is read (Loaders.swift lists the rules), and a bad one is named with its file,
// line and (at most 40 characters of) the field.

import Foundation
import _WorkbookSupport

/// What a ratings file must satisfy, and what to do when a line does not.
struct RatingsRules {
    var scale: RatingScale
    /// The layout's name, for messages ("ml-100k").
    var layout: String
    var skipBadLines: Bool
}

struct RawRatings {
    var users: [Int] = [], items: [Int] = [], ratings: [Float] = [], timestamps: [Int64] = []
    var skipped = 0
}

extension MovieLens {
    enum Header { case none, recbole, csv }

    /// Seconds since 1970 of 0001-01-01 and of 9999-12-31 23:59:59 (UTC): the timestamps a
    /// date can be printed for.
    static let timestampRange: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// Parses user, item, rating, timestamp lines. `header`: none, RecBole's typed header
    /// (whose columns may come in any order), or a CSV header (userId,movieId,rating,timestamp).
    static func parseRatings(_ url: URL, separator: [UInt8], header: Header, rules: RatingsRules) throws -> RawRatings {
        let file = url.lastPathComponent
        let data = try readFile(url, mapped: true)
        if data.isEmpty {
            throw DataError(
                file: file, LibraryWords.say("loading.empty"), fix: LibraryWords.say("loading.fix.fetch-again"))
        }
        var out = RawRatings()
        let estimate = data.count / 20
        out.users.reserveCapacity(estimate); out.items.reserveCapacity(estimate)
        out.ratings.reserveCapacity(estimate); out.timestamps.reserveCapacity(estimate)
        var columns = [0, 1, 2, 3]  // positions of user, item, rating, timestamp
        var expectHeader = header != .none
        var lineNumber = 0
        var failure: DataError?
        // Field names for error messages, looked up once (not once per line).
        let (userField, itemField) = (LibraryWords.say("loading.field.user"), LibraryWords.say("loading.field.item"))
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            // A UTF-8 byte-order mark is not part of the first field.
            var start = n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
            var fields = [Range<Int>](repeating: 0..<0, count: 8)
            func quoted(_ r: Range<Int>) -> String {
                let shown = r.lowerBound..<min(r.upperBound, r.lowerBound + 200)
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[shown]), as: UTF8.self)
                return excerpt(text, byteCount: r.count)
            }
            while start < n && failure == nil {
                var end = start
                while end < n && bytes[end] != 10 { end += 1 }
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start && bytes[lineEnd - 1] == 13 { lineEnd -= 1 }  // CRLF
                defer { start = end + 1 }
                if lineEnd == start { continue }  // blank line
                let count = splitFields(bytes, start..<lineEnd, separator, into: &fields, grow: expectHeader)
                if expectHeader {
                    expectHeader = false
                    let names = (0..<count).map {
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[$0]]), as: UTF8.self).lowercased()
                    }
                    switch readHeader(names, recbole: header == .recbole) {
                    case .success(let found): columns = found
                    case .failure(let error):
                        failure = DataError(file: file, line: lineNumber, error.problem, fix: error.fix)
                    }
                    continue
                }
                func bad(_ problem: String) {
                    if rules.skipBadLines {
                        out.skipped += 1
                    } else {
                        failure = DataError(
                            file: file, line: lineNumber, problem,
                            fix: LibraryWords.say("loading.fix.line"))
                    }
                }
                let needed = (columns.max() ?? 3) + 1
                if count < needed {
                    let shown = String(decoding: separator, as: UTF8.self).replacingOccurrences(of: "\t", with: "\\t")
                    bad(LibraryWords.say("loading.fields", ["needed": needed, "separator": shown, "count": count]))
                    continue
                }
                func id(_ field: Range<Int>, _ what: String) -> Int? {
                    switch parseInt(bytes, field) {
                    case .value(let v) where v >= 0: return v
                    case .value: bad(LibraryWords.say("loading.negative", ["what": what, "value": quoted(field)]))
                    case .overflow: bad(LibraryWords.say("loading.overflow", ["what": what, "value": quoted(field)]))
                    case .notInteger: bad(notANumber(what, quoted(field), header: looksLikeHeader(bytes, field)))
                    }
                    return nil
                }
                guard let user = id(fields[columns[0]], userField), let item = id(fields[columns[1]], itemField)
                else {
                    continue
                }
                let ratingField = fields[columns[2]], timeField = fields[columns[3]]
                guard let rating = parseFloat(bytes, ratingField) else {
                    let what = LibraryWords.say("loading.field.rating")
                    bad(notANumber(what, quoted(ratingField), header: looksLikeHeader(bytes, ratingField)))
                    continue
                }
                guard rules.scale.contains(rating) else {
                    let scale = "\(rules.scale)"
                    let value = quoted(ratingField)
                    bad(LibraryWords.say("loading.scale", ["value": value, "layout": rules.layout, "scale": scale]))
                    continue
                }
                let time: Int64
                switch parseTimestamp(bytes, timeField) {
                case .value(let t): time = Int64(t)
                case .notInteger:
                    let what = LibraryWords.say("loading.field.timestamp")
                    bad(notANumber(what, quoted(timeField), header: looksLikeHeader(bytes, timeField)))
                    continue
                case .overflow:
                    bad(LibraryWords.say("loading.time", ["value": quoted(timeField)]))
                    continue
                }
                out.users.append(user); out.items.append(item)
                out.ratings.append(Float(rating)); out.timestamps.append(time)
            }
        }
        if let failure { throw failure }
        if out.users.isEmpty {
            let empty = header != .none && lineNumber <= 1 ? "loading.header-only" : "loading.no-ratings"
            let problem = LibraryWords.say(empty)
            throw DataError(file: file, problem, fix: LibraryWords.say("loading.fix.fetch-again"))
        }
        return out
    }

    /// Splits `line` at `separator` into `fields` (the first `fields.count` of them, or all when
    /// `grow`); returns how many fields the line has.
    @inline(__always)
    static func splitFields(
        _ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, _ separator: [UInt8],
        into fields: inout [Range<Int>], grow: Bool
    ) -> Int {
        var count = 0, fieldStart = line.lowerBound, i = line.lowerBound
        let first = separator[0], double = separator.count == 2
        func store(_ r: Range<Int>) {
            if count < fields.count { fields[count] = r } else if grow { fields.append(r) }
            count += 1
        }
        while i < line.upperBound {
            if bytes[i] == first && (!double || (i + 1 < line.upperBound && bytes[i + 1] == separator[1])) {
                store(fieldStart..<i)
                i += separator.count
                fieldStart = i
            } else {
                i += 1
            }
        }
        store(fieldStart..<line.upperBound)
        return count
    }

    /// The positions of user, item, rating and timestamp in a header line's (lowercased) names.
    static func readHeader(_ names: [String], recbole: Bool) -> Result<[Int], DataError> {
        if recbole {
            let wanted = ["user_id", "item_id", "rating", "timestamp"]
            let found = wanted.map { w in names.firstIndex { $0.hasPrefix(w + ":") || $0 == w } }
            if let missing = zip(wanted, found).first(where: { $0.1 == nil }) {
                let problem = LibraryWords.say(
                    "loading.no-column", ["column": missing.0, "names": excerpt(names.joined(separator: ", "))])
                let fix = LibraryWords.say("loading.fix.inter")
                return .failure(DataError(file: "", problem, fix: fix))
            }
            return .success(found.compactMap { $0 })
        }
        let wanted = ["userid", "movieid", "rating", "timestamp"]
        let found = wanted.compactMap { names.firstIndex(of: $0) }
        guard found.count == wanted.count else {
            let shown = excerpt(names.joined(separator: ","))
            return .failure(
                DataError(
                    file: "", LibraryWords.say("loading.csv-header", ["found": shown]),
                    fix: LibraryWords.say("loading.fix.csv")))
        }
        return .success(found)
    }

    static func notANumber(_ what: String, _ value: String, header: Bool) -> String {
        LibraryWords.say(
            header ? "loading.not-a-number.header" : "loading.not-a-number", ["what": what, "value": value])
    }

    /// Whether a field that is not a number reads like a column name.
    static func looksLikeHeader(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count <= 40 else { return false }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self).lowercased()
        return text.contains("id") || text.contains("rating") || text.contains("timestamp")
    }

    enum IntField { case value(Int), overflow, notInteger }

    /// An optionally signed decimal integer, spaces around it allowed; `overflow` when its
    /// digits pass 64 bits.
    @inline(__always)
    static func parseInt(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> IntField {
        var i = r.lowerBound, end = r.upperBound
        while i < end && b[i] == 32 { i += 1 }
        while end > i && b[end - 1] == 32 { end -= 1 }
        guard i < end else { return .notInteger }
        let negative = b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < end else { return .notInteger }
        var v = 0, overflow = false
        while i < end {
            let d = Int(b[i]) &- 48
            guard d >= 0 && d <= 9 else { return .notInteger }
            if !overflow {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
                overflow = o1 || o2
                v = s
            }
            i += 1
        }
        return overflow ? .overflow : .value(v)
    }

    /// Integers, decimals ("3.5") and exponents ("8.8e8", as RecBole writes some timestamps);
    /// nil when the field is not a number. The result may be infinite or NaN ("1e400", "nan").
    @inline(__always)
    static func parseFloat(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi && b[lo] == 32 { lo += 1 }
        while hi > lo && b[hi - 1] == 32 { hi -= 1 }
        guard lo < hi else { return nil }
        switch parseInt(b, lo..<hi) {
        case .value(let v): return Double(v)
        case .overflow, .notInteger: break
        }
        // Fast path for plain decimals ("3.5", "-0.25"): digits, a point, at most 9 digits.
        if let dot = (lo..<hi).first(where: { b[$0] == UInt8(ascii: ".") }), dot + 1 < hi, hi - dot - 1 <= 9,
            case .value(let fraction) = parseInt(b, (dot + 1)..<hi), b[dot + 1] != UInt8(ascii: "-"),
            b[dot + 1] != 32, fraction >= 0
        {
            let negative = b[lo] == UInt8(ascii: "-")
            let wholeStart = negative ? lo + 1 : lo
            if wholeStart < dot, case .value(let whole) = parseInt(b, wholeStart..<dot), b[wholeStart] != 32,
                b[wholeStart] != UInt8(ascii: "-")
            {
                let value = Double(whole) + Double(fraction) / Foundation.pow(10.0, Double(hi - dot - 1))
                return negative ? -value : value
            }
        }
        guard hi - lo <= 64 else { return nil }  // no number is written with more characters
        return Double(String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self))
    }

    /// Seconds since 1970 within `timestampRange` (a fraction is dropped): `overflow` for a
    /// number outside it (or past 64 bits), `notInteger` for text that is no number.
    @inline(__always)
    static func parseTimestamp(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> IntField {
        switch parseInt(b, r) {
        case .value(let v): return timestampRange.contains(Int64(v)) ? .value(v) : .overflow
        case .overflow: return .overflow
        case .notInteger:
            guard let t = parseFloat(b, r) else { return .notInteger }
            guard t.isFinite else { return t.isNaN ? .notInteger : .overflow }
            let whole = t.rounded(.towardZero)
            guard whole >= Double(timestampRange.lowerBound) && whole <= Double(timestampRange.upperBound) else {
                return .overflow
            }
            return .value(Int(whole))
        }
    }
}
