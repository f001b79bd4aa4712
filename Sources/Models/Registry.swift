// The registry: every model of the book in one explicit list, each with its key, name, chapter,
// paper and Config. Chapters, `workbook evaluate`, `workbook recommend` and the benches all fit
// and restore models through it.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// A fitted model, with what its fit cost and how it was chosen.
public struct FittedModel {
    public let info: ModelInfo
    public let recommender: any Recommender
    /// The settings of the fit this recommender comes from, as one line in the run's language (for
    /// the chapters' tables), in English (for what programs read: results, model files, `--json`,
    /// and the English command line), and as JSON.
    public let configSummary: String
    public let englishSummary: String
    public let configJSON: String
    /// The early-stopping (or tuning) run on the training part, scored on validation; nil
    /// when the model was fitted without validation.
    public let search: TrainingRecord?
    /// The fit whose weights these are (on train + validation after a search).
    public let final: TrainingRecord
    public let state: [NamedTensor]
    /// After a search and a refit: the searched model itself (trained on the training part,
    /// its best epoch on validation kept), which the model store saves too, for a sweep's point.
    public internal(set) var searched: SearchedFit? = nil

    /// Training seconds of the search and the final fit.
    public var seconds: Double { (search?.seconds ?? 0) + final.seconds }
    /// Optimiser steps of the search and the final fit.
    public var steps: Int { (search?.steps ?? 0) + final.steps }
    /// The epochs the kept model trained for (nil for closed-form models).
    public var epochs: Int? { final.epochs > 0 ? final.epochs : nil }
    /// The epoch validation chose, if it chose one.
    public var bestEpoch: Int? { search?.bestEpoch ?? final.bestEpoch }
    /// Epochs run while searching (early stopping ends it before the cap).
    public var searchEpochs: Int? { search.map(\.epochs).flatMap { $0 > 0 ? $0 : nil } }
    /// What validation chose: epochs and hyperparameters, in words (the run's language; wrap in
    /// `LibraryWords.inEnglish` for English).
    public var choice: String {
        let record = search ?? final
        var parts = record.chosen.keys.sorted().map { "\($0) = \(record.chosen[$0] ?? "")" }
        if let best = record.bestEpoch, record.epochs > 0 {
            parts.append(
                LibraryWords.say(
                    record.stoppedEarly ? "settings.best-epoch.early" : "settings.best-epoch",
                    ["best": best, "epochs": record.epochs]))
        }
        return parts.joined(separator: ", ")
    }
}

/// The model a search kept, before its refit (a class: a fitted model holds at most one).
public final class SearchedFit: @unchecked Sendable {
    public let model: FittedModel
    init(_ model: FittedModel) { self.model = model }
}

/// One model of the registry.
public struct ModelEntry: Sendable {
    public let info: ModelInfo
    let configFor: @Sendable (RunMode, [String: String]) throws -> (summary: String, json: String)
    let searchesFor: @Sendable (RunMode, [String: String]) throws -> Bool
    let fitModel: @Sendable (FitInput, RunMode, [String: String], Bool) throws -> FittedModel
    let restoreModel: @Sendable ([NamedTensor], String, FitInput, TrainingRecord?, TrainingRecord) throws -> FittedModel

    /// The settings this entry trains with in `mode`: one line, and the Config as JSON.
    public func config(_ mode: RunMode) -> (summary: String, json: String) {
        (try? configFor(mode, [:])) ?? ("", "{}")
    }

    /// The settings in `mode` with `overrides` ("learningRate": "0.005", "training.maxEpochs": "30")
    /// applied; a key the Config does not have, or a value of the wrong kind, is an error.
    public func config(_ mode: RunMode, overrides: [String: String]) throws -> (summary: String, json: String) {
        try configFor(mode, overrides)
    }

    /// Whether a fit with these settings chooses something on validation (epochs, a λ); without
    /// that, the validation rows are training rows and the model is fitted on both.
    public func searches(_ mode: RunMode, overrides: [String: String] = [:]) throws -> Bool {
        try searchesFor(mode, overrides)
    }

    /// Fits with `mode`'s settings. With validation and something to choose, the model is
    /// searched on the training part (early stopping, hyperparameters chosen on validation) and,
    /// with `refit`, fitted again on training + validation with what was chosen (without it the
    /// searched model is kept). With nothing to choose, it is fitted on training + validation.
    public func fit(
        _ input: FitInput, mode: RunMode, overrides: [String: String] = [:], refit: Bool = true
    ) throws
        -> FittedModel
    {
        try fitModel(input, mode, overrides, refit)
    }

    /// Rebuilds a fitted model from its saved state and Config JSON; `input` holds the rows the
    /// kept fit was made on (train + validation after a search: `FitInput.merged()`).
    public func restore(
        state: [NamedTensor], configJSON: String, input: FitInput, search: TrainingRecord?,
        final: TrainingRecord
    ) throws -> FittedModel {
        try restoreModel(state, configJSON, input, search, final)
    }

    /// An entry for `type`, with its own info and settings when one class serves two models
    /// (Mult-VAE and Mult-DAE, I- and U-AutoRec).
    public static func of<M: RecommenderModel>(
        _ type: M.Type, info: ModelInfo? = nil,
        configure: @escaping @Sendable (inout M.Config) -> Void = { _ in }
    )
        -> ModelEntry
    {
        let info = info ?? M.info
        @Sendable func config(_ mode: RunMode, _ overrides: [String: String]) throws -> M.Config {
            var c = M.defaultConfig(mode)
            configure(&c)
            return try ConfigOverrides.apply(overrides, to: c, model: info.name).honouring(Set(overrides.keys))
        }
        @Sendable func fitted(_ model: M, search: TrainingRecord?) -> FittedModel {
            FittedModel(
                info: info, recommender: model, configSummary: model.config.summary,
                englishSummary: LibraryWords.inEnglish { model.config.summary },
                configJSON: encodeConfig(model.config), search: search, final: model.record, state: model.state)
        }
        return ModelEntry(
            info: info,
            configFor: { mode, overrides in
                let c = try config(mode, overrides)
                return (c.summary, encodeConfig(c))
            },
            searchesFor: { mode, overrides in try config(mode, overrides).searchesOnValidation },
            fitModel: { input, mode, overrides, refit in
                let c = try config(mode, overrides)
                guard input.validation != nil else { return fitted(try M.fit(input, config: c), search: nil) }
                // Nothing to choose: the validation rows are training rows.
                guard c.searchesOnValidation else { return fitted(try M.fit(input.merged(), config: c), search: nil) }
                let searched = try M.fit(input, config: c)
                guard refit else { return fitted(searched, search: nil) }
                var final = fitted(try M.fit(input.merged(), config: searched.refitConfig), search: searched.record)
                final.searched = SearchedFit(fitted(searched, search: nil))
                return final
            },
            restoreModel: { state, json, input, search, final in
                guard let data = json.data(using: .utf8), let c = try? JSONDecoder().decode(M.Config.self, from: data)
                else {
                    throw ModelStateError(info.name, LibraryWords.say("state.settings"))
                }
                return fitted(try M(restoring: state, config: c, input: input, record: final), search: search)
            })
    }
}

func encodeConfig<C: Encodable>(_ config: C) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(config)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
}

/// Every model of the book, in the order the chapters introduce them.
public enum Registry {
    public static let all: [ModelEntry] = [
        .of(RandomRecommender.self),
        .of(MostPopular.self),
        .of(ItemKNN.self),
        .of(GMF.self),
        .of(MLP.self),
        .of(NeuMF.self),
        .of(Item2Vec.self),
        .of(BiasedMF.self),
        .of(AutoRec.self),
        .of(AutoRec.self, info: AutoRec.userInfo) { $0.itemBased = false },
        .of(CDAE.self),
        .of(MultVAE.self),
        // Mult-DAE keeps the paper's lr 0.001 in every mode (standard mode's 0.003 is Mult-VAE's).
        .of(MultVAE.self, info: MultVAE.daeInfo) { ($0.variational, $0.learningRate) = (false, 1e-3) },
        .of(EASE.self),
        .of(MFBPR.self),
        .of(NGCF.self),
        .of(LightGCN.self),
    ]

    /// The top-N models of the book that chapter 8's leaderboard ranks (the floors, and every
    /// ranking model but the random one).
    public static var leaderboard: [ModelEntry] {
        all.filter { $0.info.task == .ranking && $0.info.key != RandomRecommender.info.key }
    }

    /// The entry with `key` (or display name, ignoring case and punctuation: "NeuMF", "mult-vae").
    public static func entry(_ name: String) throws -> ModelEntry {
        func simple(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        let wanted = simple(name)
        if let found = all.first(where: { e in
            ([e.info.key, e.info.name] + e.info.aliases).contains { simple($0) == wanted }
        }) {
            return found
        }
        throw WorkbookError(
            LibraryWords.say("settings.error.unknown-model", ["name": name]),
            fix: LibraryWords.say("settings.error.choose", ["choices": all.map(\.info.key).joined(separator: ", ")]))
    }
}
