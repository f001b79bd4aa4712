// Trained models on disk (`output/models/`), in one documented format for every model:
//
//   line 1   workbook-model 2
//   line 2   a JSON header (ModelFile.Header): model, dataset, the fingerprint of the rows it was
//            fitted on, users, items, seed, mode, split, its Config as JSON, a hash of its source
//            file, what the fit did (TrainingRecord), and each tensor's name and shape
//   then     every tensor's values as float32, little-endian, in the header's order
//
// The header also holds the SHA-256 of those bytes, so a truncated or edited file is refused
// with a message instead of silently giving other recommendations.

import _WorkbookSupport
import Foundation
import RecKit

public struct ModelFile: Sendable, Equatable {
    public static let magic = "workbook-model 2"

    public struct TensorInfo: Codable, Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
        public var count: Int { shape.reduce(1, *) }
    }

    public struct Header: Codable, Sendable, Equatable {
        /// The registry key of the model ("neumf", "ease", ...).
        public var model: String
        public var dataset: String
        /// `ModelFile.fingerprint` of the rows it was fitted on (and validated on).
        public var fingerprint: String
        public var users: Int
        public var items: Int
        public var seed: UInt64
        public var mode: String
        /// Which rows: "holdout-20 seed 42" (train, validation), or "all ratings".
        public var split: String
        /// The Config the model was asked to train with, as JSON; the Config of the fit kept
        /// (with what validation chose) as JSON, and as one line.
        public var requested: String
        public var config: String
        public var settings: String
        /// SHA-256 of the model's source file when it was trained.
        public var source: String
        /// The search on validation (early stopping, hyperparameters), and the fit kept.
        public var search: TrainingRecord?
        public var final: TrainingRecord
        public var tensors: [TensorInfo]
        public var payloadSHA256: String

        public init(
            model: String, dataset: String, fingerprint: String, users: Int, items: Int, seed: UInt64, mode: String,
            split: String = "", requested: String = "{}", config: String = "{}", settings: String = "",
            source: String = "",
            search: TrainingRecord? = nil, final: TrainingRecord = TrainingRecord(), tensors: [TensorInfo] = [],
            payloadSHA256: String = ""
        ) {
            self.model = model
            self.dataset = dataset
            self.fingerprint = fingerprint
            self.users = users
            self.items = items
            self.seed = seed
            self.mode = mode
            self.split = split
            self.requested = requested
            self.config = config
            self.settings = settings
            self.source = source
            self.search = search
            self.final = final
            self.tensors = tensors
            self.payloadSHA256 = payloadSHA256
        }
    }

    public let header: Header
    public let values: [[Float]]
    /// The values as the file stores them (built once: checksummed here, written by `write`).
    private let payload: Data

    /// A file for `tensors`; the header's tensor list and checksum are filled in.
    public init(header: Header, tensors: [NamedTensor]) {
        var header = header
        header.tensors = tensors.map { TensorInfo(name: $0.name, shape: $0.shape) }
        values = tensors.map(\.values)
        var payload = Data(capacity: values.reduce(0) { $0 + $1.count } * 4)
        for tensor in values {
            // Little-endian on disk: the bytes as they are on a little-endian machine, swapped elsewhere.
            let ordered = 1.littleEndian == 1 ? tensor : tensor.map { Float(bitPattern: $0.bitPattern.littleEndian) }
            ordered.withUnsafeBytes { payload.append(contentsOf: $0) }
        }
        header.payloadSHA256 = SHA256.hex(payload)
        self.header = header
        self.payload = payload
    }

    /// A header as the file's second line holds it: JSON with sorted keys, and NaN or infinity as
    /// strings (a validation value can be NaN for a model that never scored; JSON has no NaN).
    public static func encode(_ header: Header) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(header)
    }

    /// Writes the file atomically.
    public func write(to url: URL) throws {
        var data = Data((ModelFile.magic + "\n").utf8)
        data.append(try ModelFile.encode(header))
        data.append(Data("\n".utf8))
        data.append(payload)
        try AtomicFile.write(data, to: url)
    }

    /// Reads and checks a file: its first line, header, size and checksum.
    public static func read(from url: URL) throws -> ModelFile {
        let name = url.path
        let fix = LibraryWords.say("store.fix.delete-it")
        guard let data = FileManager.default.contents(atPath: name) else {
            throw WorkbookError(
                LibraryWords.say("store.unreadable", ["path": name]), fix: LibraryWords.say("store.fix.readable"))
        }
        let newline = UInt8(ascii: "\n")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf",
            nan: "nan")
        guard let first = data.firstIndex(of: newline), String(decoding: data[..<first], as: UTF8.self) == magic else {
            throw WorkbookError(LibraryWords.say("store.not-a-model", ["path": name, "magic": magic]), fix: fix)
        }
        guard let second = data[(first + 1)...].firstIndex(of: newline),
            let header = try? decoder.decode(Header.self, from: data[(first + 1)..<second])
        else {
            throw WorkbookError(LibraryWords.say("store.bad-header", ["path": name]), fix: fix)
        }
        let payload = data[(second + 1)...]
        // Checked arithmetic: a header may declare shapes whose product passes 64 bits.
        guard let expected = payloadSize(header.tensors) else {
            let shapes = String(header.tensors.map(\.shape).description.prefix(80))
            throw WorkbookError(LibraryWords.say("store.bad-shapes", ["path": name, "shapes": shapes]), fix: fix)
        }
        guard payload.count == expected else {
            throw WorkbookError(
                LibraryWords.say("store.bad-size", ["path": name, "bytes": payload.count, "expected": expected]),
                fix: fix)
        }
        guard SHA256.hex(Data(payload)) == header.payloadSHA256 else {
            throw WorkbookError(LibraryWords.say("store.bad-checksum", ["path": name]), fix: fix)
        }
        var values: [[Float]] = []
        var offset = payload.startIndex
        for info in header.tensors {
            var tensor = [Float](repeating: 0, count: info.count)
            tensor.withUnsafeMutableBytes { raw in
                _ = payload[offset..<(offset + info.count * 4)].copyBytes(to: raw)
            }
            if 1.littleEndian != 1 { tensor = tensor.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) } }
            values.append(tensor)
            offset += info.count * 4
        }
        return ModelFile(header: header, values: values, payload: Data(payload))
    }

    /// The bytes the tensors' values take (4 per value), or nil when a shape has a negative
    /// size or the total passes `Int.max`.
    static func payloadSize(_ tensors: [TensorInfo]) -> Int? {
        var total = 0
        for info in tensors {
            var count = 1
            for size in info.shape {
                guard size >= 0 else { return nil }
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else { return nil }
                count = product
            }
            let (bytes, o1) = count.multipliedReportingOverflow(by: 4)
            let (sum, o2) = total.addingReportingOverflow(bytes)
            guard !o1 && !o2 else { return nil }
            total = sum
        }
        return total
    }

    private init(header: Header, values: [[Float]], payload: Data) {
        self.header = header
        self.values = values
        self.payload = payload
    }

    /// A fingerprint of fitting data: SHA-256 over the (user, item, rating) of `rows`, then of
    /// `validation`, and the data set's shape.
    public static func fingerprint(_ data: RatingsData, rows: [Int], validation: [Int] = []) -> String {
        var bytes = Data(capacity: (rows.count + validation.count) * 12 + 24)
        func add<T>(_ value: T) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        add(Int64(data.userCount).littleEndian)
        add(Int64(data.itemCount).littleEndian)
        add(Int64(validation.count).littleEndian)
        for r in rows + validation {
            add(data.users[r].littleEndian)
            add(data.items[r].littleEndian)
            add(data.ratings[r].bitPattern.littleEndian)
        }
        return String(SHA256.hex(bytes).prefix(32))
    }
}
