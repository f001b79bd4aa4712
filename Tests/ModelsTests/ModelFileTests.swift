import Foundation
import Models
import RecKit
import XCTest

final class ModelFileTests: XCTestCase {
    func header() -> ModelFile.Header {
        var record = TrainingRecord()
        record.epochs = 3
        record.validation = [EvaluationPoint(epoch: 1, value: .nan), EvaluationPoint(epoch: 2, value: 0.25)]
        return ModelFile.Header(
            model: "gmf", dataset: "toy", fingerprint: "abc", users: 2, items: 3, seed: 7, mode: "quick",
            split: "holdout-20", settings: "f = 2", final: record)
    }

    func testRoundTripKeepsEveryBit() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).wbmodel")
        defer { try? FileManager.default.removeItem(at: url) }
        let values: [Float] = [1, -0.0, .infinity, 1e-38, 3.25, -7, .leastNonzeroMagnitude]
        let file = ModelFile(
            header: header(),
            tensors: [
                NamedTensor("a", shape: [2, 3], values: Array(values.prefix(6))),
                NamedTensor("b", shape: [1], values: [values[6]]),
                NamedTensor("empty", shape: [0, 4], values: []),
            ])
        try file.write(to: url)
        let read = try ModelFile.read(from: url)
        // NaN != NaN, so the header is compared field by field where a NaN can be.
        XCTAssertEqual(read.header.final.validation[1], file.header.final.validation[1])
        XCTAssertTrue(read.header.final.validation[0].value.isNaN)
        XCTAssertEqual(read.header.tensors, file.header.tensors)
        XCTAssertEqual(read.header.payloadSHA256, file.header.payloadSHA256)
        XCTAssertEqual(read.values.map { $0.map(\.bitPattern) }, file.values.map { $0.map(\.bitPattern) })
        XCTAssertEqual(read.header.tensors.map(\.shape), [[2, 3], [1], [0, 4]])
        // The layout DESIGN promises: a first line, a JSON line, then 7 little-endian floats.
        let bytes = try Data(contentsOf: url)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        XCTAssertEqual(String(decoding: lines[0], as: UTF8.self), "workbook-model 2")
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(lines[1])) as? [String: Any])
        XCTAssertEqual(lines[2].count, 7 * 4)
        XCTAssertEqual(Array(lines[2].prefix(4)), [0x00, 0x00, 0x80, 0x3F])  // 1.0f, little-endian
    }

    func testFingerprintFollowsTheInteractions() {
        let data = RatingsData(
            name: "t", rawUsers: [1, 1, 2], rawItems: [10, 11, 10], ratings: [5, 3, 4], timestamps: [0, 0, 0])
        var changed = data
        changed.ratings[2] = 5
        XCTAssertEqual(ModelFile.fingerprint(data, rows: [0, 1, 2]), ModelFile.fingerprint(data, rows: [0, 1, 2]))
        XCTAssertNotEqual(
            ModelFile.fingerprint(data, rows: [0, 1, 2]), ModelFile.fingerprint(changed, rows: [0, 1, 2]))
        XCTAssertNotEqual(ModelFile.fingerprint(data, rows: [0, 1, 2]), ModelFile.fingerprint(data, rows: [0, 1]))
        // The same rows split differently into training and validation are a different fit.
        XCTAssertNotEqual(
            ModelFile.fingerprint(data, rows: [0, 1, 2]), ModelFile.fingerprint(data, rows: [0, 1], validation: [2]))
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
            bytes.append(try ModelFile.encode(header))
            bytes.append(Data("\n".utf8))
            try bytes.write(to: url)
            XCTAssertThrowsError(try ModelFile.read(from: url), "\(shapes)") { error in
                XCTAssertTrue("\(error)".contains("is corrupt"), "\(error)")
            }
        }
    }
}
