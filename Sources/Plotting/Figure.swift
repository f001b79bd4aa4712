// What a figure shows, independent of how it is drawn. Chapters build these; the renderer
// turns each into name.dat (the numbers), name.gp (a gnuplot script a learner can edit and
// re-run) and name.png.

/// A named sequence of (x, y) points.
public struct Series: Sendable {
    /// `steps`: a value that holds until the next point (a learning rate set once per epoch);
    /// `highlight`: large open circles on points of another series (its colour: `colourOf`).
    public enum Style: Sendable { case lines, linesPoints, points, dashed, steps, highlight }
    public var name: String
    public var points: [(x: Double, y: Double)]
    public var style: Style
    /// Draw in the colour of the series at this index (a highlight of that series' points).
    public var colourOf: Int?

    public init(_ name: String, _ points: [(x: Double, y: Double)], style: Style = .linesPoints) {
        self.name = name
        self.points = points
        self.style = style
    }

    /// y values at x = 1, 2, 3, ... (epochs).
    public init(_ name: String, perEpoch values: [Double], style: Style = .linesPoints) {
        self.init(name, values.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }, style: style)
    }
}

/// A text label placed at a point.
public struct PointLabel: Sendable {
    public var text: String, x: Double, y: Double
    public init(_ text: String, x: Double, y: Double) {
        self.text = text
        self.x = x
        self.y = y
    }
}

/// A figure: one of four kinds, with a title and axis labels (a figure without them is not
/// allowed: the initialiser requires them).
public struct Figure: Sendable {
    public enum Kind: Sendable {
        /// Several series as lines (training curves).
        case lines([Series])
        /// Groups of points (one colour per group) and text labels (embeddings).
        case scatter([Series], labels: [PointLabel])
        /// A matrix of values with labelled rows and columns (similarities, weights);
        /// `diverging` centres a blue-white-red palette on zero.
        case heatmap(values: [[Double]], rowLabels: [String], columnLabels: [String], diverging: Bool)
        /// Grouped bars: one bar per (category, group), e.g. metrics per model.
        case bars(categories: [String], groups: [(name: String, values: [Double])])
    }

    /// The file stem: `name.png`, `name.gp`, `name.dat`.
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var kind: Kind
    public var logX = false
    public var logY = false
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Distance between x tics (1 for an integer axis such as K or epochs); nil: gnuplot's choice.
    public var xTicStep: Double?
    /// Explicit x tic positions (e.g. the factor sizes 8, 16, 32, 64 on a log axis).
    public var xTics: [Double]?
    /// Vertical marker lines with a caption (e.g. "early stop").
    public var markers: [(x: Double, caption: String)] = []
    /// Width and height in pixels.
    public var size = (width: 1000, height: 620)
    /// Where the legend goes (a gnuplot `set key` argument list; "off" for none, e.g. when
    /// every point carries its own label).
    public var keyPosition = "top right"
    /// Equal scales on both axes (a latent space, where angles carry the meaning).
    public var equalAxes = false
    /// No axes, tics, border or grid: a drawing (a graph's nodes and edges) whose coordinates mean nothing.
    public var hideAxes = false
    /// Lines figures: series drawn against a second y axis on the right, with its own label and
    /// (optionally) range, for a quantity that does not share the left axis' scale.
    public var secondAxis: (label: String, series: [String], range: ClosedRange<Double>?)?
    /// What a right-axis series' legend entry ends with (the edition's words).
    public var rightAxisSuffix = " (right axis)"
    /// The caption shown under the figure in the transcript.
    public var caption: String?
    /// For bars: an interval per category for the groups named here (95% intervals drawn as error bars).
    public var barIntervals: [String: [ClosedRange<Double>]] = [:]

    public init(name: String, title: String, xLabel: String, yLabel: String, kind: Kind) {
        precondition(
            !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" },
            "figure name '\(name)' must be letters, digits, - or _")
        precondition(
            !title.isEmpty && !xLabel.isEmpty && !yLabel.isEmpty,
            "figure \(name) needs a title and axis labels")
        self.name = name
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.kind = kind
    }
}

extension Figure {
    /// A modified copy, for setting options inline: `Figure(...).with { $0.logY = true }`.
    public func with(_ change: (inout Figure) -> Void) -> Figure {
        var copy = self
        change(&copy)
        return copy
    }
}

extension Figure {
    /// Whether the figure has anything finite to draw: a point of a series, a matrix value, a
    /// bar. A figure without is drawn as an empty, labelled plot.
    public var hasData: Bool {
        switch kind {
        case .lines(let series), .scatter(let series, _):
            return series.contains { $0.points.contains { $0.x.isFinite && $0.y.isFinite } }
        case .heatmap(let values, _, _, _):
            return values.contains { $0.contains(where: \.isFinite) }
        case .bars(let categories, let groups):
            return !categories.isEmpty
                && groups.contains { $0.values.prefix(categories.count).contains(where: \.isFinite) }
        }
    }
}

extension Figure {
    /// The validation curves of several training runs, one series each (score per evaluated epoch),
    /// with a circle at each run's kept epoch, named in the legend as "NAME (`kept`(epoch))".
    public static func validationCurves(
        name: String, title: String, yLabel: String,
        runs: [(name: String, points: [(x: Double, y: Double)], best: Int?)], xLabel: String = "epoch",
        kept: (Int) -> String = { "kept epoch \($0)" }
    ) -> Figure {
        // The kept epoch is a circle on its own curve, named in the legend: no caption can sit on
        // another curve.
        let curves = runs.map { run in
            Series(run.name + (run.best.map { " (\(kept($0)))" } ?? ""), run.points, style: .linesPoints)
        }
        let circles = runs.enumerated().compactMap { k, run -> Series? in
            guard let best = run.best, let point = run.points.first(where: { Int($0.x.rounded()) == best }) else {
                return nil
            }
            var circle = Series("", [point], style: .highlight)
            circle.colourOf = k
            return circle
        }
        return Figure(name: name, title: title, xLabel: xLabel, yLabel: yLabel, kind: .lines(curves + circles))
    }
}
