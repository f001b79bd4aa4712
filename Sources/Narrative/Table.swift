// Tables with aligned columns, for the terminal and for Markdown.

import Plotting

public struct Table: Sendable {
    public enum Alignment: Sendable { case left, right }
    public var headers: [String]
    public var rows: [[String]]
    public var alignments: [Alignment]

    /// Columns whose cells all look numeric are right-aligned unless told otherwise.
    public init(headers: [String], rows: [[String]], alignments: [Alignment]? = nil) {
        precondition(rows.allSatisfy { $0.count == headers.count }, "Table: every row needs \(headers.count) cells")
        self.headers = headers
        self.rows = rows
        self.alignments =
            alignments
            ?? headers.indices.map { c in
                rows.allSatisfy {
                    Double($0[c].replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "%", with: "")) != nil
                        || $0[c] == "-"
                }
                    ? .right : .left
            }
    }

    private var widths: [Int] {
        headers.indices.map { c in ([headers[c]] + rows.map { $0[c] }).map(displayWidth).max() ?? 0 }
    }

    private func pad(_ s: String, _ w: Int, _ a: Alignment) -> String {
        let gap = String(repeating: " ", count: max(0, w - displayWidth(s)))
        return a == .left ? s + gap : gap + s
    }

    /// Plain text with a rule under the header.
    public func text(indent: String = "  ") -> String {
        let w = widths
        func line(_ cells: [String]) -> String {
            String(
                (indent + cells.indices.map { pad(cells[$0], w[$0], alignments[$0]) }.joined(separator: "  "))
                    .reversed().drop { $0 == " " }.reversed())
        }
        let rule = indent + w.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// A GitHub-flavoured Markdown table.
    public func markdown() -> String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        let head = "| " + headers.map(esc).joined(separator: " | ") + " |"
        let rule = "|" + alignments.map { $0 == .left ? " --- |" : " ---: |" }.joined()
        return ([head, rule] + rows.map { "| " + $0.map(esc).joined(separator: " | ") + " |" }).joined(separator: "\n")
    }
}
