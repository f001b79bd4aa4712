// Writes a figure's .dat and .gp, and has gnuplot (through gnuplot-iostream) draw its PNG.
//
// gnuplot gets a time limit per figure (60 s, or $WORKBOOK_FIGURE_TIMEOUT seconds) and draws
// into a temporary file, which replaces name.png only when gnuplot exited cleanly, reported no
// error, and left a whole PNG (the signature first, the IEND chunk last): a hung, failing or
// interrupted gnuplot (or a full disk) never leaves a truncated name.png behind. Each failure
// is a `FigureError` naming the figure and its script.

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

    /// The same figure with its files in `directory` (where a chapter's folder is moved to).
    public func moved(to directory: URL) -> RenderedFigure {
        RenderedFigure(
            figure: figure, title: title,
            png: png.map { directory.appendingPathComponent($0.lastPathComponent) },
            script: directory.appendingPathComponent(script.lastPathComponent),
            data: directory.appendingPathComponent(data.lastPathComponent))
    }
}

/// A figure gnuplot did not draw: which one, where its script is, and why.
public struct FigureError: Error, CustomStringConvertible, Sendable {
    public let figure: String
    /// name.gp, which the reader can run by hand to see the problem.
    public let script: URL
    public let problem: String
    public var description: String {
        LibraryWords.say("render.failed", [
            "figure": figure, "problem": problem, "script": script.lastPathComponent,
            "folder": script.deletingLastPathComponent().path,
        ])
    }
}

/// Renders figures into one folder.
public struct FigureRenderer: Sendable {
    public let directory: URL
    /// The gnuplot executable, or nil when none was found (then only .gp/.dat are written).
    public let gnuplotPath: String?
    /// Seconds gnuplot may take for one figure before it is stopped.
    public let timeout: Double

    /// `WORKBOOK_FIGURE_TIMEOUT` (seconds) if set to a positive number, else 60.
    public static var defaultTimeout: Double {
        let value = ProcessInfo.processInfo.environment["WORKBOOK_FIGURE_TIMEOUT"].flatMap(Double.init)
        return value.map { $0 > 0 && $0.isFinite ? $0 : 60 } ?? 60
    }

    /// Finds gnuplot on the PATH (or at `WORKBOOK_GNUPLOT`, which tests use to simulate a
    /// machine without it, or a gnuplot that hangs or fails).
    public init(
        directory: URL, gnuplot: String? = ProcessInfo.processInfo.environment["WORKBOOK_GNUPLOT"],
        timeout: Double = FigureRenderer.defaultTimeout
    ) {
        self.directory = directory
        gnuplotPath = findExecutable(gnuplot ?? "gnuplot")
        self.timeout = timeout
    }

    /// Writes name.dat and name.gp, then name.png through gnuplot; every file atomically.
    public func render(_ figure: Figure) throws -> RenderedFigure {
        let dat = directory.appendingPathComponent("\(figure.name).dat")
        let gp = directory.appendingPathComponent("\(figure.name).gp")
        let png = directory.appendingPathComponent("\(figure.name).png")
        try AtomicFile.write(Gnuplot.data(for: figure), to: dat)
        let script = Gnuplot.script(for: figure, output: png.lastPathComponent, dataFile: dat.lastPathComponent)
        try AtomicFile.write(script, to: gp)
        guard let gnuplotPath else {
            return RenderedFigure(figure: figure.name, title: figure.title, png: nil, script: gp, data: dat)
        }
        let temporary = AtomicFile.temporaryURL(for: png)
        let errors = directory.appendingPathComponent(".\(figure.name).gnuplot-errors")
        defer {
            try? FileManager.default.removeItem(at: errors)
            try? FileManager.default.removeItem(at: temporary)
        }
        func failure(_ problem: String) -> FigureError {
            FigureError(figure: figure.name, script: gp, problem: problem)
        }
        // The script as saved, but drawing into the temporary file.
        let drawing = Array(
            Gnuplot.script(
                for: figure, output: temporary.lastPathComponent,
                dataFile: dat.lastPathComponent
            ).utf8)
        var message = [CChar](repeating: 0, count: 512)
        var status: Int32 = 0
        let outcome = drawing.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { text in
                wb_gnuplot_run(
                    gnuplotPath, directory.path, text.baseAddress, text.count, errors.path, timeout,
                    &status, &message, message.count)
            }
        }
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        let problems = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.lowercased().contains("warning") && !$0.hasPrefix("^") }
        let detail = problems.suffix(2).map { String($0.prefix(160)) }.joined(separator: " | ")
        switch outcome {
        case WB_GNUPLOT_NOT_STARTED:
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw failure(LibraryWords.say("render.not-started", ["error": text, "gnuplot": gnuplotPath]))
        case WB_GNUPLOT_TIMED_OUT:
            throw failure(LibraryWords.say("render.timed-out", ["seconds": Gnuplot.number(timeout)]))
        case WB_GNUPLOT_FAILED:
            throw failure(detail.isEmpty ? LibraryWords.say("render.status", ["status": status]) : detail)
        default:
            break
        }
        guard problems.isEmpty else { throw failure(detail) }
        switch FigureRenderer.checkPNG(temporary) {
        case .missing: throw failure(LibraryWords.say("render.no-image"))
        case .incomplete(let size):
            throw failure(LibraryWords.say("render.partial", ["size": size]))
        case .whole: try AtomicFile.replace(png, with: temporary)
        }
        return RenderedFigure(figure: figure.name, title: figure.title, png: png, script: gp, data: dat)
    }

    enum PNGCheck: Equatable { case missing, incomplete(Int), whole }

    /// Whether `url` holds a whole PNG: the 8-byte signature first and the IEND chunk last.
    static func checkPNG(_ url: URL) -> PNGCheck {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return .missing }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        guard size > 0 else { return .missing }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let end: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]  // IEND, its CRC
        guard size >= signature.count + end.count,
            (try? handle.seek(toOffset: 0)) != nil, let head = try? handle.read(upToCount: signature.count),
            (try? handle.seek(toOffset: UInt64(size - end.count))) != nil, let tail = try? handle.readToEnd(),
            [UInt8](head) == signature, [UInt8](tail) == end
        else { return .incomplete(size) }
        return .whole
    }
}
