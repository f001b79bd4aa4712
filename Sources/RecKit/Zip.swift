// A small reader for ZIP archives (the GroupLens zip, the RecBole wheel): the central
// directory, stored or deflated entries, and CRC-32 checks, through zlib. A truncated or
// corrupt archive is an error that says so.

import CZlib
import Foundation

public struct ZipArchive {
    public struct Entry: Sendable {
        public let name: String
        let method: UInt16, crc: UInt32, compressedSize: Int, size: Int, headerOffset: Int
    }

    public let url: URL
    public let entries: [Entry]
    private let data: Data

    public init(_ url: URL) throws {
        self.url = url
        let file = url.lastPathComponent
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else {
            throw DataError(file: url.path, "cannot be read")
        }
        self.data = data
        let bytes = [UInt8](data.suffix(65_557))
        let base = data.count - bytes.count
        guard
            let eocd = stride(from: bytes.count - 22, through: 0, by: -1).first(where: {
                ZipArchive.u32(bytes, $0) == 0x0605_4B50
            })
        else {
            throw DataError(
                file: file, "is truncated or not a zip archive (no end-of-directory record)",
                fix: "delete it and download it again")
        }
        let count = Int(ZipArchive.u16(bytes, eocd + 10))
        let directorySize = Int(ZipArchive.u32(bytes, eocd + 12)),
            directoryOffset = Int(ZipArchive.u32(bytes, eocd + 16))
        guard directoryOffset + directorySize <= base + eocd else {
            throw DataError(
                file: file, "is truncated (its directory points past the end of the file)",
                fix: "delete it and download it again")
        }
        let directory = [UInt8](
            data[(data.startIndex + directoryOffset)..<(data.startIndex + directoryOffset + directorySize)])
        var entries: [Entry] = [], p = 0
        for _ in 0..<count {
            guard p + 46 <= directory.count, ZipArchive.u32(directory, p) == 0x0201_4B50 else {
                throw DataError(file: file, "has a damaged directory", fix: "delete it and download it again")
            }
            let nameLength = Int(ZipArchive.u16(directory, p + 28)), extra = Int(ZipArchive.u16(directory, p + 30)),
                comment = Int(ZipArchive.u16(directory, p + 32))
            guard p + 46 + nameLength <= directory.count else { throw DataError(file: file, "has a damaged directory") }
            entries.append(
                Entry(
                    name: String(decoding: directory[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self),
                    method: ZipArchive.u16(directory, p + 10), crc: ZipArchive.u32(directory, p + 16),
                    compressedSize: Int(ZipArchive.u32(directory, p + 20)),
                    size: Int(ZipArchive.u32(directory, p + 24)),
                    headerOffset: Int(ZipArchive.u32(directory, p + 42))))
            p += 46 + nameLength + extra + comment
        }
        self.entries = entries
    }

    /// The uncompressed bytes of an entry, CRC-checked.
    public func extract(_ entry: Entry) throws -> Data {
        let file = url.lastPathComponent
        let h = entry.headerOffset
        guard h + 30 <= data.count else {
            throw DataError(
                file: file, "is truncated (\(entry.name) is missing)", fix: "delete it and download it again")
        }
        let header = [UInt8](data[(data.startIndex + h)..<(data.startIndex + h + 30)])
        guard ZipArchive.u32(header, 0) == 0x0403_4B50 else {
            throw DataError(file: file, "is damaged at \(entry.name)")
        }
        let start = h + 30 + Int(ZipArchive.u16(header, 26)) + Int(ZipArchive.u16(header, 28))
        guard start + entry.compressedSize <= data.count else {
            throw DataError(
                file: file, "is truncated (\(entry.name) is cut short)", fix: "delete it and download it again")
        }
        let compressed = data[(data.startIndex + start)..<(data.startIndex + start + entry.compressedSize)]
        var out: Data
        switch entry.method {
        case 0: out = Data(compressed)
        case 8: out = try inflate(compressed, size: entry.size, name: entry.name)
        default:
            throw DataError(
                file: file, "\(entry.name) uses compression method \(entry.method), which this reader does not support")
        }
        let crc = out.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
        guard crc == entry.crc, out.count == entry.size else {
            throw DataError(
                file: file, "\(entry.name) fails its CRC check (the archive is corrupt)",
                fix: "delete it and download it again")
        }
        return out
    }

    private func inflate(_ input: Data, size: Int, name: String) throws -> Data {
        var output = Data(count: size)
        var stream = z_stream()
        var status = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw DataError(file: url.lastPathComponent, "zlib could not start inflating \(name)")
        }
        defer { inflateEnd(&stream) }
        var source = [UInt8](input)
        status = source.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBytes { dst in
                stream.next_in = src.baseAddress
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(dst.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw DataError(
                file: url.lastPathComponent, "\(name) cannot be decompressed (the archive is corrupt or truncated)",
                fix: "delete it and download it again")
        }
        return output
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
}
