import Foundation
import Narrative
import XCTest

final class BookTests: XCTestCase {
    func testMarkdownSubsetBecomesHTML() {
        let markdown = """
            # Chapter 9. A <title> & more

            Prose with `code <x>` and **bold** text.

            - one
              - nested

            *A caption*

            | model | Recall@20 |
            | --- | ---: |
            | EASE \\| λ | 0.3611 |

            *Chapters/x.swift, lines 1-3*

            ```swift
            let a = b < c

            print(a)
            ```

            > **Errata.** The document's line is wrong.

            > **Note.** Something to know.

            ![Recall per epoch](recall.png)

            **Step 1.** Do this.
            """
        let (html, images) = BookBuilder.render(markdown, imagePrefix: "09-x/")
        XCTAssertTrue(html.contains("<h1>Chapter 9. A &lt;title&gt; &amp; more</h1>"), html)
        XCTAssertEqual(BookBuilder.anchor("How many layers? Over-smoothing"), "s-how-many-layers-over-smoothing")
        XCTAssertTrue(
            html.contains("<p>Prose with <code>code &lt;x&gt;</code> and <strong>bold</strong> text.</p>"), html)
        XCTAssertTrue(html.contains("<ul><li>one</li><li class=\"depth1\">nested</li></ul>"), html)
        XCTAssertTrue(html.contains("<p class=\"caption\">A caption</p>"), html)
        XCTAssertTrue(html.contains("<th>model</th><th class=\"num\">Recall@20</th>"), html)
        XCTAssertTrue(html.contains("<td>EASE | λ</td><td class=\"num\">0.3611</td>"), html)
        XCTAssertTrue(
            html.contains("<pre><code class=\"language-swift\">let a = b &lt; c\n\nprint(a)</code></pre>"), html)
        XCTAssertTrue(
            html.contains("<aside class=\"errata\"><strong>Errata.</strong> The document&#39;s line is wrong.</aside>")
                || html.contains(
                    "<aside class=\"errata\"><strong>Errata.</strong> The document's line is wrong.</aside>"),
            html)
        XCTAssertTrue(html.contains("<aside class=\"note\">"), html)
        XCTAssertTrue(html.contains("<img src=\"09-x/recall.png\" alt=\"Recall per epoch\">"), html)
        XCTAssertTrue(html.contains("<p><strong>Step 1.</strong> Do this.</p>"), html)
        XCTAssertEqual(images, ["recall.png"])
    }

    func testBuildsPagesIndexAndFigures() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("book-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let chapters = [
            (folder: "01-a", number: 1, title: "First"), (folder: "02-b", number: 2, title: "Second"),
            (folder: "03-c", number: 3, title: "Third"),
        ]
        // Nothing run yet: a clear error, and no book folder.
        XCTAssertThrowsError(try BookBuilder.build(outputRoot: root, chapters: chapters)) {
            XCTAssertTrue("\($0)".contains("workbook all"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("book").path))
        for folder in ["01-a", "03-c"] {
            let dir = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try "# \(folder)\n\n![Figure](fig.png)\n".write(
                to: dir.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
            try Data([0x89, 0x50, 0x4E, 0x47]).write(to: dir.appendingPathComponent("fig.png"))
        }
        let report = try BookBuilder.build(outputRoot: root, chapters: chapters)
        XCTAssertEqual(report.pages, 2)
        XCTAssertEqual(report.figures, 2)
        XCTAssertEqual(report.missing, ["2 (02-b)"])
        let index = try String(contentsOf: report.index, encoding: .utf8)
        XCTAssertTrue(index.contains("<td>1</td><td><a href=\"01-a.html\">First</a></td>"), index)
        XCTAssertTrue(index.contains("How to run it"), index)
        XCTAssertTrue(index.contains("workbook chapter 2"), index)
        XCTAssertTrue(index.contains("<div class=\"sidebar\">"), "the index has the sidebar too")
        let page = try String(contentsOf: root.appendingPathComponent("book/01-a.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<a href=\"03-c.html\">Third →</a>"), page)
        XCTAssertTrue(page.contains("<a href=\"01-a/fig.png\"><img src=\"01-a/fig.png\""), page)
        // The sidebar lists every chapter that ran, the current one with its sections.
        XCTAssertTrue(page.contains("<div class=\"sidebar\">"), page)
        XCTAssertTrue(page.contains("<li><a href=\"03-c.html\">3. Third</a></li>"), page)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("book/03-c/fig.png").path))
        // Every page's links, images and scripts point at files the book folder has.
        for name in ["index.html", "01-a.html", "03-c.html"] {
            let html = try String(contentsOf: root.appendingPathComponent("book/" + name), encoding: .utf8)
            for attribute in ["src=\"", "href=\""] {
                for part in html.components(separatedBy: attribute).dropFirst() {
                    let target = String(part.prefix { $0 != "\"" && $0 != "#" })
                    guard !target.isEmpty, !target.hasPrefix("http") else { continue }
                    XCTAssertTrue(
                        FileManager.default.fileExists(atPath: root.appendingPathComponent("book/" + target).path),
                        "\(name) refers to \(target), which the book does not have")
                }
            }
        }
        // KaTeX and highlight.js ship with the book when Debian's packages are installed (setup.sh installs them).
        if FileManager.default.fileExists(atPath: "/usr/share/javascript/katex/katex.min.js") {
            XCTAssertTrue(report.libraries.contains("katex"))
            for file in ["assets/katex/katex.min.js", "assets/katex/katex.min.css", "assets/katex/fonts"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("book/" + file).path))
            }
            XCTAssertTrue(page.contains("<script defer src=\"assets/katex/katex.min.js\"></script>"), page)
        }
        if FileManager.default.fileExists(atPath: "/usr/share/javascript/highlight.js/highlight.min.js") {
            XCTAssertTrue(report.libraries.contains("highlight"))
            XCTAssertTrue(page.contains("hljs.highlightBlock"), page)
        }
    }
}
