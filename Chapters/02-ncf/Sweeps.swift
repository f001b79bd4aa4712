// Chapter 2's sweeps (loo-99): predictive factors (the paper's figure 4) and negatives per positive,
// each setting trained until validation stops improving and scored on validation, where settings
// are chosen.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension NCFChapter {
    /// `key` with `overrides` fitted on the split's training part only, and its validation NDCG@10 and HR@10
    /// (in quick mode the budget is fixed and the validation part is left out of training).
    static func validationScore(
        _ context: ChapterContext, data: RatingsData, split: Split, key: String, overrides: [String: String]
    ) throws -> (ndcg: Double, hr: Double, epochs: Int) {
        let entry = try Registry.entry(key)
        let searches = NCFConfig(mode: context.options.mode).searchesOnValidation
        let input =
            searches
            ? context.fitInput(data, split: split)
            : context.fitInput(data, split: split)
                .withoutValidation()
        let fitted = try context.searched(
            entry, input: input, split: split.evaluationProtocol.rawValue, overrides: overrides)
        guard let candidates = split.validationCandidates else { return (.nan, .nan, 0) }
        var items = [Int32](repeating: -1, count: data.userCount)
        for r in split.validation { items[Int(data.users[r])] = data.items[r] }
        let m = SampledEvaluator(testItems: items, candidates: candidates).evaluate(fitted.recommender, k: 10).metrics
        return (m["NDCG@10"] ?? .nan, m["HR@10"] ?? .nan, fitted.final.bestEpoch ?? fitted.final.epochs)
    }

    static func factorSweep(_ context: ChapterContext, data: RatingsData, loo: LooFindings, plan: Plan) throws {
        let say = context.narrator, t = context.text
        say.heading(t("factors.heading"))
        let names = plan.factorModels
        let partial = t("factors.intro.partial", ["models": names.joined(separator: " " + t("common.and") + " ")])
        say.prose(t("factors.intro") + (names.count < 3 ? " " + partial : ""))
        var series: [Series] = []
        var table = [[Double]](repeating: [], count: names.count)
        let bar = ProgressBar(t("factors.progress"), total: names.count * plan.factorSizes.count, style: say.style)
        var done = 0
        for (k, name) in names.enumerated() {
            for f in plan.factorSizes {
                let score = try validationScore(
                    context, data: data, split: loo.split, key: name.lowercased(), overrides: ["factors": "\(f)"])
                table[k].append(score.hr)
                context.record("factors_\(name)_f\(f)_validation_HR@10", score.hr)
                done += 1
                bar.update(
                    done,
                    detail: t(
                        "factors.progress.detail", ["model": name, "f": f, "hr": f4(score.hr), "epoch": score.epochs]))
            }
            series.append(Series(name, zip(plan.factorSizes, table[k]).map { (x: Double($0), y: $1) }))
        }
        bar.finish()
        let rows = plan.factorSizes.enumerated().map { i, f in ["\(f)"] + names.indices.map { f4(table[$0][i]) } }
        say.table(
            Table(headers: ["f"] + names.map { t("factors.header", ["model": $0]) }, rows: rows),
            caption: t("factors.caption"))
        var figure = Figure(
            name: "hr-vs-factors", title: t("fig.factors.title"),
            xLabel: t("fig.factors.x"), yLabel: t("fig.factors.y"), kind: .lines(series))
        figure.logX = true
        figure.xTics = plan.factorSizes.map(Double.init)
        figure.xRange = (Double(plan.factorSizes.first ?? 8) * 0.8)...(Double(plan.factorSizes.last ?? 64) * 1.25)
        figure.keyPosition = "below"
        try context.figure(figure)
        if let first = table.first, let best = first.indices.max(by: { first[$0] < first[$1] }) {
            say.prose(t("factors.best", ["model": names[0], "f": plan.factorSizes[best], "hr": f4(first[best])]))
        }
    }

    static func negativeSweep(_ context: ChapterContext, data: RatingsData, loo: LooFindings, plan: Plan) throws {
        let say = context.narrator, t = context.text
        say.heading(t("negatives.heading"))
        let name = plan.negativeModel
        let counts = plan.negativeCounts.map(String.init).joined(separator: ", ")
        say.prose(t("negatives.intro", ["model": name, "f": loo.config.factors, "counts": counts]))
        var points: [(x: Double, y: Double)] = [], ndcg: [(x: Double, y: Double)] = [], epochs: [Int] = []
        let bar = ProgressBar(t("negatives.progress"), total: plan.negativeCounts.count, style: say.style)
        for (k, n) in plan.negativeCounts.enumerated() {
            let score = try validationScore(
                context, data: data, split: loo.split, key: name.lowercased(), overrides: ["negativeCount": "\(n)"])
            points.append((x: Double(n), y: score.hr))
            ndcg.append((x: Double(n), y: score.ndcg))
            epochs.append(score.epochs)
            context.record("negatives_\(n)_validation_HR@10", score.hr)
            bar.update(k + 1, detail: t("negatives.progress.detail", ["n": n, "hr": f4(score.hr)]))
        }
        bar.finish()
        say.table(
            Table(
                headers: ["negatives", "hr", "ndcg", "epoch"].map { t("negatives.header." + $0) },
                rows: points.indices.map {
                    ["\(Int(points[$0].x))", f4(points[$0].y), f4(ndcg[$0].y), "\(epochs[$0])"]
                }),
            caption: t("negatives.caption", ["model": name]))
        var figure = Figure(
            name: "hr-vs-negatives", title: t("fig.negatives.title", ["model": name]),
            xLabel: t("fig.negatives.x"), yLabel: t("fig.negatives.y"),
            kind: .lines([Series("HR@10", points), Series("NDCG@10", ndcg)]))
        // Two metrics, each on its own scale, so that either one's change can be read.
        figure.secondAxis = (label: t("fig.negatives.y2"), series: ["NDCG@10"], range: nil)
        figure.xTicStep = 1
        figure.keyPosition = "below"
        try context.figure(figure)
    }
}
