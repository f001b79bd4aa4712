import Foundation
import Narrative
import XCTest

/// Every equation the chapters write typesets: each `$$ ... $$` block of the quick runs' transcripts
/// goes through KaTeX (Debian's libjs-katex, the copy the HTML book ships) with errors on, in Node.
/// The class name sorts before the chapters' own, so it starts their shared quick runs.
final class BookMathTests: XCTestCase {
    static let katex = "/usr/share/javascript/katex/katex.min.js"

    func equations(in markdown: String) -> [String] {
        var found: [String] = [], current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if line.trimmingCharacters(in: .whitespaces) == "$$" {
                if let block = current { found.append(block.joined(separator: "\n")) }
                current = current == nil ? [] : nil
            } else {
                current?.append(line)
            }
        }
        return found
    }

    func testEveryEquationOfTheChaptersTypesets() throws {
        try skipWithoutMovieLens()
        guard FileManager.default.fileExists(atPath: Self.katex) else {
            throw XCTSkip("KaTeX is not installed (sudo apt-get install libjs-katex, or ./setup.sh)")
        }
        let runs = [
            Chapter02RunTests.run, Chapter03RunTests.run, Chapter04RunTests.run, Chapter05RunTests.run,
            Chapter06RunTests.run,
        ]
        var all: [String] = []
        for run in runs {
            let markdown = try String(contentsOf: run.directory.appendingPathComponent("README.md"), encoding: .utf8)
            let found = equations(in: markdown)
            XCTAssertFalse(found.isEmpty, "\(run.directory.lastPathComponent) derives something in TeX")
            all += found
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("equations-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try JSONSerialization.data(withJSONObject: all).write(to: file)
        let script = """
            const katex = require('\(Self.katex)');
            const all = JSON.parse(require('fs').readFileSync('\(file.path)', 'utf8'));
            let bad = 0;
            for (const tex of all) {
              try { katex.renderToString(tex, {displayMode: true, throwOnError: true}); }
              catch (e) { bad++; console.log(e.message.split('\\n')[0] + ' IN ' + tex); }
            }
            process.exit(bad ? 1 : 0);
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", "-e", script]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw XCTSkip("Node.js is not installed to run KaTeX") }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw XCTSkip("Node.js is not installed to run KaTeX") }
        XCTAssertEqual(process.terminationStatus, 0, "equations KaTeX cannot typeset:\n\(text)")
        XCTAssertGreaterThan(all.count, 10)
    }

    func testMathBlocksBecomeKaTeXTargets() {
        let markdown = "Before.\n\n$$\nB = I - P \\operatorname{diagMat}(1 \\oslash d) < 1\n$$\n\nAfter."
        let (html, _) = BookBuilder.render(markdown)
        XCTAssertTrue(
            html.contains(#"<div class="math display">B = I - P \operatorname{diagMat}(1 \oslash d) &lt; 1</div>"#),
            html)
        XCTAssertTrue(html.contains("<p>Before.</p>") && html.contains("<p>After.</p>"), html)
    }
}
