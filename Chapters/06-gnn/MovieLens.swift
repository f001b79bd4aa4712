// Chapter 6 on MovieLens-100K: MF-BPR, LightGCN and NGCF, and depth against over-smoothing.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension GNNChapter {
    struct GraphFindings {
        let split: Split
        let recall: [String: Double]
        /// Paired bootstrap sentences on Recall@20 (LightGCN against MF-BPR and NGCF).
        let claims: [String]
        let lightGCNAheadOfMFBPR: Bool?
    }

    static let graphModels = ["mf-bpr", "lightgcn", "ngcf"]

    static func movieLens(_ context: ChapterContext, data: RatingsData) throws -> GraphFindings {
        let say = context.narrator, t = context.text
        say.heading(t("ml.heading"))
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let fitRows = (split.train + split.validation).sorted()
        let train = InteractionMatrix(data, rows: fitRows), test = InteractionMatrix(data, rows: split.test)
        let graph = normalizedAdjacency(InteractionMatrix(data, rows: split.train))
        let mode = context.options.mode
        let schedule = LightGCN.defaultConfig(mode).training
        let budget: String
        if mode == .standard {
            budget = t("ml.intro.converged", ["every": schedule.evaluateEvery, "patience": schedule.patience ?? 0])
        } else {
            budget = t(
                mode == .quick ? "ml.intro.quick" : "ml.intro.budget",
                ["mode": mode.rawValue, "epochs": GraphConfig(mode: mode).training.maxEpochs])
        }
        say.prose(
            t("ml.intro", ["nodes": data.userCount + data.itemCount, "edges": graph.nonZeroCount.formatted()]) + " "
                + budget)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        var fitted: [String: FittedModel] = [:], evaluations: [String: Evaluation] = [:]
        var rows: [[String]] = []
        for key in graphModels + ["itemknn", "most-popular"] {
            let entry = try Registry.entry(key)
            let model = try context.fitted(entry, data: data, split: split)
            let evaluation = evaluator.evaluate(model.recommender, ks: [20])
            let result = ResultEntry(model, evaluation: evaluation, dataset: data.name)
            context.record(result)
            let name = entry.info.name
            (fitted[name], evaluations[name]) = (model, evaluation)
            func withInterval(_ metric: String) -> String {
                let value = f4(evaluation.metrics[metric] ?? .nan)
                return evaluation.interval(metric).map {
                    value + " [" + String(format: "%.3f, %.3f", $0.lowerBound, $0.upperBound) + "]"
                } ?? value
            }
            let trained = model.steps > 0
            rows.append([
                name, withInterval("Recall@20"), withInterval("NDCG@20"),
                trained
                    ? (model.bestEpoch.map(String.init) ?? "-") + " / "
                        + (model.searchEpochs ?? model.epochs ?? 0)
                        .formatted() : "-",
                trained ? String(format: "%.3f", model.final.medianEpochSeconds) : "-",
                String(format: "%.1f", model.seconds),
            ])
        }
        say.table(
            Table(
                headers: [
                    t("ml.table.model"), t("ml.table.recall"), t("ml.table.ndcg"), t("ml.table.epochs"),
                    t("ml.table.epoch-seconds"), t("ml.table.seconds"),
                ],
                rows: rows, alignments: [.left, .right, .right, .right, .right, .right]),
            caption: t("ml.table.caption", ["seed": context.options.seed, "mode": mode.rawValue]))
        say.table(
            Table(
                headers: [t("ml.settings.model"), t("ml.settings.settings")],
                rows: graphModels.compactMap { key in
                    (try? Registry.entry(key)).flatMap { e in
                        fitted[e.info.name].map { [e.info.name, $0.configSummary] }
                    }
                }, alignments: [.left, .left]),
            caption: t("ml.settings.caption"))
        try curves(context, fitted: fitted)
        // Paired comparisons on the same test users.
        var claims: [String] = [], ahead: Bool?
        for (a, b) in [("LightGCN", "MF-BPR"), ("LightGCN", "NGCF")] {
            guard let x = evaluations[a], let y = evaluations[b],
                let c = Bootstrap.compare(x, y, metric: "Recall@20", seed: context.options.seed)
            else { continue }
            claims.append(claim(context, a, b, metric: "Recall@20", comparison: c))
            context.record("\(a)_minus_\(b)_Recall@20", c.difference)
            context.record("\(a)_vs_\(b)_distinguishable", c.isDistinguishable ? 1 : 0)
            if b == "MF-BPR" { ahead = c.isDistinguishable ? c.difference > 0 : nil }
        }
        say.prose(t("ml.bootstrap"))
        say.bullets(claims)
        try norms(context, lightGCN: fitted["LightGCN"], train: train, data: data)
        return GraphFindings(
            split: split, recall: evaluations.mapValues { $0.metrics["Recall@20"] ?? .nan }, claims: claims,
            lightGCNAheadOfMFBPR: ahead)
    }

    /// A paired comparison in words (Bootstrap.Comparison.sentence, in the edition's language).
    static func claim(
        _ context: ChapterContext, _ a: String, _ b: String, metric: String, comparison c: Bootstrap.Comparison
    ) -> String {
        c.sentence(a, b, metric: metric)
    }

    /// The validation curves of the search (NDCG@20 on the validation part, never the test part).
    static func curves(_ context: ChapterContext, fitted: [String: FittedModel]) throws {
        let searched = ["MF-BPR", "LightGCN", "NGCF"].compactMap { name in
            fitted[name]?.search.map { (name, $0) }
        }
        let t = context.text
        guard !searched.isEmpty else {
            context.narrator.prose(t("ml.no-curves", ["mode": context.options.mode.rawValue]))
            return
        }
        var figure = Figure.validationCurves(
            name: "validation-per-epoch", title: t("fig.validation.title"),
            yLabel: t("fig.validation.y"), runs: searched.map { ($0.0, $0.1.validationPoints, $0.1.bestEpoch) },
            xLabel: t("fig.validation.x"), kept: { t("fig.kept-epoch", ["epoch": $0]) })
        figure.keyPosition = "bottom right"
        // The part that decides the stopping epoch: the top 20% below the best score (early epochs fall off
        // the bottom of the plot instead of squeezing the plateau into a line).
        let top = searched.compactMap { $0.1.bestValue }.max() ?? 1
        figure.yRange = (0.8 * top)...(1.03 * top)
        let kept = searched.map { name, record in
            t(
                "fig.validation.kept",
                ["name": name, "epoch": record.bestEpoch ?? 0, "value": f4(record.bestValue ?? .nan)])
        }
        try context.figure(figure, caption: t("fig.validation.caption", ["kept": kept.joined(separator: "; ")]))
    }

    /// Embedding norm against degree for the trained LightGCN.
    static func norms(
        _ context: ChapterContext, lightGCN: FittedModel?, train: InteractionMatrix, data: RatingsData
    )
        throws
    {
        guard let model = lightGCN?.recommender as? LightGCN else { return }
        let t = context.text
        let degrees = train.itemPopularity
        let points = (0..<data.itemCount).map { i -> (x: Double, y: Double) in
            let e = model.embedding(data.userCount + i)
            return (x: Double(max(degrees[i], 1)), y: Double(e.map { $0 * $0 }.reduce(0, +).squareRoot()))
        }
        var figure = Figure(
            name: "norm-vs-degree", title: t("fig.norm.title"), xLabel: t("fig.norm.x"), yLabel: t("fig.norm.y"),
            kind: .scatter([Series(t("fig.norm.items"), points, style: .points)], labels: []))
        figure.logX = true
        try context.figure(figure, caption: t("fig.norm.caption"))
    }

    static func layers(_ context: ChapterContext, data: RatingsData, split: Split) throws {
        let say = context.narrator, t = context.text
        say.heading(t("layers.heading"))
        let train = InteractionMatrix(data, rows: split.train)
        let graph = normalizedAdjacency(train)
        let mode = context.options.mode
        // Depth is a hyperparameter: it is chosen on validation, so each depth is scored there (never on test).
        let searching = LightGCN.defaultConfig(mode).searchesOnValidation
        let input =
            searching ? context.fitInput(data, split: split) : context.fitInput(data, split: split).withoutValidation()
        let evaluator = FullRankingEvaluator(train: train, test: InteractionMatrix(data, rows: split.validation))
        let entry = try Registry.entry("lightgcn")
        var recall: [(x: Double, y: Double)] = [], similarity: [(x: Double, y: Double)] = []
        var rows: [[String]] = []
        let probe = (0..<data.itemCount).filter { train.itemPopularity[$0] >= 20 }
        for l in 0...4 {
            let fitted = try context.searched(
                entry, input: input, split: split.evaluationProtocol.rawValue, overrides: ["layers": "\(l)"])
            guard let model = fitted.recommender as? LightGCN else { continue }
            let metrics = evaluator.evaluate(model, ks: [20]).metrics
            // Over-smoothing: the mean pairwise cosine of the final item embeddings grows with depth,
            // and the same happens to propagated random (untrained) embeddings.
            let meanCosine = meanPairwiseCosine(model, items: probe, offset: data.userCount)
            let untrained = meanPairwiseCosine(
                LightGCN(train: train, layers: l, graph: graph, rng: RandomGenerator(seed: 99)),
                items: probe, offset: data.userCount)
            let value = metrics["NDCG@20"] ?? .nan
            recall.append((x: Double(l), y: value))
            similarity.append((x: Double(l), y: meanCosine))
            context.record("layers_\(l)_validation_NDCG@20", value)
            context.record("layers_\(l)_mean_item_cosine", meanCosine)
            context.record("layers_\(l)_mean_item_cosine_untrained", untrained)
            rows.append([
                "\(l)", f4(value), fitted.final.bestEpoch.map(String.init) ?? "\(fitted.final.epochs)",
                f4(meanCosine), f4(untrained),
            ])
        }
        say.table(
            Table(
                headers: [
                    t("layers.table.layers"), t("layers.table.ndcg"),
                    t(searching ? "layers.table.best-epoch" : "layers.table.epochs"), t("layers.table.trained"),
                    t("layers.table.random"),
                ], rows: rows),
            caption: t(
                searching ? "layers.table.caption.converged" : "layers.table.caption.fixed", ["items": probe.count]))
        let untrainedCurve = (0...4).map {
            (x: Double($0), y: context.recorded.values["layers_\($0)_mean_item_cosine_untrained"] ?? .nan)
        }
        // Two quantities, two figures: a score and a geometry do not share an axis.
        var figure = Figure(
            name: "layers", title: t("fig.layers.title"), xLabel: t("fig.layers.x"), yLabel: t("fig.layers.y"),
            kind: .lines([Series(t("fig.layers.series"), recall)]))
        figure.xTicStep = 1
        figure.xRange = -0.3...4.3
        figure.keyPosition = "off"
        try context.figure(figure, caption: t(searching ? "fig.layers.caption" : "fig.layers.caption.fixed"))
        let untrainedName = t("fig.cosine.untrained")
        var smoothing = Figure(
            name: "layers-cosine", title: t("fig.cosine.title"), xLabel: t("fig.cosine.x"), yLabel: t("fig.cosine.y"),
            kind: .lines([Series(t("fig.cosine.trained"), similarity), Series(untrainedName, untrainedCurve)]))
        smoothing.xTicStep = 1
        smoothing.xRange = -0.3...4.3
        // The untrained vectors start near-orthogonal: their own scale on the right shows them rise too.
        smoothing.secondAxis = (
            label: t("fig.cosine.y2"), series: [untrainedName], range: nil
        )
        smoothing.keyPosition = "below"
        try context.figure(smoothing, caption: t("fig.cosine.caption"))
        let best = recall.max { $0.y < $1.y }.map { Int($0.x) } ?? 0
        context.record("layers_best_on_validation", Double(best))
        let trained = similarity.map(\.y),
            untrained = untrainedCurve.map(\.y)
        let monotone = zip(trained, trained.dropFirst()).allSatisfy { $0 <= $1 }
        let ratio = Double(MFBPR.defaultConfig(mode).l2 / LightGCN.defaultConfig(mode).l2)
        let same = abs(ratio - 1) < 1e-6
        say.prose(
            [
                t(best == 1 ? "layers.prefers.one" : "layers.prefers.many", ["best": best]),
                t(
                    monotone ? "layers.drift.rising" : "layers.drift.uneven",
                    [
                        "random0": f4(untrained[0]), "random4": f4(untrained[4]),
                        "trained0": String(format: "%.2f", trained[0]), "trained4": String(format: "%.2f", trained[4]),
                    ]),
                t(
                    same ? "layers.over-smoothing.same" : "layers.over-smoothing.ratio",
                    ["ratio": String(format: "%g", ratio)]),
            ].joined(separator: " "))
    }

    /// The mean cosine over all pairs of the given items' final embeddings.
    static func meanPairwiseCosine(_ model: any GraphModel, items: [Int], offset: Int) -> Double {
        let rows = items.flatMap { model.embedding(offset + $0) }
        let n = items.count
        let sims = Linalg.cosineSimilarities(rows, count: n, dimension: rows.count / max(n, 1))
        var sum = 0.0
        for a in 0..<n { for b in (a + 1)..<n { sum += Double(sims[a * n + b]) } }
        return sum / Double(max(n * (n - 1) / 2, 1))
    }
}
