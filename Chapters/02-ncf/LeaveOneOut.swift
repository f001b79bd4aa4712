// Chapter 2 on MovieLens-100K under the NCF paper's protocol (loo-99): GMF, MLP and NeuMF with
// a test curve per epoch, pre-training, and the sweeps over factors and negatives.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension NCFChapter {
    /// What a training run of this chapter recorded: its record and the test metrics after
    /// each epoch (a curve to look at, never a stopping rule).
    struct Run {
        var record: TrainingRecord
        var curve: [[String: Double]]
        var last: [String: Double] { curve.last ?? [:] }
        func series(_ metric: String) -> [Double] { curve.map { $0[metric] ?? .nan } }
    }

    struct LooFindings {
        let split: Split
        let runs: [String: Run]
        let baselines: [String: [String: Double]]
        let config: NCFConfig
    }

    /// Trains `model` on the split's training rows; `evaluateEvery` epochs it is scored on test
    /// (0: only after the last epoch).
    static func trainRun(
        _ model: any NCFModel, _ context: ChapterContext, data: RatingsData, split: Split, config: NCFConfig,
        evaluateEvery: Int = 1, optimizer: (any Optimizer)? = nil, progress: Bool = true
    ) throws -> Run {
        let evaluator = SampledEvaluator(split: split, data: data)
        var input = FitInput(
            data: data, rows: split.train, seed: context.options.seed,
            progress: progress ? context.progress : nil)
        var curve: [[String: Double]] = []
        input.afterEpoch = { epoch, recommender in
            if evaluateEvery > 0 && epoch % evaluateEvery == 0 || epoch == config.training.maxEpochs {
                curve.append(evaluator.evaluate(recommender, k: 10).metrics)
            }
        }
        try model.train(input, config: config, optimizer: optimizer)
        return Run(record: model.record, curve: curve)
    }

    static func implicitTopK(_ context: ChapterContext, data: RatingsData, plan: Plan) throws -> LooFindings {
        let say = context.narrator
        say.heading("MovieLens-100K, implicit top-K (loo-99)")
        let split = try Split.make(data, protocol: .loo99, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train)
        let evaluator = SampledEvaluator(split: split, data: data)
        say.prose(
            """
            As in the paper, every rating is an interaction. Protocol loo-99: each user's latest rating is held out \
            (\(split.test.count) test items, \(split.train.count.formatted()) training interactions; ratings in the \
            same second keep the file's order) and ranked among 99 items the user never rated, sampled once with the \
            run's seed. Metrics: HR@10 (is the test item in the top 10?) and NDCG@10 (1/log2(rank+1) if so).
            """)
        var config = NCFConfig(mode: context.options.mode)
        config.training = .fixed(plan.epochs)
        say.prose("Configuration: \(config.summary).")
        say.listing(try listing("train-implicit", ModelsSource.file("NCF/NCF.swift")))
        var baselines: [String: [String: Double]] = [:]
        for (name, model) in [
            ("MostPopular", MostPopular(train: train) as any Recommender), ("ItemKNN", try ItemKNN(train: train)),
        ] {
            let e = evaluator.evaluate(model, k: 10)
            baselines[name] = e.metrics
            context.record(ResultEntry(model: name, protocol: "loo-99", dataset: data.name, metrics: e.metrics))
        }
        var runs: [String: Run] = [:]
        let gmf = GMF(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("loo-GMF"))
        let mlp = MLP(userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("loo-MLP"))
        let neumf = NeuMF(
            userCount: data.userCount, itemCount: data.itemCount, config: config, rng: context.rng("loo-NeuMF"))
        for model in [gmf, mlp, neumf] as [any NCFModel] {
            runs[model.name] = try trainRun(model, context, data: data, split: split, config: config)
        }
        // The paper's pre-training: NeuMF from the trained GMF and MLP, alpha = 0.5, then SGD.
        let pretrained = NeuMF(pretrainedGMF: gmf, pretrainedMLP: mlp, alpha: 0.5)
        let before = evaluator.evaluate(pretrained, k: 10).metrics
        runs["NeuMF (pre-trained)"] = try trainRun(
            pretrained, context, data: data, split: split, config: config,
            optimizer: SGD(pretrained.parameters, learningRate: config.learningRate))
        context.record("neumf_pretrained_hr10_before_finetuning", before["HR@10"] ?? .nan)
        say.prose(
            String(
                format: """
                    NeuMF (pre-trained) starts from the GMF and MLP above with h = [0.5 h_GMF ; 0.5 h_MLP] (HR@10 \
                    %.4f before any fine-tuning) and is fine-tuned with plain SGD (lr %.0e), as the paper \
                    prescribes: Adam's moments from pre-training are not carried over.
                    """, before["HR@10"] ?? .nan, Double(config.learningRate)))
        let order = ["GMF", "MLP", "NeuMF", "NeuMF (pre-trained)"]
        var rows: [[String]] = []
        for name in order {
            guard let run = runs[name] else { continue }
            let best = run.series("HR@10").max() ?? .nan
            rows.append([
                name, f4(run.last["HR@10"] ?? .nan), f4(run.last["NDCG@10"] ?? .nan), f4(best),
                String(format: "%.2f", run.record.medianEpochSeconds),
            ])
            context.record(
                ResultEntry(
                    model: name, protocol: "loo-99", dataset: data.name, metrics: run.last,
                    trainSeconds: run.record.seconds, epochs: run.record.epochs))
        }
        for name in ["MostPopular", "ItemKNN"] {
            rows.append([
                name, f4(baselines[name]?["HR@10"] ?? .nan), f4(baselines[name]?["NDCG@10"] ?? .nan), "-", "-",
            ])
        }
        say.table(
            Table(headers: ["model", "HR@10", "NDCG@10", "best HR@10", "s / epoch"], rows: rows),
            caption: """
                loo-99 on MovieLens-100K, f = \(config.factors), after \(plan.epochs) epochs (seed \
                \(context.options.seed))
                """)
        let last = Double(plan.epochs)
        func baselineSeries(_ metric: String) -> [Series] {
            ["MostPopular", "ItemKNN"].map { name in
                Series(
                    name,
                    [(x: 1, y: baselines[name]?[metric] ?? .nan), (x: last, y: baselines[name]?[metric] ?? .nan)],
                    style: .dashed)
            }
        }
        for metric in ["HR@10", "NDCG@10"] {
            var figure = Figure(
                name: metric == "HR@10" ? "hr-per-epoch" : "ndcg-per-epoch",
                title: "\(metric) per epoch on MovieLens-100K (loo-99, f = \(config.factors))",
                xLabel: "epoch", yLabel: metric,
                kind: .lines(
                    order.compactMap { name in runs[name].map { Series(name, perEpoch: $0.series(metric)) } }
                        + baselineSeries(metric)))
            figure.keyPosition = "below"
            figure.xTicStep = plan.epochs > 10 ? 2 : 1
            try context.figure(figure)
        }
        var lossFigure = Figure(
            name: "training-loss", title: "Training loss (BCE over positives and sampled negatives)",
            xLabel: "epoch", yLabel: "mean BCE",
            kind: .lines(order.compactMap { name in runs[name].map { Series(name, perEpoch: $0.record.losses) } }))
        lossFigure.xTicStep = plan.epochs > 10 ? 2 : 1
        try context.figure(lossFigure)
        return LooFindings(split: split, runs: runs, baselines: baselines, config: config)
    }
}
