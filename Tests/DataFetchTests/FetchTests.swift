import DataFetch
import Foundation
import RecKit
import XCTest

final class FetchTests: XCTestCase {
    var root: URL!
    var cache: URL { root.appendingPathComponent("cache") }
    override func setUpWithError() throws { root = try TestZip.temporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// What the cache holds after a failed fetch: nothing (no partial folder, no stray file).
    func leftovers() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? [] }

    /// `workbook data fetch --from some.zip` with a zip that is not MovieLens-100K: a clear
    /// error, and nothing half-extracted left in the cache.
    func testFetchFromAWrongZipFailsCleanly() throws {
        let zip = root.appendingPathComponent("ml-100k.zip")
        try TestZip.make(zip, [("ml-100k/u.data", Data("1\t2\t3\t4\n2\t3\t4\t5\n".utf8))])
        XCTAssertThrowsError(try MovieLensFetcher.fetch(root: cache, from: zip)) { error in
            XCTAssertTrue("\(error)".contains("not MovieLens-100K's 100,000 / 943 / 1,682"), "\(error)")
        }
        XCTAssertEqual(leftovers(), [], "no partial folder may stay behind")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.path), "nor the data folder the fetch created")
    }

    func testFetchFromAFolderCopiesAndVerifiesShape() throws {
        let source = root.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try "1\t2\t3\t4\n".write(to: source.appendingPathComponent("u.data"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MovieLensFetcher.fetch(root: cache, from: source))
        let missing = root.appendingPathComponent("missing")
        XCTAssertThrowsError(try MovieLensFetcher.fetch(root: cache, from: missing)) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    func testWrongChecksumOfRecBoleFilesIsRefused() throws {
        let source = root.appendingPathComponent("recbole")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t2\t3\t4\n"
            .write(to: source.appendingPathComponent("ml-100k.inter"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MovieLensFetcher.fetch(root: cache, from: source)) { error in
            let expected = "does not match the known SHA-256 of RecBole's ml-100k.inter"
            XCTAssertTrue("\(error)".contains(expected), "\(error)")
            XCTAssertEqual("\(error)".split(separator: "\n").count, 1)
        }
        XCTAssertEqual(leftovers(), [])
    }

    /// The ML-100K zip's files are a few MB: an entry declaring 1 GiB is refused at once.
    func testZipBombIsRefusedQuicklyAndLeavesNothing() throws {
        let zip = root.appendingPathComponent("ml-100k.zip")
        try TestZip.make(zip, [("ml-100k/u.data", Data(count: 1 << 20))])
        try TestZip.declare(size: 1 << 30, in: zip)
        let start = Date()
        XCTAssertThrowsError(try MovieLensFetcher.fetch(root: cache, from: zip)) { error in
            XCTAssertTrue("\(error)".contains("declares 1073741824 bytes"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertEqual(leftovers(), [])
    }

    /// Many entries, each under the per-file cap, cannot together fill the disk.
    func testManyEntriesTogetherOverTheTotalCapAreRefused() throws {
        let zip = root.appendingPathComponent("ml-100k.zip")
        try TestZip.make(
            zip, (0..<6).map { ("ml-100k/u.part\($0)", Data(count: 1 << 16)) } + [("ml-100k/u.data", Data())])
        try TestZip.declare(size: 60 << 20, in: zip)  // 7 x 60 MiB
        XCTAssertThrowsError(try MovieLensFetcher.fetch(root: cache, from: zip)) { error in
            XCTAssertTrue("\(error)".contains("bytes in 7 files, more than the 268435456"), "\(error)")
        }
        XCTAssertEqual(leftovers(), [])
    }

    /// An archive with a ../ entry creates no file anywhere: not beside the cache, not in it.
    func testZipWithParentDirectoryEntryCreatesNoFile() throws {
        let zip = root.appendingPathComponent("ml-100k.zip")
        let marker = "evil-\(UUID().uuidString).txt"
        try TestZip.make(
            zip,
            [
                ("ml-100k/u.data", Data("1\t2\t3\t4\n".utf8)),
                ("ml-100k/../../\(marker)", Data("x".utf8)),
            ])
        XCTAssertThrowsError(try MovieLensFetcher.fetch(root: cache, from: zip)) { error in
            XCTAssertTrue("\(error)".contains("points outside its folder"), "\(error)")
        }
        XCTAssertEqual(leftovers(), [])
        for folder in [root!, root.deletingLastPathComponent(), cache] {
            let stray = folder.appendingPathComponent(marker)
            XCTAssertFalse(FileManager.default.fileExists(atPath: stray.path), folder.path)
        }
    }

    func testSHA256ComesFromSwiftCrypto() throws {
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let file = root.appendingPathComponent("a")
        try Data(String(repeating: "a", count: 1000).utf8).write(to: file)
        XCTAssertEqual(try SHA256.hex(fileAt: file), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        let whole = Data(("abc" + String(repeating: "a", count: 1000)).utf8)
        XCTAssertEqual(try SHA256.hex(fileAt: file, prefix: Data("abc".utf8)), SHA256.hex(whole))
    }
}
