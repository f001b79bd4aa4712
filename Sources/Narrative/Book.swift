// The book as HTML: every chapter's transcript (output/NN-slug/README.md) turned into a page,
// its figures copied beside it, and an index; one folder (output/book/) that opens offline in
// any browser. The Markdown is the subset the Narrator writes: headings, paragraphs, lists,
// tables, Swift listings, call-outs (> **Errata.** ...), figures and italic captions.

import _WorkbookSupport
import Foundation

public enum BookBuilder {
    /// The libraries the pages use, from Debian's packages (libjs-katex, libjs-highlight.js), copied
    /// into `book/assets/` so that the book opens offline: KaTeX typesets the `$$` equations and
    /// highlight.js colours the Swift listings. Without them the pages still read (TeX stays TeX).
    static let libraries: [(name: String, folder: String, files: [String])] = [
        ("katex", "/usr/share/javascript/katex", ["katex.min.js", "katex.min.css", "fonts"]),
        ("highlight", "/usr/share/javascript/highlight.js", ["highlight.min.js", "styles/github.css"]),
    ]

    /// Copies each library's files (following Debian's symlinks) into `book/assets/NAME/`; returns
    /// the names of those found complete.
    static func copyLibraries(to book: URL) throws -> Set<String> {
        let fm = FileManager.default
        var found: Set<String> = []
        for library in libraries {
            let root = URL(fileURLWithPath: library.folder)
            let present = library.files.allSatisfy { fm.fileExists(atPath: root.appendingPathComponent($0).path) }
            guard present else { continue }
            for file in library.files {
                let source = root.appendingPathComponent(file).resolvingSymlinksInPath()
                var isFolder: ObjCBool = false
                _ = fm.fileExists(atPath: source.path, isDirectory: &isFolder)
                let names =
                    isFolder.boolValue
                    ? try fm.contentsOfDirectory(atPath: source.path).map { "\(file)/\($0)" } : [file]
                for name in names {
                    guard let bytes = fm.contents(atPath: root.appendingPathComponent(name).path) else { continue }
                    try AtomicFile.write(
                        bytes, to: book.appendingPathComponent("assets/\(library.name)").appendingPathComponent(name))
                }
            }
            found.insert(library.name)
        }
        return found
    }

    public struct Report: Sendable {
        public let index: URL
        public let pages: Int
        public let figures: Int
        /// Chapters without a transcript yet.
        public let missing: [String]
        /// The libraries found and copied ("katex", "highlight").
        public let libraries: Set<String>
    }

    /// Builds `<outputRoot>/book/` (for another edition, `outputRoot` is `output/<language>/`).
    /// Fails, writing nothing, when no chapter has been run.
    public static func build(
        outputRoot: URL, chapters: [(folder: String, number: Int, title: String)], edition: Edition = .english
    ) throws -> Report {
        let words = edition.words
        let fm = FileManager.default
        let present = chapters.filter {
            fm.fileExists(atPath: outputRoot.appendingPathComponent($0.folder).appendingPathComponent("README.md").path)
        }
        guard !present.isEmpty else {
            // The fix names the edition: `--lang ko` for the Korean book.
            let flag = words.language == Languages.english ? "" : " --lang \(words.language)"
            throw WorkbookError(
                words("book.none", ["folder": outputRoot.path]), fix: words("book.none.fix", ["flag": flag]))
        }
        let book = outputRoot.appendingPathComponent("book")
        let libraries = try copyLibraries(to: book)
        var figures = 0
        var pages: [(html: String, sections: [(id: String, title: String)])] = []
        for chapter in present {
            let source = outputRoot.appendingPathComponent(chapter.folder)
            guard let markdown = try? String(contentsOf: source.appendingPathComponent("README.md"), encoding: .utf8)
            else {
                throw WorkbookError(
                    "cannot read \(source.appendingPathComponent("README.md").path)",
                    fix: "run `workbook chapter \(chapter.number)` again")
            }
            let page = render(markdown, imagePrefix: chapter.folder + "/")
            // Figures go to book/NN-slug/, so the book folder is complete on its own.
            for image in page.images {
                let from = source.appendingPathComponent(image)
                guard let bytes = fm.contents(atPath: from.path) else { continue }
                try AtomicFile.write(
                    bytes, to: book.appendingPathComponent(chapter.folder).appendingPathComponent(image))
                figures += 1
            }
            pages.append((page.html, sections(of: markdown)))
        }
        for (k, chapter) in present.enumerated() {
            let previous =
                k > 0 ? "<a href=\"\(present[k - 1].folder).html\">← \(escape(present[k - 1].title))</a>" : ""
            let next =
                k + 1 < present.count
                ? "<a href=\"\(present[k + 1].folder).html\">\(escape(present[k + 1].title)) →</a>" : ""
            let nav =
                "<nav><a href=\"index.html\">\(escape(words("book.contents")))</a><span>\(previous)</span>"
                + "<span>\(next)</span>\(edition.switchLink(chapter.folder))</nav>"
            let sidebar = contents(chapters: present, sections: pages.map(\.sections), current: k, words: words)
            try AtomicFile.write(
                document(
                    title: "\(chapter.number). \(chapter.title)",
                    body: sidebar + "<main>" + nav + pages[k].html + nav + "</main>", libraries: libraries,
                    language: words.language),
                to: book.appendingPathComponent(chapter.folder + ".html"))
        }
        let index = indexPage(outputRoot: outputRoot, chapters: chapters, present: present.map(\.folder), words: words)
        let indexURL = book.appendingPathComponent("index.html")
        let switchIndex = edition.switchLink(nil).isEmpty ? "" : "<nav>\(edition.switchLink(nil))</nav>"
        try AtomicFile.write(
            document(
                title: words("book.title"),
                body: contents(chapters: present, sections: [], current: -1, words: words) + "<main>" + switchIndex
                    + index + "</main>",
                libraries: libraries, language: words.language),
            to: indexURL)
        try AtomicFile.write(
            document(
                title: words("book.glossary"),
                body: contents(chapters: present, sections: [], current: -1, words: words) + "<main>"
                    + glossaryPage(words) + "</main>",
                libraries: libraries, language: words.language),
            to: book.appendingPathComponent("glossary.html"))
        return Report(
            index: indexURL, pages: present.count, figures: figures,
            missing: chapters.filter { c in !present.contains { $0.folder == c.folder } }.map {
                "\($0.number) (\($0.folder))"
            }, libraries: libraries)
    }

    /// One page's HTML and the image files it shows.
    public static func render(_ markdown: String, imagePrefix: String = "") -> (html: String, images: [String]) {
        var html = "", images: [String] = []
        let lines = markdown.components(separatedBy: "\n")
        var k = 0
        func paragraphLines() -> [String] {
            var block: [String] = []
            while k < lines.count, !lines[k].trimmingCharacters(in: .whitespaces).isEmpty, !lines[k].hasPrefix("```"),
                lines[k].trimmingCharacters(in: .whitespaces) != "$$"
            {
                block.append(lines[k])
                k += 1
            }
            return block
        }
        while k < lines.count {
            let line = lines[k]
            if line.trimmingCharacters(in: .whitespaces).isEmpty { k += 1; continue }
            if line.hasPrefix("```") {
                let language = String(line.dropFirst(3))
                k += 1
                var code: [String] = []
                while k < lines.count, !lines[k].hasPrefix("```") { code.append(lines[k]); k += 1 }
                k += 1
                html += """
                    <pre><code \
                    class=\"language-\(escape(language))\">\(escape(code.joined(separator: "\n")))</code></pre>\n
                    """
                continue
            }
            if line.trimmingCharacters(in: .whitespaces) == "$$" {
                k += 1
                var tex: [String] = []
                while k < lines.count, lines[k].trimmingCharacters(in: .whitespaces) != "$$" {
                    tex.append(lines[k])
                    k += 1
                }
                k += 1
                // KaTeX (copied beside the pages) typesets it; without it the TeX stays readable.
                html += "<div class=\"math display\">\(escape(tex.joined(separator: "\n")))</div>\n"
                continue
            }
            let block = paragraphLines()
            guard let first = block.first else { k += 1; continue }
            if let level = headingLevel(first) {
                let text = String(first.dropFirst(level + 1))
                let id = level >= 2 ? " id=\"\(anchor(text))\"" : ""
                html += "<h\(level)\(id)>\(inline(text))</h\(level)>\n"
            } else if first.hasPrefix("|") {
                html += table(block)
            } else if first.hasPrefix(">") {
                let text = block.map { $0.hasPrefix("> ") ? String($0.dropFirst(2)) : String($0.dropFirst(1)) }.joined(
                    separator: "\n")
                let kind = text.hasPrefix("**Errata.**") ? "errata" : "note"
                html +=
                    "<aside class=\"\(kind)\">\(inline(text).replacingOccurrences(of: "\n", with: "<br>"))</aside>\n"
            } else if first.trimmingCharacters(in: .whitespaces).hasPrefix("- ") {
                html +=
                    "<ul>"
                    + block.map { item in
                        let depth = item.prefix { $0 == " " }.count / 2
                        let text = item.trimmingCharacters(in: .whitespaces).dropFirst(2)
                        return "<li\(depth > 0 ? " class=\"depth\(depth)\"" : "")>\(inline(String(text)))</li>"
                    }.joined() + "</ul>\n"
            } else if block.count == 1, first.hasPrefix("!["), let close = first.firstIndex(of: "]"),
                first[close...].hasPrefix("]("), first.hasSuffix(")")
            {
                let alt = String(first[first.index(first.startIndex, offsetBy: 2)..<close])
                let file = String(first[first.index(close, offsetBy: 2)..<first.index(before: first.endIndex)])
                images.append(file)
                html += """
                    <figure><a href=\"\(escape(imagePrefix + file))\"><img src=\"\(escape(imagePrefix + file))\" \
                    alt=\"\(escape(alt))\"></a><figcaption>\(escape(alt))</figcaption></figure>\n
                    """
            } else if block.count == 1, first.hasPrefix("*"), first.hasSuffix("*"), !first.hasPrefix("**"),
                first.count > 2
            {
                html += "<p class=\"caption\">\(inline(String(first.dropFirst().dropLast())))</p>\n"
            } else {
                html += "<p>\(inline(block.joined(separator: " ")))</p>\n"
            }
        }
        return (html, images)
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        return hashes >= 1 && hashes <= 6 && line.dropFirst(hashes).hasPrefix(" ") ? hashes : nil
    }

    static func table(_ block: [String]) -> String {
        func cells(_ row: String) -> [String] {
            // Split on | that is not escaped as \|.
            var out: [String] = [], current = "", escaped = false
            for ch in row.trimmingCharacters(in: .whitespaces).dropFirst() {
                if escaped { current.append(ch == "|" ? "|" : "\\" + String(ch)); escaped = false; continue }
                if ch == "\\" { escaped = true; continue }
                if ch == "|" {
                    out.append(current.trimmingCharacters(in: .whitespaces)); current = ""
                } else {
                    current.append(ch)
                }
            }
            return out
        }
        guard let header = block.first else { return "" }
        let alignRight = block.count > 1 ? cells(block[1]).map { $0.hasSuffix(":") } : []
        func row(_ values: [String], tag: String) -> String {
            "<tr>"
                + values.enumerated().map { c, v in
                    "<\(tag)\(c < alignRight.count && alignRight[c] ? " class=\"num\"" : "")>\(inline(v))</\(tag)>"
                }.joined() + "</tr>"
        }
        return "<table><thead>" + row(cells(header), tag: "th") + "</thead><tbody>"
            + block.dropFirst(2).map { row(cells($0), tag: "td") }.joined() + "</tbody></table>\n"
    }

    /// Escapes HTML, then renders `code` and **bold**.
    static func inline(_ text: String) -> String {
        var out = "", rest = Substring(text)
        while let tick = rest.firstIndex(of: "`") {
            out += bold(escape(String(rest[..<tick])))
            let after = rest[rest.index(after: tick)...]
            guard let end = after.firstIndex(of: "`") else { out += escape(String(rest[tick...])); rest = ""; break }
            out += "<code>\(escape(String(after[..<end])))</code>"
            rest = after[after.index(after: end)...]
        }
        return out + bold(escape(String(rest)))
    }

    static func bold(_ escaped: String) -> String {
        let parts = escaped.components(separatedBy: "**")
        guard parts.count >= 3 else { return escaped }
        return parts.enumerated().map {
            $0.offset % 2 == 1 && $0.offset < parts.count - 1
                ? "<strong>\($0.element)</strong>" : ($0.offset % 2 == 1 ? "**" + $0.element : $0.element)
        }.joined()
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func document(title: String, body: String, libraries: Set<String> = [], language: String = "en")
        -> String
    {
        var head = "", script = ""
        if libraries.contains("katex") {
            head += "<link rel=\"stylesheet\" href=\"assets/katex/katex.min.css\">"
            head += "<script defer src=\"assets/katex/katex.min.js\"></script>"
            script += """
                document.querySelectorAll('div.math').forEach(e => katex.render(e.textContent, e, \
                {displayMode: true, throwOnError: false}));
                """
        }
        if libraries.contains("highlight") {
            head += "<link rel=\"stylesheet\" href=\"assets/highlight/styles/github.css\">"
            head += "<script defer src=\"assets/highlight/highlight.min.js\"></script>"
            script += "document.querySelectorAll('pre code').forEach(e => hljs.highlightBlock(e));"
        }
        let run =
            script.isEmpty ? "" : "<script>window.addEventListener('DOMContentLoaded', () => { \(script) });</script>"
        return """
        <!DOCTYPE html>
        <html lang="\(language)"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font: 17px/1.55 "DejaVu Sans", system-ui, sans-serif; max-width: 60rem; margin: 0 auto;
               padding: 1rem 1.5rem 4rem; color: #1d232a; }
        h1 { font-size: 1.9rem; border-bottom: 2px solid #2b7bb9; padding-bottom: .3rem; }
        h2 { font-size: 1.45rem; margin-top: 2.2rem; } h3 { font-size: 1.15rem; margin-top: 1.6rem; }
        pre { background: #f5f7f9; border: 1px solid #dde3e8; border-radius: 6px; padding: .8rem 1rem; overflow-x: auto;
              font-size: .85rem; line-height: 1.4; }
        code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: .9em; }
        table { border-collapse: collapse; margin: .5rem 0 1.2rem; font-size: .9rem; display: block; overflow-x: auto; }
        th, td { border-bottom: 1px solid #dde3e8; padding: .3rem .7rem; text-align: left; vertical-align: top; }
        :lang(ko) { word-break: keep-all; }  /* Korean lines break between words, as Korean is set */
        th { background: #eef3f7; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1.2rem 0; } figure img { max-width: 100%; border: 1px solid #dde3e8; border-radius: 4px; }
        figcaption, .caption { color: #52606d; font-style: italic; font-size: .92rem; }
        aside { border-left: 4px solid #2b7bb9; background: #f0f6fb; padding: .6rem 1rem; margin: 1rem 0;
                border-radius: 0 6px 6px 0; }
        aside.errata { border-color: #c0392b; background: #fcf1ef; }
        nav { display: flex; justify-content: space-between; gap: 1rem; font-size: .9rem; margin: 1rem 0; }
        nav a.edition { font-weight: bold; border: 1px solid #2b7bb9; border-radius: 4px; padding: 0 .4rem; }
        li.depth1 { margin-left: 1.5rem; } li.depth2 { margin-left: 3rem; } li.missing { color: #7b8794; }
        ol.toc li { margin: .4rem 0; font-size: 1.1rem; }
        div.math { margin: .6rem 0 1rem 1.5rem; overflow-x: auto; overflow-y: hidden;
          padding: .15rem 0; font-family: "DejaVu Sans Mono", monospace; }
        div.math .katex-display { margin: 0; text-align: left; }
        div.sidebar { font-size: .88rem; line-height: 1.35; }
        div.sidebar ol { list-style: none; padding-left: .8rem; } div.sidebar li { margin: .3rem 0; }
        div.sidebar li.current > a { font-weight: bold; } div.sidebar a { text-decoration: none; color: #2b5f8a; }
        div.sidebar a.home { font-weight: bold; }
        @media (min-width: 78rem) {
          body { margin-left: 19rem; }
          div.sidebar { position: fixed; top: 0; left: 0; bottom: 0; width: 16rem; overflow-y: auto;
                        padding: 1rem 1rem 2rem; background: #f5f7f9; border-right: 1px solid #dde3e8; }
        }
        @media (max-width: 78rem) { div.sidebar { border-bottom: 1px solid #dde3e8; margin-bottom: 1rem; } }
        table.toc td { vertical-align: top; } tr.missing { color: #7b8794; }
        </style>\(head)\(run)</head><body>
        \(body)
        </body></html>

        """
    }
}
