// Chapter 4, part 1: AutoRec on ratings, against biased MF and the bias baselines, each trained
// until its validation RMSE stops improving.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension AutoencodersChapter {
    /// RMSE of `predictions` on `rows`, with a 95% bootstrap interval over the ratings.
    static func rmse(
        _ predictions: [Float], _ rows: RatingRows, seed: UInt64
    ) -> (value: Double, interval: ClosedRange<Double>) {
        let squared = zip(predictions, rows.ratings).map { Double(($0 - $1) * ($0 - $1)) }
        let mse = squared.reduce(0, +) / Double(max(squared.count, 1))
        let r = Bootstrap.interval(squared, seed: seed)
        return (mse.squareRoot(), r.lowerBound.squareRoot()...r.upperBound.squareRoot())
    }

    static func autoRec(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator, text = context.text
        let mode = context.options.mode
        say.heading(text("autorec.heading"))
        say.prose(text("autorec.before-listing"))
        say.listing(try Listing.region("autorec", file: source("AutoRec.swift")))
        say.errata(text("autorec.errata"))
        let split = try Split.make(data, protocol: .ratings9010, seed: context.options.seed, validation: true)
        let schedule = AutoRec.defaultConfig(mode).training
        let values: [String: any CustomStringConvertible] = [
            "ratings": data.count.formatted(), "users": data.userCount, "every": schedule.evaluateEvery,
            "patience": schedule.patience ?? 0, "mode": mode.rawValue, "epochs": schedule.maxEpochs,
        ]
        say.prose(text(mode == .standard ? "autorec.protocol.search" : "autorec.protocol.fixed", values))
        let fitRows = (split.train + split.validation).sorted()
        let testRows = RatingRows(data, rows: split.test)
        var fitted: [(name: String, model: FittedModel)] = []
        var rows: [[String]] = []
        for key in ["i-autorec", "u-autorec", "biased-mf"] {
            let entry = try Registry.entry(key)
            let model = try context.fitted(entry, data: data, split: split)
            let r = rmse(
                model.recommender.scores(pairs: testRows.users, testRows.items), testRows, seed: context.options.seed)
            fitted.append((entry.info.name, model))
            rows.append([
                "\(entry.info.name) (\(model.configSummary.split(separator: ",").first ?? ""))", f4(r.value),
                String(format: "[%.3f, %.3f]", r.interval.lowerBound, r.interval.upperBound),
                model.bestEpoch.map { "\($0) / \(model.searchEpochs ?? 0)" }
                    ?? text("table.fixed", ["epochs": model.epochs ?? 0]),
                String(format: "%.3f", model.final.medianEpochSeconds),
            ])
            context.record(
                ResultEntry(
                    model: entry.info.name, protocol: "ratings-90-10", dataset: data.name, metrics: ["RMSE": r.value],
                    intervals: ["RMSE": [r.interval.lowerBound, r.interval.upperBound]], trainSeconds: model.seconds,
                    epochs: model.epochs, bestEpoch: model.bestEpoch, epochsRun: model.searchEpochs, steps: model.steps,
                    settings: model.englishSummary))
        }
        // The bias baselines on the same fitting rows.
        let baselines = biasBaselines(data, fitRows: fitRows)
        for (name, predict) in [("damped user + item biases", baselines.biases), ("global mean", baselines.mean)] {
            let shown = text(name == "global mean" ? "autorec.baseline.mean" : "autorec.baseline.biases")
            let r = rmse(
                zip(testRows.users, testRows.items).map { predict(Int($0), Int($1)) }, testRows,
                seed: context.options.seed)
            rows.append([
                shown, f4(r.value), String(format: "[%.3f, %.3f]", r.interval.lowerBound, r.interval.upperBound), "-",
                "-",
            ])
            context.record(
                ResultEntry(
                    model: name == "global mean" ? name : "bias baseline", protocol: "ratings-90-10",
                    dataset: data.name, metrics: ["RMSE": r.value]))
        }
        say.table(
            Table(
                headers: [
                    "table.model", "autorec.table.rmse", "autorec.table.ci", "table.best-epoch", "table.epoch-seconds",
                ].map { text($0) }, rows: rows,
                alignments: [.left, .right, .right, .right, .right]),
            caption: text(
                "autorec.table.caption",
                ["seed": context.options.seed, "mode": mode.rawValue, "count": testRows.count.formatted()]))
        let searched = fitted.compactMap { f in f.model.search.map { (f.name, $0) } }
        if !searched.isEmpty {
            let validation = RatingRows(data, rows: split.validation)
            let trainOnly = biasBaselines(data, fitRows: split.train)
            let biasValidation = rmse(
                zip(validation.users, validation.items).map { trainOnly.biases(Int($0), Int($1)) }, validation,
                seed: context.options.seed
            ).value
            let last = Double(searched.map { $0.1.epochs }.max() ?? 1)
            var figure = Figure.validationCurves(
                name: "autorec-rmse", title: text("fig.autorec-rmse.title"),
                yLabel: text("fig.validation-rmse"),
                runs: searched.map { ($0.0, $0.1.validationPoints, $0.1.bestEpoch) }, xLabel: text("fig.epoch"),
                kept: { text("fig.kept-epoch", ["epoch": $0]) })
            if case .lines(let curves) = figure.kind {
                figure.kind = .lines(
                    curves + [
                        Series(
                            text("fig.autorec-rmse.biases"), [(x: 1, y: biasValidation), (x: last, y: biasValidation)],
                            style: .dashed)
                    ])
            }
            figure.keyPosition = "below"
            // The range that matters: from just under the best score to a little above the bias baseline, so
            // that the first epochs' large errors do not squeeze the curves together.
            let lowest = searched.compactMap { $0.1.bestValue }.min() ?? biasValidation
            let span = max(biasValidation - lowest, 0.01)
            figure.yRange = (lowest - 0.3 * span)...(biasValidation + 0.8 * span)
            figure.xRange = 0...(last + 1)
            let bestOf = searched.map { ($0.0, $0.1.bestValue ?? .infinity) }
            let worst = bestOf.max { $0.1 < $1.1 }?.0 ?? ""
            let caption = worst == "U-AutoRec" ? "fig.autorec-rmse.caption.user" : "fig.autorec-rmse.caption"
            try context.figure(figure, caption: text(caption, ["worst": worst]))
        }
        // The default size's search is the I-AutoRec above: its validation score is reused, not retrained.
        let defaultHidden = AutoRec.defaultConfig(mode).hidden
        let known = fitted.first { $0.name == "I-AutoRec" }?.model.search?.bestValue.map { [defaultHidden: $0] } ?? [:]
        try hiddenSweep(context, data: data, plan: plan, split: split, known: known)
    }

    /// The global mean and the damped user + item biases (shrinkage 25 and 10) fitted on `fitRows`.
    static func biasBaselines(
        _ data: RatingsData, fitRows: [Int]
    )
        -> (mean: (Int, Int) -> Float, biases: (Int, Int) -> Float)
    {
        let mu = fitRows.map { data.ratings[$0] }.reduce(0, +) / Float(max(fitRows.count, 1))
        var itemSum = [Float](repeating: 0, count: data.itemCount), itemCount = itemSum
        for k in fitRows { itemSum[Int(data.items[k])] += data.ratings[k] - mu; itemCount[Int(data.items[k])] += 1 }
        let bi = (0..<data.itemCount).map { itemSum[$0] / (itemCount[$0] + 25) }
        var userSum = [Float](repeating: 0, count: data.userCount), userCount = userSum
        for k in fitRows {
            userSum[Int(data.users[k])] += data.ratings[k] - mu - bi[Int(data.items[k])]
            userCount[Int(data.users[k])] += 1
        }
        let bu = (0..<data.userCount).map { userSum[$0] / (userCount[$0] + 10) }
        return ({ _, _ in mu }, { u, i in min(5, max(1, mu + bi[i] + bu[u])) })
    }

    /// I-AutoRec by hidden size, each trained until validation stops improving and scored there.
    static func hiddenSweep(
        _ context: ChapterContext, data: RatingsData, plan: Plan, split: Split, known: [Int: Double]
    ) throws {
        let entry = try Registry.entry("i-autorec")
        let searching = AutoRec.defaultConfig(context.options.mode).searchesOnValidation
        let input =
            searching ? context.fitInput(data, split: split) : context.fitInput(data, split: split).withoutValidation()
        let validation = RatingRows(data, rows: split.validation)
        var points: [(x: Double, y: Double)] = []
        let text = context.text
        let bar = ProgressBar(text("hidden.progress"), total: plan.hiddenSizes.count, style: context.narrator.style)
        for (k, h) in plan.hiddenSizes.enumerated() {
            let value: Double
            if let score = known[h] {
                value = score
            } else {
                let model = try context.searched(
                    entry, input: input, split: split.evaluationProtocol.rawValue, overrides: ["hidden": "\(h)"])
                value =
                    rmse(model.recommender.scores(pairs: validation.users, validation.items), validation, seed: 0).value
            }
            points.append((x: Double(h), y: value))
            context.record("autorec_hidden_\(h)_validation_RMSE", value)
            bar.update(k + 1, detail: text("hidden.progress.detail", ["hidden": h, "rmse": f4(value)]))
        }
        bar.finish()
        var hidden = Figure(
            name: "autorec-hidden", title: text("fig.autorec-hidden.title"),
            xLabel: text("fig.autorec-hidden.x"), yLabel: text("fig.validation-rmse"),
            kind: .lines([Series("I-AutoRec", points)]))
        hidden.logX = true
        hidden.xTics = plan.hiddenSizes.map(Double.init)
        let best = points.min { $0.y < $1.y }
        try context.figure(
            hidden,
            caption: text("fig.autorec-hidden.caption", ["hidden": Int(best?.x ?? 0), "rmse": f4(best?.y ?? .nan)]))
    }
}
