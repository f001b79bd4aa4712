// SHA-256 as 64 hex digits, for checking downloads against known checksums and for model
// files' checksums. The digest itself is swift-crypto's.

import Crypto
import Foundation
import _WorkbookSupport

public enum SHA256 {
    /// The digest of `data` as 64 lowercase hex digits.
    public static func hex(_ data: Data) -> String {
        hex(digest: Crypto.SHA256.hash(data: data))
    }

    /// The digest of `prefix` followed by a file's bytes, read in 1 MiB pieces (a large
    /// download is never held whole).
    public static func hex(fileAt url: URL, prefix: Data = Data()) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DataError(
                file: url.path, LibraryWords.say("loading.unreadable"), fix: LibraryWords.say("loading.fix.readable"))
        }
        defer { try? handle.close() }
        var hasher = Crypto.SHA256()
        hasher.update(data: prefix)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(digest: hasher.finalize())
    }

    private static func hex(digest: Crypto.SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
