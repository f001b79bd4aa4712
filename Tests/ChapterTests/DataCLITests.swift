import Foundation
import XCTest

/// `workbook data info` on small hand-made files, through the built binary.
final class DataCLITests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("data-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func workbook(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let binary = Bundle.main.bundleURL.appendingPathComponent("workbook")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("the workbook binary is not built at \(binary.path)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testDataInfoStatesTheRatingScaleAndTheDuplicatePolicy() throws {
        let lines = "1\t10\t2\t100000\n2\t10\t4\t50000\n1\t11\t3\t101000\n1\t10\t5\t90000\n"
        try lines.write(to: dir.appendingPathComponent("u.data"), atomically: true, encoding: .utf8)
        let r = try workbook(["data", "info", "--data-dir", dir.path, "--no-plots"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("integers 1 to 5"), r.out)
        XCTAssertTrue(r.out.contains("keeps its last rating in file order (1 dropped here)"), r.out)
        XCTAssertTrue(r.out.contains("1970-01-01 to 1970-01-02 (UTC)"), "both ends of the time span: \(r.out)")
    }

    func testDataInfoRefusesAnIdPast64BitsNamingTheLine() throws {
        try "1\t2\t3\t4\n99999999999999999999\t2\t3\t4\n".write(
            to: dir.appendingPathComponent("u.data"),
            atomically: true, encoding: .utf8)
        let r = try workbook(["data", "info", "--data-dir", dir.path, "--no-plots"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        XCTAssertTrue(r.err.contains("u.data, line 2: user id '99999999999999999999' does not fit in 64 bits"), r.err)
    }
}
