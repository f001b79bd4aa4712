import Foundation
import XCTest

/// The core is meant to be read in an evening: its size is budgeted, its C kernels included
/// (they are part of what a reader reads). The Swift had 2,000 lines until the fused kernels for
/// chapter 4's speed targets (bias-in-GEMM, the multinomial NLL, bulk normals); counting the C
/// kernels as well, and with every line under 120 columns, it was 2,500; the graph models' fused BPR, row-wise
/// L2 and layer-mean ops (chapter 6's epoch-time targets) brought it to 2,600; a dense layer evaluated at a sparse
/// pattern's entries (AutoRec's decoder, chapter 4's time-to-quality target) to 2,700; NGCF's fused row ops
/// (normalised rows, bi-interaction features, bulk uniforms for dropout; chapter 6's epoch-time target) to 2,800.
final class LineBudgetTests: XCTestCase {
    static let budget = 2_800

    func lines(in folder: String, suffixes: [String]) throws -> Int {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources")
            .appendingPathComponent(folder).standardized
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return 0 }
        var total = 0
        for case let file as String in walker where suffixes.contains(where: { file.hasSuffix($0) }) {
            total += try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).count
        }
        return total
    }

    func testTensorCoreStaysSmall() throws {
        let swift = try lines(in: "TensorCore", suffixes: [".swift"])
        let c = try lines(in: "_TensorKernels", suffixes: [".c", ".h"])
        XCTAssertGreaterThan(swift, 1_000, "the budget test found the core's sources")
        XCTAssertGreaterThan(c, 100, "the budget test found the C kernels")
        XCTAssertLessThanOrEqual(
            swift + c, Self.budget,
            "TensorCore has \(swift) lines of Swift and \(c) of C; the budget is \(Self.budget)")
    }

    /// The whole package follows the style guide's shape: lines of at most 120 columns and files a reader
    /// can hold (about 400 lines; 450 is the hard stop).
    func testEveryLineFitsAndEveryFileIsReadable() throws {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
            .standardized
        var checked = 0, problems: [String] = []
        for folder in ["Sources", "Chapters", "Tests", "Benchmarks", "Fuzz"] {
            let root = package.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            // Build folders (Fuzz/run.sh builds into Fuzz/.build) hold generated headers and dependencies' sources.
            for case let file as String in walker where [".swift", ".c", ".h"].contains(where: { file.hasSuffix($0) })
                && !file.split(separator: "/").contains(".build") {
                let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                    .split(separator: "\n", omittingEmptySubsequences: false)
                checked += 1
                for (k, line) in lines.enumerated() where line.count > 120 {
                    problems.append("\(folder)/\(file):\(k + 1) has \(line.count) columns")
                }
                if lines.count > 450 { problems.append("\(folder)/\(file) has \(lines.count) lines") }
            }
        }
        XCTAssertGreaterThan(checked, 100, "the style test found the package's sources")
        XCTAssertEqual(problems, [], "lines over 120 columns or files over 450 lines")
    }
}
