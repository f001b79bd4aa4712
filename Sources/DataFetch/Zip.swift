// Reading ZIP archives (the GroupLens zip, the RecBole wheel) through ZIPFoundation, with what
// a downloaded archive needs on top: entries are streamed (never inflated whole into memory),
// each may inflate to at most `entryLimit` bytes (refused up front when its declared size is
// larger, and as soon as its actual size passes the limit or the declared size), names that
// point outside the archive's folder are refused before anything is written, and every entry
// is CRC-checked. A truncated or corrupt archive is an error that says so.

import Foundation
import RecKit
import ZIPFoundation
import _WorkbookSupport

public struct ZipArchive {
    public struct Entry {
        public let name: String
        /// The uncompressed size the archive declares.
        public let declaredSize: UInt64
        let entry: ZIPFoundation.Entry
        public var isFile: Bool { entry.type == .file }
    }

    /// What any entry may inflate to: 2 GiB (MovieLens' largest file, ml-latest's ratings.csv,
    /// is about 900 MB; MovieLens-100K's are a few MB).
    public static let defaultEntryLimit: UInt64 = 2 << 30

    public let url: URL
    public let entries: [Entry]
    public let entryLimit: UInt64
    private let archive: Archive
    private var file: String { url.lastPathComponent }
    private static var fix: String { LibraryWords.say("zip.fix") }

    public init(_ url: URL, entryLimit: UInt64 = ZipArchive.defaultEntryLimit) throws {
        self.url = url
        self.entryLimit = entryLimit
        let file = url.lastPathComponent
        let expected = try ZipArchive.checkEndRecord(url)
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw DataError(file: file, LibraryWords.say("zip.truncated", ["error": "\(error)"]), fix: ZipArchive.fix)
        }
        let entries = archive.map { Entry(name: $0.path, declaredSize: $0.uncompressedSize, entry: $0) }
        if let expected, entries.count != expected {
            throw DataError(
                file: file,
                LibraryWords.say("zip.directory", ["read": entries.count, "expected": expected]),
                fix: ZipArchive.fix)
        }
        if let unsafe = entries.first(where: { !ZipArchive.isSafe($0.name) }) {
            throw DataError(
                file: file, LibraryWords.say("zip.outside", ["name": excerpt(unsafe.name)]),
                fix: LibraryWords.say("zip.outside.fix"))
        }
        self.entries = entries
    }

    /// A name that stays inside the folder it is extracted to: relative, without `..`.
    public static func isSafe(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), !name.contains("\0") else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }

    /// The uncompressed bytes of an entry, CRC-checked (for small entries: the limit applies).
    public func extract(_ entry: Entry) throws -> Data {
        var out = Data()
        try stream(entry) { out.append($0) }
        return out
    }

    /// Streams an entry into `destination` (created or replaced), CRC-checked; on any error
    /// the file is removed.
    public func extract(_ entry: Entry, to destination: URL) throws {
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: destination)
        else {
            throw DataError(
                file: destination.path, LibraryWords.say("file.unwritable"), fix: LibraryWords.say("file.fix.folder"))
        }
        do {
            try stream(entry) { chunk in
                do { try handle.write(contentsOf: chunk) } catch {
                    throw DataError(
                        file: destination.path, LibraryWords.say("file.unwritable"),
                        fix: LibraryWords.say("file.fix.disk"))
                }
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: destination)
            throw error
        }
    }

    /// Inflates an entry piece by piece into `consumer`, stopping at the first byte past the
    /// limit or past the declared size.
    private func stream(_ entry: Entry, into consumer: (Data) throws -> Void) throws {
        guard entry.isFile else {
            throw DataError(file: file, LibraryWords.say("zip.not-file", ["name": excerpt(entry.name)]))
        }
        let limit = min(entryLimit, entry.declaredSize)
        guard entry.declaredSize <= entryLimit else {
            throw DataError(
                file: file,
                LibraryWords.say(
                    "zip.declares", ["name": excerpt(entry.name), "size": entry.declaredSize, "limit": entryLimit]),
                fix: ZipArchive.fix)
        }
        var written: UInt64 = 0
        let crc: CRC32
        do {
            crc = try archive.extract(entry.entry, bufferSize: 1 << 16) { chunk in
                written += UInt64(chunk.count)
                if written > limit { throw Overflow() }
                try consumer(chunk)
            }
        } catch is Overflow {
            let what =
                entry.declaredSize > entryLimit
                ? LibraryWords.say("zip.limit", ["limit": entryLimit])
                : LibraryWords.say("zip.declared", ["size": entry.declaredSize])
            throw DataError(
                file: file, LibraryWords.say("zip.inflates", ["name": excerpt(entry.name), "what": what]),
                fix: ZipArchive.fix)
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError(
                file: file,
                LibraryWords.say("zip.corrupt", ["name": excerpt(entry.name)]),
                fix: ZipArchive.fix)
        }
        guard written == entry.declaredSize, crc == entry.entry.checksum else {
            throw DataError(
                file: file, LibraryWords.say("zip.crc", ["name": excerpt(entry.name)]),
                fix: ZipArchive.fix)
        }
    }

    private struct Overflow: Error {}

    /// Finds the end-of-directory record in the file's last 64 KiB, as the format requires, and
    /// checks that the directory it points to lies inside the file. Returns the entry count it
    /// declares (nil for ZIP64 archives, whose count is elsewhere).
    static func checkEndRecord(_ url: URL) throws -> Int? {
        let file = url.lastPathComponent
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DataError(
                file: url.path, LibraryWords.say("loading.unreadable"), fix: LibraryWords.say("loading.fix.readable"))
        }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else {
            throw DataError(file: file, LibraryWords.say("zip.short"), fix: fix)
        }
        let tailStart = size - min(size, 65_557)
        guard (try? handle.seek(toOffset: tailStart)) != nil, let tail = try? handle.readToEnd() else {
            throw DataError(file: url.path, LibraryWords.say("loading.unreadable"))
        }
        let bytes = [UInt8](tail)
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> UInt64 { UInt64(u16(i)) | UInt64(u16(i + 2)) << 16 }
        let signature: UInt64 = 0x0605_4B50
        let candidates = stride(from: bytes.count - 22, through: 0, by: -1)
        guard let eocd = candidates.first(where: { u32($0) == signature }) else {
            throw DataError(file: file, LibraryWords.say("zip.no-end"), fix: fix)
        }
        let count = u16(eocd + 10), directorySize = u32(eocd + 12), directoryOffset = u32(eocd + 16)
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF { return nil }  // ZIP64: ZIPFoundation reads it
        guard directoryOffset + directorySize <= tailStart + UInt64(eocd) else {
            throw DataError(file: file, LibraryWords.say("zip.past-end"), fix: fix)
        }
        return count
    }
}
