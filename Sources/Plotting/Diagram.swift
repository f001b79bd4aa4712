// Diagrams of models and decisions, drawn by Graphviz (`dot`) from a description the chapter
// builds out of the code that runs (a model's Config, a function's own branches), so that a
// picture cannot drift from what it shows. name.dot is kept beside name.png and name.svg.

import _WorkbookSupport
import Foundation

/// A Graphviz graph: nodes with labels and shapes, edges with optional labels.
public struct Diagram: Sendable {
    public enum Shape: String, Sendable { case box, ellipse, diamond, record, plaintext, circle }

    public struct Node: Sendable {
        public var id: String, label: String, shape: Shape, fill: String
        public init(_ id: String, _ label: String, shape: Shape = .box, fill: String = "#eef3f7") {
            (self.id, self.label, self.shape, self.fill) = (id, label, shape, fill)
        }
    }

    public struct Edge: Sendable {
        public var from: String, to: String, label: String
        public init(_ from: String, _ to: String, label: String = "") {
            (self.from, self.to, self.label) = (from, to, label)
        }
    }

    public var name: String
    public var title: String
    public var nodes: [Node] = []
    public var edges: [Edge] = []
    /// Graphviz's rank direction: "TB" (top to bottom) or "LR".
    public var direction = "TB"
    /// Nodes drawn side by side (one `rank=same` group each).
    public var sameRank: [[String]] = []

    public init(name: String, title: String) {
        self.name = name
        self.title = title
    }

    /// A string as a Graphviz quoted string.
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// The graph in the DOT language.
    public var dot: String {
        var lines = [
            "digraph \(Diagram.quote(name)) {",
            "  graph [rankdir=\(direction), label=\(Diagram.quote(title)), labelloc=t, fontname=\"DejaVu Sans\", "
                + "fontsize=16, nodesep=0.35, ranksep=0.45, bgcolor=white, pad=0.2];",
            "  node [fontname=\"DejaVu Sans\", fontsize=12, style=\"filled,rounded\", color=\"#52606d\"];",
            "  edge [fontname=\"DejaVu Sans\", fontsize=11, color=\"#52606d\"];",
        ]
        for n in nodes {
            let style = n.shape == .box ? "" : ", style=filled"
            lines.append(
                "  \(Diagram.quote(n.id)) [label=\(Diagram.quote(n.label)), shape=\(n.shape.rawValue), "
                    + "fillcolor=\(Diagram.quote(n.fill))\(style)];")
        }
        for e in edges {
            let label = e.label.isEmpty ? "" : " [label=\(Diagram.quote(e.label))]"
            lines.append("  \(Diagram.quote(e.from)) -> \(Diagram.quote(e.to))\(label);")
        }
        for group in sameRank {
            lines.append("  { rank=same; " + group.map(Diagram.quote).joined(separator: "; ") + " }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Draws diagrams with Graphviz into one folder: name.dot always, name.png and name.svg when `dot`
/// is installed (Debian's `graphviz`).
public struct DiagramRenderer: Sendable {
    public let directory: URL
    public let dotPath: String?
    public let timeout: Double

    public init(directory: URL, timeout: Double = FigureRenderer.defaultTimeout) {
        self.directory = directory
        dotPath = findExecutable(ProcessInfo.processInfo.environment["WORKBOOK_DOT"] ?? "dot")
        self.timeout = timeout
    }

    /// Writes name.dot, then name.png and name.svg through `dot`, each atomically.
    public func render(_ diagram: Diagram) throws -> RenderedFigure {
        let source = directory.appendingPathComponent("\(diagram.name).dot")
        try AtomicFile.write(diagram.dot, to: source)
        guard let dotPath else {
            return RenderedFigure(figure: diagram.name, title: diagram.title, png: nil, script: source, data: source)
        }
        let png = directory.appendingPathComponent("\(diagram.name).png")
        for format in ["svg", "png"] {
            let target = directory.appendingPathComponent("\(diagram.name).\(format)")
            let temporary = AtomicFile.temporaryURL(for: target)
            defer { try? FileManager.default.removeItem(at: temporary) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: dotPath)
            process.arguments = ["-T\(format)", format == "png" ? "-Gdpi=110" : "-Gdpi=72", "-o", temporary.path,
                                 source.path]
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                process.terminate()
                throw FigureError(
                    figure: diagram.name, script: source,
                    problem: "dot did not finish within \(Int(timeout)) s and was stopped")
            }
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: temporary.path) else {
                throw FigureError(
                    figure: diagram.name, script: source,
                    problem: "dot failed: "
                        + String(message.trimmingCharacters(in: .whitespacesAndNewlines).prefix(160)))
            }
            try AtomicFile.replace(target, with: temporary)
        }
        return RenderedFigure(figure: diagram.name, title: diagram.title, png: png, script: source, data: source)
    }
}
