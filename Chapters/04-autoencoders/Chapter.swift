// Chapter 4: autoencoders for recommendation: AutoRec, CDAE, Mult-VAE.

import Foundation
import Narrative
import Plotting
import RecKit
import TensorCore

public enum AutoencodersChapter: Chapter {
    public static let number = 4
    public static let slug = "autoencoders"
    public static let title = "Autoencoders: AutoRec, denoising (CDAE) and Mult-VAE"
    public static let summary = "Compress and reconstruct: I-AutoRec RMSE, CDAE corruption, Mult-VAE with KL annealing"

    struct Plan {
        var autorecEpochs: Int, hiddenSizes: [Int], hiddenEpochs: Int, cdaeEpochs: Int, vaeEpochs: Int
        static func of(_ mode: RunMode) -> Plan {
            switch mode {
            case .quick: return Plan(autorecEpochs: 3, hiddenSizes: [100, 500], hiddenEpochs: 2, cdaeEpochs: 2, vaeEpochs: 5)
            case .standard: return Plan(autorecEpochs: 25, hiddenSizes: [50, 200, 500], hiddenEpochs: 10, cdaeEpochs: 10, vaeEpochs: 60)
            case .full: return Plan(autorecEpochs: 100, hiddenSizes: [50, 100, 200, 500, 1000], hiddenEpochs: 100, cdaeEpochs: 50, vaeEpochs: 200)
            }
        }
    }

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }

    /// The chapter's training epochs in `mode` for CDAE and Mult-VAE (other chapters reuse them).
    public static func defaultEpochs(_ mode: RunMode) -> (cdae: Int, multVAE: Int) {
        let plan = Plan.of(mode)
        return (plan.cdaeEpochs, plan.vaeEpochs)
    }
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Models.swift").path

    /// β at a training step: linear from 0 to `cap` over `total` steps (Liang et al.'s annealing).
    public static func beta(step: Int, total: Int, cap: Double = 0.2) -> Double {
        min(cap, cap * Double(step) / Double(max(total, 1)))
    }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        let plan = Plan.of(context.options.mode)
        say.heading("Chapter 4. \(title)", level: 1)
        say.prose("An autoencoder compresses its input to a small code and reconstructs it. For recommendation the input is a row of the interaction matrix: reconstructing it fills in the entries that were never observed, and those are the predictions.")
        guard let data = context.optionalData("MovieLens-100K", { try MovieLens.ml100k(dataDirectory: context.options.dataDirectory) { say.status($0) } }) else {
            return
        }
        try autoRec(context, data: data, plan: plan)
        try cdae(context, data: data, plan: plan)
        try multVAE(context, data: data, plan: plan)
        say.heading("Summary")
        say.bullets([
            "AutoRec reconstructs observed ratings only (a masked loss); without the paper's L2 penalty it overfits, which the document's loss leaves out.",
            "Denoising corrupts the input on purpose, so the model must predict items from the others, which is exactly recommendation.",
            "Mult-VAE treats a user's row as a multinomial draw and regularises the code with a KL term whose weight is annealed; it is among the strongest models of this book on holdout-20.",
        ])
    }

    // MARK: - AutoRec

    struct RatingTable {
        let rows: Int, columns: Int
        let values: [Float], mask: [Float]
        /// [B, columns] rating and mask tensors of the given rows.
        func batch(_ r: [Int]) -> (Tensor, Tensor) {
            var v = [Float](), m = [Float]()
            v.reserveCapacity(r.count * columns); m.reserveCapacity(r.count * columns)
            for row in r { v += values[(row * columns)..<((row + 1) * columns)]; m += mask[(row * columns)..<((row + 1) * columns)] }
            return (Tensor(v, shape: [r.count, columns]), Tensor(m, shape: [r.count, columns]))
        }
    }

    /// Item-based (rows = items) or user-based (rows = users) rating table of the training rows.
    static func table(_ data: RatingsData, rows train: [Int], itemBased: Bool) -> RatingTable {
        let (r, c) = itemBased ? (data.itemCount, data.userCount) : (data.userCount, data.itemCount)
        var values = [Float](repeating: 0, count: r * c), mask = [Float](repeating: 0, count: r * c)
        for k in train {
            let (row, col) = itemBased ? (Int(data.items[k]), Int(data.users[k])) : (Int(data.users[k]), Int(data.items[k]))
            values[row * c + col] = data.ratings[k]
            mask[row * c + col] = 1
        }
        return RatingTable(rows: r, columns: c, values: values, mask: mask)
    }

    /// Trains AutoRec; returns train and test RMSE per epoch and the seconds per epoch.
    public static func trainAutoRec(_ data: RatingsData, split: Split, itemBased: Bool, hidden: Int, epochs: Int, lambda: Float = 300,
                                    seed: UInt64, progress: ProgressBar? = nil) throws -> (train: [Double], test: [Double], seconds: [Double]) {
        let rng = RandomGenerator(seed: seed)
        let t = table(data, rows: split.train, itemBased: itemBased)
        let model = AutoRec(features: t.columns, hidden: hidden, rng: rng)
        let adam = Adam(model.parameters, learningRate: 1e-3)
        let observedRows = Set(split.train.map { itemBased ? Int(data.items[$0]) : Int(data.users[$0]) })
        func rmse(_ rows: [Int], _ all: Tensor) -> Double {
            var predictions: [Float] = [], targets: [Float] = []
            for k in rows {
                let (row, col) = itemBased ? (Int(data.items[k]), Int(data.users[k])) : (Int(data.users[k]), Int(data.items[k]))
                predictions.append(observedRows.contains(row) ? min(5, max(1, all.data[row * t.columns + col])) : 3)
                targets.append(data.ratings[k])
            }
            return RatingMetrics.rmse(predictions, targets)
        }
        var trainRMSE: [Double] = [], testRMSE: [Double] = [], seconds: [Double] = []
        for epoch in 1...epochs {
            let start = Date()
            let order = rng.permutation(t.rows)
            for (step, s) in stride(from: 0, to: t.rows, by: 64).enumerated() {
                let batch = Array(order[s..<min(t.rows, s + 64)])
                let (r, m) = t.batch(batch)
                adam.zeroGrad()
                let loss = model.loss(r, mask: m, lambda: lambda, share: Float(batch.count) / Float(t.rows))
                try checkFinite(loss.item, epoch: epoch, step: step + 1)
                loss.backward()
                adam.step()
            }
            seconds.append(Date().timeIntervalSince(start))
            let all = Tensor.withoutGrad { model(t.batch(Array(0..<t.rows)).0) }  // [R, C]: every row reconstructed once
            trainRMSE.append(rmse(split.train, all))
            testRMSE.append(rmse(split.test, all))
            progress?.update(epoch, detail: String(format: "epoch %d test RMSE %.4f", epoch, testRMSE.last!))
        }
        return (trainRMSE, testRMSE, seconds)
    }

    static func autoRec(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("AutoRec: reconstructing ratings")
        say.listing(try Listing.region("autorec", file: source))
        say.errata("The document's AutoRec.loss is the masked mean squared error alone. The paper's objective (Sedhain et al. 2015) adds λ/2 (‖W‖² + ‖V‖²), and it matters: on MovieLens-100K a small λ overfits within 20 epochs. The document's decoder comment offers nn.Sigmoid() as an alternative output, which would confine predictions to (0, 1) and cannot reach ratings of 1 to 5 without rescaling; the paper's I-AutoRec uses the identity. Here: the paper's sum of squared errors over observed ratings plus λ = 300 (chosen by the PyTorch reference), identity output, predictions clipped to [1, 5], and 3 for an item or user with no training rating.")
        let split = try Split.make(data, protocol: .ratings9010, seed: context.options.seed)
        say.prose("Protocol ratings-90-10: a seeded random 90/10 split of the \(data.count.formatted()) ratings. I-AutoRec reconstructs each item's vector of ratings by the \(data.userCount) users (hidden 500, Adam lr 0.001, batches of 64 items, \(plan.autorecEpochs) epochs); U-AutoRec does the same with users' rows.")
        let bar = ProgressBar("I-AutoRec", total: plan.autorecEpochs, style: say.style)
        let item = try trainAutoRec(data, split: split, itemBased: true, hidden: 500, epochs: plan.autorecEpochs, seed: context.options.seed, progress: bar)
        bar.finish(String(format: "test RMSE %.4f", item.test.last ?? .nan))
        let ubar = ProgressBar("U-AutoRec", total: plan.autorecEpochs, style: say.style)
        let user = try trainAutoRec(data, split: split, itemBased: false, hidden: 500, epochs: plan.autorecEpochs, seed: context.options.seed, progress: ubar)
        ubar.finish(String(format: "test RMSE %.4f", user.test.last ?? .nan))
        // Baselines: the global mean, damped biases, and biased MF on the tensor core.
        let train = split.train, test = split.test
        let mu = train.map { data.ratings[$0] }.reduce(0, +) / Float(train.count)
        var itemSum = [Float](repeating: 0, count: data.itemCount), itemCount = [Float](repeating: 0, count: data.itemCount)
        for k in train { itemSum[Int(data.items[k])] += data.ratings[k] - mu; itemCount[Int(data.items[k])] += 1 }
        let bi = (0..<data.itemCount).map { itemSum[$0] / (itemCount[$0] + 25) }
        var userSum = [Float](repeating: 0, count: data.userCount), userCount = [Float](repeating: 0, count: data.userCount)
        for k in train { userSum[Int(data.users[k])] += data.ratings[k] - mu - bi[Int(data.items[k])]; userCount[Int(data.users[k])] += 1 }
        let bu = (0..<data.userCount).map { userSum[$0] / (userCount[$0] + 10) }
        let targets = test.map { data.ratings[$0] }
        let meanRMSE = RatingMetrics.rmse([Float](repeating: mu, count: test.count), targets)
        let biasRMSE = RatingMetrics.rmse(test.map { min(5, max(1, mu + bi[Int(data.items[$0])] + bu[Int(data.users[$0])])) }, targets)
        let mfRMSE = try biasedMF(data, split: split, epochs: context.options.mode == .quick ? 2 : 20, seed: context.options.seed)
        let rows: [[String]] = [
            ["I-AutoRec (hidden 500)", f4(item.test.last ?? .nan), String(format: "%.3f", item.seconds.reduce(0, +) / Double(item.seconds.count))],
            ["U-AutoRec (hidden 500)", f4(user.test.last ?? .nan), String(format: "%.3f", user.seconds.reduce(0, +) / Double(user.seconds.count))],
            ["biased MF (k = 32, Adam)", f4(mfRMSE), "-"], ["damped user + item biases", f4(biasRMSE), "-"], ["global mean", f4(meanRMSE), "-"],
        ]
        for (name, value) in [("I-AutoRec", item.test.last ?? .nan), ("U-AutoRec", user.test.last ?? .nan), ("biased MF", mfRMSE), ("bias baseline", biasRMSE), ("global mean", meanRMSE)] {
            context.record(ResultEntry(model: name, protocol: "ratings-90-10", dataset: data.name, metrics: ["RMSE": value],
                                       trainSeconds: name == "I-AutoRec" ? item.seconds.reduce(0, +) : nil, epochs: name.hasSuffix("AutoRec") ? plan.autorecEpochs : nil))
        }
        say.table(Table(headers: ["model", "test RMSE", "s / epoch"], rows: rows), caption: "ratings-90-10 on MovieLens-100K after \(plan.autorecEpochs) epochs")
        var figure = Figure(name: "autorec-rmse", title: "AutoRec: train and test RMSE per epoch (ratings-90-10)", xLabel: "epoch", yLabel: "RMSE",
                            kind: .lines([Series("I-AutoRec train", perEpoch: item.train), Series("I-AutoRec test", perEpoch: item.test),
                                          Series("U-AutoRec test", perEpoch: user.test),
                                          Series("damped biases (test)", [(x: 1, y: biasRMSE), (x: Double(plan.autorecEpochs), y: biasRMSE)], style: .dashed)]))
        figure.keyPosition = "below"
        try context.figure(figure)
        // Hidden size.
        var points: [(x: Double, y: Double)] = []
        let hbar = ProgressBar("hidden sizes", total: plan.hiddenSizes.count, style: say.style)
        for (k, h) in plan.hiddenSizes.enumerated() {
            let r = try trainAutoRec(data, split: split, itemBased: true, hidden: h, epochs: plan.hiddenEpochs, seed: context.options.seed)
            points.append((x: Double(h), y: r.test.last ?? .nan))
            context.record("autorec_hidden_\(h)_test_RMSE", r.test.last ?? .nan)
            hbar.update(k + 1, detail: "hidden \(h)")
        }
        hbar.finish()
        var hidden = Figure(name: "autorec-hidden", title: "I-AutoRec: test RMSE against hidden size (\(plan.hiddenEpochs) epochs)", xLabel: "hidden units",
                            yLabel: "test RMSE", kind: .lines([Series("I-AutoRec", points)]))
        hidden.logX = true
        hidden.xTics = plan.hiddenSizes.map(Double.init)
        try context.figure(hidden)
    }

    /// Biased MF r̂ = μ + b_u + b_i + p_u · q_i, trained with Adam on squared error + L2.
    static func biasedMF(_ data: RatingsData, split: Split, epochs: Int, seed: UInt64) throws -> Double {
        let rng = RandomGenerator(seed: seed)
        let p = Embedding(count: data.userCount, dimension: 32, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        let q = Embedding(count: data.itemCount, dimension: 32, initializer: .normal(std: 0.01), sparse: false, rng: rng)
        let bu = Embedding(count: data.userCount, dimension: 1, initializer: .zeros, sparse: false, rng: rng)
        let bi = Embedding(count: data.itemCount, dimension: 1, initializer: .zeros, sparse: false, rng: rng)
        let mu = split.train.map { data.ratings[$0] }.reduce(0, +) / Float(split.train.count)
        let adam = Adam(p.parameters + q.parameters + bu.parameters + bi.parameters, learningRate: 2e-3)
        func predict(_ users: [Int32], _ items: [Int32]) -> Tensor {
            (p(users) * q(items)).sum(axis: 1) + bu(users).reshaped([-1]) + bi(items).reshaped([-1]) + mu
        }
        for epoch in 1...epochs {
            let order = rng.permutation(split.train.count)
            for (step, s) in stride(from: 0, to: order.count, by: 1024).enumerated() {
                let rows = order[s..<min(order.count, s + 1024)].map { split.train[$0] }
                let users = rows.map { data.users[$0] }, items = rows.map { data.items[$0] }
                adam.zeroGrad()
                let loss = Loss.mse(predict(users, items), Tensor(rows.map { data.ratings[$0] }))
                    + 0.1 * ((p(users).sumOfSquares() + q(items).sumOfSquares() + bu(users).sumOfSquares() + bi(items).sumOfSquares()) * (1 / Float(rows.count)))
                try checkFinite(loss.item, epoch: epoch, step: step + 1)
                loss.backward()
                adam.step()
            }
        }
        let predictions = Tensor.withoutGrad { predict(split.test.map { data.users[$0] }, split.test.map { data.items[$0] }) }.data.map { min(5, max(1, $0)) }
        return RatingMetrics.rmse(predictions, split.test.map { data.ratings[$0] })
    }

    // MARK: - CDAE

    static func cdae(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("Denoising: the collaborative DAE")
        say.listing(try Listing.region("cdae", file: source))
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        say.prose("Protocol holdout-20 on implicit data. Each user's training row is corrupted, encoded with the user's own vector, and decoded to one logit per item; the loss is BCE against the uncorrupted row (hidden 200, Adam lr 0.001, batches of 128 users, \(plan.cdaeEpochs) epochs).")
        var rows: [[String]] = [], points: [(x: Double, y: Double)] = []
        let settings: [(Float, Bool)] = [(0, false), (0.2, false), (0.5, false), (0.8, false), (0.5, true)]
        let bar = ProgressBar("CDAE corruption", total: settings.count, style: say.style)
        for (k, (q, rescale)) in settings.enumerated() {
            let model = try trainCDAE(train: train, epochs: plan.cdaeEpochs, corruption: q, rescale: rescale, rng: context.rng("cdae-\(q)-\(rescale)"))
            let name = rescale ? "q = \(q), rescaled by 1/(1-q)" : "q = \(q)"
            let m = evaluator.evaluate(RowModelRecommender(name: "CDAE", train: train) { x, users in model(x, users: users) }, ks: [20]).metrics
            rows.append([name, f4(m["Recall@20"]!), f4(m["NDCG@20"]!)])
            if !rescale { points.append((x: Double(q), y: m["Recall@20"]!)) }
            context.record(ResultEntry(model: "CDAE (\(name))", protocol: "holdout-20", dataset: data.name, metrics: m, epochs: plan.cdaeEpochs))
            context.record("cdae_q\(q)\(rescale ? "_rescaled" : "")_Recall@20", m["Recall@20"]!)
            bar.update(k + 1, detail: name)
        }
        bar.finish()
        say.table(Table(headers: ["corruption", "Recall@20", "NDCG@20"], rows: rows), caption: "CDAE on holdout-20 by corruption ratio q (the document's noise: no rescaling)")
        let plain = context.recorded.values["cdae_q0.5_Recall@20"] ?? .nan, scaled = context.recorded.values["cdae_q0.5_rescaled_Recall@20"] ?? .nan
        say.prose(String(format: "Should dropout noise be rescaled? Without rescaling, a corrupted row has on average (1 - q) of its mass, so the encoder sees smaller inputs in training than at prediction time (when nothing is dropped). With 1/(1-q) rescaling (inverted dropout) the expected input matches. At q = 0.5 here: Recall@20 %.4f unscaled against %.4f rescaled, ", plain, scaled)
                  + (abs(plain - scaled) < 0.005 ? "a negligible difference: the per-user node and the biases absorb the shift." : (scaled > plain ? "so rescaling helps." : "so the document's unscaled noise does no harm here.")))
        var figure = Figure(name: "cdae-corruption", title: "CDAE: Recall@20 against the corruption ratio (holdout-20)", xLabel: "corruption ratio q",
                            yLabel: "Recall@20", kind: .lines([Series("CDAE", points)]))
        figure.xRange = -0.05...0.85
        try context.figure(figure)
    }

    /// Trains CDAE on the binary training rows: batches of 128 users, Adam (lr 0.001), BCE of
    /// the logits against the uncorrupted row. Returns the model in evaluation mode.
    public static func trainCDAE(train: InteractionMatrix, epochs: Int, corruption q: Float, rescale: Bool = false,
                                 rng: RandomGenerator, progress: ((Int) -> Void)? = nil) throws -> CDAE {
        let model = CDAE(users: train.userCount, items: train.itemCount, corruption: q, rescale: rescale, rng: rng)
        let adam = Adam(model.parameters, learningRate: 1e-3)
        for epoch in 1...epochs {
            let order = rng.permutation(train.userCount).map(Int32.init)
            for (step, s) in stride(from: 0, to: order.count, by: 128).enumerated() {
                let users = Array(order[s..<min(order.count, s + 128)])
                let x = interactionRows(train, users)
                adam.zeroGrad()
                let loss = Loss.bceWithLogits(model(x, users: users), x)
                try checkFinite(loss.item, epoch: epoch, step: step + 1)
                loss.backward()
                adam.step()
            }
            progress?(epoch)
        }
        model.setTraining(false)
        return model
    }

    // MARK: - Mult-VAE

    static func multVAE(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("Mult-VAE: a probabilistic autoencoder")
        say.listing(try Listing.region("multvae", file: source))
        say.prose("The document's MultVAE, trained as in Liang et al. (2018): the loss is the multinomial negative log-likelihood -Σ x log softmax(logits) plus β·KL, with β rising linearly from 0 to 0.2 over all the training steps; batches of 500 users, Adam lr 0.001, \(plan.vaeEpochs) epochs. Mult-DAE is the same network with a deterministic code and no KL term.")
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let density = Double(split.train.count) / Double(data.userCount * data.itemCount)
        say.prose(String(format: "One difference from the document's code, in how it runs rather than what it computes: a user's training row is %.1f%% non-zero here, so the input stays a sparse matrix until the first layer. Normalising, dropping out and multiplying by the 1,682 x 600 encoder touch only the items the user has, where PyTorch multiplies the zeros too (the same numbers, a fraction of the work; the decoder's softmax over all items is dense either way).", 100 * density))
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        var curves: [Series] = [], steps: [(recon: Double, kl: Double, beta: Double)] = []
        var finals: [String: [String: Double]] = [:], seconds: [String: Double] = [:]
        var vae: MultVAE?
        for variational in [true, false] {
            let name = variational ? "Mult-VAE" : "Mult-DAE"
            let bar = ProgressBar(name, total: plan.vaeEpochs, style: say.style)
            var curve: [(x: Double, y: Double)] = []
            let trained = try trainMultVAE(train: train, epochs: plan.vaeEpochs, variational: variational, rng: context.rng(name),
                                           progress: { bar.update($0, detail: "epoch \($0)/\(plan.vaeEpochs)") }) { epoch, model in
                guard epoch % max(1, plan.vaeEpochs / 10) == 0 || epoch == plan.vaeEpochs else { return }
                let m = evaluator.evaluate(RowModelRecommender(name: name, train: train) { x, _ in model(x).logits }, ks: [20]).metrics
                curve.append((x: Double(epoch), y: m["Recall@20"]!))
                finals[name] = m
            }
            bar.finish(String(format: "Recall@20 %.4f", finals[name]?["Recall@20"] ?? .nan))
            seconds[name] = trained.seconds / Double(plan.vaeEpochs)
            if variational { steps = trained.steps }
            curves.append(Series(name, curve))
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: finals[name] ?? [:], trainSeconds: trained.seconds, epochs: plan.vaeEpochs))
            if variational { vae = trained.model }
        }
        var rows: [[String]] = ["Mult-VAE", "Mult-DAE"].map { [$0, f4(finals[$0]?["Recall@20"] ?? .nan), f4(finals[$0]?["RecallCapped@20"] ?? .nan), f4(finals[$0]?["NDCG@20"] ?? .nan), String(format: "%.3f", seconds[$0] ?? .nan)] }
        for (name, model) in [("ItemKNN", try ItemKNN(train: train) as any Recommender), ("MostPopular", MostPopular(train: train))] {
            let m = evaluator.evaluate(model, ks: [20]).metrics
            rows.append([name, f4(m["Recall@20"]!), f4(m["RecallCapped@20"]!), f4(m["NDCG@20"]!), "-"])
            curves.append(Series(name, [(x: 1, y: m["Recall@20"]!), (x: Double(plan.vaeEpochs), y: m["Recall@20"]!)], style: .dashed))
        }
        say.table(Table(headers: ["model", "Recall@20", "RecallCapped@20 (Liang)", "NDCG@20", "s / epoch"], rows: rows),
                  caption: "holdout-20 on MovieLens-100K after \(plan.vaeEpochs) epochs; RecallCapped divides hits by min(20, n) as the Mult-VAE paper does")
        var recall = Figure(name: "vae-recall", title: "Recall@20 per epoch (holdout-20)", xLabel: "epoch", yLabel: "Recall@20", kind: .lines(curves))
        recall.keyPosition = "below"
        try context.figure(recall)
        let every = max(1, steps.count / 300)
        let sampled = Swift.stride(from: 0, to: steps.count, by: every).map { $0 }
        var terms = Figure(name: "vae-loss-terms", title: "Mult-VAE training: reconstruction, KL and β per step", xLabel: "training step", yLabel: "value (log scale)",
                           kind: .lines([Series("reconstruction (multinomial NLL)", sampled.map { (x: Double($0 + 1), y: steps[$0].recon) }, style: .lines),
                                         Series("KL(q(z|x) || N(0, I))", sampled.map { (x: Double($0 + 1), y: steps[$0].kl) }, style: .lines),
                                         Series("β", sampled.map { (x: Double($0 + 1), y: max(steps[$0].beta, 1e-4)) }, style: .dashed)]))
        terms.logY = true
        terms.keyPosition = "below"
        try context.figure(terms)
        // The latent means of users, in 2-D.
        if let vae {
            vae.setTraining(false)
            let all = (0..<Int32(data.userCount)).map { $0 }
            let mu = Tensor.withoutGrad { vae.encode(sparseRows(train, all)).mean }
            let (projection, _) = try Linalg.pca(mu.data, rows: data.userCount, columns: vae.latent, components: 2)
            let activity = (0..<data.userCount).map { train.count(of: $0) }
            let sorted = activity.sorted()
            let (low, high) = (sorted[sorted.count / 3], sorted[2 * sorted.count / 3])
            func group(_ name: String, _ test: (Int) -> Bool) -> Series {
                let members = (0..<data.userCount).filter { test(activity[$0]) }
                let points: [(x: Double, y: Double)] = members.map { (x: Double(projection[$0 * 2]), y: Double(projection[$0 * 2 + 1])) }
                return Series(name, points, style: .points)
            }
            let groups = [group("light users (< \(low) films)") { $0 < low }, group("medium") { $0 >= low && $0 < high },
                          group("heavy users (>= \(high) films)") { $0 >= high }]
            var figure = Figure(name: "vae-latent", title: "Mult-VAE: users' latent means (first two principal axes)", xLabel: "PC 1", yLabel: "PC 2",
                                kind: .scatter(groups, labels: []))
            figure.keyPosition = "below"
            try context.figure(figure, caption: "Users coloured by how many films they have in training.")
        }
    }

    // listing: train-multvae
    /// Trains Mult-VAE (or Mult-DAE) on the binary training rows: batches of 500 users, Adam
    /// (lr 0.001), multinomial NLL + β KL with β annealed linearly to 0.2 over all steps.
    /// `evaluate(epoch, model)` runs after every epoch, in evaluation mode.
    public static func trainMultVAE(train: InteractionMatrix, epochs: Int, variational: Bool = true, rng: RandomGenerator,
                                    progress: ((Int) -> Void)? = nil, evaluate: ((Int, MultVAE) -> Void)? = nil) throws
        -> (model: MultVAE, seconds: Double, steps: [(recon: Double, kl: Double, beta: Double)]) {
        let model = MultVAE(items: train.itemCount, variational: variational, rng: rng)
        let adam = Adam(model.parameters, learningRate: 1e-3)
        let total = epochs * ((train.userCount + 499) / 500)
        var step = 0, seconds = 0.0
        var steps: [(recon: Double, kl: Double, beta: Double)] = []
        for epoch in 1...epochs {
            let start = Date()
            model.setTraining(true)
            let order = rng.permutation(train.userCount).map(Int32.init)
            for s in stride(from: 0, to: order.count, by: 500) {
                step += 1
                let x = sparseRows(train, Array(order[s..<min(order.count, s + 500)]))
                adam.zeroGrad()
                let (logits, mu, logvar) = model(x)
                let recon = Loss.multinomialNLL(logits: logits, counts: x)
                let b = beta(step: step, total: total)
                var loss = recon, kl = 0.0
                if let logvar {
                    let klTerm = Loss.gaussianKL(mean: mu, logVariance: logvar)
                    kl = Double(klTerm.item)
                    loss = recon + klTerm * Float(b)
                }
                try checkFinite(loss.item, epoch: epoch, step: step)
                loss.backward()
                adam.step()
                steps.append((Double(recon.item), kl, b))
            }
            seconds += Date().timeIntervalSince(start)
            model.setTraining(false)
            evaluate?(epoch, model)
            progress?(epoch)
        }
        return (model, seconds, steps)
    }
    // end listing

    // MARK: - Exercises

    public static let exercises: [Exercise] = [
        Exercise(id: "4.1", title: "A masked MSE",
                 prompt: "Predictions [4, 2, 5, 1], ratings [5, 0, 3, 0], mask [1, 0, 1, 0]. The document's masked MSE, sum(mask · (r̂ - r)²) / sum(mask)?",
                 hint: "only the two observed entries count: (4-5)² and (5-3)²",
                 answerIn: "Chapter4Exercises.maskedMSE()",
                 checkAnswer: { checkMasked(Chapter4Exercises.maskedMSE()) }, checkReference: { checkMasked(Chapter4Solutions.maskedMSE()) }),
        Exercise(id: "4.2", title: "The reparameterisation trick's gradient",
                 prompt: "z = μ + ε·exp(logvar / 2) with μ = 0.3, logvar = -1, ε = 0.5 (drawn, then held fixed). dz/d(logvar)?",
                 hint: "differentiate exp(logvar / 2): the derivative is exp(logvar / 2) / 2",
                 answerIn: "Chapter4Exercises.reparameterisationGradient()",
                 checkAnswer: { checkReparam(Chapter4Exercises.reparameterisationGradient()) }, checkReference: { checkReparam(Chapter4Solutions.reparameterisationGradient()) }),
        Exercise(id: "4.3", title: "A KL term",
                 prompt: "μ = [0.5, -1], logvar = [0, -0.5]. KL(N(μ, exp(logvar)) || N(0, I)) = -1/2 Σ (1 + logvar - μ² - exp(logvar))?",
                 hint: "sum over both dimensions",
                 answerIn: "Chapter4Exercises.klTerm()",
                 checkAnswer: { checkKL(Chapter4Exercises.klTerm()) }, checkReference: { checkKL(Chapter4Solutions.klTerm()) }),
        Exercise(id: "4.4", title: "The annealing schedule",
                 prompt: "Write beta(step:total:): β rises linearly from 0 to 0.2 over `total` steps, then stays at 0.2.",
                 hint: "min(0.2, 0.2 · step / total)",
                 answerIn: "Chapter4Exercises.beta(step:total:)",
                 checkAnswer: { checkBeta(Chapter4Exercises.beta) }, checkReference: { checkBeta(Chapter4Solutions.beta) }),
    ]

    static func checkMasked(_ answer: Double?) -> ExerciseVerdict {
        let expected = Double(Loss.maskedMSE(Tensor([4, 2, 5, 1]), Tensor([5, 0, 3, 0]), mask: Tensor([1, 0, 1, 0])).item)
        return Check.number(answer, expected: expected, tolerance: 1e-6, explain: "(1 + 4) / 2: unobserved entries are neither errors nor part of the count.")
    }

    static func checkReparam(_ answer: Double?) -> ExerciseVerdict {
        let mu = Tensor([0.3], requiresGrad: true), logvar = Tensor([-1], requiresGrad: true)
        (mu + Tensor([0.5]) * (logvar * 0.5).exp()).sum().backward()
        return Check.number(answer, expected: Double(logvar.grad?[0] ?? .nan), tolerance: 1e-4,
                            explain: "ε · exp(logvar/2) / 2 = 0.5 · e^-0.5 / 2: the noise is an input, so gradients flow to μ and logvar.")
    }

    static func checkKL(_ answer: Double?) -> ExerciseVerdict {
        let expected = Double(Loss.gaussianKL(mean: Tensor([0.5, -1], shape: [1, 2]), logVariance: Tensor([0, -0.5], shape: [1, 2])).item)
        return Check.number(answer, expected: expected, tolerance: 1e-4, explain: "-1/2 [(1 + 0 - 0.25 - 1) + (1 - 0.5 - 1 - e^-0.5)].")
    }

    static func checkBeta(_ answer: (Int, Int) -> Double?) -> ExerciseVerdict {
        Check.function(cases: [(0, 400), (100, 400), (400, 400), (1000, 400), (7, 10)], answer: { answer($0.0, $0.1) },
                       reference: { beta(step: $0.0, total: $0.1) }, matches: { abs($0 - $1) < 1e-9 }, describe: { "step \($0.0) of \($0.1)" })
    }
}
