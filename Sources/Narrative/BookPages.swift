// The book's navigation: section anchors, the sidebar of every chapter and its sections, and the
// index page (what the book is, how to run it, and each chapter's headline numbers from its
// results.json).

import Foundation

extension BookBuilder {
    /// A heading's anchor: "s-" and its words in lower case, joined by dashes.
    public static func anchor(_ heading: String) -> String {
        let words = heading.lowercased().split { !($0.isLetter || $0.isNumber) }
        return "s-" + words.joined(separator: "-")
    }

    /// The level-2 headings of a transcript (its sections), with their anchors.
    static func sections(of markdown: String) -> [(id: String, title: String)] {
        var inCode = false
        return markdown.components(separatedBy: "\n").compactMap { line in
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("## ") else { return nil }
            let title = String(line.dropFirst(3))
            return (anchor(title), title)
        }
    }

    /// The sidebar: every chapter that has run, the current one opened to its sections.
    static func contents(
        chapters: [(folder: String, number: Int, title: String)], sections: [[(id: String, title: String)]],
        current: Int, words: Text = Edition.english.words
    ) -> String {
        let home = escape(words("book.contents"))
        var html = "<div class=\"sidebar\"><a class=\"home\" href=\"index.html\">\(home)</a><ol>"
        for (k, chapter) in chapters.enumerated() {
            let mark = k == current ? " class=\"current\"" : ""
            html += "<li\(mark)><a href=\"\(chapter.folder).html\">\(chapter.number). \(escape(chapter.title))</a>"
            if k == current, k < sections.count {
                html += "<ol>" + sections[k].map { "<li><a href=\"#\($0.id)\">\(inline($0.title))</a></li>" }.joined()
                html += "</ol>"
            }
            html += "</li>"
        }
        return html + "<li><a href=\"glossary.html\">\(escape(words("book.glossary")))</a></li></ol></div>"
    }

    /// The index: what the book is, how to run it, and each chapter's status and headline numbers.
    static func indexPage(
        outputRoot: URL, chapters: [(folder: String, number: Int, title: String)], present: [String],
        words: Text = Edition.english.words
    ) -> String {
        let rows = chapters.map { c -> String in
            guard present.contains(c.folder) else {
                return """
                    <tr class=\"missing\"><td>\(c.number)</td><td>\(escape(c.title))</td><td>\
                    \(inline(words("book.index.not-run", ["number": c.number])))</td></tr>
                    """
            }
            let numbers = headline(outputRoot.appendingPathComponent(c.folder).appendingPathComponent("results.json"))
            return """
                <tr><td>\(c.number)</td><td><a href=\"\(c.folder).html\">\(escape(c.title))</a></td>\
                <td>\(numbers.isEmpty ? "-" : numbers.map(escape).joined(separator: "<br>"))</td></tr>
                """
        }
        let commands = words("book.index.commands").components(separatedBy: "\n").map(escape)
            .joined(separator: "\n")
        return """
            <h1>\(escape(words("book.title")))</h1>
            <p>\(inline(words("book.index.intro")))</p>
            <h2 id=\"s-how-to-run-it\">\(escape(words("book.index.how")))</h2>
            <pre><code class=\"nohighlight\">\(commands)</code></pre>
            <h2 id=\"s-chapters\">\(escape(words("book.index.chapters")))</h2>
            <table class=\"toc\"><tr><th>#</th><th>\(escape(words("book.index.chapter")))</th>\
            <th>\(escape(words("book.index.headline")))</th></tr>\(rows.joined())</table>
            """
    }

    /// Up to three results of a chapter's results.json, best first, on its leading metric.
    static func headline(_ file: URL) -> [String] {
        guard let data = FileManager.default.contents(atPath: file.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let results = object["results"] as? [[String: Any]]
        else { return [] }
        let preference = ["Recall@20", "HR@10", "RMSE", "MSE"]
        let entries = results.compactMap { r -> (model: String, protocolName: String, metrics: [String: Double])? in
            guard let model = r["model"] as? String, let metrics = r["metrics"] as? [String: Double] else { return nil }
            // Another data set than MovieLens-100K (chapter 7's synthetic ones) is named with the protocol.
            let dataset = (r["dataset"] as? String).flatMap { $0 == "ml-100k" ? nil : $0 }
            return (model, (r["protocol"] as? String ?? "") + (dataset.map { ", " + $0 } ?? ""), metrics)
        }
        guard let metric = preference.first(where: { m in entries.contains { $0.metrics[m] != nil } }) else {
            return []
        }
        let lowerIsBetter = metric == "RMSE" || metric == "MSE"
        var seen: Set<String> = [], lines: [String] = []
        let ranked = entries.compactMap { e in e.metrics[metric].map { (e, $0) } }.sorted {
            lowerIsBetter ? $0.1 < $1.1 : $0.1 > $1.1
        }
        // One line per model, and one per number (a model reported twice under two names counts once).
        for (e, value) in ranked where lines.count < 3 {
            let key = String(e.model.prefix { $0 != " " && $0 != "(" })
            guard !seen.contains(key), !seen.contains(String(format: "%.4f", value)) else { continue }
            seen.formUnion([key, String(format: "%.4f", value)])
            lines.append("\(e.model) \(metric) \(String(format: "%.4f", value)) (\(e.protocolName))")
        }
        return lines
    }

    /// The glossary: each English term, the term this book uses in the edition's language, and a
    /// one-line definition (Sources/Narrative/text/glossary.tsv).
    static func glossaryPage(_ words: Text) -> String {
        let file = Languages.sharedDirectory.appendingPathComponent("glossary.tsv")
        let lines = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
        let rows = lines.map { line -> String in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
        }
        return """
            <h1>\(escape(words("book.glossary")))</h1><p>\(inline(words("book.glossary.intro")))</p>
            <table class=\"toc\"><tr><th>English</th><th>한국어</th>\
            <th>\(escape(words("book.glossary.definition")))</th></tr>\(rows.joined())</table>
            """
    }
}

/// Which edition a book is, and the link to the same page in the other edition.
public struct Edition: Sendable {
    public let words: Text
    /// The other edition: its name in its own language, the path from this book's folder to its
    /// book folder, and its chapter root (a page links across only where that chapter ran).
    public let other: (label: String, path: String, root: URL)?

    public init(words: Text, other: (label: String, path: String, root: URL)? = nil) {
        self.words = words
        self.other = other
    }

    public static let english = Edition(words: Text(directory: Languages.sharedDirectory, language: Languages.english))

    /// The switch to the other edition's page for `folder` (its index for nil), or "".
    func switchLink(_ folder: String?) -> String {
        guard let other else { return "" }
        // A page links across where the other edition has it: the same chapter run, or (the index) any.
        let fm = FileManager.default
        let folders = folder.map { [$0] } ?? ((try? fm.contentsOfDirectory(atPath: other.root.path)) ?? [])
        let ran = folders.contains {
            fm.fileExists(atPath: other.root.appendingPathComponent($0).appendingPathComponent("README.md").path)
        }
        guard ran else { return "" }
        let label = BookBuilder.escape(other.label)
        return "<a class=\"edition\" href=\"\(other.path)\(folder ?? "index").html\">\(label)</a>"
    }
}
