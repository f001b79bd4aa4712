import Foundation
import Narrative
import Plotting
import XCTest
import _WorkbookSupport

final class PlottingTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plot-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Real titles: apostrophes, quotes, &, _, ^, @, commas and Latin-1 letters.
    static let nastyTitles = [
        "Schindler's List (1993)", "\"Great Day in Harlem, A\" (1994)", "Sense & Sensibility (1995)",
        "x_1^2 @home", "Café au Lait (Métisse) (1993)", "Wallace & Gromit: The Best of Aardman (1996)",
        "It's a Wonderful Life (1946)", "{braces} \\backslash",
    ]

    func testQuoteDoublesSingleQuotesOnly() {
        XCTAssertEqual(Gnuplot.quote("it's"), "'it''s'")
        XCTAssertEqual(Gnuplot.quote("a\"b_c^d@e&f"), "'a\"b_c^d@e&f'")
        XCTAssertEqual(Gnuplot.quote("two\nlines"), "'two lines'")
    }

    func testLabelsFromRealDataRenderAndStayExact() throws {
        try XCTSkipIf(findExecutable("gnuplot") == nil, "gnuplot is not installed (./setup.sh installs it)")
        let titles = Self.nastyTitles
        let heat = Figure(
            name: "nasty-heatmap", title: "Titles: it's \"quoted\" & x_1^2 @ Café", xLabel: "film", yLabel: "film",
            kind: .heatmap(
                values: titles.map { a in titles.map { b in a == b ? 1 : 0.3 } },
                rowLabels: titles, columnLabels: titles, diverging: false))
        let scatter = Figure(
            name: "nasty-scatter", title: "Scatter", xLabel: "x", yLabel: "y",
            kind: .scatter(
                [Series("films", titles.indices.map { (x: Double($0), y: Double($0 % 3)) }, style: .points)],
                labels: titles.enumerated().map {
                    PointLabel($0.element, x: Double($0.offset), y: Double($0.offset % 3))
                }))
        var bars = Figure(
            name: "nasty-bars", title: "Bars", xLabel: "model", yLabel: "Recall@20",
            kind: .bars(
                categories: Array(titles.prefix(3)), groups: [("A's", [0.1, 0.2, 0.3]), ("B_2", [0.2, 0.1, 0.4])]))
        bars.barIntervals = ["B_2": [0.15...0.25, 0.05...0.15, 0.35...0.45]]
        // B_2's intervals are its data columns 6 and 7 (A's has none: NaN), drawn as error bars.
        let barData = Gnuplot.data(for: bars).split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(barData.first, "0\t0.1\t0.2\tNaN\tNaN\t0.15\t0.25")
        XCTAssertTrue(Gnuplot.script(for: bars, output: "b.png", dataFile: "b.dat").contains(":3:6:7 with yerrorbars"))
        let renderer = FigureRenderer(directory: directory)
        for figure in [heat, scatter, bars] {
            let rendered = try renderer.render(figure)
            let png = try XCTUnwrap(rendered.png)
            let bytes = try Data(contentsOf: png)
            XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "\(figure.name) is not a PNG")
            XCTAssertGreaterThan(bytes.count, 5_000)
        }
        // Every title appears verbatim (as a single-quoted gnuplot string) in the script.
        let script = try String(contentsOf: directory.appendingPathComponent("nasty-heatmap.gp"), encoding: .utf8)
        for t in titles { XCTAssertTrue(script.contains(Gnuplot.quote(t)), "missing \(t)") }
        XCTAssertTrue(script.contains("noenhanced"))
        // Nothing half-written or temporary is left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }

    /// The drawing options the review asked for reach the script: steps for a per-epoch rate, a bare drawing for
    /// a graph, equal axes for a latent space, and a sequential colour scale spanning the data when none is negative.
    func testStepsBareDrawingsEqualAxesAndDataSpannedColours() {
        var lr = Figure(
            name: "lr", title: "rate", xLabel: "epoch", yLabel: "rate",
            kind: .lines([Series("plateau", perEpoch: [1, 1, 0.5], style: .steps)]))
        lr.hideAxes = true
        lr.equalAxes = true
        let script = Gnuplot.script(for: lr, output: "lr.png", dataFile: "lr.dat")
        for line in ["with steps", "unset xtics", "unset border", "unset xlabel", "set size ratio -1"] {
            XCTAssertTrue(script.contains(line), "\(line) missing from:\n\(script)")
        }
        let heat = Figure(
            name: "h", title: "cosines", xLabel: "film", yLabel: "film",
            kind: .heatmap(values: [[1, 0.25], [0.25, 1]], rowLabels: ["a", "b"], columnLabels: ["a", "b"],
                           diverging: false))
        XCTAssertTrue(Gnuplot.script(for: heat, output: "h.png", dataFile: "h.dat").contains("set cbrange [0.25:1]"))
    }

    func testMissingGnuplotStillWritesDataAndScript() throws {
        let renderer = FigureRenderer(directory: directory, gnuplot: "/nonexistent/gnuplot")
        XCTAssertNil(renderer.gnuplotPath)
        let rendered = try renderer.render(
            Figure(
                name: "curve", title: "Loss", xLabel: "epoch", yLabel: "loss",
                kind: .lines([Series("train", perEpoch: [3, 2, 1])])))
        XCTAssertNil(rendered.png)
        XCTAssertTrue(FileManager.default.fileExists(atPath: rendered.script.path))
        let data = try String(contentsOf: rendered.data, encoding: .utf8)
        XCTAssertTrue(data.contains("3\t1\n"), data)
    }

    func testBrokenScriptIsAClearErrorAndLeavesNoFile() throws {
        try XCTSkipIf(findExecutable("gnuplot") == nil, "gnuplot is not installed")
        var figure = Figure(
            name: "bad", title: "Log of nothing", xLabel: "x", yLabel: "y",
            kind: .lines([Series("s", [(x: 0, y: 0), (x: -1, y: -1)])]))
        figure.logX = true  // no x > 0 on a log axis: gnuplot reports "x range is invalid"
        XCTAssertThrowsError(try FigureRenderer(directory: directory).render(figure)) { error in
            XCTAssertTrue("\(error)".contains("gnuplot could not draw bad.png"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.png").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }

    func testCoincidentLabelsMerge() {
        let merged = Gnuplot.mergedLabels([
            PointLabel("a", x: 1, y: 1), PointLabel("b", x: 1, y: 1.000000001), PointLabel("c", x: 2, y: 1),
        ])
        XCTAssertEqual(merged.map { $0.text }, ["a, b", "c"])
    }

    /// Labels of points close together go to different sides instead of printing over each other.
    func testCloseLabelsArePlacedApart() {
        let labels = [PointLabel("Item2Vec", x: 7.8, y: 0.351), PointLabel("MLP", x: 13.1, y: 0.354)]
        let placed = Gnuplot.placed(
            labels, among: [(x: 0.8, y: 0.40), (x: 41, y: 0.44), (x: 7.8, y: 0.351), (x: 13.1, y: 0.354)],
            size: (width: 1000, height: 620), logX: true)
        XCTAssertEqual(placed.count, 2)
        let spots = placed.map { "\($0.alignment) \($0.dx) \($0.dy)" }
        XCTAssertNotEqual(spots[0], spots[1])
        // Far apart, both keep the first spot.
        let apart = Gnuplot.placed(
            [PointLabel("a", x: 0, y: 0), PointLabel("b", x: 1, y: 1)], among: [], size: (width: 1000, height: 620))
        XCTAssertEqual(apart.map(\.alignment), ["left", "left"])
    }

    /// Epochs 1...60: the axis starts at 0, not at -10 (the 2% offset below epoch 1, rounded down to a tic);
    /// an axis far from 0 keeps gnuplot's autoscale.
    func testEpochAxisStartsAtZero() {
        let epochs = Figure(
            name: "loss", title: "loss", xLabel: "epoch", yLabel: "loss",
            kind: .lines([Series("BCE", perEpoch: (1...60).map { 1 / Double($0) })]))
        XCTAssertTrue(Gnuplot.script(for: epochs, output: "l.png", dataFile: "l.dat").contains("set xrange [0:*]"))
        let later = Figure(
            name: "t", title: "t", xLabel: "year", yLabel: "n", kind: .lines([Series("n", [(1990, 1), (2000, 2)])]))
        XCTAssertFalse(Gnuplot.script(for: later, output: "t.png", dataFile: "t.dat").contains("xrange"))
    }

    /// A heatmap is sized to its labels with square cells; a second axis and a kept-epoch circle are drawn.
    func testHeatmapLayoutSecondAxisAndKeptEpochs() {
        let layout = Gnuplot.HeatmapLayout(rows: ["a long row label", "b"], columns: ["x", "y", "z"])
        let cellWidth = (layout.right - layout.left) * Double(layout.width) / 3
        let cellHeight = (layout.top - layout.bottom) * Double(layout.height) / 2
        XCTAssertEqual(cellWidth, cellHeight, accuracy: 1)
        XCTAssertTrue(layout.left > 0 && layout.right < 1 && layout.bottom > 0 && layout.top < 1)
        var lines = Figure(
            name: "two", title: "two", xLabel: "x", yLabel: "HR",
            kind: .lines([Series("HR", perEpoch: [0.6, 0.7]), Series("NDCG", perEpoch: [0.3, 0.4])]))
        lines.secondAxis = (label: "NDCG", series: ["NDCG"], range: nil)
        let script = Gnuplot.script(for: lines, output: "two.png", dataFile: "two.dat")
        for line in ["set y2tics", "set y2label 'NDCG'", "axes x1y2", "title 'NDCG (right axis)'"] {
            XCTAssertTrue(script.contains(line), "\(line) missing from:\n\(script)")
        }
        let curves = Figure.validationCurves(
            name: "v", title: "v", yLabel: "NDCG",
            runs: [("GMF", [(x: 1, y: 0.2), (x: 2, y: 0.3), (x: 3, y: 0.25)], 2)])
        guard case .lines(let series) = curves.kind else { return XCTFail("validation curves are lines") }
        XCTAssertEqual(series.map(\.name), ["GMF (kept epoch 2)", ""])
        XCTAssertEqual(series[1].points.first?.y, 0.3)
        XCTAssertEqual(series[1].colourOf, 0)
        XCTAssertTrue(Gnuplot.script(for: curves, output: "v.png", dataFile: "v.dat").contains("pt 6 ps 3"))
    }
}

final class NarrativeTests: XCTestCase {
    func testTableAlignsNumbersRight() {
        let t = Table(headers: ["model", "HR@10"], rows: [["NeuMF", "0.6448"], ["Pop", "0.41"]])
        XCTAssertEqual(
            t.text(indent: ""), "model   HR@10\n─────  ──────\nNeuMF  0.6448\nPop      0.41")
        XCTAssertEqual(t.markdown(), "| model | HR@10 |\n| --- | ---: |\n| NeuMF | 0.6448 |\n| Pop | 0.41 |")
    }

    func testWrapKeepsWordsAndWidth() {
        let text = String(repeating: "word ", count: 40)
        let lines = wrap(text, width: 30).split(separator: "\n")
        XCTAssertTrue(lines.allSatisfy { $0.count <= 30 })
        XCTAssertEqual(lines.joined(separator: " ").split(separator: " ").count, 40)
    }

    func testListingComesFromTheMarkedRegion() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("listing-\(UUID().uuidString).swift")
        try "import X\n    // listing: demo\n    func f() {\n        return\n    }\n    // end listing\n".write(
            to: file, atomically: true, encoding: .utf8)
        let listing = try Listing.region("demo", file: file.path)
        XCTAssertEqual(listing.code, "func f() {\n    return\n}")
        XCTAssertTrue(listing.origin.hasSuffix("lines 3-5"), listing.origin)
        XCTAssertThrowsError(try Listing.region("absent", file: file.path))
    }

    func testNarratorWritesTheSameContentToMarkdown() {
        var printed = ""
        let narrator = Narrator(style: TerminalStyle(width: 80, colour: false, interactiveProgress: false)) {
            printed += $0 + "\n"
        }
        narrator.heading("Section")
        narrator.errata("The document says 0.66; the matrix gives 0.50.")
        narrator.table(Table(headers: ["a"], rows: [["1"]]))
        XCTAssertTrue(printed.contains("■ Section"))
        XCTAssertFalse(printed.contains("\u{1B}["), "no colour when colour is off")
        XCTAssertTrue(narrator.markdown.contains("## Section"))
        XCTAssertTrue(narrator.markdown.contains("> **Errata.** The document says 0.66"))
        XCTAssertTrue(narrator.markdown.contains("| a |"))
    }

    func testAtomicWriteReplacesWholeFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)/out.txt")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write("second", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["out.txt"])
    }
}
