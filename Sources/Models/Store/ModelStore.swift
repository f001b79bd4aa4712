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
    ///
    /// Another process (the other chapter of `workbook all`) training the same file holds its
    /// lock (`models/.locks/`): this call waits for it and then loads what it saved.
    ///
    /// With `refit: false` the model is the searched one (trained on the training part, early
    /// stopping on validation, no refit: a sweep's point), saved as `<split>-searched[-overrides]`;
    /// a search with refit saves its searched model there too, so the sweep's point at the
    /// default settings is loaded, not trained again.
    public func fitted(
        _ entry: ModelEntry, input: FitInput, mode: RunMode, split: String, overrides: [String: String] = [:],
        refit: Bool = true, retrain: Bool = false, log: (String) -> Void = { _ in }
    ) throws -> Stored {
        let request = try Request(entry, mode: mode, split: split, overrides: overrides, refit: refit)
        let url = url(entry, dataset: input.data.name, split: request.label, seed: input.seed, mode: mode)
        let lock = directory.appendingPathComponent(".locks").appendingPathComponent(url.lastPathComponent)
        return try FileLock.withLock(lock, waiting: { log("  " + ProgressWords.current.waiting(entry.info.name)) }) {
            try fittedHoldingLock(entry, input: input, request: request, url: url, retrain: retrain, log: log)
        }
    }

    /// What is asked for: the settings that differ from the mode's defaults, and the file's label.
    struct Request {
        let mode: RunMode, split: String, overrides: [String: String], refit: Bool
        let config: (summary: String, json: String)

        init(_ entry: ModelEntry, mode: RunMode, split: String, overrides: [String: String], refit: Bool) throws {
            let defaults = entry.config(mode).json
            // An override that leaves the Config as it is names the same model.
            let changed = try overrides.filter {
                try entry.config(mode, overrides: [$0.key: $0.value]).json != defaults
            }
            (self.mode, self.split, self.overrides, self.refit) = (mode, split, changed, refit)
            config = try entry.config(mode, overrides: changed)
        }

        static func label(_ split: String, _ overrides: [String: String]) -> String {
            ([split + "-searched"] + overrides.keys.sorted().map { "\($0)-\(overrides[$0] ?? "")" })
                .joined(separator: "-")
        }

        var label: String { refit && overrides.isEmpty ? split : Self.label(split, overrides) }
    }

    /// `workbook all --retrain` sets this to its start (seconds since 1970) in its chapters'
    /// processes: a file saved after it was retrained by this run already, and is loaded.
    static let retrainedSince = ProcessInfo.processInfo.environment["WORKBOOK_RETRAINED_SINCE"].flatMap(Double.init)

    private func fittedHoldingLock(
        _ entry: ModelEntry, input: FitInput, request: Request, url: URL, retrain: Bool, log: (String) -> Void
    ) throws -> Stored {
        let (mode, split) = (request.mode, request.label)
        var retrain = retrain
        if retrain, let since = Self.retrainedSince,
            let saved = try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date,
            saved.timeIntervalSince1970 >= since
        {
            retrain = false
        }
        let fingerprint = ModelFile.fingerprint(input.data, rows: input.rows, validation: input.validation?.rows ?? [])
        let config = request.config
        // A model restores with the rows it was fitted on: train + validation after a refit, or
        // when there was nothing to choose on validation; the training part for a searched one.
        let searches = try input.validation != nil && entry.searches(mode, overrides: request.overrides)
        let rows = request.refit || !searches ? input.merged() : input
        let source = ModelStore.sourceHash(entry.info)
        if !retrain, FileManager.default.fileExists(atPath: url.path) {
            let file = try ModelFile.read(from: url)
            let fix = LibraryWords.say("store.fix.delete", ["path": url.path])
            guard file.header.model == entry.info.key else {
                throw WorkbookError(
                    LibraryWords.say(
                        "store.other-model", ["path": url.path, "found": file.header.model, "model": entry.info.key]),
                    fix: fix)
            }
            if let stale = staleness(file.header, fingerprint: fingerprint, config: config.json, source: source) {
                log("  " + LibraryWords.say("store.retraining", ["model": entry.info.name, "reason": stale]))
            } else {
                do {
                    let model = try entry.restore(
                        state: zip(file.header.tensors, file.values).map {
                            NamedTensor($0.name, shape: $0.shape, values: $1)
                        }, configJSON: file.header.config, input: rows,
                        search: file.header.search, final: file.header.final)
                    return Stored(model: model, url: url, trainedNow: false)
                } catch {
                    throw WorkbookError(
                        LibraryWords.say(
                            "store.does-not-fit", ["path": url.path, "model": entry.info.name, "error": "\(error)"]),
                        fix: fix)
                }
            }
        }
        let model = try entry.fit(input, mode: mode, overrides: request.overrides, refit: request.refit)
        try save(model, entry, input, mode, split: split, requested: config.json, fingerprint: fingerprint, to: url)
        if let searched = model.searched?.model {
            let label = Request.label(request.split, request.overrides)
            let searchedURL = self.url(entry, dataset: input.data.name, split: label, seed: input.seed, mode: mode)
            try save(
                searched, entry, input, mode, split: label, requested: config.json, fingerprint: fingerprint,
                to: searchedURL)
        }
        return Stored(model: model, url: url, trainedNow: true)
    }

    private func save(
        _ model: FittedModel, _ entry: ModelEntry, _ input: FitInput, _ mode: RunMode, split: String,
        requested: String, fingerprint: String, to url: URL
    ) throws {
        let header = ModelFile.Header(
            model: entry.info.key, dataset: input.data.name, fingerprint: fingerprint, users: input.data.userCount,
            items: input.data.itemCount, seed: input.seed, mode: mode.rawValue, split: split,
            requested: requested, config: model.configJSON, settings: model.englishSummary,
            source: ModelStore.sourceHash(entry.info), search: model.search, final: model.final)
        try ModelFile(header: header, tensors: model.state).write(to: url)
    }

    /// Why a file no longer matches what would be trained now, or nil when it does.
    func staleness(_ header: ModelFile.Header, fingerprint: String, config: String, source: String) -> String? {
        if header.fingerprint != fingerprint { return LibraryWords.say("store.stale.data") }
        if header.requested != config { return LibraryWords.say("store.stale.settings") }
        if header.source != source { return LibraryWords.say("store.stale.code") }
        return nil
    }

    /// SHA-256 of the model's source file ("" when the source is not on this machine).
    static func sourceHash(_ info: ModelInfo) -> String {
        guard let data = FileManager.default.contents(atPath: info.source) else { return "" }
        return String(SHA256.hex(data).prefix(16))
    }
}
