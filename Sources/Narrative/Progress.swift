// Progress of long work: a redrawn bar when stderr is a terminal, only the closing line otherwise
// (a log or a pipe gets no stream of redraws). It writes to stderr, so that stdout stays the
// chapter's text, and flushes stdout first so that the two never interleave.

import _WorkbookSupport
import Foundation

public final class ProgressBar: ProgressReporter {
    private let label: String
    private let total: Int
    private let interactive: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var current = 0
    private var lastLine = ""

    /// `total` units of work (steps, batches); `label` says what is running.
    public init(_ label: String, total: Int, style: TerminalStyle) {
        self.label = label
        self.total = max(total, 1)
        interactive = style.interactiveProgress
    }

    /// Reports progress; `detail` is e.g. "epoch 3/10 loss 0.2841".
    public func update(_ done: Int, detail: String = "") {
        current = min(done, total)
        guard interactive else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || current == total else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let fraction = Double(current) / Double(total)
        // An estimate from the first few steps is noise (a 1.5 s job would read "ETA 9m54s"): wait for
        // a second of work or a twentieth of it.
        let times =
            elapsed >= 1 || fraction >= 0.05
            ? "\(Self.clock(elapsed)) elapsed, ETA \(Self.clock(elapsed * (1 - fraction) / max(fraction, 1e-9)))"
            : "\(Self.clock(elapsed)) elapsed"
        let width = 24, filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        lastLine = "\r  \(label) \(bar) \(Int(fraction * 100))% \(detail)  \(times)\u{1B}[K"
        fflush(nil)  // every stream, stdout first among them: the prose is out before the bar
        FileHandle.standardError.write(Data(lastLine.utf8))
    }

    /// A factory that makes bars in `style` (what the models' trainer takes).
    public static func factory(style: TerminalStyle) -> ProgressFactory {
        { label, total in ProgressBar(label, total: total, style: style) }
    }

    /// Ends the bar's line.
    public func finish(_ summary: String = "") {
        let elapsed = Date().timeIntervalSince(start)
        let done = ProgressWords.current.done(label, Self.clock(elapsed))
        let line = "  " + done + (summary.isEmpty ? "" : ", \(summary)")
        fflush(nil)  // every stream, stdout first among them: the prose is out before the bar
        FileHandle.standardError.write(
            Data(((interactive ? "\r" : "") + line + (interactive ? "\u{1B}[K" : "") + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : String(format: "%.1fs", seconds)
    }
}
