// Chapter 7, part 2: the document's four optimisation tips as experiments on its own NeuMF regression.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension PracticeChapter {
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
        let train = RatingRows(data, rows: split.train), validation = RatingRows(data, rows: split.validation),
            test = RatingRows(data, rows: split.test)
        var config = NCFConfig(mode: .standard)
        config.factors = 16
        config.layers = 3
        config.dropout = 0.2
        say.prose(
            """
            All four run on the document's own task: NeuMF regressing explicit ratings with MSE and Adam (lr 0.001), \
            batches of 256. Protocol ratings-80-20 with a validation split: \(train.count.formatted()) ratings train, \
            \(validation.count.formatted()) validate (every tip reads only these), \(test.count.formatted()) test \
            (read once, at the end). To keep the chapter near a minute the model is NeuMF with f = 16 (the document: \
            64) and runs \(plan.tipEpochs) epochs per setting.
            """)

        /// One run of the document's regression (every run draws the same batches: only the setting
        /// under test differs).
        func run(_ name: String, model: any PairScorer, settings: TrainerSettings? = nil) throws -> RegressionRun {
            var fixed = TrainerSettings.fixed(plan.tipEpochs)
            fixed.keepBest = false  // the document keeps the last epoch's weights
            let record = try RatingRegression.fit(
                model, train: train, validation: validation, settings: settings ?? fixed,
                rng: context.rng("tips-train"), label: name, progress: context.progress)
            return RegressionRun(
                train: record.losses, validation: record.validation.map(\.value),
                learningRates: record.learningRates, model: model, record: record)
        }

        // 1. Initialisation.
        say.heading("1. Embedding initialisation", level: 3)
        say.prose(
            """
            The document's init_embeddings(layer, method) offers Xavier-uniform, He (Kaiming)-uniform and N(0, \
            0.01²). The same three, applied to NeuMF's four embedding tables:
            """)
        say.listing(try listing("init-embeddings", "Tips.swift"))
        func neuMF(_ method: EmbeddingInit) -> NeuMF {
            let rng = context.rng("tips-neumf")
            let model = NeuMF(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: rng)
            for table in [
                model.gmf.userEmbedding.table, model.gmf.itemEmbedding.table, model.mlp.userEmbedding.table,
                model.mlp.itemEmbedding.table,
            ] {
                method.apply(table, rng: rng)
            }
            return model
        }
        var initRuns: [(EmbeddingInit, RegressionRun)] = []
        for method in EmbeddingInit.allCases {
            initRuns.append((method, try run("init \(method.rawValue)", model: neuMF(method))))
        }
        let width = config.factors * (1 << (config.layers - 1))
        say.table(
            Table(
                headers: [
                    "init_embeddings method", "user table [943, \(width)]", "validation MSE, epoch 1",
                    "best validation MSE", "at epoch",
                ],
                rows: initRuns.map { method, r in
                    let best = r.validation.enumerated().min { $0.element < $1.element }
                    return [
                        method.rawValue, method.spread(count: data.userCount, dimension: width),
                        f4(r.validation.first ?? .nan),
                        f4(best?.element ?? .nan), "\((best?.offset ?? 0) + 1)",
                    ]
                }),
            caption: """
                NeuMF (f = 16) with its four embedding tables initialised each way; the layers keep the \
                NCF reference's initialisation
                """)
        for (method, r) in initRuns {
            context.record("init_\(method.rawValue)_best_validation_mse", r.validation.min() ?? .nan)
        }
        var figure = Figure(
            name: "init-validation", title: "Embedding initialisation: validation MSE per epoch (ratings-80-20)",
            xLabel: "epoch", yLabel: "validation MSE",
            kind: .lines(initRuns.map { Series($0.0.rawValue, perEpoch: $0.1.validation) }))
        figure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(figure)
        let heBest = initRuns.first { $0.0 == .he }?.1.validation.min() ?? .nan,
            normalBest = initRuns.first { $0.0 == .normal }?.1.validation.min() ?? .nan
        say.prose(
            String(
                format: """
                    He initialisation scales by the table's width only (bound √(6/%d) = %.2f), as if the table fed a \
                    ReLU layer: every embedding starts far from zero, so GMF's element-wise products start large. \
                    Xavier also counts the table's rows (%d users), which makes its bound small (%.3f). 
                    """,
                width, (6 / Double(width)).squareRoot(), data.userCount,
                (6 / Double(width + data.userCount)).squareRoot())
                + String(format: "Best validation MSE: He %.4f against N(0, 0.01²) %.4f. ", heBest, normalBest)
                    + """
                    The document offers 'he' as an option for embeddings, but Kaiming's derivation is about keeping \
                    activations' variance through ReLU layers; an embedding table is a lookup, not a layer, which \
                    is why the NCF reference (and this book) initialise embeddings with N(0, 0.01²).
                    """)

        // 2. ReduceLROnPlateau and 3. early stopping, against the N(0, 0.01) run.
        guard let constant = initRuns.first(where: { $0.0 == .normal })?.1 else { return (initRuns[0].1.model, test) }
        say.heading("2. Learning-rate scheduling: ReduceLROnPlateau", level: 3)
        say.prose(
            """
            The document's scheduler halves the learning rate when the validation loss has not improved for \
            `patience` epochs (mode 'min', factor 0.5, patience 5). Its patience 5 suits a 50-epoch run; with \
            \(plan.tipEpochs) epochs here the patience is \(plan.patience) (`--full` runs 40 epochs with the \
            document's 5). The same model and seed run with the scheduler:
            """)
        let plateauModel = neuMF(.normal)
        var plateauSettings = TrainerSettings.fixed(
            plan.tipEpochs, schedule: .plateau(factor: 0.5, patience: plan.patience))
        plateauSettings.keepBest = false
        let plateau = try run("with ReduceLROnPlateau", model: plateauModel, settings: plateauSettings)
        // Epochs after which the rate went down.
        let lowered = zip(plateau.learningRates, [Double(config.learningRate)] + plateau.learningRates.dropLast())
            .enumerated()
            .filter { $0.element.0 < $0.element.1 - 1e-12 }.map { $0.offset + 1 }
        say.table(
            Table(
                headers: [
                    "epoch", "validation MSE, constant lr", "validation MSE, plateau", "learning rate after the epoch",
                ],
                rows: (0..<plan.tipEpochs).map { e in
                    [
                        String(e + 1), e < constant.validation.count ? f4(constant.validation[e]) : "-",
                        e < plateau.validation.count ? f4(plateau.validation[e]) : "-",
                        e < plateau.learningRates.count ? String(format: "%.6f", plateau.learningRates[e]) : "-",
                    ]
                }), caption: "ReduceLROnPlateau(factor 0.5, patience \(plan.patience)) against a constant lr 0.001")
        context.record("plateau_best_validation_mse", plateau.validation.min() ?? .nan)
        context.record("constant_best_validation_mse", constant.validation.min() ?? .nan)
        context.record("plateau_reductions", Double(lowered.count))
        var lossFigure = Figure(
            name: "plateau-loss", title: "Validation MSE: constant learning rate against ReduceLROnPlateau",
            xLabel: "epoch", yLabel: "validation MSE",
            kind: .lines([
                Series("constant lr 0.001", perEpoch: constant.validation),
                Series("ReduceLROnPlateau", perEpoch: plateau.validation),
            ]))
        lossFigure.markers = lowered.map { (x: Double($0), caption: "lr halved") }
        lossFigure.keyPosition = "top left"
        lossFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(lossFigure)
        var lrFigure = Figure(
            name: "plateau-lr", title: "The learning rate ReduceLROnPlateau set after each epoch", xLabel: "epoch",
            yLabel: "learning rate",
            kind: .lines([
                // A rate is set once per epoch and holds until the next: steps, not slopes.
                Series("ReduceLROnPlateau", perEpoch: plateau.learningRates, style: .steps),
                Series("constant", perEpoch: constant.learningRates, style: .dashed),
            ]))
        lrFigure.logY = true
        let lowest = plateau.learningRates.min() ?? Double(config.learningRate)
        lrFigure.yRange = (lowest / 1.5)...(Double(config.learningRate) * 1.5)
        lrFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(lrFigure)
        let plateauBest = plateau.validation.min() ?? .nan, constantBest = constant.validation.min() ?? .nan
        let plateauLast = plateau.validation.last ?? .nan, constantLast = constant.validation.last ?? .nan
        context.record("plateau_last_validation_mse", plateauLast)
        context.record("constant_last_validation_mse", constantLast)
        say.prose(
            lowered.isEmpty
                ? "The validation loss kept improving, so the scheduler never fired: it only acts on a plateau."
                : String(
                    format: """
                        The rate was halved after epoch%@ %@. Best validation MSE %.4f with the scheduler and %.4f \
                        without%@; after the last epoch %.4f against %.4f. 
                        """,
                    lowered.count > 1 ? "s" : "", lowered.map(String.init).joined(separator: ", "), plateauBest,
                    constantBest,
                    abs(plateauBest - constantBest) < 1e-9
                        ? """
                         (the same: the best epoch came before the first reduction, and until then the runs are \
                        identical)
                        """ : "",
                    plateauLast, constantLast)
                    + (plateauLast < constantLast
                        ? """
                        A smaller step once the validation loss stalls slows the overfitting that follows; it does \
                        not undo it, which is why it is paired with early stopping.
                        """ : "Here the smaller steps did not slow the overfitting."))

        say.heading("3. Early stopping", level: 3)
        say.prose(
            """
            The document's EarlyStopping counts epochs whose validation loss is not below the best by min_delta and \
            stops after `patience` of them (TensorCore's EarlyStopping is the same rule; it also remembers the best \
            epoch). Here patience is \(plan.stopPatience) (the document: 10, for 50 epochs). The run is repeated with \
            the stopper in the loop and the weights of the best epoch kept:
            """)
        let stoppedModel = neuMF(.normal)
        // The trainer's early stopping is the document's rule (patience, min_delta 0), and it keeps the best weights.
        let stopped = try run(
            "with early stopping", model: stoppedModel,
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
        context.record(
            ResultEntry(
                model: "NeuMF f=16 (early stopped, best epoch)", protocol: "ratings-80-20", dataset: data.name,
                metrics: ["RMSE": rmseBest], epochs: bestEpoch))
        context.record(
            ResultEntry(
                model: "NeuMF f=16 (all epochs)", protocol: "ratings-80-20", dataset: data.name,
                metrics: ["RMSE": rmseLast], epochs: plan.tipEpochs))
        var stopFigure = Figure(
            name: "early-stopping", title: "Early stopping on the validation MSE", xLabel: "epoch", yLabel: "MSE",
            kind: .lines([
                Series("validation, full run", perEpoch: constant.validation),
                Series("train, full run", perEpoch: constant.train, style: .dashed),
                Series("validation, early-stopped run", perEpoch: stopped.validation, style: .points),
            ]))
        stopFigure.markers = [(x: Double(bestEpoch), caption: "best"), (x: Double(stopEpoch), caption: "stopped")]
        stopFigure.keyPosition = "right center"
        stopFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        // Epoch 1's error is several times the minimum: the axis spans the later epochs, where the stopping
        // decision is made (the first epoch leaves the plot at the top).
        stopFigure.yRange = laterRange(constant.validation + constant.train + stopped.validation, epochs: [
            constant.validation.count, constant.train.count, stopped.validation.count,
        ])
        stopFigure.keyPosition = "below"
        try context.figure(stopFigure, caption: "The first epoch's errors are above the top of the plot.")
        say.prose(
            (stopEpoch < plan.tipEpochs
                ? """
                    It stopped after epoch \(stopEpoch) of \(plan.tipEpochs), \(stopEpoch - bestEpoch) epoch(s) after \
                    the best one (epoch \(bestEpoch)). 
                    """
                : """
                It never stopped: the validation loss had not stalled for \(plan.stopPatience) epochs by epoch \
                \(plan.tipEpochs) (best: epoch \(bestEpoch)). 
                """)
                + (samePrefix
                    ? """
                    Its curve matches the full run's first \(stopEpoch) epochs to 1e-9, as it must: same seed, same \
                    batches. 
                    """ : "")
                + String(
                    format: """
                        On the test set (read once): RMSE %.4f with the best epoch's weights against %.4f after all \
                        %d epochs.
                        """, rmseBest, rmseLast, plan.tipEpochs))
        say.errata(
            """
            The document's EarlyStopping only sets a flag; its training loop (train_model) never reads it and keeps \
            no copy of the best weights, so a model 'early-stopped' that way is the last epoch's. Keep the best \
            state, as above, and restore it when the stopper fires.
            """)

        // 4. Batch normalisation.
        say.heading("4. Batch normalisation: ImprovedMLP with and without it", level: 3)
        say.prose(
            """
            The document's ImprovedMLP puts BatchNorm1d between each Linear and its ReLU. It only defines the tower; \
            here it gets embeddings of 32 for users and items at its input and a Linear to one rating at its output, \
            and trains without the BatchNorm1d layers, with them, and with them plus the training mean rating added \
            to the output:
            """)
        say.listing(try listing("improved-mlp", "Tips.swift"))
        let meanRating = Float(train.ratings.reduce(0.0) { $0 + Double($1) } / Double(train.count))
        var bnRuns: [(String, RegressionRun)] = []
        for (batchNorm, offset) in [(false, Float(0)), (true, Float(0)), (true, meanRating)] {
            let name = batchNorm ? (offset == 0 ? "with BatchNorm1d" : "with BatchNorm1d, mean added") : "without"
            let model = ImprovedMLP(
                userCount: data.userCount, itemCount: data.itemCount, batchNorm: batchNorm, offset: offset,
                rng: context.rng("tips-bn"))
            bnRuns.append((name, try run("ImprovedMLP \(name)", model: model)))
        }
        say.table(
            Table(
                headers: [
                    "ImprovedMLP", "validation MSE, epoch 1", "best validation MSE", "at epoch",
                    "test RMSE (last epoch)",
                ],
                rows: bnRuns.map { name, r in
                    let best = r.validation.enumerated().min { $0.element < $1.element }
                    return [
                        name, f4(r.validation.first ?? .nan), f4(best?.element ?? .nan), "\((best?.offset ?? 0) + 1)",
                        f4(testRMSE(r.model)),
                    ]
                }), caption: "hidden 64-32-16, dropout 0.2, Adam lr 0.001")
        for (key, (_, r)) in zip(["plain", "batchnorm", "batchnorm_offset"], bnRuns) {
            context.record("improved_mlp_\(key)_best_validation_mse", r.validation.min() ?? .nan)
            context.record("improved_mlp_\(key)_epoch1_validation_mse", r.validation.first ?? .nan)
        }
        var bnFigure = Figure(
            name: "batchnorm", title: "ImprovedMLP: validation MSE with and without batch normalisation",
            xLabel: "epoch", yLabel: "validation MSE",
            kind: .lines(bnRuns.map { Series($0.0, perEpoch: $0.1.validation) }))
        bnFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        bnFigure.yRange = laterRange(bnRuns.flatMap(\.1.validation), epochs: bnRuns.map(\.1.validation.count))
        bnFigure.keyPosition = "below"
        try context.figure(
            bnFigure, caption: "From epoch 2 on (epoch 1's values are in the text below); the minimum is what counts.")
        let plainFirst = bnRuns[0].1.validation.first ?? .nan, bnFirst = bnRuns[1].1.validation.first ?? .nan,
            offsetFirst = bnRuns[2].1.validation.first ?? .nan
        say.prose(
            String(
                format: """
                    After one epoch: %.4f without, %.4f with batch norm, %.4f with batch norm and the training mean \
                    (%.2f) added to the output. 
                    """, plainFirst, bnFirst, offsetFirst, meanRating)
                + (bnFirst > plainFirst
                    ? """
                    Batch norm alone made the start slower, for a reason that has nothing to do with \
                    normalisation: ratings average 3.5, far from zero, and after BatchNorm1d → ReLU the last \
                    hidden layer's outputs have a fixed scale, so only the output layer can reach 3.5, one Adam \
                    step (about lr = 0.001) at a time. Without batch norm every layer's weights can grow \
                    together. Adding the mean rating as a constant removes the offset, and then batch norm 
                    """
                        + (offsetFirst < plainFirst
                            ? "does speed up the first epoch, its usual effect. "
                            : """
                                still does not help here: on embeddings feeding a three-layer MLP there is little \
                                covariate shift to fix. 
                                """)
                    : """
                    Normalising each layer's inputs lets the first epoch make more progress, batch norm's usual \
                    effect. 
                    """)
                    + """
                    At prediction time BatchNorm1d uses its running statistics (the model is switched to evaluation \
                    mode before predicting), which is the step that is easy to forget in PyTorch (model.eval()).
                    """)
        return (stoppedModel, test)
    }
}

extension PracticeChapter {
    /// A y range over every curve's epochs after the first (each curve's values concatenated in
    /// `values`, with `epochs` the length of each), padded by 10% of its span.
    static func laterRange(_ values: [Double], epochs: [Int]) -> ClosedRange<Double>? {
        var later: [Double] = [], offset = 0
        for n in epochs {
            later += values[min(offset + 1, values.count)..<min(offset + n, values.count)].filter(\.isFinite)
            offset += n
        }
        guard let lo = later.min(), let hi = later.max(), hi > lo else { return nil }
        return (lo - 0.1 * (hi - lo))...(hi + 0.1 * (hi - lo))
    }
}
