import Foundation
import RecKit
import XCTest

final class ModelFileTests: XCTestCase {
    func header() -> ModelFile.Header {
        ModelFile.Header(model: "gmf", dataset: "toy", fingerprint: "abc", users: 2, items: 3, seed: 7, mode: "quick", settings: "f = 2", trainSeconds: 0.5)
    }

    func testRoundTripKeepsEveryBit() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).wbmodel")
        defer { try? FileManager.default.removeItem(at: url) }
        let values: [Float] = [1, -0.0, .infinity, 1e-38, 3.25, -7, .leastNonzeroMagnitude]
        let file = ModelFile(header: header(), tensors: [("a", [2, 3], Array(values.prefix(6))), ("b", [1], [values[6]]), ("empty", [0, 4], [])])
        try file.write(to: url)
        let read = try ModelFile.read(from: url)
        XCTAssertEqual(read.header, file.header)
        XCTAssertEqual(read.values.map { $0.map(\.bitPattern) }, file.values.map { $0.map(\.bitPattern) })
        XCTAssertEqual(read.header.tensors.map(\.shape), [[2, 3], [1], [0, 4]])
        // The layout DESIGN promises: a first line, a JSON line, then 7 little-endian floats.
        let bytes = try Data(contentsOf: url)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        XCTAssertEqual(String(decoding: lines[0], as: UTF8.self), "workbook-model 1")
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(lines[1])) as? [String: Any])
        XCTAssertEqual(lines[2].count, 7 * 4)
        XCTAssertEqual(Array(lines[2].prefix(4)), [0x00, 0x00, 0x80, 0x3F])  // 1.0f, little-endian
    }

    func testChecksCatchMismatches() throws {
        let file = ModelFile(header: header(), tensors: [("a", [2, 3], [Float](repeating: 1, count: 6))])
        XCTAssertNoThrow(try file.check(model: "gmf", fingerprint: "abc", shapes: [[2, 3]], path: "x"))
        XCTAssertThrowsError(try file.check(model: "mlp", fingerprint: "abc", shapes: [[2, 3]], path: "x"))
        XCTAssertThrowsError(try file.check(model: "gmf", fingerprint: "other", shapes: [[2, 3]], path: "x"))
        XCTAssertThrowsError(try file.check(model: "gmf", fingerprint: "abc", shapes: [[3, 2]], path: "x")) { error in
            XCTAssertTrue("\(error)".contains("does not fit"), "\(error)")
        }
    }

    func testFingerprintFollowsTheInteractions() {
        let data = RatingsData(name: "t", rawUsers: [1, 1, 2], rawItems: [10, 11, 10], ratings: [5, 3, 4], timestamps: [0, 0, 0])
        var changed = data
        changed.ratings[2] = 5
        XCTAssertEqual(ModelFile.fingerprint(data, rows: [0, 1, 2]), ModelFile.fingerprint(data, rows: [0, 1, 2]))
        XCTAssertNotEqual(ModelFile.fingerprint(data, rows: [0, 1, 2]), ModelFile.fingerprint(changed, rows: [0, 1, 2]))
        XCTAssertNotEqual(ModelFile.fingerprint(data, rows: [0, 1, 2]), ModelFile.fingerprint(data, rows: [0, 1]))
    }

    /// A header whose shapes multiply past 64 bits is "corrupt", not a trap.
    func testShapesWhoseProductOverflowsAreCorruptNotATrap() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).wbmodel")
        defer { try? FileManager.default.removeItem(at: url) }
        let overflowing = [[[4_611_686_018_427_387_904, 4]], [[Int.max, 2]], [[1 << 40, 1 << 40]],
                           [[2, 3], [Int.max / 4 + 1]], [[-1, 3]]]
        for shapes in overflowing {
            var header = header()
            header.tensors = shapes.enumerated().map { ModelFile.TensorInfo(name: "t\($0.offset)", shape: $0.element) }
            var bytes = Data((ModelFile.magic + "\n").utf8)
            bytes.append(try JSONEncoder().encode(header))
            bytes.append(Data("\n".utf8))
            try bytes.write(to: url)
            XCTAssertThrowsError(try ModelFile.read(from: url), "\(shapes)") { error in
                XCTAssertTrue("\(error)".contains("is corrupt"), "\(error)")
            }
        }
    }
}
