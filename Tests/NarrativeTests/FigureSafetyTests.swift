import Foundation
import Narrative
import Plotting
import XCTest
import _WorkbookSupport

/// Shell scripts standing in for gnuplot: one that hangs, one that fails, one that writes a
/// broken PNG. `FigureRenderer(gnuplot:)` takes a path, as `WORKBOOK_GNUPLOT` does.
enum FakeGnuplot {
    static func make(_ name: String, in directory: URL, _ body: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    /// Sleeps in a child process, without reading its input; writes the child's pid first.
    static func hanging(in directory: URL) throws -> String {
        try make("gnuplot-hangs", in: directory, "sleep 1000 &\necho $! > '\(directory.path)/sleep.pid'\nwait")
    }

    static func failing(in directory: URL) throws -> String {
        try make("gnuplot-fails", in: directory, "cat > /dev/null\necho 'line 1: something went wrong' >&2\nexit 1")
    }

    /// Writes a PNG signature and garbage to the script's output (as on a full disk), exit 0.
    static func truncating(in directory: URL) throws -> String {
        try make(
            "gnuplot-truncates", in: directory,
            """
            out=$(sed -n "s/^set output '\\(.*\\)'$/\\1/p" | head -n 1)
            printf '\\211PNG\\r\\n\\032\\nnot a whole image' > "$out"
            """)
    }
}

final class FigureSafetyTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("figure-safety-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func curve(_ name: String = "curve", title: String = "Loss") -> Figure {
        Figure(
            name: name, title: title, xLabel: "epoch", yLabel: "loss",
            kind: .lines([Series("train", perEpoch: [3, 2, 1])]))
    }

    func hiddenFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
    }

    /// Whether a process is gone (or only a zombie waiting for init).
    func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
    }

    func testHangingGnuplotIsStoppedAtTheTimeLimitWithItsChildren() throws {
        let fake = try FakeGnuplot.hanging(in: directory)
        let renderer = FigureRenderer(directory: directory, gnuplot: fake, timeout: 1)
        let start = Date()
        XCTAssertThrowsError(try renderer.render(curve())) { error in
            let expected = "gnuplot could not draw curve.png (it did not finish within 1 s"
            XCTAssertTrue("\(error)".contains(expected), "\(error)")
            XCTAssertTrue("\(error)".contains("curve.gp"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        let written = try String(contentsOf: directory.appendingPathComponent("sleep.pid"), encoding: .utf8)
        let pid = try XCTUnwrap(Int32(written.trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadline = Date().addingTimeInterval(5)
        while !isGone(pid) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(isGone(pid), "gnuplot's child \(pid) must be killed with it")
        XCTAssertEqual(try hiddenFiles(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("curve.png").path))
    }

    func testTimeLimitComesFromTheEnvironment() {
        setenv("WORKBOOK_FIGURE_TIMEOUT", "2.5", 1)
        defer { unsetenv("WORKBOOK_FIGURE_TIMEOUT") }
        XCTAssertEqual(FigureRenderer.defaultTimeout, 2.5)
        setenv("WORKBOOK_FIGURE_TIMEOUT", "soon", 1)
        XCTAssertEqual(FigureRenderer.defaultTimeout, 60)
    }

    func testFailingGnuplotIsAnErrorNamingTheFigureAndItsScript() throws {
        let renderer = FigureRenderer(directory: directory, gnuplot: try FakeGnuplot.failing(in: directory))
        XCTAssertThrowsError(try renderer.render(curve())) { error in
            let figureError = error as? FigureError
            XCTAssertEqual(figureError?.figure, "curve")
            XCTAssertEqual(figureError?.script.lastPathComponent, "curve.gp")
            XCTAssertTrue("\(error)".contains("something went wrong"), "\(error)")
            XCTAssertEqual("\(error)".split(separator: "\n").count, 1)
        }
        XCTAssertEqual(try hiddenFiles(), [])
    }

    /// A PNG cut short (a full disk) never replaces the figure already there.
    func testTruncatedPNGNeverReplacesTheFigure() throws {
        let png = directory.appendingPathComponent("curve.png")
        try Data("the previous, complete figure".utf8).write(to: png)
        let renderer = FigureRenderer(directory: directory, gnuplot: try FakeGnuplot.truncating(in: directory))
        XCTAssertThrowsError(try renderer.render(curve())) { error in
            XCTAssertTrue("\(error)".contains("is not a whole PNG"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: png, encoding: .utf8), "the previous, complete figure")
        XCTAssertEqual(try hiddenFiles(), [])
    }

    /// gnuplot format characters, quotes, backslashes, newlines and non-ASCII reach gnuplot
    /// only as quoted text, and the figures render.
    func testLabelsWithFormatCharactersQuotesAndNewlinesRenderLiterally() throws {
        try XCTSkipIf(findExecutable("gnuplot") == nil, "gnuplot is not installed")
        let nasty = [
            "%d %n %s 100%", "it's \"quoted\" \\ back\\", "two\nlines\r\tand\0nul", "Café Ωμέγα ü ß",
            "%", "\\",
        ]
        let injected = "x\nsystem('touch \(directory.path)/pwned')\n# \\"
        let figures = [
            Figure(
                name: "heat", title: injected, xLabel: nasty[0], yLabel: nasty[1],
                kind: .heatmap(
                    values: nasty.map { _ in nasty.map { _ in 0.5 } }, rowLabels: nasty,
                    columnLabels: nasty, diverging: true)),
            Figure(
                name: "bars", title: nasty[0], xLabel: nasty[2], yLabel: "%n",
                kind: .bars(categories: nasty, groups: [(nasty[0], [1, 2, 3, 4, 5, 6]), (injected, [2, 1])])),
            Figure(
                name: "scatter", title: nasty[3], xLabel: "x", yLabel: "y",
                kind: .scatter(
                    [Series(injected, [(x: 1, y: 1), (x: 2, y: 2)], style: .points)],
                    labels: nasty.enumerated().map {
                        PointLabel($0.element, x: Double($0.offset), y: 1)
                    })),
            curve("curve", title: injected).with {
                $0.markers = [(x: 2, caption: nasty[0])]; $0.xTics = [1, 2, 3]
            },
        ]
        let renderer = FigureRenderer(directory: directory)
        for figure in figures {
            let rendered = try renderer.render(figure)
            XCTAssertNotNil(rendered.png, figure.name)
            let script = try String(contentsOf: rendered.script, encoding: .utf8)
            XCTAssertFalse(script.split(separator: "\n").contains { $0.hasPrefix("system") }, script)
            XCTAssertFalse(script.contains("\0"))
        }
        let heat = try String(contentsOf: directory.appendingPathComponent("heat.gp"), encoding: .utf8)
        XCTAssertTrue(heat.contains("'%%d %%n %%s 100%%' 0"), "tic labels are formats: % doubled")
        XCTAssertTrue(heat.contains("set xlabel '%d %n %s 100%'"), "other labels are not formats")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("pwned").path))
    }

    /// A figure with nothing finite to draw is an empty, labelled plot, not gnuplot's error.
    func testFigureWithOnlyEmptyOrNaNSeriesRendersAnEmptyPlot() throws {
        try XCTSkipIf(findExecutable("gnuplot") == nil, "gnuplot is not installed")
        let figures = [
            Figure(
                name: "empty-lines", title: "t", xLabel: "x", yLabel: "y",
                kind: .lines([Series("a", []), Series("b", [])])),
            Figure(
                name: "nan-lines", title: "t", xLabel: "x", yLabel: "y",
                kind: .lines([Series("a", perEpoch: [.nan, .nan, .infinity])])
            ).with { $0.logY = true },
            Figure(
                name: "empty-scatter", title: "t", xLabel: "x", yLabel: "y",
                kind: .scatter([Series("a", [], style: .points)], labels: [PointLabel("Toy Story", x: 1, y: 1)])),
            Figure(
                name: "empty-heatmap", title: "t", xLabel: "x", yLabel: "y",
                kind: .heatmap(values: [], rowLabels: [], columnLabels: [], diverging: false)),
            Figure(name: "empty-bars", title: "t", xLabel: "x", yLabel: "y", kind: .bars(categories: [], groups: [])),
            Figure(
                name: "nan-bars", title: "t", xLabel: "x", yLabel: "y",
                kind: .bars(categories: ["a", "b"], groups: [("g", [.nan])])),
            Figure(
                name: "one-empty-series", title: "t", xLabel: "x", yLabel: "y",
                kind: .lines([Series("a", perEpoch: [1, 2]), Series("b", [])])),
        ]
        let renderer = FigureRenderer(directory: directory)
        for figure in figures {
            XCTAssertEqual(figure.hasData, figure.name == "one-empty-series", figure.name)
            let rendered = try renderer.render(figure)
            XCTAssertNotNil(rendered.png, figure.name)
            let script = try String(contentsOf: rendered.script, encoding: .utf8)
            XCTAssertEqual(script.contains("no data to plot"), !figure.hasData, figure.name)
        }
    }

    /// In the Korean edition a learner meets these errors in Korean: gnuplot's failure, a missing
    /// image, a folder that cannot be made.
    func testFigureAndFileErrorsReadInTheEditionsLanguage() throws {
        let saved = LibraryWords.current
        defer { LibraryWords.current = saved }
        let korean = Text(directory: Languages.sharedDirectory, language: "ko")
        LibraryWords.current = ChapterContext.libraryWords(korean)
        let failing = FigureRenderer(directory: directory, gnuplot: try FakeGnuplot.failing(in: directory))
        XCTAssertThrowsError(try failing.render(curve())) { error in
            XCTAssertTrue("\(error)".hasPrefix("gnuplot이 curve.png를 그리지 못했습니다(line 1: something"), "\(error)")
        }
        let silent = FigureRenderer(
            directory: directory, gnuplot: try FakeGnuplot.make("gnuplot-silent", in: directory, "cat > /dev/null"))
        XCTAssertThrowsError(try silent.render(curve())) { error in
            XCTAssertTrue("\(error)".contains("(그림 파일이 만들어지지 않았습니다)"), "\(error)")
        }
        let file = directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try AtomicFile.write("y", to: file.appendingPathComponent("inside.txt"))) { error in
            XCTAssertEqual("\(error)", "\(file.path) 폴더를 만들 수 없습니다: 그 경로에 쓰기 권한이 있는지 확인하세요")
        }
        XCTAssertEqual(korean.problems, [])
    }
}
