// Chapter 6 on MovieLens-100K: MF-BPR, LightGCN and NGCF, and depth against over-smoothing.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension GNNChapter {
    struct GraphFindings { let split: Split; let recall: [String: Double] }

    /// Trains a graph model with BPR (the LightGCN reference's settings); returns Recall@20 on
    /// `test` every `evaluateEvery` epochs (a curve to look at: the budget is fixed), the final
    /// metrics, and the training seconds.
    static func trainGraphModel(
        _ model: any GraphModel, _ context: ChapterContext, data: RatingsData, split: Split,
        epochs: Int, evaluateEvery: Int
    )
        -> (curve: [(x: Double, y: Double)], metrics: [String: Double], seconds: Double, epochSeconds: [Double])
    {
        var input = FitInput(data: data, rows: split.train, seed: context.options.seed, progress: context.progress)
        let evaluator = FullRankingEvaluator(train: input.train, test: InteractionMatrix(data, rows: split.test))
        var curve: [(x: Double, y: Double)] = []
        var last: [String: Double] = [:]
        input.afterEpoch = { epoch, recommender in
            guard epoch % evaluateEvery == 0 || epoch == epochs else { return }
            last = evaluator.evaluate(recommender, ks: [20]).metrics
            curve.append((x: Double(epoch), y: last["Recall@20"] ?? .nan))
        }
        var config = model.config
        config.training = .fixed(epochs)
        do {
            try model.train(input, config: config)
        } catch {
            context.narrator.note("\(model.name) stopped: \(error)")
        }
        return (curve, last, model.record.seconds, model.record.epochSeconds)
    }

    static func movieLens(_ context: ChapterContext, data: RatingsData, plan: Plan) throws -> GraphFindings {
        let say = context.narrator
        say.heading("MovieLens-100K (holdout-20, full ranking)")
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let graph = normalizedAdjacency(train)
        say.prose(
            """
            The graph of the training interactions has \(data.userCount + data.itemCount) nodes and \
            \(graph.nonZeroCount.formatted()) directed edges. As in the LightGCN reference: embeddings of 64, 3 \
            layers, Adam (lr 0.001), batches of 2,048 triples, an epoch of \(train.nonZeroCount.formatted()) sampled \
            triples (user uniform, one of their items, an item they lack), L2 1e-4; \(plan.epochs) epochs here (the \
            reference: 150), Recall@20 every \(plan.evaluateEvery).
            """)
        var results:
            [String: (
                curve: [(x: Double, y: Double)], metrics: [String: Double], seconds: Double, epochSeconds: [Double]
            )] = [:]
        let config = GraphConfig(mode: context.options.mode)
        let models: [(String, any GraphModel)] = [
            ("MF-BPR", MFBPR(train: train, config: config, graph: graph, rng: context.rng("mf-bpr"))),
            ("LightGCN", LightGCN(train: train, config: config, graph: graph, rng: context.rng("lightgcn"))),
            ("NGCF", NGCF(train: train, config: config, graph: graph, rng: context.rng("ngcf"))),
        ]
        for (name, model) in models {
            results[name] = trainGraphModel(
                model, context, data: data, split: split, epochs: plan.epochs,
                evaluateEvery: plan.evaluateEvery)
            context.record(
                ResultEntry(
                    model: name, protocol: "holdout-20", dataset: data.name, metrics: results[name]!.metrics,
                    trainSeconds: results[name]!.seconds, epochs: plan.epochs))
        }
        var rows: [[String]] = models.map { name, _ in
            let r = results[name]!
            return [
                name, f4((r.metrics["Recall@20"] ?? .nan)), f4((r.metrics["NDCG@20"] ?? .nan)),
                String(format: "%.2f", r.seconds / Double(plan.epochs)),
            ]
        }
        var baselines: [String: Double] = [:]
        for (name, model) in [
            ("ItemKNN", try ItemKNN(train: train) as any Recommender), ("MostPopular", MostPopular(train: train)),
        ] {
            let m = FullRankingEvaluator(train: train, test: test).evaluate(model, ks: [20]).metrics
            baselines[name] = (m["Recall@20"] ?? .nan)
            rows.append([name, f4((m["Recall@20"] ?? .nan)), f4((m["NDCG@20"] ?? .nan)), "-"])
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: m))
        }
        say.table(
            Table(headers: ["model", "Recall@20", "NDCG@20", "s / epoch"], rows: rows),
            caption: "holdout-20 on MovieLens-100K after \(plan.epochs) epochs (seed \(context.options.seed))")
        let last = Double(plan.epochs)
        var figure = Figure(
            name: "recall-per-epoch", title: "Recall@20 per epoch on MovieLens-100K (holdout-20)", xLabel: "epoch",
            yLabel: "Recall@20",
            kind: .lines(
                models.map { Series($0.0, results[$0.0]!.curve) }
                    + baselines.keys.sorted().map {
                        Series($0, [(x: 1, y: baselines[$0]!), (x: last, y: baselines[$0]!)], style: .dashed)
                    }))
        figure.keyPosition = "below"
        try context.figure(figure)
        if plan.epochs < 150 {
            say.note(
                """
                With lr 0.001 LightGCN learns slowly: \(plan.epochs) epochs are a fraction of the reference's 150, \
                and early on MF-BPR (which has no propagation to smooth its gradients) moves faster. `--full` runs \
                all 150 epochs, and `workbook bench gnn` measures LightGCN against MF-BPR and the PyTorch reference \
                after them.
                """)
        }
        // Embedding norm against degree (LightGCN).
        if let final = models.first(where: { $0.0 == "LightGCN" })?.1 {
            let degrees = train.itemPopularity
            let points = (0..<data.itemCount).map { i -> (x: Double, y: Double) in
                let e = final.embedding(data.userCount + i)
                return (x: Double(max(degrees[i], 1)), y: Double(e.map { $0 * $0 }.reduce(0, +).squareRoot()))
            }
            var norms = Figure(
                name: "norm-vs-degree", title: "LightGCN: item embedding norm against degree",
                xLabel: "training interactions of the item (log scale)",
                yLabel: "norm of the final embedding",
                kind: .scatter([Series("items", points, style: .points)], labels: []))
            norms.logX = true
            try context.figure(
                norms,
                caption: """
                    Propagation with D^-1/2 weights gives popular items larger final embeddings, and so higher \
                    dot-product scores.
                    """)
        }
        return GraphFindings(split: split, recall: results.mapValues { $0.metrics["Recall@20"] ?? .nan })
    }

    static func layers(_ context: ChapterContext, data: RatingsData, plan: Plan, split: Split) throws {
        let say = context.narrator
        say.heading("How many layers? Over-smoothing")
        let train = InteractionMatrix(data, rows: split.train)
        let graph = normalizedAdjacency(train)
        var recall: [(x: Double, y: Double)] = [], similarity: [(x: Double, y: Double)] = []
        var rows: [[String]] = []
        let probe = (0..<data.itemCount).filter { train.itemPopularity[$0] >= 20 }
        for l in 0...4 {
            let model = LightGCN(train: train, layers: l, graph: graph, rng: context.rng("layers-\(l)"))
            let r = trainGraphModel(
                model, context, data: data, split: split, epochs: plan.sweepEpochs,
                evaluateEvery: plan.sweepEpochs)
            // Over-smoothing: the mean pairwise cosine of the final item embeddings grows with depth,
            // and the same happens to propagated random (untrained) embeddings.
            let meanCosine = meanPairwiseCosine(model, items: probe, offset: data.userCount)
            let untrained = meanPairwiseCosine(
                LightGCN(train: train, layers: l, graph: graph, rng: RandomGenerator(seed: 99)),
                items: probe, offset: data.userCount)
            recall.append((x: Double(l), y: (r.metrics["Recall@20"] ?? .nan)))
            similarity.append((x: Double(l), y: meanCosine))
            context.record("layers_\(l)_Recall@20", (r.metrics["Recall@20"] ?? .nan))
            context.record("layers_\(l)_mean_item_cosine", meanCosine)
            context.record("layers_\(l)_mean_item_cosine_untrained", untrained)
            rows.append(["\(l)", f4((r.metrics["Recall@20"] ?? .nan)), f4(meanCosine), f4(untrained)])
        }
        say.table(
            Table(
                headers: [
                    "layers", "Recall@20", "mean item cosine (trained)", "mean item cosine (random, propagated)",
                ], rows: rows),
            caption: """
                LightGCN by depth, \(plan.sweepEpochs) epochs each; cosines over the \(probe.count) items with \
                at least 20 interactions
                """)
        var figure = Figure(
            name: "layers", title: "LightGCN: Recall@20 and over-smoothing against depth", xLabel: "propagation layers",
            yLabel: "value",
            kind: .lines([Series("Recall@20", recall), Series("mean cosine between item embeddings", similarity)]))
        figure.xTicStep = 1
        figure.keyPosition = "below"
        try context.figure(figure)
        let trained = similarity.map(\.y),
            untrained = (0...4).map { context.recorded.values["layers_\($0)_mean_item_cosine_untrained"] ?? .nan }
        say.prose(
            String(
                format: """
                    Each layer averages overlapping neighbourhoods, so embeddings drift towards each other: \
                    propagating untrained random vectors already raises the mean cosine between items from %.4f (no \
                    layers) to %.4f (four), and after training it climbs from %.2f to %.2f: at four layers nearly \
                    every popular item points the same way. 
                    """, untrained[0], untrained[4], trained[0], trained[4])
                    + """
                    That is over-smoothing; LightGCN's average over layers keeps the un-smoothed layer 0 in the \
                    mix, and its paper stops at three or four layers.
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
