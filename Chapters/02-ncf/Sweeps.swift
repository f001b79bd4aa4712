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
        let fitted = try entry.fit(input, mode: context.options.mode, overrides: overrides, refit: false)
        guard let candidates = split.validationCandidates else { return (.nan, .nan, 0) }
        var items = [Int32](repeating: -1, count: data.userCount)
        for r in split.validation { items[Int(data.users[r])] = data.items[r] }
        let m = SampledEvaluator(testItems: items, candidates: candidates).evaluate(fitted.recommender, k: 10).metrics
        return (m["NDCG@10"] ?? .nan, m["HR@10"] ?? .nan, fitted.final.bestEpoch ?? fitted.final.epochs)
    }

    static func factorSweep(_ context: ChapterContext, data: RatingsData, loo: LooFindings, plan: Plan) throws {
        let say = context.narrator
        say.heading("Predictive factors (the paper's figure 4)")
        let names = plan.factorModels
        say.prose(
            """
            Validation HR@10 for each number of predictive factors f (the GMF embedding size and the MLP's last \
            layer; the MLP keeps 3 layers, so its embeddings grow as 4f), each setting trained until validation \
            stopped improving. A sweep chooses a setting, so it is scored on validation, not test. \
            \(names.count < 3 ? """
                In default mode only \(names.joined(separator: " and ")) is swept: MLP and NeuMF at f = 32 take \
                about 50 s each here (their first layer has 256 inputs for every one of 500,000 examples an \
                epoch); `--full` sweeps all three.
                """ : "")
            """)
        var series: [Series] = []
        var table = [[Double]](repeating: [], count: names.count)
        let bar = ProgressBar("factor sweep", total: names.count * plan.factorSizes.count, style: say.style)
        var done = 0
        for (k, name) in names.enumerated() {
            for f in plan.factorSizes {
                let score = try validationScore(
                    context, data: data, split: loo.split, key: name.lowercased(), overrides: ["factors": "\(f)"])
                table[k].append(score.hr)
                context.record("factors_\(name)_f\(f)_validation_HR@10", score.hr)
                done += 1
                bar.update(done, detail: "\(name) f = \(f): validation HR@10 \(f4(score.hr)) (epoch \(score.epochs))")
            }
            series.append(Series(name, zip(plan.factorSizes, table[k]).map { (x: Double($0), y: $1) }))
        }
        bar.finish()
        let rows = plan.factorSizes.enumerated().map { i, f in ["\(f)"] + names.indices.map { f4(table[$0][i]) } }
        say.table(
            Table(headers: ["f"] + names.map { "\($0) validation HR@10" }, rows: rows),
            caption: "loo-99 validation items, by predictive factors")
        var figure = Figure(
            name: "hr-vs-factors", title: "Validation HR@10 against predictive factors (loo-99)",
            xLabel: "predictive factors f", yLabel: "validation HR@10", kind: .lines(series))
        figure.logX = true
        figure.xTics = plan.factorSizes.map(Double.init)
        figure.xRange = (Double(plan.factorSizes.first ?? 8) * 0.8)...(Double(plan.factorSizes.last ?? 64) * 1.25)
        figure.keyPosition = "below"
        try context.figure(figure)
        if let first = table.first, let best = first.indices.max(by: { first[$0] < first[$1] }) {
            say.prose(
                """
                \(names[0]) is best on validation with f = \(plan.factorSizes[best]) \
                (\(f4(first[best]))); the paper found more factors better for every model, with the gains \
                shrinking past 32. The book's default stays f = 8, the paper's smallest, because chapter 8 \
                compares every model at its default cost.
                """)
        }
    }

    static func negativeSweep(_ context: ChapterContext, data: RatingsData, loo: LooFindings, plan: Plan) throws {
        let say = context.narrator
        say.heading("How many negatives per positive?")
        let name = plan.negativeModel
        let counts = plan.negativeCounts.map(String.init).joined(separator: ", ")
        say.prose(
            """
            \(name) (f = \(loo.config.factors)) trained with \(counts) sampled negatives per positive, each until \
            validation stopped improving, scored on validation. \
            More negatives mean longer epochs, so a setting's steps differ, and early stopping gives each the \
            epochs it needs.
            """)
        var points: [(x: Double, y: Double)] = [], ndcg: [(x: Double, y: Double)] = [], epochs: [Int] = []
        let bar = ProgressBar("negatives sweep", total: plan.negativeCounts.count, style: say.style)
        for (k, n) in plan.negativeCounts.enumerated() {
            let score = try validationScore(
                context, data: data, split: loo.split, key: name.lowercased(), overrides: ["negativeCount": "\(n)"])
            points.append((x: Double(n), y: score.hr))
            ndcg.append((x: Double(n), y: score.ndcg))
            epochs.append(score.epochs)
            context.record("negatives_\(n)_validation_HR@10", score.hr)
            bar.update(k + 1, detail: "\(n) negatives: validation HR@10 \(f4(score.hr))")
        }
        bar.finish()
        say.table(
            Table(
                headers: ["negatives", "validation HR@10", "validation NDCG@10", "best epoch"],
                rows: points.indices.map {
                    ["\(Int(points[$0].x))", f4(points[$0].y), f4(ndcg[$0].y), "\(epochs[$0])"]
                }),
            caption: "\(name), loo-99 validation items, by training negatives per positive")
        var figure = Figure(
            name: "hr-vs-negatives", title: "\(name): validation HR@10 and NDCG@10 against negatives per positive",
            xLabel: "sampled negatives per positive", yLabel: "HR@10 (loo-99 validation)",
            kind: .lines([Series("HR@10", points), Series("NDCG@10", ndcg)]))
        // Two metrics, each on its own scale, so that either one's change can be read.
        figure.secondAxis = (label: "NDCG@10 (loo-99 validation)", series: ["NDCG@10"], range: nil)
        figure.xTicStep = 1
        figure.keyPosition = "below"
        try context.figure(figure)
    }
}
