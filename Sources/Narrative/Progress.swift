// Progress of long work: a redrawn bar on a terminal, plain periodic lines otherwise.
// It writes to stderr, so that stdout stays the chapter's text.

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
        let now = Date()
        let interval = interactive ? 0.1 : 5.0
        guard now.timeIntervalSince(lastDraw) >= interval || current == total else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let fraction = Double(current) / Double(total)
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let times = "\(Self.clock(elapsed)) elapsed, ETA \(Self.clock(eta))"
        if interactive {
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            lastLine = "\r  \(label) \(bar) \(Int(fraction * 100))% \(detail)  \(times)\u{1B}[K"
            FileHandle.standardError.write(Data(lastLine.utf8))
        } else {
            FileHandle.standardError.write(Data("  [\(label)] \(Int(fraction * 100))% \(detail) (\(times))\n".utf8))
        }
    }

    /// A factory that makes bars in `style` (what the models' trainer takes).
    public static func factory(style: TerminalStyle) -> ProgressFactory {
        { label, total in ProgressBar(label, total: total, style: style) }
    }

    /// Ends the bar's line.
    public func finish(_ summary: String = "") {
        let elapsed = Date().timeIntervalSince(start)
        let line = "  \(label): done in \(Self.clock(elapsed))\(summary.isEmpty ? "" : ", \(summary)")"
        FileHandle.standardError.write(
            Data(((interactive ? "\r" : "") + line + (interactive ? "\u{1B}[K" : "") + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : String(format: "%.1fs", seconds)
    }
}
