// The item catalogues: u.item, RecBole's .item, ml-1m's movies.dat, ml-latest's movies.csv.
// Text is UTF-8 when it decodes as such, else Latin-1 (MovieLens' older files); a byte-order
// mark is dropped, and lines end with LF or CRLF.

import Foundation
import _WorkbookSupport

extension MovieLens {
    /// Text that is UTF-8 if it decodes as such, otherwise Latin-1 (MovieLens' older files),
    /// without a leading byte-order mark.
    static func readText(_ url: URL) throws -> String {
        var data = try readFile(url)
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        if let s = String(data: data, encoding: .utf8) { return s }
        guard let s = String(data: data, encoding: .isoLatin1) else {
            throw DataError(file: url.lastPathComponent, LibraryWords.say("loading.not-text"))
        }
        return s
    }

    /// A file's bytes (mapped when `mapped`). An empty file is not read: swift-foundation's
    /// Data(contentsOf:) leaks a 4 KiB buffer on one (found by the fuzzer).
    static func readFile(_ url: URL, mapped: Bool = false) throws -> Data {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        if size == 0 { return Data() }
        guard let data = try? Data(contentsOf: url, options: mapped ? .alwaysMapped : []) else {
            throw DataError(
                file: url.path, LibraryWords.say("loading.unreadable"), fix: LibraryWords.say("loading.fix.readable"))
        }
        return data
    }

    /// The non-empty lines with their numbers. ("\r\n" is one Character in Swift, so a split
    /// on "\n" alone would not see CRLF line ends.)
    static func lines(_ text: String) -> [(number: Int, text: Substring)] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated()
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
                throw DataError(file: url.lastPathComponent, line: n, LibraryWords.say("loading.item-line"))
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
                    throw DataError(file: url.lastPathComponent, line: 1, LibraryWords.say("loading.item-header"))
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
                    LibraryWords.say("loading.item-fields", ["count": columns.title + 1]))
            }
            let year = columns.year.flatMap { $0 < f.count ? Int(f[$0]) : nil }
            let genres =
                columns.genres.flatMap { $0 < f.count ? f[$0].split(separator: " ").map(String.init) : nil }
                ?? []
            out[id] = CatalogueEntry(title: f[columns.title], year: year, genres: genres)
        }
        return out
    }

    static func parseML1mMovies(_ url: URL) throws -> [Int: CatalogueEntry] {
        var out: [Int: CatalogueEntry] = [:]
        for (n, line) in lines(try readText(url)) {
            let f = line.components(separatedBy: "::")
            guard f.count >= 3, let id = Int(f[0]) else {
                throw DataError(file: url.lastPathComponent, line: n, LibraryWords.say("loading.movies-dat"))
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
                throw DataError(file: url.lastPathComponent, line: n, LibraryWords.say("loading.movies-csv"))
            }
            let (title, year) = splitYear(f[1])
            let genres = f[2] == "(no genres listed)" ? [] : f[2].split(separator: "|").map(String.init)
            out[id] = CatalogueEntry(title: title, year: year, genres: genres)
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
                        current.append("\"")
                        i = next
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
        if quoted { throw DataError(file: file, line: number, LibraryWords.say("loading.unclosed-quote")) }
        fields.append(current)
        return fields
    }
}
