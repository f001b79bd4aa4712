// What the terminal can do: its width, and whether colour is welcome.

import Foundation

public struct TerminalStyle: Sendable {
    /// Columns to wrap prose at (the terminal's width, at most 100; 88 when not a terminal).
    public let width: Int
    /// Colour escapes only when stdout is a terminal and NO_COLOR is unset (no-color.org).
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
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return TerminalStyle(width: columns, colour: isTTY && !noColor, interactiveProgress: isatty(STDERR_FILENO) == 1)
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

/// The columns `text` takes in a terminal: Hangul, CJK and full-width forms take two, combining
/// marks none, everything else one.
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
