// Where things go on the page, worked out before gnuplot draws: heatmaps sized to their labels so
// the matrix fills the picture with square cells, and point labels placed so that they do not
// print over one another. Both estimate text in pixels (DejaVu Sans at 10-11 pt is about 6.5 px a
// character and 14 px a line; placement allows a little more), which is close enough to keep labels apart.

import Foundation

extension Gnuplot {
    /// A heatmap's picture size and plot margins (screen fractions): the row labels on the left, the
    /// slanted column labels below, the colour box on the right, and square cells in between.
    public struct HeatmapLayout {
        public let width: Int, height: Int
        public let left: Double, right: Double, bottom: Double, top: Double

        public init(rows: [String], columns: [String]) {
            let count = max(rows.count, columns.count, 1)
            let cell = min(40, max(18, 760 / Double(count)))
            let charWidth = 6.5
            let rowLabels = Double(rows.map(displayWidth).max() ?? 0) * charWidth
            // Column labels slant by 50 degrees: their height is their length times sin(50°).
            let columnLabels = Double(columns.map(displayWidth).max() ?? 0) * charWidth * sin(50 * Double.pi / 180)
            let leftPixels = rowLabels + 70, bottomPixels = columnLabels + 70
            let rightPixels = 150.0, topPixels = 60.0
            let w = leftPixels + cell * Double(columns.count) + rightPixels
            let h = topPixels + cell * Double(rows.count) + bottomPixels
            width = Int(w.rounded())
            height = Int(h.rounded())
            left = leftPixels / w
            right = 1 - rightPixels / w
            bottom = bottomPixels / h
            top = 1 - topPixels / h
        }

        public var commands: [String] {
            [
                "set lmargin at screen \(number(left))", "set rmargin at screen \(number(right))",
                "set bmargin at screen \(number(bottom))", "set tmargin at screen \(number(top))",
            ]
        }
    }

    /// A label's place: its point, gnuplot's alignment and its offset in character units.
    public struct PlacedLabel {
        public let label: PointLabel
        public let alignment: String
        public let dx: Double, dy: Double
    }

    /// Labels placed greedily, in order: each takes the first of eight spots around its point
    /// whose box overlaps no label placed before it and no other point (else the spot that overlaps least). Data are
    /// mapped to pixels over the range of `points`, the plot taking most of `size`.
    public static func placed(
        _ labels: [PointLabel], among points: [(x: Double, y: Double)], size: (width: Int, height: Int),
        logX: Bool = false, logY: Bool = false
    ) -> [PlacedLabel] {
        let finitePoints = (points + labels.map { (x: $0.x, y: $0.y) }).filter { $0.x.isFinite && $0.y.isFinite }
        func tx(_ x: Double) -> Double { logX ? log10(max(x, 1e-300)) : x }
        func ty(_ y: Double) -> Double { logY ? log10(max(y, 1e-300)) : y }
        let xs = finitePoints.map { tx($0.x) }, ys = finitePoints.map { ty($0.y) }
        guard let xMin = xs.min(), let xMax = xs.max(), let yMin = ys.min(), let yMax = ys.max() else { return [] }
        // The axes gnuplot will draw: the scatter's offsets (8% left, 20% right, 10% above and below),
        // then autoscaling out to whole decades (log) or to the next tic (linear).
        func axis(_ lo: Double, _ hi: Double, below: Double, above: Double, log: Bool) -> (Double, Double) {
            let span = max(hi - lo, 1e-12)
            let a = lo - below * span, b = hi + above * span
            if log { return (a.rounded(.down), b.rounded(.up)) }
            let raw = (b - a) / 5, magnitude = pow(10, (log10(raw)).rounded(.down))
            let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
            return ((a / step).rounded(.down) * step, (b / step).rounded(.up) * step)
        }
        let (x0, x1) = axis(xMin, xMax, below: 0.08, above: 0.2, log: logX)
        let (y0, y1) = axis(yMin, yMax, below: 0.1, above: 0.1, log: logY)
        let plotWidth = Double(size.width) * 0.8, plotHeight = Double(size.height) * 0.7
        // Generous sizes (11 pt is nearer 7 px a character) and a 4 px gap keep near-misses apart.
        let charWidth = 7.5, lineHeight = 15.0, gap = 4.0
        func pixel(_ l: PointLabel) -> (x: Double, y: Double) {
            ((tx(l.x) - x0) / max(x1 - x0, 1e-12) * plotWidth, (ty(l.y) - y0) / max(y1 - y0, 1e-12) * plotHeight)
        }
        // (alignment, dx, dy) in character units; the box's left edge and bottom follow from them.
        let spots: [(String, Double, Double)] = [
            ("left", 0.6, 0.6), ("left", 0.6, -0.9), ("right", -0.6, 0.6), ("right", -0.6, -0.9),
            ("center", 0, 1.1), ("center", 0, -1.3), ("left", 0.9, 0), ("right", -0.9, 0),
        ]
        typealias Box = (x0: Double, y0: Double, x1: Double, y1: Double)
        func box(_ l: PointLabel, _ spot: (String, Double, Double)) -> Box {
            let p = pixel(l), width = Double(displayWidth(l.text)) * charWidth
            let x = p.x + spot.1 * charWidth, y = p.y + spot.2 * lineHeight - lineHeight / 2
            let left = spot.0 == "left" ? x : (spot.0 == "right" ? x - width : x - width / 2)
            return (left - gap, y - gap / 2, left + width + gap, y + lineHeight + gap / 2)
        }
        func overlap(_ a: Box, _ b: Box) -> Double {
            max(0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0, min(a.y1, b.y1) - max(a.y0, b.y0))
        }
        // Points are obstacles too (a label should not hide another point), at half the weight of a label.
        let dots = points.filter { $0.x.isFinite && $0.y.isFinite }.map { p -> Box in
            let c = pixel(PointLabel("", x: p.x, y: p.y))
            return (c.x - 5, c.y - 5, c.x + 5, c.y + 5)
        }
        var boxes: [Box] = [], out: [PlacedLabel] = []
        for l in labels {
            let own = pixel(l)
            let others = dots.filter { abs(($0.x0 + 5) - own.x) > 0.5 || abs(($0.y0 + 5) - own.y) > 0.5 }
            let scored = spots.map { spot -> (spot: (String, Double, Double), cost: Double) in
                let b = box(l, spot)
                return (spot, boxes.reduce(0) { $0 + overlap($1, b) } + 0.5 * others.reduce(0) { $0 + overlap($1, b) })
            }
            let best = scored.first { $0.cost == 0 } ?? scored.min { $0.cost < $1.cost } ?? scored[0]
            boxes.append(box(l, best.spot))
            out.append(PlacedLabel(label: l, alignment: best.spot.0, dx: best.spot.1, dy: best.spot.2))
        }
        return out
    }
}

/// The columns `text` takes in a terminal (and, roughly, its width on a figure in units of a Latin
/// character): Hangul, CJK and full-width forms take two, combining marks none, everything else one.
public func displayWidth(_ text: some StringProtocol) -> Int {
    var width = 0
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: continue
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA960...0xA97F,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6:
            width += 2
        default: width += 1
        }
    }
    return width
}
