// How a chapter speaks: every call prints to the terminal (wrapped, coloured when welcome)
// and adds the same content to the chapter's Markdown transcript.

import Foundation
import Plotting

public final class Narrator {
    public let style: TerminalStyle
    /// The transcript so far, as Markdown.
    public private(set) var markdown = ""
    private let print: (String) -> Void
    private var stepNumber = 0
    /// The words every chapter shares (callout labels, "Figure"), in the run's language.
    public var words = Text(directory: Languages.sharedDirectory, language: Languages.english)

    /// `output` receives terminal text (stdout by default; tests capture it).
    /// By default each line is written at once (unbuffered), so that the transcript keeps its
    /// order with the progress lines on stderr in `2>&1` and in `workbook all`'s chapter logs.
    public init(
        style: TerminalStyle = .current(),
        output: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
    ) {
        self.style = style
        self.print = output
    }

    private func md(_ text: String) { markdown += text + "\n\n" }

    /// A heading: level 1 for the chapter, 2 for sections, 3 for subsections.
    public func heading(_ text: String, level: Int = 2) {
        stepNumber = 0
        let rule = level == 1 ? String(repeating: "═", count: min(style.width, displayWidth(text) + 4)) : nil
        print("")
        if let rule { print(style.paint(rule, "1;36")) }
        print(
            style.paint(
                level == 1 ? "  \(text)" : (level == 2 ? "■ \(text)" : "▸ \(text)"), level == 1 ? "1;36" : "1"))
        if let rule { print(style.paint(rule, "1;36")) }
        print("")
        md(String(repeating: "#", count: level) + " " + text)
    }

    /// A paragraph, wrapped to the terminal's width.
    public func prose(_ text: String) {
        print(wrap(text, width: style.width))
        print("")
        md(text)
    }

    /// A bulleted list.
    public func bullets(_ items: [String]) {
        for item in items { print(wrap(item, width: style.width, indent: "    ", firstIndent: "  • ")) }
        print("")
        md(items.map { "- \($0)" }.joined(separator: "\n"))
    }

    /// An indented outline: (depth, text) pairs, depth 0 at the top.
    public func outline(_ items: [(depth: Int, text: String)]) {
        for (depth, text) in items {
            print(String(repeating: "  ", count: depth + 1) + (depth == 0 ? "◆ " : "- ") + text)
        }
        print("")
        md(items.map { String(repeating: "  ", count: $0.depth) + "- " + $0.text }.joined(separator: "\n"))
    }

    /// A numbered step of the current section ("Step 2. ...").
    public func step(_ text: String) {
        stepNumber += 1
        let label = words("step", ["n": stepNumber]) + " "
        let width = displayWidth(label)
        let body = wrap(
            text, width: style.width, indent: String(repeating: " ", count: width),
            firstIndent: String(repeating: " ", count: width))
        print(style.paint(label, "1;33") + body.dropFirst(width))
        print("")
        md("**\(words("step", ["n": stepNumber]))** \(text)")
    }

    /// An aligned table, with an optional caption above it.
    public func table(_ table: Table, caption: String? = nil) {
        if let caption { print(style.paint(wrap(caption, width: style.width), "3")) }
        print(table.text())
        print("")
        md((caption.map { "*\($0)*\n\n" } ?? "") + table.markdown())
    }

    /// A displayed equation: readable Unicode on the terminal, TeX in the transcript (`$$ ... $$`,
    /// which GitHub and the HTML book typeset).
    public func math(_ tex: String, plain: String) {
        print(wrap(style.paint(plain, "1"), width: style.width, indent: "      ", firstIndent: "      "))
        print("")
        md("$$\n\(tex)\n$$")
    }

    /// A derivation: numbered steps, each a sentence and its equation.
    public func derivation(_ title: String, _ steps: [(text: String, tex: String, plain: String)]) {
        print(style.paint("  ⊢ \(title)", "1;32"))
        md("**\(title)**")
        for (k, step) in steps.enumerated() {
            print(wrap("\(k + 1). \(step.text)", width: style.width, indent: "     ", firstIndent: "  "))
            md("\(k + 1). \(step.text)")
            math(step.tex, plain: step.plain)
        }
    }

    /// A note set apart from the prose.
    public func note(_ text: String) { callout(words("callout.note"), text, colour: "34") }

    /// An "Errata" callout: where the source document is wrong, and what is true instead.
    public func errata(_ text: String) { callout(words("callout.errata"), text, colour: "31") }

    private func callout(_ label: String, _ text: String, colour: String) {
        let body = wrap(text, width: style.width - 4, indent: "  │ ", firstIndent: "  │ ")
        print(style.paint("  ┌ \(label)", "1;\(colour)"))
        print(body)
        print("")
        md("> **\(label).** " + text.replacingOccurrences(of: "\n", with: "\n> "))
    }

    /// A code listing (see `Listing`), shown with its origin.
    public func listing(_ listing: Listing) {
        print(style.paint("  ── \(listing.origin) ──", "2"))
        for line in listing.code.split(separator: "\n", omittingEmptySubsequences: false) {
            print(style.paint("  │ ", "2") + line)
        }
        print("")
        md("*\(listing.origin)*\n\n```swift\n\(listing.code)\n```")
    }

    /// A figure: where it went on the terminal, inline in the transcript.
    public func figure(_ figure: RenderedFigure, caption: String? = nil) {
        let label = words("figure", ["title": figure.title])
        if let png = figure.png {
            print(style.paint("  🖼  \(label)", "1;35") + " → \(png.path)")
        } else {
            print(style.paint("  🖼  \(label)", "1;35") + " → \(figure.script.path) " + words("figure.no-png"))
        }
        if let caption { print(wrap(caption, width: style.width, indent: "     ")) }
        print("")
        if let png = figure.png {
            md("![\(figure.title)](\(png.lastPathComponent))" + (caption.map { "\n\n*\($0)*" } ?? ""))
        } else {
            let script = figure.script.lastPathComponent
            md("*" + words("figure.not-drawn", ["title": figure.title, "script": script]) + "*")
        }
    }

    /// A line for the terminal only (status, not part of the book's text).
    public func status(_ text: String) { print(style.paint(text, "2")) }
}
