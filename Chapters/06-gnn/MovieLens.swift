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
        let say = context.narrator
        say.heading("MovieLens-100K (holdout-20, full ranking)")
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let fitRows = (split.train + split.validation).sorted()
        let train = InteractionMatrix(data, rows: fitRows), test = InteractionMatrix(data, rows: split.test)
        let graph = normalizedAdjacency(InteractionMatrix(data, rows: split.train))
        let mode = context.options.mode
        let schedule = LightGCN.defaultConfig(mode).training
        say.prose(
            """
            The graph of the training interactions has \(data.userCount + data.itemCount) nodes and \
            \(graph.nonZeroCount.formatted()) directed edges. Every model learns 64-dimensional embeddings with the \
            BPR loss on sampled triples (a user, one of their items, an item they lack; an epoch is as many triples \
            as there are training interactions) and Adam. \(mode == .standard ? """
                Each is trained to convergence: every \(schedule.evaluateEvery) epochs it is scored on a validation \
                part (20% of each user's training ratings), training stops when validation NDCG@20 has not \
                improved for \(schedule.patience ?? 0) scores in a row, and the best epoch is kept; then it is fitted \
                again on train + validation for that many \
                epochs and scored once on test. The learning rate, batch and L2 of each were chosen on validation \
                (the reasons are in each model's file); chapter 8 reuses these very models.
                """ : """
                In \(mode.rawValue) mode each trains for a fixed \(GraphConfig(mode: mode).training.maxEpochs) \
                epochs on train + validation (\(mode == .quick ? "a smoke test" : "the LightGCN reference's budget") \
                ) and is scored once on test.
                """)
            """)
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
                    "model", "Recall@20 [95% CI]", "NDCG@20 [95% CI]", "best epoch / run", "s / epoch",
                    "train s",
                ],
                rows: rows, alignments: [.left, .right, .right, .right, .right, .right]),
            caption: """
                holdout-20 on MovieLens-100K (seed \(context.options.seed), \(mode.rawValue) mode); intervals: 95% \
                bootstrap over users; train s: validation search and final fit together
                """)
        say.table(
            Table(
                headers: ["model", "settings"],
                rows: graphModels.compactMap { key in
                    (try? Registry.entry(key)).flatMap { e in
                        fitted[e.info.name].map { [e.info.name, $0.configSummary] }
                    }
                }, alignments: [.left, .left]),
            caption: "What each graph model trained with")
        try curves(context, fitted: fitted)
        // Paired comparisons on the same test users.
        var claims: [String] = [], ahead: Bool?
        for (a, b) in [("LightGCN", "MF-BPR"), ("LightGCN", "NGCF")] {
            guard let x = evaluations[a], let y = evaluations[b],
                let c = Bootstrap.compare(x, y, metric: "Recall@20", seed: context.options.seed)
            else { continue }
            claims.append(c.sentence(a, b, metric: "Recall@20"))
            context.record("\(a)_minus_\(b)_Recall@20", c.difference)
            context.record("\(a)_vs_\(b)_distinguishable", c.isDistinguishable ? 1 : 0)
            if b == "MF-BPR" { ahead = c.isDistinguishable ? c.difference > 0 : nil }
        }
        say.prose(
            """
            Is a difference in the table real? The paired bootstrap resamples the 943 test users 1,000 times, both \
            models together, and gives the 95% interval of the mean difference:
            """)
        say.bullets(claims)
        try norms(context, lightGCN: fitted["LightGCN"], train: train, data: data)
        return GraphFindings(
            split: split, recall: evaluations.mapValues { $0.metrics["Recall@20"] ?? .nan }, claims: claims,
            lightGCNAheadOfMFBPR: ahead)
    }

    /// The validation curves of the search (NDCG@20 on the validation part, never the test part).
    static func curves(_ context: ChapterContext, fitted: [String: FittedModel]) throws {
        let searched = ["MF-BPR", "LightGCN", "NGCF"].compactMap { name in
            fitted[name]?.search.map { (name, $0) }
        }
        guard !searched.isEmpty else {
            context.narrator.prose(
                "(In \(context.options.mode.rawValue) mode there is no validation search, so no learning curves.)")
            return
        }
        var figure = Figure.validationCurves(
            name: "validation-per-epoch", title: "Validation NDCG@20 while training (holdout-20 validation part)",
            yLabel: "validation NDCG@20", runs: searched.map { ($0.0, $0.1.validationPoints, $0.1.bestEpoch) })
        figure.keyPosition = "bottom right"
        // The part that decides the stopping epoch: the top 20% below the best score (early epochs fall off
        // the bottom of the plot instead of squeezing the plateau into a line).
        let top = searched.compactMap { $0.1.bestValue }.max() ?? 1
        figure.yRange = (0.8 * top)...(1.03 * top)
        let kept = searched.map { name, record in
            "\(name): best epoch \(record.bestEpoch ?? 0), " + String(format: "%.4f", record.bestValue ?? .nan)
        }
        try context.figure(
            figure,
            caption: """
                Each curve ends when its model stopped improving for a few scores in a row; the circles mark the \
                epochs kept (\(kept.joined(separator: "; "))).
                """)
    }

    /// Embedding norm against degree for the trained LightGCN.
    static func norms(
        _ context: ChapterContext, lightGCN: FittedModel?, train: InteractionMatrix, data: RatingsData
    )
        throws
    {
        guard let model = lightGCN?.recommender as? LightGCN else { return }
        let degrees = train.itemPopularity
        let points = (0..<data.itemCount).map { i -> (x: Double, y: Double) in
            let e = model.embedding(data.userCount + i)
            return (x: Double(max(degrees[i], 1)), y: Double(e.map { $0 * $0 }.reduce(0, +).squareRoot()))
        }
        var figure = Figure(
            name: "norm-vs-degree", title: "LightGCN: item embedding norm against degree",
            xLabel: "training interactions of the item (log scale)",
            yLabel: "norm of the final embedding",
            kind: .scatter([Series("items", points, style: .points)], labels: []))
        figure.logX = true
        try context.figure(
            figure,
            caption: """
                Propagation with D^-1/2 weights gives popular items larger final embeddings, and so higher \
                dot-product scores.
                """)
    }

    static func layers(_ context: ChapterContext, data: RatingsData, split: Split) throws {
        let say = context.narrator
        say.heading("How many layers? Over-smoothing")
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
            let fitted = try entry.fit(input, mode: mode, overrides: ["layers": "\(l)"], refit: false)
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
                    "layers", "validation NDCG@20", searching ? "best epoch" : "epochs", "mean item cosine (trained)",
                    "mean item cosine (random, propagated)",
                ], rows: rows),
            caption: """
                LightGCN by depth, each \
                \(searching ? "trained until validation stopped improving" : "for a fixed budget") \
                with chapter 6's settings; scored on the validation part, which is where a depth is chosen; cosines \
                over the \(probe.count) items with at least 20 interactions
                """)
        let untrainedCurve = (0...4).map {
            (x: Double($0), y: context.recorded.values["layers_\($0)_mean_item_cosine_untrained"] ?? .nan)
        }
        // Two quantities, two figures: a score and a geometry do not share an axis.
        var figure = Figure(
            name: "layers", title: "LightGCN: validation NDCG@20 against depth",
            xLabel: "propagation layers", yLabel: "validation NDCG@20",
            kind: .lines([Series("validation NDCG@20", recall)]))
        figure.xTicStep = 1
        figure.xRange = -0.3...4.3
        figure.keyPosition = "off"
        try context.figure(figure, caption: "Each depth trained until validation stopped improving, scored there.")
        var smoothing = Figure(
            name: "layers-cosine", title: "Over-smoothing: mean cosine between item embeddings against depth",
            xLabel: "propagation layers", yLabel: "mean pairwise cosine, trained",
            kind: .lines([
                Series("trained LightGCN", similarity), Series("untrained random vectors, propagated", untrainedCurve),
            ]))
        smoothing.xTicStep = 1
        smoothing.xRange = -0.3...4.3
        // The untrained vectors start near-orthogonal: their own scale on the right shows them rise too.
        smoothing.secondAxis = (
            label: "mean pairwise cosine, untrained", series: ["untrained random vectors, propagated"], range: nil
        )
        smoothing.keyPosition = "below"
        try context.figure(
            smoothing, caption: "Propagation alone pulls item embeddings together; training adds its own structure.")
        let best = recall.max { $0.y < $1.y }.map { Int($0.x) } ?? 0
        context.record("layers_best_on_validation", Double(best))
        let trained = similarity.map(\.y),
            untrained = untrainedCurve.map(\.y)
        let monotone = zip(trained, trained.dropFirst()).allSatisfy { $0 <= $1 }
        let ratio = Double(MFBPR.defaultConfig(mode).l2 / LightGCN.defaultConfig(mode).l2)
        let l2Ratio = abs(ratio - 1) < 1e-6 ? "the same as" : String(format: "%g times", ratio)
        say.prose(
            String(
                format: """
                    Validation prefers %d layer%@. Each layer averages overlapping neighbourhoods, so embeddings \
                    drift towards each other: propagating untrained random vectors already raises the mean cosine \
                    between items from %.4f (no layers) to %.4f (four); after training it is %.2f with no layers \
                    and %.2f with four%@.
                    """, best, best == 1 ? "" : "s", untrained[0], untrained[4], trained[0], trained[4],
                monotone ? "" : ", not rising at every step (training also separates items)")
                    + """
                     That is over-smoothing; LightGCN's average over layers keeps the un-smoothed layer 0 in the \
                    mix, and its paper stops at three or four layers. (Zero layers is MF-BPR, but with LightGCN's \
                    learning rate and L2: MF-BPR's own settings, with \(l2Ratio) the L2, reach the validation score \
                    in the table above. Depth and the other settings are not independent choices.)
                    """)
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
