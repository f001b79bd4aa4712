// Chapter 2's sweeps (loo-99): predictive factors (the paper's figure 4) and negatives per positive.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension NCFChapter {
    /// GMF, MLP or NeuMF by name.
    static func makeModel(_ name: String, data: RatingsData, config: NCFConfig, rng: RandomGenerator) -> any NCFModel {
        switch name {
        case "GMF": return GMF(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: rng)
        case "MLP": return MLP(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: rng)
        default: return NeuMF(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: rng)
        }
    }

    static func factorSweep(_ context: ChapterContext, data: RatingsData, split: LooFindings, plan: Plan) throws {
        let say = context.narrator
        say.heading("Predictive factors (the paper's figure 4)")
        say.prose(
            """
            HR@10 after \(plan.sweepEpochs) epochs for each number of predictive factors f (the GMF embedding size \
            and the MLP's last layer); the MLP keeps 3 layers, so its embeddings grow as 4f.
            """)
        var series: [Series] = []
        var rows: [[String]] = []
        let names = ["GMF", "MLP", "NeuMF"]
        var table = [[Double]](repeating: [], count: names.count)
        let bar = ProgressBar("factor sweep", total: names.count * plan.factorSizes.count, style: say.style)
        var done = 0
        for (k, name) in names.enumerated() {
            for f in plan.factorSizes {
                var config = split.config
                config.factors = f
                config.training = .fixed(plan.sweepEpochs)
                let model = makeModel(name, data: data, config: config, rng: context.rng("factors-\(name)-\(f)"))
                let run = try trainRun(
                    model, context, data: data, split: split.split, config: config, evaluateEvery: 0,
                    progress: false)
                let hr = run.last["HR@10"] ?? .nan
                table[k].append(hr)
                context.record("factors_\(name)_f\(f)_HR@10", hr)
                done += 1
                bar.update(done, detail: "\(name) f = \(f): HR@10 \(f4(hr))")
            }
            series.append(Series(name, zip(plan.factorSizes, table[k]).map { (x: Double($0), y: $1) }))
        }
        bar.finish()
        for (i, f) in plan.factorSizes.enumerated() { rows.append(["\(f)"] + names.indices.map { f4(table[$0][i]) }) }
        say.table(
            Table(headers: ["f"] + names.map { "\($0) HR@10" }, rows: rows),
            caption: "HR@10 (loo-99) by predictive factors, \(plan.sweepEpochs) epochs each")
        series.append(
            Series(
                "ItemKNN",
                [
                    (x: Double(plan.factorSizes.first ?? 8), y: split.baselines["ItemKNN"]?["HR@10"] ?? .nan),
                    (x: Double(plan.factorSizes.last ?? 64), y: split.baselines["ItemKNN"]?["HR@10"] ?? .nan),
                ], style: .dashed))
        var figure = Figure(
            name: "hr-vs-factors", title: "HR@10 against predictive factors (loo-99, \(plan.sweepEpochs) epochs)",
            xLabel: "predictive factors f", yLabel: "HR@10", kind: .lines(series))
        figure.logX = true
        figure.xTics = plan.factorSizes.map(Double.init)
        figure.xRange = (Double(plan.factorSizes.first ?? 8) * 0.8)...(Double(plan.factorSizes.last ?? 64) * 1.25)
        figure.keyPosition = "below"
        try context.figure(figure)
    }

    static func negativeSweep(_ context: ChapterContext, data: RatingsData, split: LooFindings, plan: Plan) throws {
        let say = context.narrator
        say.heading("How many negatives per positive?")
        say.prose(
            """
            NeuMF (f = \(split.config.factors)) trained with 1 to 10 sampled negatives per positive, \
            \(plan.sweepEpochs) epochs each. More negatives mean more (and longer) epochs' worth of steps, so part of \
            the gain is simply more training.
            """)
        var points: [(x: Double, y: Double)] = [], ndcg: [(x: Double, y: Double)] = []
        let bar = ProgressBar("negatives sweep", total: plan.negativeCounts.count, style: say.style)
        for (k, n) in plan.negativeCounts.enumerated() {
            var config = split.config
            config.negativeCount = n
            config.training = .fixed(plan.sweepEpochs)
            let model = NeuMF(
                userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("negatives-\(n)")
            )
            let run = try trainRun(
                model, context, data: data, split: split.split, config: config, evaluateEvery: 0, progress: false)
            points.append((x: Double(n), y: run.last["HR@10"] ?? .nan))
            ndcg.append((x: Double(n), y: run.last["NDCG@10"] ?? .nan))
            context.record("negatives_\(n)_HR@10", run.last["HR@10"] ?? .nan)
            bar.update(k + 1, detail: "\(n) negatives: HR@10 \(f4(run.last["HR@10"] ?? .nan))")
        }
        bar.finish()
        say.table(
            Table(
                headers: ["negatives", "HR@10", "NDCG@10"],
                rows: zip(points, ndcg).map { ["\(Int($0.x))", f4($0.y), f4($1.y)] }),
            caption: "NeuMF, loo-99, by training negatives per positive")
        var figure = Figure(
            name: "hr-vs-negatives", title: "NeuMF: HR@10 and NDCG@10 against negatives per positive",
            xLabel: "sampled negatives per positive", yLabel: "metric (loo-99)",
            kind: .lines([Series("HR@10", points), Series("NDCG@10", ndcg)]))
        figure.xTicStep = 1
        figure.keyPosition = "right center"
        try context.figure(figure)
    }
}
