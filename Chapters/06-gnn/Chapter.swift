// Chapter 6: graph neural networks for recommendation: NGCF and LightGCN.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum GNNChapter: Chapter {
    public static let number = 6
    public static let slug = "gnn"
    public static let title = "Graph neural networks: NGCF and LightGCN"
    public static let summary = "The bipartite graph, message passing, NGCF done right, LightGCN vs MF-BPR, over-smoothing"

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static func source(_ file: String) -> String { ModelsSource.file("Graph/" + file) }

    struct Plan {
        var epochs: Int, evaluateEvery: Int, sweepEpochs: Int
        static func of(_ mode: RunMode) -> Plan {
            switch mode {
            case .quick: return Plan(epochs: 3, evaluateEvery: 1, sweepEpochs: 2)
            case .standard: return Plan(epochs: 15, evaluateEvery: 3, sweepEpochs: 8)
            case .full: return Plan(epochs: 150, evaluateEvery: 10, sweepEpochs: 150)
            }
        }
    }

    /// The toy interactions: the NCF paper's four users (chapters 1, 2 and 5).
    public static func toyMatrix() -> InteractionMatrix { ToyData.ncfMatrix() }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        let plan = Plan.of(context.options.mode)
        say.heading("Chapter 6. \(title)", level: 1)
        try graphs(context)
        try documentCode(context)
        guard let data = context.optionalData("MovieLens-100K", { try MovieLens.ml100k(dataDirectory: context.options.dataDirectory) { say.status($0) } }) else {
            return
        }
        let outcome = try movieLens(context, data: data, plan: plan)
        try layers(context, data: data, plan: plan, split: outcome.split)
        say.heading("Summary")
        say.bullets([
            "A user-item matrix is a bipartite graph; k rounds of message passing let a user's embedding see items k hops away (3 hops: items liked by users who share their items).",
            String(format: "After %d epochs on holdout-20: LightGCN Recall@20 %.4f, NGCF %.4f, MF-BPR (no propagation) %.4f. ", plan.epochs, outcome.recall["LightGCN"] ?? .nan, outcome.recall["NGCF"] ?? .nan, outcome.recall["MF-BPR"] ?? .nan)
                + ((outcome.recall["LightGCN"] ?? 0) > (outcome.recall["NGCF"] ?? 0) ? "Removing NGCF's transforms and non-linearity helps, as the LightGCN paper found." : "In this short run NGCF keeps up; the LightGCN paper's gap appears over longer training."),
            "Propagation smooths: the more layers, the more alike all embeddings become, which is why LightGCN stops at a few layers and keeps layer 0 in its average.",
        ])
    }

    // MARK: - The graph

    static func graphs(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Why graphs")
        say.prose("Users and items are the two kinds of node of a bipartite graph, and every interaction is an edge. The toy matrix of chapters 1, 2 and 5 as a graph:")
        let train = toyMatrix()
        var edges: [(x: Double, y: Double)] = []
        func userY(_ u: Int) -> Double { Double(3 - u) * 4 / 3 }
        func itemY(_ i: Int) -> Double { Double(4 - i) }
        for u in 0..<4 {
            for i in train.items(of: u) {
                edges.append((x: 0, y: userY(u)))
                edges.append((x: 1, y: itemY(Int(i))))
                edges.append((x: .nan, y: .nan))  // a gap: each edge is its own segment
            }
        }
        let userNodes: [(x: Double, y: Double)] = (0..<4).map { (x: 0, y: userY($0)) }
        let itemNodes: [(x: Double, y: Double)] = (0..<5).map { (x: 1, y: itemY($0)) }
        let userLabels: [PointLabel] = (0..<4).map { PointLabel("user \($0 + 1)", x: -0.12, y: userY($0)) }
        let itemLabels: [PointLabel] = (0..<5).map { PointLabel("item \($0 + 1)", x: 1.02, y: itemY($0)) }
        let series = [Series("interactions", edges, style: .lines), Series("users", userNodes, style: .points), Series("items", itemNodes, style: .points)]
        var figure = Figure(name: "toy-graph", title: "The toy interactions as a bipartite graph", xLabel: "users | items", yLabel: "node",
                            kind: .scatter(series, labels: userLabels + itemLabels))
        figure.xRange = -0.3...1.3
        figure.yRange = -0.5...4.5
        figure.keyPosition = "below"
        try context.figure(figure)
        say.prose("Message passing lets each node gather information from its neighbours. After k rounds a user has heard from every node k hops away:")
        let a = normalizedAdjacency(train)
        var rows: [[String]] = []
        var reach = (0..<9).map { Set([$0]) }
        for hop in 1...3 {
            reach = reach.map { nodes in nodes.union(nodes.flatMap { node in a.columns[a.rowStart[node]..<a.rowStart[node + 1]].map(Int.init) }) }
            rows.append(["\(hop)"] + (0..<4).map { u in
                let items = reach[u].filter { $0 >= 4 }.map { "i\($0 - 3)" }.sorted(), users = reach[u].filter { $0 < 4 && $0 != u }.map { "u\($0 + 1)" }.sorted()
                return (items + users).joined(separator: " ")
            })
        }
        say.table(Table(headers: ["hops", "user 1 reaches", "user 2", "user 3", "user 4"], rows: rows, alignments: [.right, .left, .left, .left, .left]),
                  caption: "Multi-hop reachability on the toy graph (1 hop: own items; 2: users sharing an item; 3: those users' items)")
        say.prose("Propagation averages with weights that shrink for busy nodes: the symmetric normalised adjacency.")
        say.listing(try Listing.region("adjacency", file: source("Graph.swift")))
        let dense = (0..<9).map { r in (0..<9).map { c -> String in
            let k = a.columns[a.rowStart[r]..<a.rowStart[r + 1]].firstIndex(of: Int32(c))
            return k.map { String(format: "%.3f", a.values[$0]) } ?? "."
        } }
        say.table(Table(headers: ["Â"] + (1...4).map { "u\($0)" } + (1...5).map { "i\($0)" }, rows: dense.enumerated().map { r, row in [r < 4 ? "u\(r + 1)" : "i\(r - 3)"] + row }),
                  caption: "D^-1/2 A D^-1/2 of the toy graph (user 1 has 4 items, item 3 has 4 users: 1/sqrt(16) = 0.250)")
    }

    static func documentCode(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("NGCF, done right")
        say.errata("The document's NGCF.construct_message uses `user` and `item` (as in `adj[user]`, `adj[item]`), which are never defined in that method, so it raises NameError; it also normalises each message with Python list lengths inside a tensor expression and never defines aggregate_message. The paper's layer, for every node at once, is E' = LeakyReLU((ÂE + E)W1 + (ÂE ⊙ E)W2), with message dropout and the layers' outputs concatenated:")
        say.listing(try Listing.region("ngcf", file: source("NGCF.swift")))
        say.prose("LightGCN keeps only the propagation, as the document writes it:")
        say.listing(try Listing.region("lightgcn", file: source("LightGCN.swift")))
        say.prose("Both learn from pairs with the BPR loss, -log sigmoid(score(u, i) - score(u, j)) for an item i the user has and an item j they lack, with an L2 penalty on the ego embeddings:")
        say.listing(try Listing.region("bpr-loss", file: source("Graph.swift")))
    }

    // MARK: - MovieLens

    struct GraphFindings { let split: Split; let recall: [String: Double] }

    /// Trains a graph model with BPR (the LightGCN reference's settings); returns Recall@20 on
    /// `test` every `evaluateEvery` epochs (a curve to look at: the budget is fixed), the final
    /// metrics, and the training seconds.
    static func trainGraphModel(_ model: any GraphModel, _ context: ChapterContext, data: RatingsData, split: Split,
                                epochs: Int, evaluateEvery: Int)
        -> (curve: [(x: Double, y: Double)], metrics: [String: Double], seconds: Double, epochSeconds: [Double]) {
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
        say.prose("The graph of the training interactions has \(data.userCount + data.itemCount) nodes and \(graph.nonZeroCount.formatted()) directed edges. As in the LightGCN reference: embeddings of 64, 3 layers, Adam (lr 0.001), batches of 2,048 triples, an epoch of \(train.nonZeroCount.formatted()) sampled triples (user uniform, one of their items, an item they lack), L2 1e-4; \(plan.epochs) epochs here (the reference: 150), Recall@20 every \(plan.evaluateEvery).")
        var results: [String: (curve: [(x: Double, y: Double)], metrics: [String: Double], seconds: Double, epochSeconds: [Double])] = [:]
        let config = GraphConfig(mode: context.options.mode)
        let models: [(String, any GraphModel)] = [
            ("MF-BPR", MFBPR(train: train, config: config, graph: graph, rng: context.rng("mf-bpr"))),
            ("LightGCN", LightGCN(train: train, config: config, graph: graph, rng: context.rng("lightgcn"))),
            ("NGCF", NGCF(train: train, config: config, graph: graph, rng: context.rng("ngcf"))),
        ]
        for (name, model) in models {
            results[name] = trainGraphModel(model, context, data: data, split: split, epochs: plan.epochs,
                                            evaluateEvery: plan.evaluateEvery)
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: results[name]!.metrics,
                                       trainSeconds: results[name]!.seconds, epochs: plan.epochs))
        }
        var rows: [[String]] = models.map { name, _ in
            let r = results[name]!
            return [name, f4((r.metrics["Recall@20"] ?? .nan)), f4((r.metrics["NDCG@20"] ?? .nan)), String(format: "%.2f", r.seconds / Double(plan.epochs))]
        }
        var baselines: [String: Double] = [:]
        for (name, model) in [("ItemKNN", try ItemKNN(train: train) as any Recommender), ("MostPopular", MostPopular(train: train))] {
            let m = FullRankingEvaluator(train: train, test: test).evaluate(model, ks: [20]).metrics
            baselines[name] = (m["Recall@20"] ?? .nan)
            rows.append([name, f4((m["Recall@20"] ?? .nan)), f4((m["NDCG@20"] ?? .nan)), "-"])
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: m))
        }
        say.table(Table(headers: ["model", "Recall@20", "NDCG@20", "s / epoch"], rows: rows), caption: "holdout-20 on MovieLens-100K after \(plan.epochs) epochs (seed \(context.options.seed))")
        let last = Double(plan.epochs)
        var figure = Figure(name: "recall-per-epoch", title: "Recall@20 per epoch on MovieLens-100K (holdout-20)", xLabel: "epoch", yLabel: "Recall@20",
                            kind: .lines(models.map { Series($0.0, results[$0.0]!.curve) }
                                         + baselines.keys.sorted().map { Series($0, [(x: 1, y: baselines[$0]!), (x: last, y: baselines[$0]!)], style: .dashed) }))
        figure.keyPosition = "below"
        try context.figure(figure)
        if plan.epochs < 150 {
            say.note("With lr 0.001 LightGCN learns slowly: \(plan.epochs) epochs are a fraction of the reference's 150, and early on MF-BPR (which has no propagation to smooth its gradients) moves faster. `--full` runs all 150 epochs, and `workbook bench gnn` measures LightGCN against MF-BPR and the PyTorch reference after them.")
        }
        // Embedding norm against degree (LightGCN).
        if let final = models.first(where: { $0.0 == "LightGCN" })?.1 {
            let degrees = train.itemPopularity
            let points = (0..<data.itemCount).map { i -> (x: Double, y: Double) in
                let e = final.embedding(data.userCount + i)
                return (x: Double(max(degrees[i], 1)), y: Double(e.map { $0 * $0 }.reduce(0, +).squareRoot()))
            }
            var norms = Figure(name: "norm-vs-degree", title: "LightGCN: item embedding norm against degree", xLabel: "training interactions of the item (log scale)",
                               yLabel: "norm of the final embedding", kind: .scatter([Series("items", points, style: .points)], labels: []))
            norms.logX = true
            try context.figure(norms, caption: "Propagation with D^-1/2 weights gives popular items larger final embeddings, and so higher dot-product scores.")
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
            let r = trainGraphModel(model, context, data: data, split: split, epochs: plan.sweepEpochs,
                                    evaluateEvery: plan.sweepEpochs)
            // Over-smoothing: the mean pairwise cosine of the final item embeddings grows with depth,
            // and the same happens to propagated random (untrained) embeddings.
            let meanCosine = meanPairwiseCosine(model, items: probe, offset: data.userCount)
            let untrained = meanPairwiseCosine(LightGCN(train: train, layers: l, graph: graph, rng: RandomGenerator(seed: 99)),
                                               items: probe, offset: data.userCount)
            recall.append((x: Double(l), y: (r.metrics["Recall@20"] ?? .nan)))
            similarity.append((x: Double(l), y: meanCosine))
            context.record("layers_\(l)_Recall@20", (r.metrics["Recall@20"] ?? .nan))
            context.record("layers_\(l)_mean_item_cosine", meanCosine)
            context.record("layers_\(l)_mean_item_cosine_untrained", untrained)
            rows.append(["\(l)", f4((r.metrics["Recall@20"] ?? .nan)), f4(meanCosine), f4(untrained)])
        }
        say.table(Table(headers: ["layers", "Recall@20", "mean item cosine (trained)", "mean item cosine (random, propagated)"], rows: rows),
                  caption: "LightGCN by depth, \(plan.sweepEpochs) epochs each; cosines over the \(probe.count) items with at least 20 interactions")
        var figure = Figure(name: "layers", title: "LightGCN: Recall@20 and over-smoothing against depth", xLabel: "propagation layers", yLabel: "value",
                            kind: .lines([Series("Recall@20", recall), Series("mean cosine between item embeddings", similarity)]))
        figure.xTicStep = 1
        figure.keyPosition = "below"
        try context.figure(figure)
        let trained = similarity.map(\.y), untrained = (0...4).map { context.recorded.values["layers_\($0)_mean_item_cosine_untrained"] ?? .nan }
        say.prose(String(format: "Each layer averages overlapping neighbourhoods, so embeddings drift towards each other: propagating untrained random vectors already raises the mean cosine between items from %.4f (no layers) to %.4f (four), and after training it climbs from %.2f to %.2f: at four layers nearly every popular item points the same way. ", untrained[0], untrained[4], trained[0], trained[4])
                  + "That is over-smoothing; LightGCN's average over layers keeps the un-smoothed layer 0 in the mix, and its paper stops at three or four layers.")
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

    // MARK: - Exercises

    public static let exercises: [Exercise] = [
        Exercise(id: "6.1", title: "One normalised edge",
                 prompt: "In the toy graph, the weight of the edge between user 2 (items 2 and 3) and item 3 (users 1-4) in D^-1/2 A D^-1/2?",
                 hint: "1 / sqrt(degree of the user × degree of the item)",
                 answerIn: "Chapter6Exercises.edgeWeight()",
                 checkAnswer: { checkEdge(Chapter6Exercises.edgeWeight()) }, checkReference: { checkEdge(Chapter6Solutions.edgeWeight()) }),
        Exercise(id: "6.2", title: "One propagation step",
                 prompt: "Give every node of the toy graph the 1-D embedding e = its index + 1 (users 1-4, then items 5-9). After one LightGCN step (Â e), what is user 1's value?",
                 hint: "user 1 has items 1, 2, 3, 5 (nodes 5, 6, 7, 9): sum value × 1/sqrt(4 · degree of the item)",
                 answerIn: "Chapter6Exercises.propagatedUser1()",
                 checkAnswer: { checkPropagation(Chapter6Exercises.propagatedUser1()) }, checkReference: { checkPropagation(Chapter6Solutions.propagatedUser1()) }),
        Exercise(id: "6.3", title: "The BPR loss",
                 prompt: "Scores: positives [2.0, 0.5], negatives [1.0, 1.5]. The BPR loss, mean of -log sigmoid(pos - neg)?",
                 hint: "-log sigmoid(1.0) and -log sigmoid(-1.0), averaged",
                 answerIn: "Chapter6Exercises.bprLoss()",
                 checkAnswer: { checkBPR(Chapter6Exercises.bprLoss()) }, checkReference: { checkBPR(Chapter6Solutions.bprLoss()) }),
    ]

    static func checkEdge(_ answer: Double?) -> ExerciseVerdict {
        let a = normalizedAdjacency(toyMatrix())
        let k = a.columns[a.rowStart[1]..<a.rowStart[2]].firstIndex(of: 4 + 2)
        return Check.number(answer, expected: Double(k.map { a.values[$0] } ?? .nan), tolerance: 1e-4, explain: "user 2 has 2 items, item 3 has 4 users.")
    }

    static func checkPropagation(_ answer: Double?) -> ExerciseVerdict {
        let a = normalizedAdjacency(toyMatrix())
        let e = Tensor((1...9).map(Float.init), shape: [9, 1])
        let expected = Double(Tensor.withoutGrad { a.matmul(e) }.data[0])
        return Check.number(answer, expected: expected, tolerance: 1e-4, explain: "user 1's neighbours are items 1, 2, 3 and 5, with degrees 2, 3, 4 and 2.")
    }

    static func checkBPR(_ answer: Double?) -> ExerciseVerdict {
        let expected = Double(Loss.bpr(positive: Tensor([2, 0.5]), negative: Tensor([1, 1.5])).item)
        return Check.number(answer, expected: expected, tolerance: 1e-4, explain: "the pair the model orders wrongly (0.5 < 1.5) costs much more than the right one.")
    }
}
