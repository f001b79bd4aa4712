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
        let say = context.narrator, text = context.text
        let plan = Plan.of(context.options.mode)
        say.heading(text("tips.heading"))
        let split = try Split.make(data, protocol: .ratings8020, seed: context.options.seed, validation: true)
        let train = RatingRows(data, rows: split.train), validation = RatingRows(data, rows: split.validation),
            test = RatingRows(data, rows: split.test)
        var config = NCFConfig(mode: .standard)
        config.factors = 16
        config.layers = 3
        config.dropout = 0.2
        say.prose(
            text(
                "tips.intro",
                [
                    "train": train.count.formatted(), "validation": validation.count.formatted(),
                    "test": test.count.formatted(), "epochs": plan.tipEpochs,
                ]))

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
        say.heading(text("tips.init.heading"), level: 3)
        say.prose(text("tips.init.intro"))
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
            let label = text("tips.run.init", ["method": method.rawValue])
            initRuns.append((method, try run(label, model: neuMF(method))))
        }
        let width = config.factors * (1 << (config.layers - 1))
        say.table(
            Table(
                headers: [
                    text("tips.init.method"), text("tips.init.table", ["width": width]), text("tips.epoch1"),
                    text("tips.best"), text("tips.at-epoch"),
                ],
                rows: initRuns.map { method, r in
                    let best = r.validation.enumerated().min { $0.element < $1.element }
                    return [
                        method.rawValue, method.spread(count: data.userCount, dimension: width),
                        f4(r.validation.first ?? .nan),
                        f4(best?.element ?? .nan), "\((best?.offset ?? 0) + 1)",
                    ]
                }),
            caption: text("tips.init.caption"))
        for (method, r) in initRuns {
            context.record("init_\(method.rawValue)_best_validation_mse", r.validation.min() ?? .nan)
        }
        var figure = Figure(
            name: "init-validation", title: text("fig.init-validation.title"), xLabel: text("fig.epoch"),
            yLabel: text("fig.validation-mse"),
            kind: .lines(initRuns.map { Series($0.0.rawValue, perEpoch: $0.1.validation) }))
        figure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(figure)
        let heBest = initRuns.first { $0.0 == .he }?.1.validation.min() ?? .nan,
            normalBest = initRuns.first { $0.0 == .normal }?.1.validation.min() ?? .nan
        say.prose(
            [
                text(
                    "tips.init.he",
                    [
                        "width": width, "heBound": String(format: "%.2f", (6 / Double(width)).squareRoot()),
                        "users": data.userCount,
                        "xavierBound": String(format: "%.3f", (6 / Double(width + data.userCount)).squareRoot()),
                    ]),
                text("tips.init.best-of", ["he": f4(heBest), "normal": f4(normalBest)]), text("tips.init.why"),
            ].joined(separator: " "))

        // 2. ReduceLROnPlateau and 3. early stopping, against the N(0, 0.01) run.
        guard let constant = initRuns.first(where: { $0.0 == .normal })?.1 else { return (initRuns[0].1.model, test) }
        say.heading(text("tips.plateau.heading"), level: 3)
        say.prose(text("tips.plateau.intro", ["epochs": plan.tipEpochs, "patience": plan.patience]))
        let plateauModel = neuMF(.normal)
        var plateauSettings = TrainerSettings.fixed(
            plan.tipEpochs, schedule: .plateau(factor: 0.5, patience: plan.patience))
        plateauSettings.keepBest = false
        let plateau = try run(text("tips.run.plateau"), model: plateauModel, settings: plateauSettings)
        // Epochs after which the rate went down.
        let lowered = zip(plateau.learningRates, [Double(config.learningRate)] + plateau.learningRates.dropLast())
            .enumerated()
            .filter { $0.element.0 < $0.element.1 - 1e-12 }.map { $0.offset + 1 }
        say.table(
            Table(
                headers: ["epoch", "constant", "plateau", "rate"].map { text("tips.plateau." + $0) },
                rows: (0..<plan.tipEpochs).map { e in
                    [
                        String(e + 1), e < constant.validation.count ? f4(constant.validation[e]) : "-",
                        e < plateau.validation.count ? f4(plateau.validation[e]) : "-",
                        e < plateau.learningRates.count ? String(format: "%.6f", plateau.learningRates[e]) : "-",
                    ]
                }), caption: text("tips.plateau.caption", ["patience": plan.patience]))
        context.record("plateau_best_validation_mse", plateau.validation.min() ?? .nan)
        context.record("constant_best_validation_mse", constant.validation.min() ?? .nan)
        context.record("plateau_reductions", Double(lowered.count))
        var lossFigure = Figure(
            name: "plateau-loss", title: text("fig.plateau-loss.title"), xLabel: text("fig.epoch"),
            yLabel: text("fig.validation-mse"),
            kind: .lines([
                Series(text("fig.plateau-loss.constant"), perEpoch: constant.validation),
                Series("ReduceLROnPlateau", perEpoch: plateau.validation),
            ]))
        lossFigure.markers = lowered.map { (x: Double($0), caption: text("fig.plateau-loss.halved")) }
        lossFigure.keyPosition = "top left"
        lossFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        try context.figure(lossFigure)
        var lrFigure = Figure(
            name: "plateau-lr", title: text("fig.plateau-lr.title"), xLabel: text("fig.epoch"),
            yLabel: text("fig.plateau-lr.y"),
            kind: .lines([
                // A rate is set once per epoch and holds until the next: steps, not slopes.
                Series("ReduceLROnPlateau", perEpoch: plateau.learningRates, style: .steps),
                Series(text("fig.plateau-lr.constant"), perEpoch: constant.learningRates, style: .dashed),
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
        let halved = text(
            lowered.count > 1 ? "tips.plateau.halved.many" : "tips.plateau.halved.one",
            ["epochs": lowered.map(String.init).joined(separator: ", ")])
        let bestSentence = text(
            abs(plateauBest - constantBest) < 1e-9 ? "tips.plateau.best.same" : "tips.plateau.best",
            [
                "plateau": f4(plateauBest), "constant": f4(constantBest), "plateauLast": f4(plateauLast),
                "constantLast": f4(constantLast),
            ])
        let verdict = text(plateauLast < constantLast ? "tips.plateau.slower" : "tips.plateau.not-slower")
        say.prose(
            lowered.isEmpty ? text("tips.plateau.never") : [halved, bestSentence, verdict].joined(separator: " "))

        say.heading(text("tips.stop.heading"), level: 3)
        say.prose(text("tips.stop.intro", ["patience": plan.stopPatience]))
        let stoppedModel = neuMF(.normal)
        // The trainer's early stopping is the document's rule (patience, min_delta 0), and it keeps the best weights.
        let stopped = try run(
            text("tips.run.stopping"), model: stoppedModel,
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
            name: "early-stopping", title: text("fig.early-stopping.title"), xLabel: text("fig.epoch"), yLabel: "MSE",
            kind: .lines([
                Series(text("fig.early-stopping.validation"), perEpoch: constant.validation),
                Series(text("fig.early-stopping.train"), perEpoch: constant.train, style: .dashed),
                Series(text("fig.early-stopping.stopped-run"), perEpoch: stopped.validation, style: .points),
            ]))
        stopFigure.markers = [
            (x: Double(bestEpoch), caption: text("fig.early-stopping.best")),
            (x: Double(stopEpoch), caption: text("fig.early-stopping.stopped")),
        ]
        stopFigure.keyPosition = "right center"
        stopFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        // Epoch 1's error is several times the minimum: the axis spans the later epochs, where the stopping
        // decision is made (the first epoch leaves the plot at the top).
        stopFigure.yRange = laterRange(constant.validation + constant.train + stopped.validation, epochs: [
            constant.validation.count, constant.train.count, stopped.validation.count,
        ])
        stopFigure.keyPosition = "below"
        try context.figure(stopFigure, caption: text("fig.early-stopping.caption"))
        let stopValues: [String: any CustomStringConvertible] = [
            "stop": stopEpoch, "epochs": plan.tipEpochs, "after": stopEpoch - bestEpoch, "best": bestEpoch,
            "patience": plan.stopPatience,
        ]
        say.prose(
            ([text(stopEpoch < plan.tipEpochs ? "tips.stop.stopped" : "tips.stop.never", stopValues)]
                + (samePrefix ? [text("tips.stop.same", ["stop": stopEpoch])] : [])
                + [text("tips.stop.test", ["best": f4(rmseBest), "last": f4(rmseLast), "epochs": plan.tipEpochs])])
                .joined(separator: " "))
        say.errata(text("tips.stop.errata"))

        // 4. Batch normalisation.
        say.heading(text("tips.bn.heading"), level: 3)
        say.prose(text("tips.bn.intro"))
        say.listing(try listing("improved-mlp", "Tips.swift"))
        let meanRating = Float(train.ratings.reduce(0.0) { $0 + Double($1) } / Double(train.count))
        var bnRuns: [(String, RegressionRun)] = []
        for (batchNorm, offset) in [(false, Float(0)), (true, Float(0)), (true, meanRating)] {
            let name = text(batchNorm ? (offset == 0 ? "tips.bn.with" : "tips.bn.with-mean") : "tips.bn.without")
            let model = ImprovedMLP(
                userCount: data.userCount, itemCount: data.itemCount, batchNorm: batchNorm, offset: offset,
                rng: context.rng("tips-bn"))
            bnRuns.append((name, try run(text("tips.run.mlp", ["name": name]), model: model)))
        }
        say.table(
            Table(
                headers: [
                    "ImprovedMLP", text("tips.epoch1"), text("tips.best"), text("tips.at-epoch"), text("tips.bn.rmse"),
                ],
                rows: bnRuns.map { name, r in
                    let best = r.validation.enumerated().min { $0.element < $1.element }
                    return [
                        name, f4(r.validation.first ?? .nan), f4(best?.element ?? .nan), "\((best?.offset ?? 0) + 1)",
                        f4(testRMSE(r.model)),
                    ]
                }), caption: text("tips.bn.caption"))
        for (key, (_, r)) in zip(["plain", "batchnorm", "batchnorm_offset"], bnRuns) {
            context.record("improved_mlp_\(key)_best_validation_mse", r.validation.min() ?? .nan)
            context.record("improved_mlp_\(key)_epoch1_validation_mse", r.validation.first ?? .nan)
        }
        var bnFigure = Figure(
            name: "batchnorm", title: text("fig.batchnorm.title"), xLabel: text("fig.epoch"),
            yLabel: text("fig.validation-mse"),
            kind: .lines(bnRuns.map { Series($0.0, perEpoch: $0.1.validation) }))
        bnFigure.xTicStep = plan.tipEpochs > 12 ? 5 : 1
        bnFigure.yRange = laterRange(bnRuns.flatMap(\.1.validation), epochs: bnRuns.map(\.1.validation.count))
        bnFigure.keyPosition = "below"
        try context.figure(bnFigure, caption: text("fig.batchnorm.caption"))
        let plainFirst = bnRuns[0].1.validation.first ?? .nan, bnFirst = bnRuns[1].1.validation.first ?? .nan,
            offsetFirst = bnRuns[2].1.validation.first ?? .nan
        let first = text(
            "tips.bn.first",
            [
                "plain": f4(plainFirst), "bn": f4(bnFirst), "offset": f4(offsetFirst),
                "mean": String(format: "%.2f", meanRating),
            ])
        let effect =
            bnFirst > plainFirst
            ? (offsetFirst < plainFirst ? "tips.bn.slow.helps" : "tips.bn.slow.no-help") : "tips.bn.fast"
        say.prose([first, text(effect), text("tips.bn.eval")].joined(separator: " "))
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
