// Chapter 7: putting it into practice. Choosing a model, training it well, measuring it right:
// every tip of the document is an experiment here.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum PracticeChapter: Chapter {
    public static let number = 7
    public static let slug = "practice"
    public static let title = "In practice: choosing a model, training it well, measuring it right"
    public static let summary = "The selection flowchart tested, initialisation, LR plateaus, early stopping, batch norm, metrics done right"

    struct Plan {
        var tipEpochs: Int, patience: Int, stopPatience: Int
        static func of(_ mode: RunMode) -> Plan {
            switch mode {
            case .quick: return Plan(tipEpochs: 3, patience: 0, stopPatience: 1)
            case .standard: return Plan(tipEpochs: 10, patience: 1, stopPatience: 2)
            case .full: return Plan(tipEpochs: 40, patience: 5, stopPatience: 10)
            }
        }
    }

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static func listing(_ name: String, _ file: String) throws -> Listing { try Listing.region(name, file: directory.appendingPathComponent(file).path) }

    /// The models the flowchart chooses between, and most-popular as the floor.
    static let flowchartModels = ["ease", "item2vec", "gmf", "neumf", "lightgcn", "most-popular"]

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Chapter 7. \(title)", level: 1)
        say.prose("The document closes its tour of models with practical advice: a flowchart for choosing a model, four optimisation tips, and an evaluation function. This chapter runs each piece of advice as an experiment, on MovieLens-100K and on synthetic data built to send the flowchart down its other branches, and reports what happened.")
        let data = context.optionalData("MovieLens-100K", { try MovieLens.ml100k(dataDirectory: context.options.dataDirectory) { say.status($0) } })
        let outcome = try selection(context, movieLens: data)
        if let data {
            let trained = try tips(context, data: data)
            try evaluationDoneRight(context, data: data, regression: trained, loo: outcome)
        }
        checklist(context)
    }

    // MARK: - The flowchart

    struct LooFindings {
        let split: Split
        let models: [(name: String, model: any Recommender)]
        let full: [String: [String: Double]]
    }

    static func selection(_ context: ChapterContext, movieLens: RatingsData?) throws -> LooFindings? {
        let say = context.narrator
        say.heading("Choosing a model: the flowchart, measured")
        say.prose("The document's flowchart asks four questions: is the data sparse, does order matter, are there complex patterns, do relations matter. As drawn they are judgement calls; to run them, each becomes a number with a threshold:")
        say.listing(try listing("flowchart", "Selection.swift"))
        let datasets = (movieLens.map { [$0] } ?? []) + [SyntheticData.sparse(seed: context.options.seed), SyntheticData.sequential(seed: context.options.seed)]
        var profiles: [DataProfile] = []
        for data in datasets { profiles.append(try DataProfile.measure(data)) }
        say.table(Table(headers: ["data set", "users", "items", "interactions", "density", "median / user", "order lift", "rank-8 energy", "3-hop reach", "flowchart says"],
                        rows: profiles.map { p in
                            [p.name, p.users.formatted(), p.items.formatted(), p.interactions.formatted(), String(format: "%.2f%%", p.density * 100),
                             String(format: "%.0f", p.medianPerUser), String(format: "%.2f", p.orderLift), String(format: "%.0f%%", p.rank8Energy * 100),
                             String(format: "%.0f%%", p.threeHopReach * 100), recommendModel(for: p).model]
                        }), caption: "Each data set's answers to the flowchart's questions")
        for p in profiles {
            let (model, path) = recommendModel(for: p)
            say.prose("\(p.name): " + path.joined(separator: "; ") + " → \(model).")
            context.record("\(p.name)_density", p.density)
            context.record("\(p.name)_order_lift", p.orderLift)
            context.record("\(p.name)_rank8_energy", p.rank8Energy)
            context.record("\(p.name)_three_hop_reach", p.threeHopReach)
        }
        say.prose("The synthetic data sets are built to answer differently: synthetic-sparse has 3 to 8 interactions per user over 2,000 items (taste groups, power-law popularity, no order); synthetic-sequential has 50 series of 20 episodes that users watch in order. Does the recommended model actually win? Each data set is split leave-one-out (every user's latest interaction is the test item) and the flowchart's five models, plus most-popular, are trained with their chapters' defaults and ranked over the full catalogue (HR@10: is the held-out item in the top 10).")
        var rows: [[String]] = [], groups: [String: [Double]] = [:]
        var outcome: LooFindings?
        let entries = try flowchartModels.map { try Registry.entry($0) }
        let names = entries.map(\.info.name)
        for (data, profile) in zip(datasets, profiles) {
            let split = try Split.make(data, protocol: .loo99, seed: context.options.seed)
            let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
            let evaluator = FullRankingEvaluator(train: train, test: test, protocolName: "loo-full")
            let input = FitInput(data: data, rows: split.train, seed: context.options.seed, progress: context.progress)
            var hr: [String: Double] = [:], models: [(name: String, model: any Recommender)] = [], full: [String: [String: Double]] = [:]
            for entry in entries {
                let trained = try entry.fit(input, mode: context.options.mode)
                let m = evaluator.evaluate(trained.recommender, ks: [10]).metrics
                hr[entry.info.name] = m["HR@10"] ?? 0
                full[entry.info.name] = m
                models.append((entry.info.name, trained.recommender))
                context.record(ResultEntry(model: entry.info.name, protocol: "loo-full", dataset: data.name, metrics: ["HR@10": m["HR@10"] ?? 0, "NDCG@10": m["NDCG@10"] ?? 0],
                                           trainSeconds: trained.seconds, epochs: trained.epochs))
            }
            let pick = recommendModel(for: profile).model
            let ranking = names.sorted { (hr[$0] ?? 0, $1) > (hr[$1] ?? 0, $0) }
            let winner = ranking.first ?? "-"
            let pickRank = (ranking.firstIndex(of: pick) ?? ranking.count) + 1
            rows.append([data.name] + names.map { f4(hr[$0] ?? .nan) } + [pick, winner, "\(pickRank) of \(names.count)"])
            for n in names { groups[n, default: []].append(hr[n] ?? 0) }
            context.record("\(data.name)_flowchart_pick_rank", Double(pickRank))
            if data.name == movieLens?.name { outcome = LooFindings(split: split, models: models, full: full) }
        }
        say.table(Table(headers: ["data set"] + names + ["flowchart", "winner", "pick's place"], rows: rows),
                  caption: "HR@10, leave-one-out, full ranking (\"loo-full\"), seed \(context.options.seed), chapter-default epochs (\(context.options.mode.rawValue) mode)")
        var figure = Figure(name: "flowchart-check", title: "Does the flowchart's pick win? HR@10, leave-one-out, full ranking", xLabel: "data set", yLabel: "HR@10",
                            kind: .bars(categories: datasets.map(\.name), groups: names.map { ($0, groups[$0] ?? []) }))
        figure.keyPosition = "below"
        figure.size = (width: 1200, height: 700)
        try context.figure(figure)
        let verdicts = zip(datasets, rows).map { data, row in
            row[row.count - 3] == row[row.count - 2] ? "on \(data.name) the flowchart's \(row[row.count - 3]) does win" : "on \(data.name) it picks \(row[row.count - 3]) but \(row[row.count - 2]) wins (the pick comes \(row[row.count - 1]))"
        }
        say.prose("So " + verdicts.joined(separator: "; ") + ". A flowchart is a starting point: its questions are real (sparse data does favour a simple, strongly regularised model; order does carry signal where people binge series), but the only reliable way to choose is the one the flowchart leaves out: try the candidates on a validation split of your own data.")
        return outcome
    }

    // MARK: - Optimisation tips

    struct RegressionRun {
        var train: [Double], validation: [Double], learningRates: [Double]
        var model: any PairScorer
        var record: TrainingRecord
    }

    static func tips(_ context: ChapterContext, data: RatingsData) throws -> (model: any PairScorer, test: RatingRows) {
        let say = context.narrator
        let plan = Plan.of(context.options.mode)
        say.heading("Training well: the four tips as experiments")
        let split = try Split.make(data, protocol: .ratings8020, seed: context.options.seed, validation: true)
        let train = RatingRows(data, rows: split.train), validation = RatingRows(data, rows: split.validation), test = RatingRows(data, rows: split.test)
        var config = NCFConfig(mode: .standard)
        config.factors = 16
        config.layers = 3
        config.dropout = 0.2
        say.prose("All four run on the document's own task: NeuMF regressing explicit ratings with MSE and Adam (lr 0.001), batches of 256. Protocol ratings-80-20 with a validation split: \(train.count.formatted()) ratings train, \(validation.count.formatted()) validate (every tip reads only these), \(test.count.formatted()) test (read once, at the end). To keep the chapter near a minute the model is NeuMF with f = 16 (the document: 64) and runs \(plan.tipEpochs) epochs per setting.")

        /// One run of the document's regression (every run draws the same batches: only the setting
        /// under test differs).
        func run(_ name: String, model: any PairScorer, settings: TrainerSettings? = nil) throws -> RegressionRun {
            var fixed = TrainerSettings.fixed(plan.tipEpochs)
            fixed.keepBest = false  // the document keeps the last epoch's weights
            let record = try RatingRegression.fit(model, train: train, validation: validation, settings: settings ?? fixed,
                                                  rng: context.rng("tips-train"), label: name, progress: context.progress)
            return RegressionRun(train: record.losses, validation: record.validation.map(\.value),
                                 learningRates: record.learningRates, model: model, record: record)
        }

        // 1. Initialisation.
        say.heading("1. Embedding initialisation", level: 3)
        say.prose("The document's init_embeddings(layer, method) offers Xavier-uniform, He (Kaiming)-uniform and N(0, 0.01²). The same three, applied to NeuMF's four embedding tables:")
        say.listing(try listing("init-embeddings", "Tips.swift"))
        func neuMF(_ method: EmbeddingInit) -> NeuMF {
            let rng = context.rng("tips-neumf")
            let model = NeuMF(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: rng)
            for table in [model.gmf.userEmbedding.table, model.gmf.itemEmbedding.table, model.mlp.userEmbedding.table, model.mlp.itemEmbedding.table] {
                method.apply(table, rng: rng)
            }
            return model
        }
        var initRuns: [(EmbeddingInit, RegressionRun)] = []
        for method in EmbeddingInit.allCases {
            initRuns.append((method, try run("init \(method.rawValue)", model: neuMF(method))))
        }
        let width = config.factors * (1 << (config.layers - 1))
        say.table(Table(headers: ["init_embeddings method", "user table [943, \(width)]", "validation MSE, epoch 1", "best validation MSE", "at epoch"],
                        rows: initRuns.map { method, r in
                            let best = r.validation.enumerated().min { $0.element < $1.element }
                            return [method.rawValue, method.spread(count: data.userCount, dimension: width), f4(r.validation.first ?? .nan),
                                    f4(best?.element ?? .nan), "\((best?.offset ?? 0) + 1)"]
                        }), caption: "NeuMF (f = 16) with its four embedding tables initialised each way; the layers keep the NCF reference's initialisation")
        for (method, r) in initRuns { context.record("init_\(method.rawValue)_best_validation_mse", r.validation.min() ?? .nan) }
        var figure = Figure(name: "init-validation", title: "Embedding initialisation: validation MSE per epoch (ratings-80-20)", xLabel: "epoch", yLabel: "validation MSE",
                            kind: .lines(initRuns.map { Series($0.0.rawValue, perEpoch: $0.1.validation) }))
        figure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(figure)
        let heBest = initRuns.first { $0.0 == .he }?.1.validation.min() ?? .nan, normalBest = initRuns.first { $0.0 == .normal }?.1.validation.min() ?? .nan
        say.prose(String(format: "He initialisation scales by the table's width only (bound √(6/%d) = %.2f), as if the table fed a ReLU layer: every embedding starts far from zero, so GMF's element-wise products start large. Xavier also counts the table's rows (%d users), which makes its bound small (%.3f). ",
                         width, (6 / Double(width)).squareRoot(), data.userCount, (6 / Double(width + data.userCount)).squareRoot())
                  + String(format: "Best validation MSE: He %.4f against N(0, 0.01²) %.4f. ", heBest, normalBest)
                  + "The document offers 'he' as an option for embeddings, but Kaiming's derivation is about keeping activations' variance through ReLU layers; an embedding table is a lookup, not a layer, which is why the NCF reference (and this book) initialise embeddings with N(0, 0.01²).")

        // 2. ReduceLROnPlateau and 3. early stopping, against the N(0, 0.01) run.
        guard let constant = initRuns.first(where: { $0.0 == .normal })?.1 else { return (initRuns[0].1.model, test) }
        say.heading("2. Learning-rate scheduling: ReduceLROnPlateau", level: 3)
        say.prose("The document's scheduler halves the learning rate when the validation loss has not improved for `patience` epochs (mode 'min', factor 0.5, patience 5). Its patience 5 suits a 50-epoch run; with \(plan.tipEpochs) epochs here the patience is \(plan.patience) (`--full` runs 40 epochs with the document's 5). The same model and seed run with the scheduler:")
        let plateauModel = neuMF(.normal)
        var plateauSettings = TrainerSettings.fixed(plan.tipEpochs, schedule: .plateau(factor: 0.5, patience: plan.patience))
        plateauSettings.keepBest = false
        let plateau = try run("with ReduceLROnPlateau", model: plateauModel, settings: plateauSettings)
        // Epochs after which the rate went down.
        let lowered = zip(plateau.learningRates, [Double(config.learningRate)] + plateau.learningRates.dropLast()).enumerated()
            .filter { $0.element.0 < $0.element.1 - 1e-12 }.map { $0.offset + 1 }
        say.table(Table(headers: ["epoch", "validation MSE, constant lr", "validation MSE, plateau", "learning rate after the epoch"],
                        rows: (0..<plan.tipEpochs).map { e in
                            [String(e + 1), e < constant.validation.count ? f4(constant.validation[e]) : "-", e < plateau.validation.count ? f4(plateau.validation[e]) : "-",
                             e < plateau.learningRates.count ? String(format: "%.6f", plateau.learningRates[e]) : "-"]
                        }), caption: "ReduceLROnPlateau(factor 0.5, patience \(plan.patience)) against a constant lr 0.001")
        context.record("plateau_best_validation_mse", plateau.validation.min() ?? .nan)
        context.record("constant_best_validation_mse", constant.validation.min() ?? .nan)
        context.record("plateau_reductions", Double(lowered.count))
        var lossFigure = Figure(name: "plateau-loss", title: "Validation MSE: constant learning rate against ReduceLROnPlateau", xLabel: "epoch", yLabel: "validation MSE",
                                kind: .lines([Series("constant lr 0.001", perEpoch: constant.validation), Series("ReduceLROnPlateau", perEpoch: plateau.validation)]))
        lossFigure.markers = lowered.map { (x: Double($0), caption: "lr halved") }
        lossFigure.keyPosition = "top left"
        lossFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(lossFigure)
        var lrFigure = Figure(name: "plateau-lr", title: "The learning rate ReduceLROnPlateau set after each epoch", xLabel: "epoch", yLabel: "learning rate",
                              kind: .lines([Series("ReduceLROnPlateau", perEpoch: plateau.learningRates), Series("constant", perEpoch: constant.learningRates, style: .dashed)]))
        lrFigure.logY = true
        let lowest = plateau.learningRates.min() ?? Double(config.learningRate)
        lrFigure.yRange = (lowest / 1.5)...(Double(config.learningRate) * 1.5)
        lrFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(lrFigure)
        let plateauBest = plateau.validation.min() ?? .nan, constantBest = constant.validation.min() ?? .nan
        let plateauLast = plateau.validation.last ?? .nan, constantLast = constant.validation.last ?? .nan
        context.record("plateau_last_validation_mse", plateauLast)
        context.record("constant_last_validation_mse", constantLast)
        say.prose(lowered.isEmpty
            ? "The validation loss kept improving, so the scheduler never fired: it only acts on a plateau."
            : String(format: "The rate was halved after epoch%@ %@. Best validation MSE %.4f with the scheduler and %.4f without%@; after the last epoch %.4f against %.4f. ",
                     lowered.count > 1 ? "s" : "", lowered.map(String.init).joined(separator: ", "), plateauBest, constantBest,
                     abs(plateauBest - constantBest) < 1e-9 ? " (the same: the best epoch came before the first reduction, and until then the runs are identical)" : "",
                     plateauLast, constantLast)
              + (plateauLast < constantLast ? "A smaller step once the validation loss stalls slows the overfitting that follows; it does not undo it, which is why it is paired with early stopping." : "Here the smaller steps did not slow the overfitting."))

        say.heading("3. Early stopping", level: 3)
        say.prose("The document's EarlyStopping counts epochs whose validation loss is not below the best by min_delta and stops after `patience` of them (TensorCore's EarlyStopping is the same rule; it also remembers the best epoch). Here patience is \(plan.stopPatience) (the document: 10, for 50 epochs). The run is repeated with the stopper in the loop and the weights of the best epoch kept:")
        let stoppedModel = neuMF(.normal)
        // The trainer's early stopping is the document's rule (patience, min_delta 0), and it keeps the best weights.
        let stopped = try run("with early stopping", model: stoppedModel,
                              settings: TrainerSettings(maxEpochs: plan.tipEpochs, patience: plan.stopPatience))
        let stopEpoch = stopped.validation.count, bestEpoch = stopped.record.bestEpoch ?? stopEpoch
        let samePrefix = zip(stopped.validation, constant.validation).allSatisfy { abs($0 - $1) < 1e-9 }
        func testRMSE(_ model: any PairScorer) -> Double {
            RatingMetrics.rmse(model.predict(users: test.users, items: test.items), test.ratings)
        }
        let rmseBest = testRMSE(stoppedModel), rmseLast = testRMSE(constant.model)
        context.record("early_stop_epoch", Double(stopEpoch))
        context.record("early_stop_best_epoch", Double(bestEpoch))
        context.record("early_stop_test_rmse", rmseBest)
        context.record("full_run_test_rmse", rmseLast)
        context.record(ResultEntry(model: "NeuMF f=16 (early stopped, best epoch)", protocol: "ratings-80-20", dataset: data.name, metrics: ["RMSE": rmseBest], epochs: bestEpoch))
        context.record(ResultEntry(model: "NeuMF f=16 (all epochs)", protocol: "ratings-80-20", dataset: data.name, metrics: ["RMSE": rmseLast], epochs: plan.tipEpochs))
        var stopFigure = Figure(name: "early-stopping", title: "Early stopping on the validation MSE", xLabel: "epoch", yLabel: "MSE",
                                kind: .lines([Series("validation, full run", perEpoch: constant.validation), Series("train, full run", perEpoch: constant.train, style: .dashed),
                                              Series("validation, early-stopped run", perEpoch: stopped.validation, style: .points)]))
        stopFigure.markers = [(x: Double(bestEpoch), caption: "best"), (x: Double(stopEpoch), caption: "stopped")]
        stopFigure.keyPosition = "right center"
        stopFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(stopFigure)
        say.prose((stopEpoch < plan.tipEpochs ? "It stopped after epoch \(stopEpoch) of \(plan.tipEpochs), \(stopEpoch - bestEpoch) epoch(s) after the best one (epoch \(bestEpoch)). " : "It never stopped: the validation loss had not stalled for \(plan.stopPatience) epochs by epoch \(plan.tipEpochs) (best: epoch \(bestEpoch)). ")
                  + (samePrefix ? "Its curve matches the full run's first \(stopEpoch) epochs to 1e-9, as it must: same seed, same batches. " : "")
                  + String(format: "On the test set (read once): RMSE %.4f with the best epoch's weights against %.4f after all %d epochs.", rmseBest, rmseLast, plan.tipEpochs))
        say.errata("The document's EarlyStopping only sets a flag; its training loop (train_model) never reads it and keeps no copy of the best weights, so a model 'early-stopped' that way is the last epoch's. Keep the best state, as above, and restore it when the stopper fires.")

        // 4. Batch normalisation.
        say.heading("4. Batch normalisation: ImprovedMLP with and without it", level: 3)
        say.prose("The document's ImprovedMLP puts BatchNorm1d between each Linear and its ReLU. It only defines the tower; here it gets embeddings of 32 for users and items at its input and a Linear to one rating at its output, and trains without the BatchNorm1d layers, with them, and with them plus the training mean rating added to the output:")
        say.listing(try listing("improved-mlp", "Tips.swift"))
        let meanRating = Float(train.ratings.reduce(0.0) { $0 + Double($1) } / Double(train.count))
        var bnRuns: [(String, RegressionRun)] = []
        for (batchNorm, offset) in [(false, Float(0)), (true, Float(0)), (true, meanRating)] {
            let name = batchNorm ? (offset == 0 ? "with BatchNorm1d" : "with BatchNorm1d, mean added") : "without"
            let model = ImprovedMLP(userCount: data.userCount, itemCount: data.itemCount, batchNorm: batchNorm, offset: offset, rng: context.rng("tips-bn"))
            bnRuns.append((name, try run("ImprovedMLP \(name)", model: model)))
        }
        say.table(Table(headers: ["ImprovedMLP", "validation MSE, epoch 1", "best validation MSE", "at epoch", "test RMSE (last epoch)"],
                        rows: bnRuns.map { name, r in
                            let best = r.validation.enumerated().min { $0.element < $1.element }
                            return [name, f4(r.validation.first ?? .nan), f4(best?.element ?? .nan), "\((best?.offset ?? 0) + 1)", f4(testRMSE(r.model))]
                        }), caption: "hidden 64-32-16, dropout 0.2, Adam lr 0.001")
        for (key, (_, r)) in zip(["plain", "batchnorm", "batchnorm_offset"], bnRuns) {
            context.record("improved_mlp_\(key)_best_validation_mse", r.validation.min() ?? .nan)
            context.record("improved_mlp_\(key)_epoch1_validation_mse", r.validation.first ?? .nan)
        }
        var bnFigure = Figure(name: "batchnorm", title: "ImprovedMLP: validation MSE with and without batch normalisation", xLabel: "epoch", yLabel: "validation MSE",
                              kind: .lines(bnRuns.map { Series($0.0, perEpoch: $0.1.validation) }))
        bnFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(bnFigure)
        let plainFirst = bnRuns[0].1.validation.first ?? .nan, bnFirst = bnRuns[1].1.validation.first ?? .nan, offsetFirst = bnRuns[2].1.validation.first ?? .nan
        say.prose(String(format: "After one epoch: %.4f without, %.4f with batch norm, %.4f with batch norm and the training mean (%.2f) added to the output. ", plainFirst, bnFirst, offsetFirst, meanRating)
                  + (bnFirst > plainFirst
                     ? "Batch norm alone made the start slower, for a reason that has nothing to do with normalisation: ratings average 3.5, far from zero, and after BatchNorm1d → ReLU the last hidden layer's outputs have a fixed scale, so only the output layer can reach 3.5, one Adam step (about lr = 0.001) at a time. Without batch norm every layer's weights can grow together. Adding the mean rating as a constant removes the offset, and then batch norm " + (offsetFirst < plainFirst ? "does speed up the first epoch, its usual effect. " : "still does not help here: on embeddings feeding a three-layer MLP there is little covariate shift to fix. ")
                     : "Normalising each layer's inputs lets the first epoch make more progress, batch norm's usual effect. ")
                  + "At prediction time BatchNorm1d uses its running statistics (the model is switched to evaluation mode before predicting), which is the step that is easy to forget in PyTorch (model.eval()).")
        return (stoppedModel, test)
    }

    // MARK: - Evaluation

    static func evaluationDoneRight(_ context: ChapterContext, data: RatingsData, regression: (model: any PairScorer, test: RatingRows), loo: LooFindings?) throws {
        let say = context.narrator
        say.heading("Measuring it right")

        // The document's evaluate_model against a per-user evaluation.
        say.heading("evaluate_model, and the evaluation it should be", level: 3)
        say.prose("Chapter 2 showed that the document's evaluate_model ranks the rows of a mini-batch (a mix of users) instead of each user's items. One more consequence: its numbers depend on how the loader happens to order the rows. Here is the early-stopped model above, evaluated on the test ratings in three row orders (file order, then two shuffles), by both functions:")
        let (model, test) = regression
        let predictions = model.predict(users: test.users, items: test.items)
        var rows: [[String]] = [], documentPrecisions: [Double] = [], perUserPrecisions: [Double] = []
        for (k, name) in ["file order", "shuffle 1", "shuffle 2"].enumerated() {
            let order = k == 0 ? Array(0..<test.count) : context.rng("order-\(k)").permutation(test.count)
            let p = order.map { predictions[$0] }, r = order.map { test.ratings[$0] }, u = order.map { test.users[$0] }
            let document = documentEvaluation(predictions: p, ratings: r), perUser = perUserEvaluation(users: u, predictions: p, ratings: r)
            documentPrecisions.append(document.precision)
            perUserPrecisions.append(perUser.precision)
            rows.append([name, f4(document.precision), f4(document.recall), f4(document.ndcg), f4(perUser.precision), f4(perUser.recall), f4(perUser.ndcg)])
        }
        say.table(Table(headers: ["row order", "document P@10", "document R@10", "document NDCG@10", "per-user P@10", "per-user R@10", "per-user NDCG@10"], rows: rows),
                  caption: "The same predictions; only the order of the test rows changes")
        let spread = (documentPrecisions.max() ?? 0) - (documentPrecisions.min() ?? 0), perUserSpread = (perUserPrecisions.max() ?? 0) - (perUserPrecisions.min() ?? 0)
        context.record("document_evaluate_precision_spread", spread)
        context.record("per_user_precision_spread", perUserSpread)
        say.prose(String(format: "The document's Precision@10 moves by %.4f with the row order; the per-user numbers move by %.4f, because a user's list does not depend on which other users share a batch. A metric that changes when the data loader shuffles is measuring the loader.", spread, perUserSpread))

        try workedUser(context, data: data)
        if let loo { try sampledAgainstFull(context, data: data, loo: loo) }
    }

    static func workedUser(_ context: ChapterContext, data: RatingsData) throws {
        let say = context.narrator
        say.heading("Six metrics on one user", level: 3)
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let ease = try EASE(train: train, lambda: 500)
        let lists = FullRankingEvaluator(train: train, test: test).topLists(ease, k: 10)
        // The first user (by id) with 2 to 4 hits in the top 10: enough to show every term.
        guard let user = (0..<data.userCount).first(where: { u in
            let hits = lists[u].filter { test.contains(u, $0) }.count
            return hits >= 2 && hits <= 4 && test.count(of: u) <= 30
        }) else { return }
        let relevant = Set(test.items(of: user)), list = lists[user]
        say.prose("User \(data.userIds[user]) of MovieLens-100K, holdout-20: \(train.count(of: user)) training films, \(relevant.count) held-out test films. EASE (λ = 500) ranks the films the user has not trained on; the top 10:")
        var hits = 0, dcg = 0.0, precisionSum = 0.0, firstHit = 0
        var table: [[String]] = []
        for (index, item) in list.enumerated() {
            let rank = index + 1, isHit = relevant.contains(item)
            if isHit {
                hits += 1
                dcg += 1 / log2(Double(rank) + 1)
                precisionSum += Double(hits) / Double(rank)
                if firstHit == 0 { firstHit = rank }
            }
            table.append(["\(rank)", data.catalogue.indices.contains(Int(item)) ? data.catalogue[Int(item)].displayTitle : "item \(data.itemIds[Int(item)])",
                          isHit ? "yes" : "", isHit ? String(format: "1/log2(%d+1) = %.4f", rank, 1 / log2(Double(rank) + 1)) : "",
                          isHit ? String(format: "%d/%d = %.4f", hits, rank, Double(hits) / Double(rank)) : ""])
        }
        say.table(Table(headers: ["rank", "film", "in test?", "DCG term", "precision at this rank"], rows: table,
                        alignments: [.right, .left, .left, .left, .left]), caption: "User \(data.userIds[user])'s top 10")
        let n = relevant.count, ideal = (1...min(10, n)).reduce(0.0) { $0 + 1 / log2(Double($1) + 1) }
        let m = UserMetrics.compute(ranked: list, relevant: relevant, k: 10)
        say.table(Table(headers: ["metric", "by hand", "value", "RecKit"], rows: [
            ["HR@10", "a hit in the top 10?", f4(hits > 0 ? 1 : 0), f4(m.hit)],
            ["Precision@10", "\(hits) hits / 10", f4(Double(hits) / 10), f4(m.precision)],
            ["Recall@10", "\(hits) hits / \(n) test films", f4(Double(hits) / Double(n)), f4(m.recall)],
            ["NDCG@10", String(format: "DCG %.4f / IDCG %.4f (the best %d ranks)", dcg, ideal, min(10, n)), f4(dcg / ideal), f4(m.ndcg)],
            ["MAP@10 (AP)", String(format: "%.4f / min(10, %d)", precisionSum, n), f4(precisionSum / Double(min(10, n))), f4(m.averagePrecision)],
            ["MRR@10", "1 / first hit's rank \(firstHit)", f4(firstHit > 0 ? 1 / Double(firstHit) : 0), f4(m.reciprocalRank)],
        ], alignments: [.left, .left, .right, .right]), caption: "The definitions pinned in RecKit/Metrics.swift, computed by hand and by the library")
        context.record("worked_user_id", Double(data.userIds[user]))
        context.record("worked_user_ndcg@10", m.ndcg)
        context.record("worked_user_ap@10", m.averagePrecision)
        say.prose("Precision and recall count hits; NDCG and MAP also reward putting them early; HR and MRR only look at whether, and how early, the first hit comes. A data set's score is the mean over users with at least one test item.")
    }

    static func sampledAgainstFull(_ context: ChapterContext, data: RatingsData, loo: LooFindings) throws {
        let say = context.narrator
        say.heading("Sampled against full ranking", level: 3)
        say.prose("The models of the flowchart check were trained on MovieLens-100K's leave-one-out split; the same split carries the loo-99 candidates (each test item against 99 sampled unobserved films, the NCF paper's protocol). ItemKNN joins them. Each model is evaluated both ways on the same held-out items:")
        let train = InteractionMatrix(data, rows: loo.split.train), test = InteractionMatrix(data, rows: loo.split.test)
        var models = loo.models
        models.append(("ItemKNN", try ItemKNN(train: train)))
        let sampled = SampledEvaluator(split: loo.split, data: data)
        let full = FullRankingEvaluator(train: train, test: test, protocolName: "loo-full")
        var rows: [[String]] = [], sampledHR: [String: Double] = [:], fullHR: [String: Double] = [:]
        var lists: [String: [[Int32]]] = [:]
        for (name, model) in models {
            let s = sampled.evaluate(model, k: 10).metrics
            let f = loo.full[name] ?? full.evaluate(model, ks: [10]).metrics
            sampledHR[name] = s["HR@10"] ?? 0
            fullHR[name] = f["HR@10"] ?? 0
            lists[name] = full.topLists(model, k: 10)
            rows.append([name, f4(s["HR@10"] ?? .nan), f4(s["NDCG@10"] ?? .nan), f4(f["HR@10"] ?? .nan), f4(f["NDCG@10"] ?? .nan)])
            context.record(ResultEntry(model: name, protocol: "loo-99", dataset: data.name, metrics: s))
        }
        let bySampled = models.map(\.name).sorted { (sampledHR[$0] ?? 0, $1) > (sampledHR[$1] ?? 0, $0) }
        let byFull = models.map(\.name).sorted { (fullHR[$0] ?? 0, $1) > (fullHR[$1] ?? 0, $0) }
        rows = rows.map { $0 + ["\((bySampled.firstIndex(of: $0[0]) ?? 0) + 1)", "\((byFull.firstIndex(of: $0[0]) ?? 0) + 1)"] }
        say.table(Table(headers: ["model", "HR@10 loo-99", "NDCG@10 loo-99", "HR@10 full", "NDCG@10 full", "place (sampled)", "place (full)"], rows: rows),
                  caption: "The same models, the same held-out items, two protocols")
        let tau = kendallTau(bySampled, byFull)
        context.record("kendall_tau_sampled_full", tau)
        let flips = (0..<bySampled.count).flatMap { i in ((i + 1)..<bySampled.count).compactMap { j -> String? in
            let a = bySampled[i], b = bySampled[j]
            return (byFull.firstIndex(of: a) ?? 0) > (byFull.firstIndex(of: b) ?? 0) ? "\(a) over \(b)" : nil
        } }
        context.record("sampled_full_flipped_pairs", Double(flips.count))
        var figure = Figure(name: "sampled-vs-full", title: "HR@10 of the same models: 99 sampled candidates against the full catalogue", xLabel: "model", yLabel: "HR@10",
                            kind: .bars(categories: models.map(\.name), groups: [("loo-99 (sampled)", models.map { sampledHR[$0.name] ?? 0 }), ("full ranking", models.map { fullHR[$0.name] ?? 0 })]))
        figure.keyPosition = "below"
        figure.size = (width: 1100, height: 680)
        try context.figure(figure)
        say.prose(String(format: "Kendall's τ between the two orders is %.2f. ", tau)
                  + (flips.isEmpty ? "Here no pair of models swaps places, but the gaps change: sampled HR@10 compresses the differences between models, and every absolute number is several times higher than the full-ranking one."
                     : "Pairs the sampled metric orders one way and full ranking the other: " + flips.joined(separator: ", ") + ". This is Krichene & Rendle's (KDD 2020) point on our own models: beating 99 random (mostly obscure) films rewards different things from ranking the whole catalogue."))

        // Beyond accuracy.
        say.heading("Beyond accuracy: coverage and popularity bias", level: 3)
        let popularity = train.itemPopularity
        var exposureRows: [[String]] = [], points: [Series] = [], labels: [PointLabel] = []
        for (name, _) in models {
            let report = ExposureReport.of(lists[name] ?? [], popularity: popularity)
            exposureRows.append([name, f4(fullHR[name] ?? .nan), String(format: "%.1f%%", report.coverage * 100), String(format: "%.0f", report.meanPopularity),
                                 String(format: "%.1f%%", report.longTailShare * 100), String(format: "%.3f", report.gini)])
            points.append(Series(name, [(x: report.coverage * 100, y: fullHR[name] ?? 0)], style: .points))
            labels.append(PointLabel(name, x: report.coverage * 100, y: fullHR[name] ?? 0))
            context.record("\(name)_coverage@10", report.coverage)
            context.record("\(name)_gini@10", report.gini)
            context.record("\(name)_long_tail_share@10", report.longTailShare)
        }
        say.table(Table(headers: ["model", "HR@10 full", "catalogue coverage", "mean popularity of a pick", "long-tail share", "Gini of exposure"], rows: exposureRows),
                  caption: "Each model's top-10 lists for all \(data.userCount) users; long tail = outside the 20% most-rated films; popularity = training interactions")
        var scatter = Figure(name: "coverage-accuracy", title: "Accuracy against catalogue coverage of the top-10 lists", xLabel: "catalogue coverage of the top-10 lists (%)", yLabel: "HR@10 (full ranking)",
                             kind: .scatter(points, labels: labels))
        scatter.keyPosition = "off"
        try context.figure(scatter)
        say.prose("Most-popular recommends the same few films to everyone (highest Gini, almost no long tail); a personalised model spreads its lists over more of the catalogue. Accuracy and coverage are different goals, and the usual accuracy metrics reward popularity (popular films are also the likeliest held-out items), so report both.")
    }

    // MARK: - Checklist

    static func checklist(_ context: ChapterContext) {
        let say = context.narrator
        say.heading("A checklist to take away")
        say.bullets([
            "Split before you look: train, validation, test; every hyperparameter (λ, epochs, learning-rate schedule) is chosen on validation, and the test set is read once.",
            "Exclude what the user already has when ranking, and say so: a model that 'recommends' training items looks good and is useless.",
            "Name the protocol with every number (loo-99, holdout-20, ratings-80-20 here): a sampled HR@10 and a full-ranking HR@10 are different quantities.",
            "Rank per user. A metric computed over a mini-batch of many users (the document's evaluate_model) measures the batch.",
            "Fix the seeds, and report the seed: every number in this book comes from one seed (--seed) and repeats exactly.",
            "Include baselines: most-popular and ItemKNN cost seconds and are surprisingly hard to beat; a deep model that does not beat them is not done.",
            "Look beyond accuracy: coverage and popularity of what is recommended.",
            "Keep the best weights when you stop early, and switch to evaluation mode (dropout off, batch norm on running statistics) before predicting.",
        ])
    }

    // MARK: - Exercises

    public static let exercises: [Exercise] = [
        Exercise(id: "7.1", title: "When does early stopping stop?",
                 prompt: "Write stopEpoch(losses:patience:minDelta:): the 1-based epoch after which the document's EarlyStopping sets early_stop for these validation losses, or 0 if it never does.",
                 hint: "an epoch counts as bad when loss > best - minDelta; the counter resets on an improvement; stop when it reaches patience",
                 answerIn: "Chapter7Exercises.stopEpoch(losses:patience:minDelta:)",
                 checkAnswer: { checkStop(Chapter7Exercises.stopEpoch) }, checkReference: { checkStop(Chapter7Solutions.stopEpoch) }),
        Exercise(id: "7.2", title: "Average precision",
                 prompt: "Write averagePrecision(hits:relevantCount:): hits[r] says whether rank r + 1 of a top-K list is relevant; return AP@K as RecKit pins it (sum of precision at each hit's rank, divided by min(K, relevantCount)).",
                 hint: "walk the list counting hits; at each hit add hits/rank",
                 answerIn: "Chapter7Exercises.averagePrecision(hits:relevantCount:)",
                 checkAnswer: { checkAP(Chapter7Exercises.averagePrecision) }, checkReference: { checkAP(Chapter7Solutions.averagePrecision) }),
        Exercise(id: "7.3", title: "Follow ReduceLROnPlateau",
                 prompt: "Write learningRates(losses:initial:factor:patience:): the learning rate after each epoch under ReduceLROnPlateau (mode min, threshold 1e-4 relative, no cooldown).",
                 hint: "an epoch improves when loss < best * (1 - 1e-4); the rate drops when the bad-epoch count exceeds patience, and the count then restarts at 0",
                 answerIn: "Chapter7Exercises.learningRates(losses:initial:factor:patience:)",
                 checkAnswer: { checkPlateau(Chapter7Exercises.learningRates) }, checkReference: { checkPlateau(Chapter7Solutions.learningRates) }),
        Exercise(id: "7.4", title: "The Gini coefficient of exposure",
                 prompt: "Write gini(_ counts: [Int]): how unequally items are recommended, 0 when every item is recommended equally often.",
                 hint: "sort ascending; G = Σ (2i - n - 1) x_i / (n Σ x) with i from 1",
                 answerIn: "Chapter7Exercises.gini(_:)",
                 checkAnswer: { checkGini(Chapter7Exercises.gini) }, checkReference: { checkGini(Chapter7Solutions.gini) }),
        Exercise(id: "7.5", title: "Kendall's τ between two leaderboards",
                 prompt: "Write kendallTau(_:_:): for two orderings of the same model names, (concordant - discordant pairs) / all pairs.",
                 hint: "for every pair (a before b in the first order), +1 if a is also before b in the second, else -1",
                 answerIn: "Chapter7Exercises.kendallTau(_:_:)",
                 checkAnswer: { checkTau(Chapter7Exercises.kendallTau) }, checkReference: { checkTau(Chapter7Solutions.kendallTau) }),
    ]

    static let lossCases: [([Float], Int, Float)] = [
        ([1.0, 0.9, 0.95, 0.97, 0.99, 0.8], 3, 0), ([1.0, 0.9, 0.95, 0.85, 0.86, 0.87], 2, 0), ([1.0, 0.99, 0.985, 0.984], 2, 0.01),
        ([0.5, 0.4, 0.3, 0.2], 1, 0), ([0.5, 0.5, 0.5], 2, 0),
    ]

    static func checkStop(_ answer: ([Float], Int, Float) -> Int?) -> ExerciseVerdict {
        Check.function(cases: lossCases, answer: { answer($0.0, $0.1, $0.2) }, reference: { c -> Int in
            var stopper = EarlyStopping(patience: c.1, minDelta: c.2)
            for (k, loss) in c.0.enumerated() where stopper.update(loss) { return k + 1 }
            return 0
        }, matches: { $0 == $1 }, describe: { "losses \($0.0), patience \($0.1), minDelta \($0.2)" })
    }

    static func checkAP(_ answer: ([Bool], Int) -> Double?) -> ExerciseVerdict {
        let cases: [([Bool], Int)] = [([true, false, true, false, false], 3), ([false, false, false], 2), ([true, true, true], 3),
                                      ([false, true, false, false, true, false, false, false, false, false], 12)]
        return Check.function(cases: cases, answer: { answer($0.0, $0.1) }, reference: { c in
            let ranked = c.0.indices.map { Int32($0) }
            var relevant = Set(c.0.indices.filter { c.0[$0] }.map { Int32($0) })
            var extra: Int32 = 1000
            while relevant.count < c.1 { relevant.insert(extra); extra += 1 }
            return UserMetrics.compute(ranked: ranked, relevant: relevant, k: c.0.count).averagePrecision
        }, matches: { abs($0 - $1) < 1e-9 }, describe: { "hits \($0.0), \($0.1) relevant" })
    }

    static func checkPlateau(_ answer: ([Float], Float, Float, Int) -> [Float]?) -> ExerciseVerdict {
        let cases: [([Float], Float, Float, Int)] = [([1, 0.9, 0.9, 0.91, 0.92, 0.85, 0.86, 0.87, 0.88], 0.001, 0.5, 1),
                                                     ([1, 1, 1, 1, 1, 1, 1], 0.01, 0.1, 2), ([3, 2, 1, 0.5], 0.1, 0.5, 0)]
        return Check.function(cases: cases, answer: { answer($0.0, $0.1, $0.2, $0.3) }, reference: { c in
            let optimizer = SGD([Tensor.zeros([1], requiresGrad: true)], learningRate: c.1)
            let scheduler = ReduceLROnPlateau(optimizer, mode: .min, factor: c.2, patience: c.3)
            return c.0.map { scheduler.step($0); return optimizer.learningRate }
        }, matches: { $0.count == $1.count && zip($0, $1).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) } },
        describe: { "losses \($0.0), lr \($0.1), factor \($0.2), patience \($0.3)" })
    }

    static func checkGini(_ answer: ([Int]) -> Double?) -> ExerciseVerdict {
        Check.function(cases: [[5, 5, 5, 5], [0, 0, 0, 10], [1, 2, 3, 4, 10], [0, 3, 0, 7, 1]], answer: answer, reference: giniCoefficient,
                       matches: { abs($0 - $1) < 1e-9 }, describe: { "counts \($0)" })
    }

    static func checkTau(_ answer: ([String], [String]) -> Double?) -> ExerciseVerdict {
        let cases: [([String], [String])] = [(["a", "b", "c"], ["a", "b", "c"]), (["a", "b", "c"], ["c", "b", "a"]),
                                             (["EASE", "LightGCN", "NeuMF", "GMF"], ["LightGCN", "EASE", "GMF", "NeuMF"])]
        return Check.function(cases: cases, answer: { answer($0.0, $0.1) }, reference: { kendallTau($0.0, $0.1) },
                              matches: { abs($0 - $1) < 1e-9 }, describe: { "\($0.0) against \($0.1)" })
    }
}
