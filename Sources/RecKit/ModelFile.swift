// Trained models on disk (`output/models/`), in one documented format for every model:
//
//   line 1   workbook-model 1
//   line 2   a JSON header (ModelFile.Header): model, dataset, the training data's fingerprint,
//            users, items, seed, mode, settings, and each tensor's name and shape
//   then     every tensor's values as float32, little-endian, in the header's order
//
// The header also holds the SHA-256 of those bytes, so a truncated or edited file is refused
// with a message instead of silently giving other recommendations.

import _WorkbookSupport
import Foundation

public struct ModelFile: Sendable, Equatable {
    public static let magic = "workbook-model 1"

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
        /// The catalogue key of the model ("neumf", "ease", ...).
        public var model: String
        public var dataset: String
        /// `ModelFile.fingerprint` of the interactions the model was trained on.
        public var fingerprint: String
        public var users: Int
        public var items: Int
        public var seed: UInt64
        public var mode: String
        /// Human-readable settings ("f = 8, 10 epochs").
        public var settings: String
        public var trainSeconds: Double
        public var tensors: [TensorInfo]
        public var payloadSHA256: String

        public init(model: String, dataset: String, fingerprint: String, users: Int, items: Int, seed: UInt64, mode: String,
                    settings: String, trainSeconds: Double, tensors: [TensorInfo] = [], payloadSHA256: String = "") {
            self.model = model
            self.dataset = dataset
            self.fingerprint = fingerprint
            self.users = users
            self.items = items
            self.seed = seed
            self.mode = mode
            self.settings = settings
            self.trainSeconds = trainSeconds
            self.tensors = tensors
            self.payloadSHA256 = payloadSHA256
        }
    }

    public let header: Header
    public let values: [[Float]]
    /// The values as the file stores them (built once: checksummed here, written by `write`).
    private let payload: Data

    /// A file for `tensors` (name, shape, values); the header's tensor list and checksum are filled in.
    public init(header: Header, tensors: [(name: String, shape: [Int], values: [Float])]) {
        precondition(tensors.allSatisfy { $0.shape.reduce(1, *) == $0.values.count }, "tensor shapes and values disagree")
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

    /// Writes the file atomically.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data((ModelFile.magic + "\n").utf8)
        data.append(try encoder.encode(header))
        data.append(Data("\n".utf8))
        data.append(payload)
        try AtomicFile.write(data, to: url)
    }

    /// Reads and checks a file: its first line, header, size and checksum.
    public static func read(from url: URL) throws -> ModelFile {
        let name = url.path
        let fix = "delete it (or pass --retrain) to train the model again"
        guard let data = FileManager.default.contents(atPath: name) else {
            throw WorkbookError("cannot read the model file \(name)", fix: "check that it exists and is readable")
        }
        let newline = UInt8(ascii: "\n")
        guard let first = data.firstIndex(of: newline), String(decoding: data[..<first], as: UTF8.self) == magic else {
            throw WorkbookError("\(name) is not a workbook model file (its first line is not '\(magic)')", fix: fix)
        }
        guard let second = data[(first + 1)...].firstIndex(of: newline),
              let header = try? JSONDecoder().decode(Header.self, from: data[(first + 1)..<second]) else {
            throw WorkbookError("\(name) is corrupt: its header is not valid JSON", fix: fix)
        }
        let payload = data[(second + 1)...]
        // Checked arithmetic: a header may declare shapes whose product passes 64 bits.
        guard let expected = payloadSize(header.tensors) else {
            throw WorkbookError("\(name) is corrupt: its header declares tensor shapes no file can hold "
                                + "(\(header.tensors.map(\.shape).description.prefix(80)))", fix: fix)
        }
        guard payload.count == expected else {
            throw WorkbookError("\(name) is corrupt: it holds \(payload.count) bytes of values "
                                + "where its header promises \(expected)", fix: fix)
        }
        guard SHA256.hex(Data(payload)) == header.payloadSHA256 else {
            throw WorkbookError("\(name) is corrupt: its values do not match the checksum in its header", fix: fix)
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

    /// Checks that the file fits what the caller is about to load it into.
    public func check(model: String, fingerprint: String, shapes: [[Int]], path: String) throws {
        let fix = "delete \(path) (or pass --retrain) to train the model again"
        guard header.model == model else {
            throw WorkbookError("\(path) holds a \(header.model) model, not \(model)", fix: fix)
        }
        guard header.fingerprint == fingerprint else {
            throw WorkbookError("\(path) was trained on other data than the \(header.dataset) ratings loaded now", fix: fix)
        }
        guard header.tensors.map(\.shape) == shapes else {
            throw WorkbookError("\(path) does not fit the model: its tensors are \(header.tensors.map(\.shape)) where \(shapes) are needed", fix: fix)
        }
    }

    /// A fingerprint of training interactions: SHA-256 over the (user, item, rating) of `rows`
    /// and the data set's shape.
    public static func fingerprint(_ data: RatingsData, rows: [Int]) -> String {
        var bytes = Data(capacity: rows.count * 12 + 16)
        func add<T>(_ value: T) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        add(Int64(data.userCount).littleEndian)
        add(Int64(data.itemCount).littleEndian)
        for r in rows {
            add(data.users[r].littleEndian)
            add(data.items[r].littleEndian)
            add(data.ratings[r].bitPattern.littleEndian)
        }
        return String(SHA256.hex(bytes).prefix(32))
    }
}
