// Turning a Figure into gnuplot's data and script, with house defaults for every figure:
// pngcairo, DejaVu Sans at a readable size, a grid, thick lines, and a legend.
//
// Text from data (movie titles) never goes through gnuplot's enhanced-text parser (the
// terminal is `noenhanced`, so _ ^ @ & { } print as themselves) and never sits in the data
// file, where gnuplot would eat a leading quote: every label is written into the script as a
// single-quoted string, in which only ' needs doubling (and \ is literal). Control characters
// (newlines, tabs, NUL) become spaces, so a label cannot end its line and start a command.
// Explicit tic labels are printf-like formats to gnuplot, so there % is doubled. Comments
// (the title atop the .gp and .dat) are kept on one line and never end in a backslash, which
// would continue the comment over the next command.
//
// A figure with nothing finite to draw (every series empty or NaN) becomes an empty plot with
// its title, labels and a "no data" note, instead of gnuplot's "x range is invalid".

import Foundation

public enum Gnuplot {
    /// `text` as a gnuplot single-quoted string literal, on one line.
    public static func quote(_ text: String) -> String {
        "'" + oneLine(text).replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// An explicit tic label: gnuplot formats it with the tic's value, so % is doubled.
    public static func ticLabel(_ text: String) -> String {
        quote(text.replacingOccurrences(of: "%", with: "%%"))
    }

    /// Text for a `#` comment line: one line, not ending in a backslash.
    public static func comment(_ text: String) -> String {
        var line = oneLine(text)
        while line.hasSuffix("\\") || line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    /// `text` with every control character (and Unicode's line and paragraph separators) as a space.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let control =
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}"
            scalars.append(control ? " " : scalar)
        }
        return String(scalars)
    }

    /// A value for the data file or script; infinities and NaN are missing points ("NaN").
    static func number(_ x: Double) -> String {
        x.isFinite ? String(format: "%.9g", x) : "NaN"
    }

    private static let palette = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
        "#F0E442", "#8C564B", "#7F7F7F", "#9467BD", "#17BECF", "#BCBD22", "#E377C2",
    ]  // 14 colours: the leaderboard's 13 models each get their own
    static func color(_ i: Int) -> String { palette[i % palette.count] }

    /// The data file: numbers only, one block per series (blocks separated by two blank lines).
    public static func data(for figure: Figure) -> String {
        var out = "# \(comment(figure.title))\n"
        switch figure.kind {
        case .lines(let series), .scatter(let series, _):
            for (i, s) in series.enumerated() {
                if i > 0 { out += "\n\n" }
                out += "# block \(i): \(comment(s.name))\n# x\ty\n"
                for p in s.points { out += "\(number(p.x))\t\(number(p.y))\n" }
            }
            if case .scatter(_, let labels) = figure.kind, !labels.isEmpty {
                out += "\n\n# labelled points (x, y); their texts are in the .gp script\n"
                for l in labels { out += "\(number(l.x))\t\(number(l.y))\n" }
            }
        case .heatmap(let values, let rows, let columns, _):
            out += "# matrix: \(rows.count) rows x \(columns.count) columns; labels are in the .gp script\n"
            for row in values { out += row.map(number).joined(separator: "\t") + "\n" }
        case .bars(let categories, let groups):
            // The values, then each group's interval (low, high) when it has one (NaN otherwise).
            out += "# " + comment("category index\t" + groups.map(\.name).joined(separator: "\t"))
            out += groups.map { "\t" + comment("\($0.name) low\t\($0.name) high") }.joined() + "\n"
            for (c, _) in categories.enumerated() {
                let values = groups.map { number(c < $0.values.count ? $0.values[c] : .nan) }
                let bounds = groups.map { group -> String in
                    guard let r = figure.barIntervals[group.name], c < r.count else { return "NaN\tNaN" }
                    return number(r[c].lowerBound) + "\t" + number(r[c].upperBound)
                }
                out += "\(c)\t" + (values + bounds).joined(separator: "\t") + "\n"
            }
        }
        return out
    }

    /// The script, writing its PNG to `output` and reading `dataFile` (both relative to the
    /// figure's folder, so a learner can `cd` there and run `gnuplot name.gp`).
    public static func script(for figure: Figure, output: String, dataFile: String) -> String {
        // A heatmap is sized to its labels and cells; every other figure keeps its own size.
        var size = figure.size
        if case .heatmap(_, let rows, let columns, _) = figure.kind {
            let layout = HeatmapLayout(rows: rows, columns: columns)
            size = (layout.width, layout.height)
        }
        var s: [String] = [
            "# \(comment(figure.title)): re-plot with `gnuplot \(figure.name).gp` in this folder.",
            "set terminal pngcairo noenhanced size \(size.width),\(size.height) "
                + "font 'DejaVu Sans,13' linewidth 1.5",
            "set encoding utf8",
            "set output \(quote(output))",
            "set title \(quote(figure.title)) font 'DejaVu Sans,16'",
            "set xlabel \(quote(figure.xLabel))",
            "set ylabel \(quote(figure.yLabel))",
            "set datafile separator '\\t'",
            "set datafile missing 'NaN'",
            "set grid lc rgb '#dddddd'",
            "set border lc rgb '#444444'",
        ]
        guard figure.hasData else { return (s + emptyPlot(figure)).joined(separator: "\n") + "\n" }
        s += keyCommands(figure)
        if let step = figure.xTicStep { s.append("set xtics \(number(step))") }
        if let tics = figure.xTics?.filter(\.isFinite), !tics.isEmpty {
            s.append("set xtics (" + tics.map(number).joined(separator: ", ") + ")")
        }
        // Log axes label their decades as 0.001 and 1000, not gnuplot's 0.001000 and 1000.000000.
        if figure.logX { s += ["set logscale x", "set format x '%g'"] }
        if figure.logY { s += ["set logscale y", "set format y '%g'"] }
        // One unit is as long on both axes, so that angles and distances read true.
        if figure.equalAxes { s.append("set size ratio -1") }
        if figure.hideAxes {
            s += ["unset xtics", "unset ytics", "unset border", "unset grid", "unset xlabel", "unset ylabel"]
        }
        if let r = finite(figure.xRange) { s.append("set xrange [\(number(r.lowerBound)):\(number(r.upperBound))]") }
        if let r = finite(figure.yRange) { s.append("set yrange [\(number(r.lowerBound)):\(number(r.upperBound))]") }
        for (i, m) in figure.markers.enumerated() where m.x.isFinite {
            s.append(
                "set arrow \(i + 1) from \(number(m.x)), graph 0 to \(number(m.x)), graph 1 nohead dt 2 lw 2 "
                    + "lc rgb '#555555'")
            // Captions step down the plot, so that markers close together do not print over each other.
            let height = 0.95 - 0.06 * Double(i % 4)
            s.append(
                "set label \(i + 1) \(quote(m.caption)) at \(number(m.x)), graph \(number(height)) offset 0.5,0 "
                    + "font ',11' front")
        }
        let data = quote(dataFile)
        switch figure.kind {
        case .lines(let series):
            // Keep the first and last points off the frame (applies to autoscaled axes only).
            s.append("set offsets graph 0.02, graph 0.02, graph 0.04, graph 0.04")
            // Epochs from 1: the offset would reach below 0 and gnuplot round the axis down to -10.
            let xs = series.flatMap(\.points).map(\.x).filter(\.isFinite)
            if figure.xRange == nil, !figure.logX, let low = xs.min(), let high = xs.max(), low > 0,
                low - 0.02 * (high - low) < 0
            {
                s.append("set xrange [0:*]")
            }
            // Series on the second axis get the right-hand scale (and say so in the legend).
            let right = Set(figure.secondAxis?.series ?? [])
            if let second = figure.secondAxis, series.contains(where: { right.contains($0.name) }) {
                s += ["set ytics nomirror", "set y2tics", "set y2label \(quote(second.label))"]
                if let r = finite(second.range) {
                    s.append("set y2range [\(number(r.lowerBound)):\(number(r.upperBound))]")
                }
            }
            let plots = series.enumerated().map { i, ser in
                let axis = right.contains(ser.name) ? " axes x1y2" : ""
                let title = right.contains(ser.name) ? ser.name + figure.rightAxisSuffix : ser.name
                let key = title.isEmpty ? "notitle" : "title \(quote(title))"
                return "\(data) index \(i) using 1:2\(axis) \(style(ser.style, ser.colourOf ?? i)) \(key)"
            }
            s.append("plot " + plots.joined(separator: ", \\\n     "))
        case .scatter(let series, let labels):
            s.append("set offsets graph 0.08, graph 0.2, graph 0.1, graph 0.1")
            let placed = placed(
                mergedLabels(labels), among: series.flatMap(\.points), size: figure.size, logX: figure.logX,
                logY: figure.logY)
            for (i, p) in placed.enumerated() {
                s.append(
                    "set label \(figure.markers.count + i + 1) \(quote(p.label.text)) at \(number(p.label.x)),"
                        + "\(number(p.label.y)) \(p.alignment) offset \(number(p.dx)),\(number(p.dy)) font ',11' front")
            }
            let plots = series.enumerated().map { i, ser in
                "\(data) index \(i) using 1:2 \(style(ser.style, i)) title \(quote(ser.name))"
            }
            s.append("plot " + plots.joined(separator: ", \\\n     "))
        case .heatmap(let values, let rows, let columns, let diverging):
            let flat = values.flatMap { $0 }.filter(\.isFinite)
            s.append("unset grid")
            s += HeatmapLayout(rows: rows, columns: columns).commands
            s.append("set xtics rotate by 50 right font ',10' (" + tics(columns) + ")")
            s.append("set ytics font ',10' (" + tics(rows) + ")")
            s.append("set xrange [-0.5:\(number(Double(columns.count) - 0.5))]")
            s.append("set yrange [\(number(Double(rows.count) - 0.5)):-0.5]")
            if diverging {
                let m = max(flat.map(abs).max() ?? 1, 1e-12)
                s.append("set palette defined (-1 '#2166AC', 0 '#F7F7F7', 1 '#B2182B')")
                s.append("set cbrange [\(number(-m)):\(number(m))]")
            } else {
                s.append("set palette defined (0 '#FFFFE5', 0.5 '#41AB5D', 1 '#00441B')")
                if let lo = flat.min(), let hi = flat.max(), hi > lo {
                    s.append("set cbrange [\(number(lo)):\(number(hi))]")
                }
            }
            s.append("unset key")
            s.append("plot \(data) matrix with image")
        case .bars(let categories, let groups):
            let g = Double(groups.count), width = 0.8 / g
            s.append("set style fill solid 0.85 border -1")
            s.append("set boxwidth \(number(width))")
            s.append("set xrange [-0.6:\(number(Double(categories.count) - 0.4))]")
            s.append("set yrange [0:*]")
            // Labels lie flat when they fit under their group (about 8 px a character), else they slant.
            let room = Double(figure.size.width) * 0.85 / Double(max(categories.count, 1))
            let flat = Double(categories.map(displayWidth).max() ?? 0) * 8 < room * 0.9
            s.append("set xtics \(flat ? "norotate center" : "rotate by 30 right") (" + tics(categories) + ")")
            var plots = groups.enumerated().map { i, group in
                let shift = (Double(i) - (g - 1) / 2) * width
                return "\(data) using ($1\(shift >= 0 ? "+" : "")\(number(shift))):\(i + 2) with boxes "
                    + "lc rgb '\(color(i))' title \(quote(group.name))"
            }
            for (i, group) in groups.enumerated() where figure.barIntervals[group.name] != nil {
                let shift = (Double(i) - (g - 1) / 2) * width, low = groups.count + 2 + 2 * i
                plots.append(
                    "\(data) using ($1\(shift >= 0 ? "+" : "")\(number(shift))):\(i + 2):\(low):\(low + 1) "
                        + "with yerrorbars lc rgb '#222222' pt 0 ps 0 lw 1 notitle")
            }
            s.append("plot " + plots.joined(separator: ", \\\n     "))
        }
        return s.joined(separator: "\n") + "\n"
    }

    /// The legend. "below" puts it under the x label, in as many rows as its entries need
    /// (gnuplot's own `key below` overprints the x label).
    static func keyCommands(_ figure: Figure) -> [String] {
        if figure.keyPosition == "off" { return ["unset key"] }
        // gnuplot measures key text with a narrower font than pngcairo draws: widen the box.
        guard figure.keyPosition == "below" else { return ["set key \(figure.keyPosition) box opaque width 2"] }
        let titles: [String]
        switch figure.kind {
        case .lines(let series), .scatter(let series, _): titles = series.map(\.name)
        case .bars(_, let groups): titles = groups.map(\.name)
        case .heatmap: titles = []
        }
        // A horizontal key gives every entry the width of the longest one.
        // gnuplot gives a Hangul entry a column of its own sooner than its drawn width says (measured:
        // its estimate is nearer the UTF-8 bytes, 3 a character); Latin entries keep their width.
        let wide = { (t: String) in displayWidth(t) > t.count ? t.utf8.count : displayWidth(t) }
        let entry = (titles.map { Double(wide($0)) }.max() ?? 0) * 8.5 + 90
        let columns = max(1, Int(Double(figure.size.width - 120) / entry))
        let rows = max(1, (titles.count + columns - 1) / columns)
        // Hangul falls back to Noto Sans CJK, whose lines are taller than DejaVu's.
        let line = titles.contains { displayWidth($0) > $0.count } ? 1.8 : 1.4
        return [
            "set key at screen 0.5, screen 0.015 center bottom horizontal box opaque width 2",
            "set bmargin \(4 + Int((line * Double(rows)).rounded(.up)))",
        ]
    }

    static func finite(_ range: ClosedRange<Double>?) -> ClosedRange<Double>? {
        guard let range, range.lowerBound.isFinite, range.upperBound.isFinite else { return nil }
        return range
    }

    /// Explicit tics: each label at its index.
    static func tics(_ labels: [String]) -> String {
        labels.enumerated().map { "\(ticLabel($0.element)) \($0.offset)" }.joined(separator: ", ")
    }

    /// An empty plot with the figure's title and axis labels, for a figure with nothing
    /// finite to draw (gnuplot cannot autoscale an axis without a point).
    static func emptyPlot(_ figure: Figure) -> [String] {
        let x = finite(figure.xRange) ?? (figure.logX ? 1...10 : 0...1)
        let y = finite(figure.yRange) ?? (figure.logY ? 1...10 : 0...1)
        var s: [String] = []
        if figure.logX { s.append("set logscale x") }
        if figure.logY { s.append("set logscale y") }
        s.append("set xrange [\(number(x.lowerBound)):\(number(x.upperBound))]")
        s.append("set yrange [\(number(y.lowerBound)):\(number(y.upperBound))]")
        s.append("unset key")
        s.append("set label 1 'no data to plot' at graph 0.5, graph 0.5 center font ',16' textcolor rgb '#777777'")
        s.append("plot NaN notitle")
        return s
    }

    /// Labels at the same point become one ("item 1, item 5"), so they do not overprint.
    public static func mergedLabels(_ labels: [PointLabel]) -> [PointLabel] {
        var merged: [PointLabel] = []
        for l in labels {
            if let k = merged.firstIndex(where: { abs($0.x - l.x) < 1e-5 && abs($0.y - l.y) < 1e-5 }) {
                merged[k].text += ", " + l.text
            } else {
                merged.append(l)
            }
        }
        return merged
    }

    private static func style(_ style: Series.Style, _ i: Int) -> String {
        let c = "lc rgb '\(color(i))'"
        switch style {
        case .lines: return "with lines lw 2 \(c)"
        case .linesPoints: return "with linespoints lw 2 pt 7 ps 0.8 \(c)"
        case .points: return "with points pt 7 ps 1.4 \(c)"
        case .dashed: return "with lines lw 2 dt 2 \(c)"
        case .steps: return "with steps lw 2 \(c)"
        case .highlight: return "with points pt 6 ps 3 lw 2.5 \(c)"
        }
    }
}
