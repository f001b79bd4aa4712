// Chapter 2: Neural Collaborative Filtering: GMF, MLP and NeuMF (He et al., WWW 2017).

import Foundation
import Narrative
import Plotting
import RecKit
import TensorCore

public enum NCFChapter: Chapter {
    public static let number = 2
    public static let slug = "ncf"
    public static let title = "Neural Collaborative Filtering: GMF, MLP and NeuMF"
    public static let summary = "GMF, MLP and NeuMF on the tensor core: loo-99 HR@10, pre-training, factors, negatives"

    /// How much each part runs in each mode.
    struct Plan {
        var epochs: Int, sweepEpochs: Int, factorSizes: [Int], negativeCounts: [Int], regressionEpochs: Int, holdoutEpochs: Int
        static func of(_ mode: RunMode) -> Plan {
            switch mode {
            case .quick: return Plan(epochs: 2, sweepEpochs: 1, factorSizes: [8, 16], negativeCounts: [1, 4], regressionEpochs: 2, holdoutEpochs: 1)
            case .standard: return Plan(epochs: 10, sweepEpochs: 3, factorSizes: [8, 16, 32], negativeCounts: [1, 4, 8], regressionEpochs: 3, holdoutEpochs: 3)
            case .full: return Plan(epochs: 20, sweepEpochs: 20, factorSizes: [8, 16, 32, 64], negativeCounts: Array(1...10), regressionEpochs: 50, holdoutEpochs: 20)
            }
        }
    }

    /// The chapter's training epochs in `mode` (other chapters train NCF models with them).
    public static func defaultEpochs(_ mode: RunMode) -> Int { Plan.of(mode).epochs }

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static func listing(_ name: String, _ file: String) throws -> Listing {
        try Listing.region(name, file: sourceDirectory.appendingPathComponent(file).path)
    }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        let plan = Plan.of(context.options.mode)
        say.heading("Chapter 2. \(title)", level: 1)
        try models(context)
        try toy(context)
        guard let data = context.optionalData("MovieLens-100K", { try MovieLens.ml100k(dataDirectory: context.options.dataDirectory) { say.status($0) } }) else {
            return
        }
        let loo = try implicitTopK(context, data: data, plan: plan)
        try factorSweep(context, data: data, split: loo, plan: plan)
        try negativeSweep(context, data: data, split: loo, plan: plan)
        let ordersAgree = try sampledCaveat(context, data: data, plan: plan, looResults: loo)
        try regression(context, data: data, plan: plan)
        say.heading("Summary")
        let hr = { (name: String) in loo.histories[name]?.last["HR@10"] ?? .nan }
        let popHR = loo.baselines["MostPopular"]?["HR@10"] ?? .nan, knnHR = loo.baselines["ItemKNN"]?["HR@10"] ?? .nan
        let ncf = ["GMF", "MLP", "NeuMF"]
        say.bullets([
            "GMF generalises MF by weighting each latent dimension; MLP learns the interaction from concatenated embeddings; NeuMF joins both. "
                + String(format: "Here NeuMF reached HR@10 %.4f against %.4f (GMF) and %.4f (MLP).", hr("NeuMF"), hr("GMF"), hr("MLP")),
            String(format: "Pre-training NeuMF from GMF and MLP (the paper's recipe) gave %.4f against %.4f from scratch: ", hr("NeuMF (pre-trained)"), hr("NeuMF"))
                + (hr("NeuMF (pre-trained)") > hr("NeuMF") ? "it helped, as the paper reports." : "it did not help in this run; with pre-trained parts this short and plain SGD at lr 0.001, fine-tuning barely moves the weights."),
            (ncf.allSatisfy { hr($0) > popHR } ? "Under loo-99 every NCF model beats most-popular (HR@10 \(f4(popHR))); " : "Not every NCF model beats most-popular (HR@10 \(f4(popHR))) here; ")
                + "against ItemKNN (\(f4(knnHR))), " + { let ahead = ncf.filter { hr($0) > knnHR }
                    return ahead.isEmpty ? "none of them comes out ahead. " : ahead.joined(separator: ", ") + (ahead.count == 1 ? " comes" : " come") + " out ahead. " }()
                + (ordersAgree ? "Full ranking keeps the order but changes the gaps." : "Full ranking reorders the models: report the protocol with every number."),
            "The document's own pipeline trains NeuMF as a rating regressor, and its evaluation ranks items across users inside a mini-batch: the numbers it prints are not per-user ranking metrics.",
        ])
    }

    // MARK: - Models

    static func models(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Three models")
        say.prose("MF predicts with an inner product p_u · q_i, a fixed, linear way of combining a user with an item. Neural CF learns the combination. GMF keeps the element-wise product but learns a weight for each dimension:")
        say.listing(try listing("gmf", "Models.swift"))
        say.prose("MLP concatenates the two embeddings and learns the interaction with a tower of layers that halves at every step (the document's pyramid):")
        say.listing(try listing("mlp", "Models.swift"))
        let rows = [(8, 3), (16, 3), (32, 3), (32, 4), (64, 3)].map { f, l in
            ["\(f)", "\(l)", "\(f * (1 << (l - 1)))", MLP.pyramid(factors: f, layers: l).map(String.init).joined(separator: " → ")]
        }
        say.table(Table(headers: ["f", "L", "embedding size", "layers"], rows: rows, alignments: [.right, .right, .right, .left]),
                  caption: "The pyramid: embeddings of f·2^(L-1) each, concatenated, then halved L times")
        say.prose("The document's comment \"factor_num=32, num_layers=4 → 256\" checks out: 32 · 2³ = 256. NeuMF runs both with separate embeddings and joins their last layers:")
        say.listing(try listing("neumf", "Models.swift"))
        say.errata("The document's MLP and NeuralMF call self._init_weight_() but never define it (only GMF does), so constructing either raises AttributeError. The NCF PyTorch reference the code follows defines it as: embeddings N(0, 0.01), tower weights Xavier-uniform, the output layer kaiming_uniform(a=1, nonlinearity='sigmoid') (which is LeCun-uniform), all biases zero. The models above use exactly that; GMF keeps the document's own initialisation.")
    }

    // MARK: - Toy

    static func toy(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Toy first: what NeuMF fits that MF of the same size cannot")
        let r: [[Float]] = [[1, 1, 1, 0, 1], [0, 1, 1, 0, 0], [0, 1, 1, 1, 0], [1, 0, 1, 1, 1]]
        say.prose("Chapter 1's matrix (the NCF paper's four users) has rank 4, so MF with 2 factors cannot reconstruct it: the best rank-2 approximation leaves a squared error of 1.296 whatever the training (Eckart-Young). NeuMF with the same 2 predictive factors, trained on all 20 cells with squared error:")
        let users = (0..<4).flatMap { u in [Int32](repeating: Int32(u), count: 5) }
        let items = (0..<4).flatMap { _ in (0..<5).map(Int32.init) }
        let target = Tensor(r.flatMap { $0 })
        var config = NCFConfig()
        config.factors = 2
        config.layers = 2
        let steps = context.options.mode == .quick ? 800 : 3000
        let rng = context.rng("toy")
        let mfError = try bestRankError(r, rank: 2), gmfBound = try bestRankPlusConstantError(r, rank: 2)
        var rows: [[String]] = [["MF, K = 2 (SVD optimum)", String(format: "%.4f", mfError), "-"],
                                ["rank 2 + a constant (optimum)", String(format: "%.4f", gmfBound), "-"]]
        var predictions: [Float] = []
        for (name, model) in [("GMF, f = 2", GMF(userCount: 4, itemCount: 5, factors: 2, rng: rng) as any PairScorer),
                              ("NeuMF, f = 2, L = 2", NeuMF(userCount: 4, itemCount: 5, config: config, rng: rng))] {
            let adam = Adam(model.parameters, learningRate: 0.01)
            for step in 1...steps {
                adam.zeroGrad()
                let loss = (model(users, items) - target).sumOfSquares()
                try checkFinite(loss.item, epoch: 1, step: step)
                loss.backward()
                adam.step()
            }
            let p = predict(model, users: users, items: items)
            let error = zip(p, target.data).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
            let correct = zip(p, target.data).filter { ($0 > 0.5) == ($1 > 0.5) }.count
            rows.append([name, String(format: "%.4f", error), "\(correct) / 20"])
            context.record("toy_squared_error_\(name.split(separator: ",")[0])", error)
            if name.hasPrefix("NeuMF") { predictions = p }
        }
        context.record("toy_squared_error_MF_K2_optimum", mfError)
        context.record("toy_squared_error_rank2_plus_constant_optimum", gmfBound)
        say.table(Table(headers: ["model", "squared error", "cells on the right side of 0.5"], rows: rows),
                  caption: "Fitting the 4 x 5 matrix with 2 predictive factors (\(steps) full-batch Adam steps)")
        say.table(Table(headers: ["user"] + (1...5).map { "item \($0)" }, rows: (0..<4).map { u in
            ["u\(u + 1)"] + (0..<5).map { String(format: "%.2f", predictions[u * 5 + $0]) }
        }), caption: "NeuMF's reconstruction")
        say.prose(String(format: "GMF with 2 factors is MF with per-dimension weights plus the output layer's bias: a rank-2 matrix plus a constant. So it can beat plain MF's 1.296 (the constant is a third, very restricted factor), but never the best rank-2-plus-constant fit, %.4f. NeuMF's MLP path", gmfBound) + " combines the same 2-factor interface non-linearly and reconstructs the matrix, which is the point of the paper's figure 1.")
    }

    /// The squared error of the best rank-k approximation: the sum of the squared singular
    /// values beyond k.
    static func bestRankError(_ r: [[Float]], rank: Int) throws -> Double {
        let (_, s, _) = try Linalg.svd(r.flatMap { $0 }, rows: r.count, columns: r[0].count)
        return s.dropFirst(rank).map { Double($0) * Double($0) }.reduce(0, +)
    }

    /// The squared error of the best rank-k matrix plus a constant (GMF's output bias adds one):
    /// the rank-k error of R - b, minimised over b by a grid on [-1, 2] and golden-section steps.
    static func bestRankPlusConstantError(_ r: [[Float]], rank: Int) throws -> Double {
        func error(_ b: Double) throws -> Double { try bestRankError(r.map { $0.map { $0 - Float(b) } }, rank: rank) }
        let grid = try (0...300).map { k -> (Double, Double) in let b = -1 + Double(k) / 100; return (b, try error(b)) }
        let best = grid.min { $0.1 < $1.1 }?.0 ?? 0
        var (lo, hi) = (best - 0.01, best + 0.01)
        for _ in 0..<40 {
            let (a, c) = (hi - 0.618 * (hi - lo), lo + 0.618 * (hi - lo))
            if try error(a) < error(c) { hi = c } else { lo = a }
        }
        return try min(error((lo + hi) / 2), grid.map(\.1).min() ?? .infinity)
    }

    // MARK: - loo-99

    struct LooResults {
        let split: Split
        let train: InteractionMatrix
        let histories: [String: TrainingHistory]
        let baselines: [String: [String: Double]]
        let config: NCFConfig
    }

    public static func makeModel(_ name: String, data: RatingsData, config: NCFConfig, rng: RandomGenerator) -> any PairScorer {
        makeModel(name, users: data.userCount, items: data.itemCount, config: config, rng: rng)
    }

    /// GMF, MLP or NeuMF (any other name) for `users` x `items`.
    public static func makeModel(_ name: String, users: Int, items: Int, config: NCFConfig, rng: RandomGenerator) -> any PairScorer {
        switch name {
        case "GMF": return GMF(userCount: users, itemCount: items, factors: config.factors, rng: rng)
        case "MLP": return MLP(userCount: users, itemCount: items, factors: config.factors, layers: config.layers, dropout: config.dropout, rng: rng)
        default: return NeuMF(userCount: users, itemCount: items, config: config, rng: rng)
        }
    }

    static func implicitTopK(_ context: ChapterContext, data: RatingsData, plan: Plan) throws -> LooResults {
        let say = context.narrator
        say.heading("MovieLens-100K, implicit top-K (loo-99)")
        let split = try Split.make(data, protocol: .loo99, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train)
        let evaluator = SampledEvaluator(split: split, data: data)
        say.prose("As in the paper, every rating is an interaction. Protocol loo-99: each user's latest rating is held out (\(split.test.count) test items, \(split.train.count.formatted()) training interactions; ratings in the same second keep the file's order) and ranked among 99 items the user never rated, sampled once with the run's seed. Metrics: HR@10 (is the test item in the top 10?) and NDCG@10 (1/log2(rank+1) if so).")
        var config = NCFConfig()
        config.epochCount = plan.epochs
        say.prose("Configuration: \(config).")
        say.listing(try listing("train-implicit", "Training.swift"))
        var baselines: [String: [String: Double]] = [:]
        for (name, model) in [("MostPopular", MostPopular(train: train) as any Recommender), ("ItemKNN", try ItemKNN(train: train))] {
            let e = evaluator.evaluate(model, k: 10)
            baselines[name] = e.metrics
            context.record(ResultEntry(model: name, protocol: "loo-99", dataset: data.name, metrics: e.metrics))
        }
        var histories: [String: TrainingHistory] = [:]
        var trained: [String: any PairScorer] = [:]
        for name in ["GMF", "MLP", "NeuMF"] {
            let model = makeModel(name, data: data, config: config, rng: context.rng("loo-\(name)"))
            let bar = ProgressBar("\(name) (f = \(config.factors))", total: implicitSteps(train: train, config: config), style: say.style)
            let recommender = PairScorerRecommender(name: name, model: model, itemCount: data.itemCount)
            let history = try trainImplicit(model, train: train, config: config, rng: context.rng("loo-\(name)-train"), progress: bar) { _ in
                evaluator.evaluate(recommender, k: 10).metrics
            }
            bar.finish(String(format: "HR@10 %.4f", history.last["HR@10"] ?? .nan))
            histories[name] = history
            trained[name] = model
        }
        // The paper's pre-training: NeuMF from the trained GMF and MLP, alpha = 0.5, then SGD.
        if let gmf = trained["GMF"] as? GMF, let mlp = trained["MLP"] as? MLP {
            let model = NeuMF(pretrainedGMF: gmf, pretrainedMLP: mlp, alpha: 0.5)
            let recommender = PairScorerRecommender(name: "NeuMF (pre-trained)", model: model, itemCount: data.itemCount)
            let before = evaluator.evaluate(recommender, k: 10).metrics
            let bar = ProgressBar("NeuMF pre-trained", total: implicitSteps(train: train, config: config), style: say.style)
            let history = try trainImplicit(model, train: train, config: config, rng: context.rng("loo-pre-train"),
                                            optimizer: SGD(model.parameters, learningRate: config.learningRate), progress: bar) { _ in
                evaluator.evaluate(recommender, k: 10).metrics
            }
            bar.finish(String(format: "HR@10 %.4f", history.last["HR@10"] ?? .nan))
            histories["NeuMF (pre-trained)"] = history
            context.record("neumf_pretrained_hr10_before_finetuning", before["HR@10"] ?? .nan)
            say.prose(String(format: "NeuMF (pre-trained) starts from the GMF and MLP above with h = [0.5 h_GMF ; 0.5 h_MLP] (HR@10 %.4f before any fine-tuning) and is fine-tuned with plain SGD (lr %.0e), as the paper prescribes: Adam's moments from pre-training are not carried over.", before["HR@10"] ?? .nan, Double(config.learningRate)))
        }
        let order = ["GMF", "MLP", "NeuMF", "NeuMF (pre-trained)"]
        var rows: [[String]] = []
        for name in order {
            guard let h = histories[name] else { continue }
            let best = h.series("HR@10").max() ?? .nan
            rows.append([name, f4(h.last["HR@10"] ?? .nan), f4(h.last["NDCG@10"] ?? .nan), f4(best), String(format: "%.2f", h.medianEpochSeconds)])
            context.record(ResultEntry(model: name, protocol: "loo-99", dataset: data.name, metrics: h.last,
                                       trainSeconds: h.epochSeconds.reduce(0, +), epochs: h.epochSeconds.count))
        }
        for name in ["MostPopular", "ItemKNN"] {
            rows.append([name, f4(baselines[name]?["HR@10"] ?? .nan), f4(baselines[name]?["NDCG@10"] ?? .nan), "-", "-"])
        }
        say.table(Table(headers: ["model", "HR@10", "NDCG@10", "best HR@10", "s / epoch"], rows: rows),
                  caption: "loo-99 on MovieLens-100K, f = \(config.factors), after \(config.epochCount) epochs (seed \(context.options.seed))")
        let epochs = Array(1...config.epochCount).map(Double.init)
        func baselineSeries(_ metric: String) -> [Series] {
            ["MostPopular", "ItemKNN"].map { name in
                Series(name, [(x: 1, y: baselines[name]?[metric] ?? .nan), (x: epochs.last ?? 1, y: baselines[name]?[metric] ?? .nan)], style: .dashed)
            }
        }
        for metric in ["HR@10", "NDCG@10"] {
            var figure = Figure(name: metric == "HR@10" ? "hr-per-epoch" : "ndcg-per-epoch",
                                title: "\(metric) per epoch on MovieLens-100K (loo-99, f = \(config.factors))",
                                xLabel: "epoch", yLabel: metric,
                                kind: .lines(order.compactMap { name in histories[name].map { Series(name, perEpoch: $0.series(metric)) } } + baselineSeries(metric)))
            figure.keyPosition = "below"
            figure.xTicStep = config.epochCount > 10 ? 2 : 1
            try context.figure(figure)
        }
        var lossFigure = Figure(name: "training-loss", title: "Training loss (BCE over positives and sampled negatives)",
                                xLabel: "epoch", yLabel: "mean BCE", kind: .lines(order.compactMap { name in histories[name].map { Series(name, perEpoch: $0.losses) } }))
        lossFigure.xTicStep = config.epochCount > 10 ? 2 : 1
        try context.figure(lossFigure)
        return LooResults(split: split, train: train, histories: histories, baselines: baselines, config: config)
    }

    // MARK: - Sweeps

    static func factorSweep(_ context: ChapterContext, data: RatingsData, split: LooResults, plan: Plan) throws {
        let say = context.narrator
        say.heading("Predictive factors (the paper's figure 4)")
        say.prose("HR@10 after \(plan.sweepEpochs) epochs for each number of predictive factors f (the GMF embedding size and the MLP's last layer); the MLP keeps 3 layers, so its embeddings grow as 4f.")
        let evaluator = SampledEvaluator(split: split.split, data: data)
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
                config.epochCount = plan.sweepEpochs
                let model = makeModel(name, data: data, config: config, rng: context.rng("factors-\(name)-\(f)"))
                let recommender = PairScorerRecommender(name: name, model: model, itemCount: data.itemCount)
                let history = try trainImplicit(model, train: split.train, config: config, rng: context.rng("factors-\(name)-\(f)-train")) { epoch in
                    epoch == config.epochCount ? evaluator.evaluate(recommender, k: 10).metrics : [:]
                }
                let hr = history.last["HR@10"] ?? .nan
                table[k].append(hr)
                context.record("factors_\(name)_f\(f)_HR@10", hr)
                done += 1
                bar.update(done, detail: "\(name) f = \(f): HR@10 \(f4(hr))")
            }
            series.append(Series(name, zip(plan.factorSizes, table[k]).map { (x: Double($0), y: $1) }))
        }
        bar.finish()
        for (i, f) in plan.factorSizes.enumerated() { rows.append(["\(f)"] + names.indices.map { f4(table[$0][i]) }) }
        say.table(Table(headers: ["f"] + names.map { "\($0) HR@10" }, rows: rows), caption: "HR@10 (loo-99) by predictive factors, \(plan.sweepEpochs) epochs each")
        series.append(Series("ItemKNN", [(x: Double(plan.factorSizes.first ?? 8), y: split.baselines["ItemKNN"]?["HR@10"] ?? .nan),
                                         (x: Double(plan.factorSizes.last ?? 64), y: split.baselines["ItemKNN"]?["HR@10"] ?? .nan)], style: .dashed))
        var figure = Figure(name: "hr-vs-factors", title: "HR@10 against predictive factors (loo-99, \(plan.sweepEpochs) epochs)",
                            xLabel: "predictive factors f", yLabel: "HR@10", kind: .lines(series))
        figure.logX = true
        figure.xTics = plan.factorSizes.map(Double.init)
        figure.xRange = (Double(plan.factorSizes.first ?? 8) * 0.8)...(Double(plan.factorSizes.last ?? 64) * 1.25)
        figure.keyPosition = "below"
        try context.figure(figure)
    }

    static func negativeSweep(_ context: ChapterContext, data: RatingsData, split: LooResults, plan: Plan) throws {
        let say = context.narrator
        say.heading("How many negatives per positive?")
        say.prose("NeuMF (f = \(split.config.factors)) trained with 1 to 10 sampled negatives per positive, \(plan.sweepEpochs) epochs each. More negatives mean more (and longer) epochs' worth of steps, so part of the gain is simply more training.")
        let evaluator = SampledEvaluator(split: split.split, data: data)
        var points: [(x: Double, y: Double)] = [], ndcg: [(x: Double, y: Double)] = []
        let bar = ProgressBar("negatives sweep", total: plan.negativeCounts.count, style: say.style)
        for (k, n) in plan.negativeCounts.enumerated() {
            var config = split.config
            config.negativeCount = n
            config.epochCount = plan.sweepEpochs
            let model = makeModel("NeuMF", data: data, config: config, rng: context.rng("negatives-\(n)"))
            let recommender = PairScorerRecommender(name: "NeuMF", model: model, itemCount: data.itemCount)
            let history = try trainImplicit(model, train: split.train, config: config, rng: context.rng("negatives-\(n)-train")) { epoch in
                epoch == config.epochCount ? evaluator.evaluate(recommender, k: 10).metrics : [:]
            }
            points.append((x: Double(n), y: history.last["HR@10"] ?? .nan))
            ndcg.append((x: Double(n), y: history.last["NDCG@10"] ?? .nan))
            context.record("negatives_\(n)_HR@10", history.last["HR@10"] ?? .nan)
            bar.update(k + 1, detail: "\(n) negatives: HR@10 \(f4(history.last["HR@10"] ?? .nan))")
        }
        bar.finish()
        say.table(Table(headers: ["negatives", "HR@10", "NDCG@10"], rows: zip(points, ndcg).map { ["\(Int($0.x))", f4($0.y), f4($1.y)] }),
                  caption: "NeuMF, loo-99, by training negatives per positive")
        var figure = Figure(name: "hr-vs-negatives", title: "NeuMF: HR@10 and NDCG@10 against negatives per positive",
                            xLabel: "sampled negatives per positive", yLabel: "metric (loo-99)", kind: .lines([Series("HR@10", points), Series("NDCG@10", ndcg)]))
        figure.xTicStep = 1
        figure.keyPosition = "right center"
        try context.figure(figure)
    }

    // MARK: - Full ranking

    /// Returns whether the two protocols order the models the same way.
    static func sampledCaveat(_ context: ChapterContext, data: RatingsData, plan: Plan, looResults: LooResults) throws -> Bool {
        let say = context.narrator
        say.heading("The sampled-metric caveat: the same models under full ranking")
        say.prose("Ranking a test item among 99 random items is far easier than ranking it among all 1,682, and it favours models that separate popular from unpopular films (Krichene & Rendle, KDD 2020). Here the same three models (same configuration, \(plan.holdoutEpochs) epochs) are trained on holdout-20: each user's random 20% of ratings is test, and every item the user did not train on is a candidate.")
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        var rows: [[String]] = []
        var recall: [(String, Double)] = []
        for name in ["GMF", "MLP", "NeuMF"] {
            var config = looResults.config
            config.epochCount = plan.holdoutEpochs
            let model = makeModel(name, data: data, config: config, rng: context.rng("holdout-\(name)"))
            let bar = ProgressBar("\(name) on holdout-20", total: implicitSteps(train: train, config: config), style: say.style)
            let history = try trainImplicit(model, train: train, config: config, rng: context.rng("holdout-\(name)-train"), progress: bar) { _ in [:] }
            let e = evaluator.evaluate(PairScorerRecommender(name: name, model: model, itemCount: data.itemCount), ks: [20])
            bar.finish(String(format: "Recall@20 %.4f", e.metrics["Recall@20"] ?? .nan))
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: e.metrics,
                                       trainSeconds: history.epochSeconds.reduce(0, +), epochs: config.epochCount))
            rows.append([name, f4(looResults.histories[name]?.last["HR@10"] ?? .nan), f4(e.metrics["Recall@20"] ?? .nan), f4(e.metrics["NDCG@20"] ?? .nan)])
            recall.append((name, e.metrics["Recall@20"] ?? .nan))
        }
        for (name, model) in [("MostPopular", MostPopular(train: train) as any Recommender), ("ItemKNN", try ItemKNN(train: train))] {
            let e = evaluator.evaluate(model, ks: [20])
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: e.metrics))
            rows.append([name, f4(looResults.baselines[name]?["HR@10"] ?? .nan), f4(e.metrics["Recall@20"] ?? .nan), f4(e.metrics["NDCG@20"] ?? .nan)])
            recall.append((name, e.metrics["Recall@20"] ?? .nan))
        }
        say.table(Table(headers: ["model", "HR@10 (loo-99)", "Recall@20 (holdout-20)", "NDCG@20 (holdout-20)"], rows: rows),
                  caption: "The same models under both protocols")
        let looOrder = rows.sorted { (Double($0[1]) ?? 0) > (Double($1[1]) ?? 0) }.map { $0[0] }
        let fullOrder = recall.sorted { $0.1 > $1.1 }.map(\.0)
        say.prose("Ordered by loo-99 HR@10: \(looOrder.joined(separator: " > ")). Ordered by holdout-20 Recall@20: \(fullOrder.joined(separator: " > ")). " + (looOrder == fullOrder
            ? "Here the two protocols agree on the order, but the gaps change size: a sampled metric says little about how far apart models are."
            : "The orders differ: a sampled metric can reverse comparisons, because beating 99 random (mostly obscure) films is a different task from ranking the whole catalogue, which is why this book reports full ranking wherever it can."))
        context.record("protocol_orders_agree", looOrder == fullOrder ? 1 : 0)
        return looOrder == fullOrder
    }

    // MARK: - The document's pipeline

    static func regression(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("The document's pipeline: NeuMF as a rating regressor")
        let split = try Split.make(data, protocol: .ratings8020, seed: context.options.seed)
        let train = RatingRows(data, rows: split.train), validation = RatingRows(data, rows: split.test)
        var config = NCFConfig()
        config.factors = 64
        config.layers = 3
        config.dropout = 0.2
        config.epochCount = plan.regressionEpochs
        say.prose("The document's project trains NeuralMF(factor_num=64, num_layers=3, dropout=0.2) on explicit ratings with MSE, Adam (lr 0.001), batches of 256, on a random 80/20 split (protocol ratings-80-20: \(train.count.formatted()) / \(validation.count.formatted()) ratings), for \(config.epochCount) epochs here (the document: 50).")
        say.listing(try listing("train-regression", "Training.swift"))
        let model = NeuMF(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("regression"))
        let bar = ProgressBar("NeuMF regression", total: config.epochCount * ((train.count + 255) / 256), style: say.style)
        let start = Date()
        let (trainLoss, validationLoss) = try trainRegression(model, train: train, validation: validation, config: config, rng: context.rng("regression-train"), progress: bar)
        let seconds = Date().timeIntervalSince(start)
        let predictions = predict(model, users: validation.users, items: validation.items)
        let rmse = RatingMetrics.rmse(predictions, validation.ratings), mae = RatingMetrics.mae(predictions, validation.ratings)
        bar.finish(String(format: "validation RMSE %.4f", rmse))
        let mean = train.ratings.reduce(0, +) / Float(train.count)
        let meanRMSE = RatingMetrics.rmse([Float](repeating: mean, count: validation.count), validation.ratings)
        let best = validationLoss.enumerated().min { $0.element < $1.element }
        context.record(ResultEntry(model: "NeuMF regression", protocol: "ratings-80-20", dataset: data.name,
                                   metrics: ["MSE": rmse * rmse, "RMSE": rmse, "MAE": mae], trainSeconds: seconds, epochs: config.epochCount))
        context.record(ResultEntry(model: "global mean", protocol: "ratings-80-20", dataset: data.name, metrics: ["RMSE": meanRMSE]))
        say.table(Table(headers: ["epoch", "train MSE", "validation MSE"], rows: zip(trainLoss, validationLoss).enumerated().map {
            ["\($0.offset + 1)", f4($0.element.0), f4($0.element.1)]
        }), caption: "ratings-80-20, NeuMF f = 64, L = 3, dropout 0.2")
        say.prose(String(format: "Validation RMSE %.4f (MAE %.4f), against %.4f for predicting the global mean rating. The lowest validation MSE came at epoch %d; ", rmse, mae, meanRMSE, (best?.offset ?? 0) + 1)
                  + ((best?.offset ?? 0) + 1 < config.epochCount ? "after it the model overfits, which is what chapter 7's early stopping is for." : "it was still improving when training stopped."))
        var figure = Figure(name: "regression-loss", title: "NeuMF regression: train and validation MSE (ratings-80-20)",
                            xLabel: "epoch", yLabel: "MSE", kind: .lines([Series("train", perEpoch: trainLoss), Series("validation", perEpoch: validationLoss)]))
        figure.xTicStep = config.epochCount > 12 ? 5 : 1
        try context.figure(figure)

        say.heading("Errata: evaluate_model ranks across users", level: 3)
        say.prose("The document then calls evaluate_model(model, val_loader, top_k=10). Each validation batch holds 256 rows of many different users; the function takes the 10 highest predictions of the whole batch, so its \"Precision@10\" asks whether the 10 highest-rated-looking rows of a random mix of users have true ratings above 3.5. Here is that computation, faithfully, next to a per-user evaluation of the same model and predictions:")
        say.listing(try listing("document-evaluate", "DocumentEvaluation.swift"))
        say.listing(try listing("per-user-evaluate", "DocumentEvaluation.swift"))
        let documents = documentEvaluation(predictions: predictions, ratings: validation.ratings)
        let perUser = perUserEvaluation(users: validation.users, predictions: predictions, ratings: validation.ratings)
        context.record("document_evaluate_precision@10", documents.precision)
        context.record("document_evaluate_recall@10", documents.recall)
        context.record("document_evaluate_ndcg@10", documents.ndcg)
        context.record("per_user_precision@10", perUser.precision)
        context.record("per_user_recall@10", perUser.recall)
        context.record("per_user_ndcg@10", perUser.ndcg)
        say.table(Table(headers: ["evaluation", "groups", "Precision@10", "Recall@10", "NDCG@10"], rows: [
            ["document's evaluate_model (per mini-batch)", "\(documents.groups) batches", f4(documents.precision), f4(documents.recall), f4(documents.ndcg)],
            ["per user", "\(perUser.groups) users", f4(perUser.precision), f4(perUser.recall), f4(perUser.ndcg)],
        ]), caption: "The same trained model and validation predictions, evaluated two ways")
        let relevantPerBatch = Double(validation.ratings.filter { $0 > 3.5 }.count) / (Double(validation.count) / 256)
        let usersPerBatch = stride(from: 0, to: validation.count, by: 256).map { Set(validation.users[$0..<min(validation.count, $0 + 256)]).count }
        context.record("validation_relevant_rows_per_batch", relevantPerBatch)
        say.errata(String(format: "evaluate_model mixes users inside a mini-batch (here %.0f distinct users per batch of 256 on average), so its numbers are not recommendation metrics: its Recall@10 divides 10 picks by the ~%.0f relevant rows of a whole batch (hence %.4f), and its Precision@10 measures whether the batch's highest predictions are high ratings, not whether a user's own list is good. Per user, the same model scores Precision@10 %.4f and Recall@10 %.4f. (The function also fails on a last batch shorter than 10 rows, where torch.topk raises, and averages tensors that still carry the graph.)",
                            Double(usersPerBatch.reduce(0, +)) / Double(max(usersPerBatch.count, 1)), relevantPerBatch, documents.recall, perUser.precision, perUser.recall))
    }

    // MARK: - Exercises

    public static let exercises: [Exercise] = [
        Exercise(id: "2.1", title: "The pyramid",
                 prompt: "Write pyramid(factors:layers:): the MLP layer widths [f·2^L, ..., f] for the document's tower.",
                 hint: "the input is the two concatenated embeddings of f·2^(L-1) each; every layer halves",
                 answerIn: "Chapter2Exercises.pyramid(factors:layers:)",
                 checkAnswer: { checkPyramid(Chapter2Exercises.pyramid) }, checkReference: { checkPyramid(Chapter2Solutions.pyramid) }),
        Exercise(id: "2.2", title: "GMF by hand",
                 prompt: "p_u = [0.1, -0.2, 0.3], q_i = [0.5, 0.4, -0.1], h = [1, 2, -1], bias 0.05. GMF's predicted probability sigmoid(h · (p_u ⊙ q_i) + b)?",
                 hint: "multiply element-wise, weight by h, add the bias, then apply the sigmoid",
                 answerIn: "Chapter2Exercises.gmfProbability()",
                 checkAnswer: { checkGMF(Chapter2Exercises.gmfProbability(), h: [1, 2, -1], bias: 0.05, sigmoid: true) },
                 checkReference: { checkGMF(Chapter2Solutions.gmfProbability(), h: [1, 2, -1], bias: 0.05, sigmoid: true) }),
        Exercise(id: "2.3", title: "HR@10 and NDCG@10 of one ranking",
                 prompt: "Write hitAndNDCG(rank:k:): the test item is ranked `rank` (1 = best) among the 100 candidates; return (HR@k, NDCG@k).",
                 hint: "a hit is rank <= k; NDCG is 1/log2(rank + 1) for a hit (the ideal DCG is 1)",
                 answerIn: "Chapter2Exercises.hitAndNDCG(rank:k:)",
                 checkAnswer: { checkHitNDCG(Chapter2Exercises.hitAndNDCG) }, checkReference: { checkHitNDCG(Chapter2Solutions.hitAndNDCG) }),
        Exercise(id: "2.4", title: "GMF with h fixed to ones",
                 prompt: "Fix GMF's output weights to h = [1, 1, 1] and its bias to 0: for the p_u, q_i of 2.2, what logit does it give? Which model is that?",
                 hint: "with h = 1 the weighted sum of p_u ⊙ q_i is the inner product p_u · q_i: plain MF",
                 answerIn: "Chapter2Exercises.gmfWithUnitWeights()",
                 checkAnswer: { checkGMF(Chapter2Exercises.gmfWithUnitWeights(), h: [1, 1, 1], bias: 0, sigmoid: false) },
                 checkReference: { checkGMF(Chapter2Solutions.gmfWithUnitWeights(), h: [1, 1, 1], bias: 0, sigmoid: false) }),
    ]

    static func checkPyramid(_ answer: (Int, Int) -> [Int]?) -> ExerciseVerdict {
        Check.function(cases: [(8, 3), (32, 4), (16, 1), (64, 3), (4, 5)], answer: { answer($0.0, $0.1) },
                       reference: { f, l in
                           // The widths of the model itself: its first layer's input, then every layer's output.
                           let mlp = MLP(userCount: 1, itemCount: 1, factors: f, layers: l, dropout: 0, rng: RandomGenerator(seed: 1))
                           let linears = mlp.tower.layers.compactMap { $0 as? Linear }
                           return [linears[0].inputSize] + linears.map(\.outputSize)
                       },
                       matches: { $0 == $1 }, describe: { "factors \($0.0), layers \($0.1)" })
    }

    /// The expected value is computed by a real GMF with those weights.
    static func checkGMF(_ answer: Double?, h: [Float], bias: Float, sigmoid: Bool) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        let gmf = GMF(userCount: 1, itemCount: 1, factors: 3, rng: RandomGenerator(seed: 1))
        gmf.userEmbedding.table.assign([0.1, -0.2, 0.3])
        gmf.itemEmbedding.table.assign([0.5, 0.4, -0.1])
        gmf.predict.weight.assign(h)
        gmf.predict.bias?.assign([bias])
        let logit = Double(Tensor.withoutGrad { gmf([0], [0]).item })
        let expected = sigmoid ? 1 / (1 + Foundation.exp(-logit)) : logit
        return Check.number(answer, expected: expected, tolerance: 1e-4,
                            explain: sigmoid ? "p ⊙ q = [0.05, -0.08, -0.03]; h · that + b, then sigmoid." : "with h = 1 and b = 0 GMF's logit is the inner product p · q.")
    }

    static func checkHitNDCG(_ answer: (Int, Int) -> (Double, Double)?) -> ExerciseVerdict {
        let cases = [(1, 10), (3, 10), (10, 10), (11, 10), (57, 10), (2, 1), (5, 20)]
        return Check.function(cases: cases, answer: { c in answer(c.0, c.1).map { [$0.0, $0.1] } },
                              reference: { c in
                                  // The item at position `rank` of a 100-item list, scored by RecKit.
                                  let ranked = (0..<100).map(Int32.init)
                                  let m = UserMetrics.compute(ranked: ranked, relevant: [Int32(c.0 - 1)], k: c.1)
                                  return [m.hit, m.ndcg]
                              },
                              matches: { zip($0, $1).allSatisfy { abs($0 - $1) < 1e-9 } }, describe: { "rank \($0.0), k \($0.1)" })
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
