// One trained model per (model, data, split, seed, mode): fitted once, saved under
// `output/models/`, and loaded by every later chapter or command that asks for the same
// thing, so that a model's numbers are the same wherever the book shows them.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

public struct ModelStore: Sendable {
    /// The folder that holds the model files (`output/models`).
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `<dir>/<key>-<dataset>-<split>-seed<seed>-<mode>.wbmodel`
    public func url(_ entry: ModelEntry, dataset: String, split: String, seed: UInt64, mode: RunMode) -> URL {
        let label = split.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return directory.appendingPathComponent(
            "\(entry.info.key)-\(dataset)-\(label)-seed\(seed)-\(mode.rawValue).wbmodel")
    }

    /// A fitted model and where it lives.
    public struct Stored {
        public let model: FittedModel
        public let url: URL
        /// Whether this call trained it (else it was loaded).
        public let trainedNow: Bool
    }

    /// The model `entry` fitted on `input` in `mode`: loaded from its file when that file was
    /// made from the same rows, seed, settings and model code; otherwise fitted and saved.
    /// `split` names the rows in the file name ("holdout-20", "all"). A file that is damaged or
    /// holds another model is refused with a message, not overwritten.
    public func fitted(
        _ entry: ModelEntry, input: FitInput, mode: RunMode, split: String, retrain: Bool = false,
        log: (String) -> Void = { _ in }
    ) throws -> Stored {
        let url = url(entry, dataset: input.data.name, split: split, seed: input.seed, mode: mode)
        let fingerprint = ModelFile.fingerprint(input.data, rows: input.rows, validation: input.validation?.rows ?? [])
        let config = entry.config(mode)
        let source = ModelStore.sourceHash(entry.info)
        if !retrain, FileManager.default.fileExists(atPath: url.path) {
            let file = try ModelFile.read(from: url)
            let fix = "delete \(url.path) (or pass --retrain) to train the model again"
            guard file.header.model == entry.info.key else {
                throw WorkbookError("\(url.path) holds a \(file.header.model) model, not \(entry.info.key)", fix: fix)
            }
            if let stale = staleness(file.header, fingerprint: fingerprint, config: config.json, source: source) {
                log("  \(entry.info.name): \(stale), so it is trained again")
            } else {
                do {
                    let model = try entry.restore(
                        state: zip(file.header.tensors, file.values).map {
                            NamedTensor($0.name, shape: $0.shape, values: $1)
                        }, configJSON: file.header.config, input: input.merged(),
                        search: file.header.search, final: file.header.final)
                    return Stored(model: model, url: url, trainedNow: false)
                } catch {
                    throw WorkbookError("\(url.path) does not fit the \(entry.info.name) model (\(error))", fix: fix)
                }
            }
        }
        let model = try entry.fit(input, mode: mode)
        let header = ModelFile.Header(
            model: entry.info.key, dataset: input.data.name, fingerprint: fingerprint, users: input.data.userCount,
            items: input.data.itemCount, seed: input.seed, mode: mode.rawValue, split: split, requested: config.json,
            config: model.configJSON,
            settings: model.configSummary, source: source, search: model.search, final: model.final)
        try ModelFile(header: header, tensors: model.state).write(to: url)
        return Stored(model: model, url: url, trainedNow: true)
    }

    /// Why a file no longer matches what would be trained now, or nil when it does.
    func staleness(_ header: ModelFile.Header, fingerprint: String, config: String, source: String) -> String? {
        if header.fingerprint != fingerprint { return "its file was trained on other data" }
        if header.requested != config { return "its settings have changed since its file was saved" }
        if header.source != source { return "its code has changed since its file was saved" }
        return nil
    }

    /// SHA-256 of the model's source file ("" when the source is not on this machine).
    static func sourceHash(_ info: ModelInfo) -> String {
        guard let data = FileManager.default.contents(atPath: info.source) else { return "" }
        return String(SHA256.hex(data).prefix(16))
    }
}
