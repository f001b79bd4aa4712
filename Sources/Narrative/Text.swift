// The book's words, kept apart from its code so that a translator edits text files and never
// Swift: each chapter's prose is in Chapters/<NN-slug>/text/<language>.txt, the words every
// chapter shares (callouts, exercise headings, errors a learner meets) in
// Sources/Narrative/text/<language>.txt. A language is a set of those files: adding one is
// adding files (`en.txt` is the reference every other language must match, block for block and
// placeholder for placeholder; TextTests checks it). Two kinds of English stay in Swift, as the
// reference beside the code that uses it: exercises' statements, and the words of the libraries
// under the narrative (models' settings, the model store, fetching: _WorkbookSupport/LibraryWords.swift),
// which work without these files; another language translates them here like any block.
//
// The format, for translators:
//
//     %% a comment, for translators (ignored)
//     @@ block.id
//     The block's text. Its lines are joined with single spaces, so wrap them freely.
//     {{name}} is a value the run computes (a number, a film title, a model name) and fills in:
//     keep every {{name}} of the English block, in whatever place the sentence needs it.
//     ~
//     A line that is only "~" is a line break inside the block.
//
// A block the language lacks falls back to English, and a placeholder the code did not fill
// stays visible as {{name}}; both are recorded in `problems`, which the tests require empty.

import Foundation
import _WorkbookSupport

/// One language's blocks of one catalog file.
public struct TextCatalog: Sendable {
    public let language: String
    public let blocks: [String: String]
    /// Block ids in file order (for the consistency test's messages).
    public let order: [String]

    public init(parsing text: String, language: String, source: String) throws {
        var blocks: [String: String] = [:], order: [String] = [], current: String?, lines: [String] = []
        func close() throws {
            guard let id = current else { return }
            guard blocks[id] == nil else { throw TextError("\(source): the block '\(id)' appears twice") }
            var joined = ""
            for line in lines {
                if line == "~" {
                    joined += "\n"
                } else if !line.isEmpty {
                    joined += (joined.isEmpty || joined.hasSuffix("\n") ? "" : " ") + line
                }
            }
            blocks[id] = joined
            order.append(id)
        }
        for (number, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("%%") { continue }
            if line.hasPrefix("@@") {
                try close()
                let id = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                    throw TextError(
                        "\(source), line \(number + 1): '\(line)' is not a block id (letters, digits, . _ -)")
                }
                current = id
                lines = []
            } else if current != nil {
                lines.append(line)
            } else if !line.isEmpty {
                throw TextError("\(source), line \(number + 1): text before the first '@@ id' line")
            }
        }
        try close()
        self.language = language
        self.blocks = blocks
        self.order = order
    }

    public static func load(_ file: URL, language: String) throws -> TextCatalog {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw TextError("cannot read \(file.path): run the workbook from its source checkout")
        }
        return try TextCatalog(parsing: text, language: language, source: file.path)
    }

    /// The {{names}} a block uses.
    public func placeholders(of id: String) -> Set<String> { Self.placeholders(in: blocks[id] ?? "") }

    public static func placeholders(in text: String) -> Set<String> {
        var names = Set<String>(), rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            names.insert(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return names
    }
}

public struct TextError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The languages of the book, and where their files are.
public enum Languages {
    public static let english = "en"
    /// The repository's root, from this file's place in it (Sources/Narrative/Text.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static var sharedDirectory: URL { root.appendingPathComponent("Sources/Narrative/text") }
    public static func chapterDirectory(_ folderName: String) -> URL {
        root.appendingPathComponent("Chapters").appendingPathComponent(folderName).appendingPathComponent("text")
    }

    /// Where an edition's chapter folders go: `output/` for English, `output/<language>/` otherwise.
    public static func editionRoot(_ outputRoot: URL, _ language: String) -> URL {
        language == english ? outputRoot : outputRoot.appendingPathComponent(language)
    }

    /// Every language the shared words exist in, English first.
    public static var available: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: sharedDirectory.path)) ?? []
        let codes = files.filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }.sorted()
        return [english] + codes.filter { $0 != english }
    }

    /// The language to use: `--lang`, else WORKBOOK_LANG, else a Korean locale (LANG, LC_ALL), else
    /// English. A requested language that does not exist is an error naming the ones that do.
    public static func resolve(_ requested: String?, environment: [String: String] = ProcessInfo.processInfo
        .environment) throws -> String {
        let explicit = requested ?? environment["WORKBOOK_LANG"].flatMap { $0.isEmpty ? nil : $0 }
        if let code = explicit?.lowercased() {
            guard available.contains(code) else {
                throw TextError(
                    "there is no '\(code)' edition; the languages are \(available.joined(separator: ", ")) "
                        + "(--lang \(available.last ?? english))")
            }
            return code
        }
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[key], !value.isEmpty else { continue }
            let code = String(value.prefix { $0.isLetter }).lowercased()
            return available.contains(code) ? code : english
        }
        return english
    }
}

/// The words of one chapter (or of the shared file) in the run's language, English behind it.
public final class Text: @unchecked Sendable {
    public let language: String
    private let primary: TextCatalog?
    private let english: TextCatalog?
    private let lock = NSLock()
    private var found: Set<String> = []

    public init(directory: URL, language: String) {
        self.language = language
        english = try? TextCatalog.load(directory.appendingPathComponent("en.txt"), language: Languages.english)
        primary =
            language == Languages.english
            ? english : try? TextCatalog.load(directory.appendingPathComponent("\(language).txt"), language: language)
    }

    /// Blocks that fell back to English or were missing, and placeholders left unfilled.
    public var problems: [String] { lock.withLock { found.sorted() } }

    /// The block `id` with its {{placeholders}} filled from `values`.
    public func callAsFunction(_ id: String, _ values: [String: any CustomStringConvertible] = [:]) -> String {
        var text: String
        if let block = primary?.blocks[id] {
            text = block
        } else if let block = english?.blocks[id] {
            note("block '\(id)' is missing in \(language)")
            text = block
        } else {
            note("block '\(id)' is missing")
            return "[\(id)]"
        }
        let strings = values.mapValues(\.description)
        for name in TextCatalog.placeholders(in: text) where strings[name] == nil {
            note("placeholder {{\(name)}} of '\(id)' is not filled")
        }
        text = LibraryWords.fill(text, strings)
        return text
    }

    /// Whether the block exists (for optional sentences).
    public func has(_ id: String) -> Bool { primary?.blocks[id] != nil || english?.blocks[id] != nil }

    /// Whether this language's own file has the block (no English fallback).
    public func translates(_ id: String) -> Bool { primary?.blocks[id] != nil }

    /// The {{names}} this language's block `id` uses.
    public func placeholders(of id: String) -> Set<String> { primary?.placeholders(of: id) ?? [] }

    /// Records a problem (a missing translation found by a caller).
    public func note(_ problem: String) { _ = lock.withLock { found.insert(problem) } }
}
