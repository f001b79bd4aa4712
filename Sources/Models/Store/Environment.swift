// Fitting registry models in a run's environment (a chapter, a command): through the model
// store, so that every chapter and command asking for the same model on the same split gets the
// same trained model.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

extension TrainingEnvironment {
    /// The store of trained models of this run.
    public var store: ModelStore { ModelStore(directory: modelDirectory) }

    /// `split`'s training rows, with its validation part (when it has one) for early stopping.
    public func fitInput(_ data: RatingsData, split: Split) -> FitInput {
        FitInput(
            data: data, rows: split.train,
            validation: split.validation.isEmpty ? nil : ValidationSet(split: split, data: data), seed: seed,
            progress: progress)
    }

    /// `entry` fitted on `split` (searched on its validation part, then fitted on train +
    /// validation), from the store when it has it.
    public func fitted(_ entry: ModelEntry, data: RatingsData, split: Split) throws -> FittedModel {
        try fitted(entry, input: fitInput(data, split: split), split: split.evaluationProtocol.rawValue)
    }

    /// `entry` fitted on `input`, from the store when it has it; `split` names the rows.
    public func fitted(_ entry: ModelEntry, input: FitInput, split: String) throws -> FittedModel {
        try stored(entry, input: input, split: split, overrides: [:], refit: true)
    }

    /// `entry` with `overrides`, trained on the training part with early stopping on validation
    /// and not refitted: a point of a sweep, scored on validation. From the store when it has it
    /// (the point at the default settings is the search of `fitted`'s model, saved beside it).
    public func searched(
        _ entry: ModelEntry, input: FitInput, split: String, overrides: [String: String]
    ) throws -> FittedModel {
        try stored(entry, input: input, split: split, overrides: overrides, refit: false)
    }

    private func stored(
        _ entry: ModelEntry, input: FitInput, split: String, overrides: [String: String], refit: Bool
    ) throws -> FittedModel {
        let stored = try store.fitted(
            entry, input: input, mode: mode, split: split, overrides: overrides, refit: refit, retrain: retrain
        ) { log($0) }
        if !stored.trainedNow {
            log("  " + ProgressWords.current.loaded(entry.info.name, stored.url.path, stored.model.seconds))
        }
        return stored.model
    }
}
