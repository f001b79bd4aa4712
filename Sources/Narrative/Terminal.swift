// What the terminal can do: its width, and whether colour is welcome.

import Foundation
import Plotting

public struct TerminalStyle: Sendable {
    /// Columns to wrap prose at (the terminal's width, at most 100; 88 when not a terminal).
    public let width: Int
    /// Colour escapes only when stdout is a terminal (or CLICOLOR_FORCE is set) and NO_COLOR is unset
    /// (no-color.org).
    public let colour: Bool
    /// Whether stderr is a terminal (progress bars redraw in place only then).
    public let interactiveProgress: Bool

    public init(width: Int, colour: Bool, interactiveProgress: Bool) {
        self.width = width
        self.colour = colour
        self.interactiveProgress = interactiveProgress
    }

    /// The settings of the current process.
    public static func current() -> TerminalStyle {
        let isTTY = isatty(STDOUT_FILENO) == 1
        var columns = 88
        var size = winsize()
        if isTTY, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 {
            columns = min(Int(size.ws_col), 100)
        } else if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 20 {
            columns = min(c, 100)
        }
        let environment = ProcessInfo.processInfo.environment
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        // CLICOLOR_FORCE: a chapter run by `workbook all`, whose output the parent shows on a terminal.
        let forced = environment["CLICOLOR_FORCE"].map { !$0.isEmpty && $0 != "0" } ?? false
        return TerminalStyle(
            width: columns, colour: (isTTY || forced) && !noColor, interactiveProgress: isatty(STDERR_FILENO) == 1)
    }

    func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
}

/// Greedy word wrap to `width` columns, with a prefix on every line.
public func wrap(_ text: String, width: Int, indent: String = "", firstIndent: String? = nil) -> String {
    var lines: [String] = []
    for paragraph in text.components(separatedBy: "\n") {
        var line = firstIndent ?? indent
        var lineHasWord = false
        let prefix = indent
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
            if lineHasWord && displayWidth(line) + 1 + displayWidth(word) > width {
                lines.append(line)
                line = prefix + word
            } else {
                line += (lineHasWord ? " " : "") + word
            }
            lineHasWord = true
        }
        lines.append(line)
    }
    return lines.joined(separator: "\n")
}

