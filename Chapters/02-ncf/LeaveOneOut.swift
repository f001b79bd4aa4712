// Chapter 2 on MovieLens-100K under the NCF paper's protocol (loo-99): GMF, MLP and NeuMF trained
// until validation stops improving, their validation curves, and the paper's pre-training.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension NCFChapter {
    struct LooFindings {
        let split: Split
        /// Every model of the section, fitted on train + validation, by name.
        let models: [(name: String, model: any Recommender)]
        /// Their loo-99 test evaluations (HR@10, NDCG@10, per user).
        let evaluations: [String: Evaluation]
        let fitted: [String: FittedModel]
        let config: NCFConfig
        func hr(_ name: String) -> Double { evaluations[name]?.metrics["HR@10"] ?? .nan }
    }

    static func withInterval(_ e: Evaluation?, _ metric: String) -> String {
        guard let e else { return "-" }
        let value = f4(e.metrics[metric] ?? .nan)
        return e.interval(metric).map {
            value + " [" + String(format: "%.3f, %.3f", $0.lowerBound, $0.upperBound) + "]"
        }
            ?? value
    }

    static func implicitTopK(_ context: ChapterContext, data: RatingsData, plan: Plan) throws -> LooFindings {
        let say = context.narrator, t = context.text
        let mode = context.options.mode
        say.heading(t("loo.heading"))
        let split = try Split.make(data, protocol: .loo99, seed: context.options.seed, validation: true)
        let evaluator = SampledEvaluator(split: split, data: data)
        let schedule = GMF.defaultConfig(mode).training
        say.prose(
            mode == .standard
                ? t(
                    "loo.intro.early-stopping",
                    ["test": split.test.count, "every": schedule.evaluateEvery, "patience": schedule.patience ?? 0])
                : t(
                    "loo.intro.fixed",
                    ["test": split.test.count, "mode": mode.rawValue, "epochs": schedule.maxEpochs]))
        let config = GMF.defaultConfig(mode)
        say.prose(t("loo.configuration", ["config": config.summary]))
        let neumfConfig = NeuMF.defaultConfig(mode)
        if neumfConfig.summary != config.summary {
            let patience = config.training.patience ?? 0
            say.prose(t("loo.configuration.neumf", ["config": neumfConfig.summary, "patience": patience]))
        }
        say.listing(try listing("train-implicit", ModelsSource.file("NCF/NCF.swift")))
        var fitted: [String: FittedModel] = [:], evaluations: [String: Evaluation] = [:]
        var models: [(name: String, model: any Recommender)] = []
        for key in ["gmf", "mlp", "neumf", "most-popular", "itemknn"] {
            let entry = try Registry.entry(key)
            let model = try context.fitted(entry, data: data, split: split)
            let evaluation = evaluator.evaluate(model.recommender, k: 10)
            (fitted[entry.info.name], evaluations[entry.info.name]) = (model, evaluation)
            models.append((entry.info.name, model.recommender))
            context.record(ResultEntry(model, evaluation: evaluation, dataset: data.name))
        }
        if let pretrained = try pretrain(context, data: data, split: split, fitted: fitted) {
            let evaluation = evaluator.evaluate(pretrained.model, k: 10)
            evaluations[pretrained.name] = evaluation
            models.append((pretrained.name, pretrained.model))
            context.record(
                ResultEntry(
                    model: pretrained.name, protocol: "loo-99", dataset: data.name, metrics: evaluation.metrics,
                    intervals: ["HR@10", "NDCG@10"].reduce(into: [:]) { out, metric in
                        if let r = evaluation.interval(metric) { out[metric] = [r.lowerBound, r.upperBound] }
                    }, trainSeconds: pretrained.model.record.seconds, epochs: pretrained.model.record.epochs,
                    steps: pretrained.model.record.steps, settings: "SGD fine-tuning of the GMF and MLP above"))
        }
        let order = ["GMF", "MLP", "NeuMF", "NeuMF (pre-trained)", "MostPopular", "ItemKNN"]
        let rows: [[String]] = order.compactMap { name in
            guard let e = evaluations[name] else { return nil }
            let f = fitted[name]
            let budget =
                f.flatMap { $0.steps > 0 ? $0 : nil }.map {
                    "\($0.bestEpoch.map(String.init) ?? "-") / \($0.searchEpochs ?? $0.epochs ?? 0)"
                }
                ?? (name.hasSuffix("(pre-trained)")
                    ? t("loo.budget.fixed", ["epochs": fitted["NeuMF"]?.epochs ?? 0]) : "-")
            let seconds = f.map { String(format: "%.1f", $0.seconds) } ?? "-"
            return [name, withInterval(e, "HR@10"), withInterval(e, "NDCG@10"), budget, seconds]
        }
        say.table(
            Table(
                headers: [t("common.model")] + ["hr", "ndcg", "budget", "seconds"].map { t("loo.header." + $0) },
                rows: rows, alignments: [.left, .right, .right, .right, .right]),
            caption: t(
                "loo.caption",
                [
                    "f": config.factors, "neumf": neumfConfig.factors, "seed": context.options.seed,
                    "mode": mode.rawValue, "users": split.test.count,
                ]))
        try looFigures(context, fitted: fitted, order: ["GMF", "MLP", "NeuMF"])
        return LooFindings(split: split, models: models, evaluations: evaluations, fitted: fitted, config: config)
    }

    /// The paper's pre-training: NeuMF from the trained GMF and MLP (copies, so those stay as they are),
    /// alpha = 0.5, then plain SGD on the same rows for as many epochs as NeuMF from scratch chose.
    static func pretrain(
        _ context: ChapterContext, data: RatingsData, split: Split, fitted: [String: FittedModel]
    ) throws -> (name: String, model: NeuMF)? {
        guard let gmfFit = fitted["GMF"], let mlpFit = fitted["MLP"], let gmf = gmfFit.recommender as? GMF,
            let mlp = mlpFit.recommender as? MLP, let neumf = fitted["NeuMF"]
        else { return nil }
        let input = context.fitInput(data, split: split).merged()
        let gmfCopy = try GMF(restoring: gmfFit.state, config: gmf.config, input: input, record: gmfFit.final)
        let mlpCopy = try MLP(restoring: mlpFit.state, config: mlp.config, input: input, record: mlpFit.final)
        let model = NeuMF(pretrainedGMF: gmfCopy, pretrainedMLP: mlpCopy, alpha: 0.5)
        let before = SampledEvaluator(split: split, data: data).evaluate(model, k: 10).metrics
        var config = model.config  // the MLP's: the network the paper fine-tunes
        config.training = .fixed(neumf.epochs ?? config.training.maxEpochs)
        try model.train(input, config: config, optimizer: SGD(model.parameters, learningRate: config.learningRate))
        context.record("neumf_pretrained_hr10_before_finetuning", before["HR@10"] ?? .nan)
        context.narrator.prose(
            context.text(
                "loo.pretrained",
                [
                    "before": f4(before["HR@10"] ?? .nan), "lr": String(format: "%.0e", Double(config.learningRate)),
                    "epochs": config.training.maxEpochs,
                ]))
        return ("NeuMF (pre-trained)", model)
    }

    /// Validation NDCG@10 and training loss per epoch of the searches (never the test set); without a
    /// search (a fixed budget), the loss of the fit.
    static func looFigures(_ context: ChapterContext, fitted: [String: FittedModel], order: [String]) throws {
        let t = context.text
        let searched = order.compactMap { name in fitted[name]?.search.map { (name, $0) } }
        if !searched.isEmpty {
            var curves = Figure.validationCurves(
                name: "validation-per-epoch", title: t("fig.validation.title"),
                yLabel: t("fig.validation.y"), runs: searched.map { ($0.0, $0.1.validationPoints, $0.1.bestEpoch) },
                xLabel: t("fig.epoch"), kept: { t("fig.kept-epoch", ["epoch": $0]) })
            curves.keyPosition = "bottom right"
            try context.figure(curves, caption: t("fig.validation.caption"))
        }
        let records = order.compactMap { name in fitted[name].map { (name, $0.search ?? $0.final) } }
        var loss = Figure(
            name: "training-loss", title: t("fig.training-loss.title"),
            xLabel: t("common.epoch"), yLabel: t("fig.training-loss.y"),
            kind: .lines(records.map { Series($0.0, perEpoch: $0.1.losses) }))
        loss.keyPosition = "top right"
        try context.figure(loss, caption: t("fig.training-loss.caption"))
    }
}
