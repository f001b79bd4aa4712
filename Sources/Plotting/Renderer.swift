// Writes a figure's .dat and .gp, and has gnuplot (through gnuplot-iostream) draw its PNG.

import _GnuplotBridge
import _WorkbookSupport
import Foundation

/// The files a rendered figure left behind.
public struct RenderedFigure: Sendable {
    public let figure: String
    public let title: String
    /// nil when gnuplot is not installed (the .gp and .dat are still written).
    public let png: URL?
    public let script: URL
    public let data: URL
}

/// Renders figures into one folder.
public struct FigureRenderer: Sendable {
    public let directory: URL
    /// The gnuplot executable, or nil when none was found (then only .gp/.dat are written).
    public let gnuplotPath: String?

    /// Finds gnuplot on the PATH (or at `WORKBOOK_GNUPLOT`, which tests use to simulate a
    /// machine without it).
    public init(directory: URL, gnuplot: String? = ProcessInfo.processInfo.environment["WORKBOOK_GNUPLOT"]) {
        self.directory = directory
        gnuplotPath = findExecutable(gnuplot ?? "gnuplot")
    }

    /// Writes name.dat and name.gp, then name.png through gnuplot; every file atomically.
    public func render(_ figure: Figure) throws -> RenderedFigure {
        let dat = directory.appendingPathComponent("\(figure.name).dat")
        let gp = directory.appendingPathComponent("\(figure.name).gp")
        let png = directory.appendingPathComponent("\(figure.name).png")
        try AtomicFile.write(Gnuplot.data(for: figure), to: dat)
        try AtomicFile.write(
            Gnuplot.script(for: figure, output: png.lastPathComponent, dataFile: dat.lastPathComponent), to: gp)
        guard let gnuplotPath else {
            return RenderedFigure(figure: figure.name, title: figure.title, png: nil, script: gp, data: dat)
        }
        // gnuplot draws into a temporary file, which replaces the PNG only once it is complete.
        let temporary = AtomicFile.temporaryURL(for: png)
        let errors = directory.appendingPathComponent(".\(figure.name).gnuplot-errors")
        defer { try? FileManager.default.removeItem(at: errors) }
        let script =
            "cd \(Gnuplot.quote(directory.path))\n"
            + Gnuplot.script(for: figure, output: temporary.lastPathComponent, dataFile: dat.lastPathComponent)
        var message = [CChar](repeating: 0, count: 512)
        let status = wb_gnuplot_run(gnuplotPath, script, errors.path, &message, message.count)
        if status != 0 {
            throw WorkbookError(
                String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                fix: "check that \(gnuplotPath) runs")
        }
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        let problems = stderr.split(separator: "\n").filter {
            !$0.lowercased().contains("warning") && !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: temporary.path)[.size] as? Int) ?? nil
        guard let size, size > 0, problems.isEmpty else {
            try? FileManager.default.removeItem(at: temporary)
            let detail = problems.prefix(3).joined(separator: " | ")
            throw WorkbookError(
                "gnuplot could not draw \(figure.name).png (\(detail.isEmpty ? "no image written" : detail))",
                fix: "run `gnuplot \(figure.name).gp` in \(directory.path) to see the error")
        }
        try AtomicFile.replace(png, with: temporary)
        return RenderedFigure(figure: figure.name, title: figure.title, png: png, script: gp, data: dat)
    }
}
