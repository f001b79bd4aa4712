import DataFetch
import Foundation
import RecKit
import XCTest
import ZIPFoundation

/// Builds test archives with ZIPFoundation (no python needed), and patches their headers to
/// make the damaged and malicious ones.
enum TestZip {
    /// A zip holding `entries` (name, bytes), deflated.
    static func make(_ url: URL, _ entries: [(String, Data)]) throws {
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        for (name, bytes) in entries {
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(bytes.count),
                compressionMethod: .deflate
            ) { position, size in
                bytes.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
    }

    /// Rewrites the uncompressed size every header of the zip declares (local and central).
    static func declare(size: UInt32, in url: URL) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        func put(_ value: UInt32, at i: Int) {
            for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
        }
        func u32(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[i + $1]) << (8 * UInt32($1)) } }
        for i in 0..<(bytes.count - 30) {
            if u32(i) == 0x0403_4B50 { put(size, at: i + 22) }
            if u32(i) == 0x0201_4B50 { put(size, at: i + 24) }
        }
        try Data(bytes).write(to: url)
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

final class ZipTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestZip.temporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testZipRoundTripAndTruncation() throws {
        let zip = dir.appendingPathComponent("t.zip")
        let text = String(repeating: "1\t2\t3\t4\n", count: 500)
        try TestZip.make(zip, [("ml-100k/u.data", Data(text.utf8)), ("ml-100k/README", Data("hi".utf8))])
        let archive = try ZipArchive(zip)
        XCTAssertEqual(Set(archive.entries.map(\.name)), ["ml-100k/u.data", "ml-100k/README"])
        let entry = try XCTUnwrap(archive.entries.first { $0.name.hasSuffix("u.data") })
        XCTAssertEqual(String(decoding: try archive.extract(entry), as: UTF8.self), text)
        let bytes = try Data(contentsOf: zip)
        try bytes.prefix(bytes.count / 2).write(to: zip)
        XCTAssertThrowsError(try ZipArchive(zip)) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
        try Data().write(to: zip)
        XCTAssertThrowsError(try ZipArchive(zip)) { XCTAssertTrue("\($0)".contains("truncated or not a zip"), "\($0)") }
    }

    func testCorruptEntryFailsItsCRCCheck() throws {
        let zip = dir.appendingPathComponent("t.zip")
        try TestZip.make(zip, [("u.data", Data(String(repeating: "196\t242\t3\t881250949\n", count: 300).utf8))])
        var bytes = [UInt8](try Data(contentsOf: zip))
        bytes[60] ^= 0xFF  // inside the deflated data
        try Data(bytes).write(to: zip)
        let archive = try ZipArchive(zip)
        XCTAssertThrowsError(try archive.extract(archive.entries[0])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("CRC check") || message.contains("cannot be decompressed"), message)
            XCTAssertEqual(message.split(separator: "\n").count, 1)
        }
    }

    /// A small zip that declares a huge entry is refused from its declared size, before any
    /// inflating: quickly, and without the memory.
    func testEntryDeclaringMoreThanTheLimitIsRefusedUpFront() throws {
        let zip = dir.appendingPathComponent("bomb.zip")
        try TestZip.make(zip, [("ml-100k/u.data", Data(count: 1 << 20))])
        try TestZip.declare(size: 1 << 30, in: zip)  // "1 GiB of zeros"
        let start = Date()
        let archive = try ZipArchive(zip, entryLimit: 64 << 20)
        XCTAssertEqual(archive.entries[0].declaredSize, 1 << 30)
        XCTAssertThrowsError(try archive.extract(archive.entries[0], to: dir.appendingPathComponent("out"))) { error in
            XCTAssertTrue("\(error)".contains("declares 1073741824 bytes, more than the 67108864"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    /// An entry whose header understates its size stops inflating at the declared size.
    func testEntryInflatingPastItsDeclaredSizeIsStopped() throws {
        let zip = dir.appendingPathComponent("liar.zip")
        try TestZip.make(zip, [("u.data", Data(count: 32 << 20))])
        try TestZip.declare(size: 1_000, in: zip)
        let archive = try ZipArchive(zip)
        var error: Error?
        do { _ = try archive.extract(archive.entries[0]) } catch let e { error = e }
        let message = error.map { "\($0)" } ?? "no error"
        XCTAssertTrue(message.contains("inflates to more than its declared 1000 bytes"), message)
    }

    /// The general cap (2 GiB by default) holds whatever an entry declares.
    func testEntryLimitCapsTheActualInflatedSize() throws {
        let zip = dir.appendingPathComponent("big.zip")
        try TestZip.make(zip, [("ratings.csv", Data(count: 4 << 20))])
        XCTAssertEqual(ZipArchive.defaultEntryLimit, 2 << 30)
        let archive = try ZipArchive(zip, entryLimit: 1 << 20)
        XCTAssertThrowsError(try archive.extract(archive.entries[0])) { error in
            XCTAssertTrue("\(error)".contains("more than the 1048576 an entry may inflate to"), "\(error)")
        }
    }

    /// Entries named ../x or /x are refused when the archive is opened, so nothing is written.
    func testEntriesPointingOutsideTheFolderAreRefused() throws {
        let names = ["ml-100k/../../evil.txt", "/tmp/evil-\(UUID().uuidString).txt", "..", "a/../../b", "..\\evil.txt"]
        for name in names {
            let zip = dir.appendingPathComponent("evil.zip")
            try TestZip.make(zip, [("ml-100k/u.data", Data("1\t2\t3\t4\n".utf8)), (name, Data("gotcha".utf8))])
            XCTAssertThrowsError(try ZipArchive(zip), name) { error in
                XCTAssertTrue("\(error)".contains("points outside its folder"), "\(error)")
            }
        }
        XCTAssertTrue(ZipArchive.isSafe("ml-100k/u.data"))
        XCTAssertTrue(ZipArchive.isSafe("recbole/dataset_example/ml-100k/ml-100k.inter"))
        XCTAssertFalse(ZipArchive.isSafe("ml-100k/../u.data"))
    }
}
