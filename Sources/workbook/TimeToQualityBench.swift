// `workbook bench time-to-quality`: training seconds until a model first reaches a common level
// of test quality, ours against the PyTorch/gensim reference on the same exported split. Each side
// trains with its own default settings (that is what a user gets); the level is 99% of the best
// the reference reached within its budget (1.01 times its best RMSE for AutoRec).

import ArgumentParser
import Foundation
import Models
import Narrative
import RecKit
import TensorCore
import _WorkbookSupport

/// What one model is measured on, and how the reference is run for it.
struct QualityTarget {
    let model: String
    let protocolName: EvaluationProtocol?
    let metric: String
    let higherIsBetter: Bool
    let script: String
    /// The reference's key for the metric in its per-epoch history.
    let referenceKey: String
    let referenceArguments: [String]

    static func named(_ name: String, referenceEpochs: Int?) throws -> QualityTarget {
        func epochs(_ d: Int) -> [String] { ["--epochs", "\(referenceEpochs ?? d)", "--eval-every", "1"] }
        switch name {
        case "neumf":
            return QualityTarget(
                model: "neumf", protocolName: .loo99, metric: "NDCG@10", higherIsBetter: true, script: "ncf.py",
                referenceKey: "ndcg@10", referenceArguments: ["--model", "neumf"] + epochs(20))
        case "mult-vae":
            return QualityTarget(
                model: "mult-vae", protocolName: .holdout20, metric: "NDCG@20", higherIsBetter: true,
                script: "multvae.py", referenceKey: "ndcg@20", referenceArguments: epochs(200))
        case "lightgcn":
            return QualityTarget(
                model: "lightgcn", protocolName: .holdout20, metric: "NDCG@20", higherIsBetter: true,
                script: "lightgcn.py", referenceKey: "ndcg@20", referenceArguments: epochs(100))
        case "i-autorec":
            return QualityTarget(
                model: "i-autorec", protocolName: .ratings9010, metric: "RMSE", higherIsBetter: false,
                script: "autorec.py", referenceKey: "test_rmse", referenceArguments: epochs(100))
        case "sgns":
            return QualityTarget(
                model: "sgns", protocolName: nil, metric: "HR@10", higherIsBetter: true, script: "item2vec.py",
                referenceKey: "next_item_hr@10", referenceArguments: [])
        default:
            throw ValidationError("--model must be one of neumf, mult-vae, lightgcn, i-autorec, sgns")
        }
    }

    /// The level both sides must reach, from the reference's best.
    func level(best: Double) -> Double { higherIsBetter ? 0.99 * best : 1.01 * best }
    func reaches(_ value: Double, _ level: Double) -> Bool { higherIsBetter ? value >= level : value <= level }
}

/// A learning curve: cumulative training seconds (evaluation excluded) and the metric after each epoch.
struct QualityCurve {
    var seconds: [Double] = []
    var values: [Double] = []

    /// Seconds until the curve first reaches `level`; nil if it never does.
    func timeTo(_ level: Double, _ target: QualityTarget) -> Double? {
        zip(seconds, values).first { target.reaches($0.1, level) }?.0
    }
    /// The best value on the curve (the largest, or the smallest for an error).
    func best(_ target: QualityTarget) -> Double {
        (target.higherIsBetter ? values.max() : values.min()) ?? .nan
    }
}

/// Thrown from the per-epoch hook to end our run once the level is reached.
private struct ReachedLevel: Error {}

struct TimeToQualityBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time-to-quality",
        abstract: "Training seconds until a model first reaches 99% of the reference's best test quality.",
        discussion: """
            Both sides train on the same exported split (SGNS: the same next-liked-item sessions) with their own \
            default settings and are scored on test after every epoch. The level is 99% of the best the reference \
            reached in its budget (1.01 x its best RMSE for I-AutoRec). Runs alternate (reference, ours, ...); \
            the times are medians, and the ratio is ours over the reference's. Our seconds count everything from \
            the start of the fit to the end of the epoch that reaches the level, setup included; evaluation is \
            excluded on both sides. SGNS has no per-epoch curve in gensim (its learning rate decays over the \
            planned epochs), so each side trains budgets of 1, 2, ... epochs and the time is that of the \
            smallest budget that reaches the level.
            """)
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @OptionGroup var location: DataLocation
    @OptionGroup var reference: ReferenceOptions
    @Option(help: "neumf, mult-vae, lightgcn, i-autorec or sgns.")
    var model = "neumf"
    @Option(parsing: .unconditional, help: "Runs per side, alternating.")
    var repeats = 1
    @Option(parsing: .unconditional, help: "The reference's epochs (default: its own default budget).")
    var referenceEpochs: Int?
    @Option(parsing: .unconditional, help: "SGNS: the largest epoch budget tried on each side.")
    var sgnsBudgets = 5
    @Option(parsing: .unconditional, help: "SGNS: seeds per budget and side (each point is their mean).")
    var sgnsSeeds = 3
    @Option(parsing: .unconditional, help: "Seed of the split and both models.")
    var seed: UInt64 = 42
    @Option(name: .customLong("set"), help: "Change a setting of our model's Config, e.g. --set learningRate=0.003.")
    var settings: [String] = []

    func validate() throws {
        guard repeats >= 1, sgnsBudgets >= 1, sgnsSeeds >= 1, (referenceEpochs ?? 1) >= 1 else {
            throw ValidationError("--repeats, --sgns-budgets, --sgns-seeds and --reference-epochs must be at least 1")
        }
        guard reference.peers != nil else {
            throw ValidationError(
                "time to quality is measured against the reference: pass --peers (a writable copy of ../shared/peers)")
        }
        _ = try QualityTarget.named(model, referenceEpochs: referenceEpochs)
        _ = try parseOverrides(settings)  // a bad --set fails before the reference's minutes of training
    }

    func run() throws {
        let target = try QualityTarget.named(model, referenceEpochs: referenceEpochs)
        let data = try location.load()
        if target.model == "sgns" { return try runSGNS(target, data) }
        guard let p = target.protocolName else { return }
        let split = try Split.make(data, protocol: p, seed: seed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ttq-\(model)-\(seed)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try split.write(to: directory, data: data)
        var referenceCurves: [QualityCurve] = [], ourCurves: [QualityCurve] = []
        var level = Double.nan
        for r in 0..<repeats {
            let ref = try referenceCurve(target, splitDirectory: directory.path, run: r)
            referenceCurves.append(ref)
            if r == 0 { level = target.level(best: ref.best(target)) }
            ourCurves.append(try ourCurve(target, data: data, split: split, level: level))
            log(String(format: "run %d: reference best %.4f, ours reached %.4f", r + 1, ref.best(target),
                       ourCurves.last?.values.last ?? .nan))
        }
        try report(target, level: level, ours: ourCurves, references: referenceCurves, data: data)
    }

    /// The reference's test curve on the exported split: cumulative epoch seconds and the metric.
    func referenceCurve(_ target: QualityTarget, splitDirectory: String, run: Int) throws -> QualityCurve {
        let arguments = target.referenceArguments + [
            "--split-dir", splitDirectory, "--seed", "\(seed)", "--threads", "\(Kernels.threadCount)", "--out",
            "bench_ttq_\(target.model)_reference",
        ]
        guard let result = try reference.run(target.script, arguments) else { return QualityCurve() }
        let epochSeconds = (result["epoch_train_s"] as? [Double]) ?? []
        let history = (result["history"] as? [[String: Any]]) ?? []
        var curve = QualityCurve(), total = 0.0
        for (e, s) in epochSeconds.enumerated() {
            total += s
            guard let point = history.first(where: { ($0["epoch"] as? Int) == e + 1 }),
                let value = point[target.referenceKey] as? Double
            else { continue }
            curve.seconds.append(total)
            curve.values.append(value)
        }
        guard !curve.values.isEmpty else {
            throw WorkbookError(
                "the reference \(target.script) reported no per-epoch \(target.referenceKey)",
                fix: "use the peers' scripts from ../shared/peers, which take --split-dir and --eval-every")
        }
        return curve
    }

    /// Our curve with the registry's default settings, trained on the split's training part
    /// and scored on test after every epoch, until the level is reached or the preset's cap.
    func ourCurve(_ target: QualityTarget, data: RatingsData, split: Split, level: Double) throws -> QualityCurve {
        let entry = try Registry.entry(target.model)
        var input = FitInput(data: data, rows: split.train, seed: seed)
        let score = scorer(target, data: data, split: split)
        var curve = QualityCurve(), trained = 0.0, mark = Date()
        input.afterEpoch = { _, recommender in
            trained += Date().timeIntervalSince(mark)
            let value = score(recommender)
            curve.seconds.append(trained)
            curve.values.append(value)
            mark = Date()
            if target.reaches(value, level) { throw ReachedLevel() }
        }
        do {
            _ = try entry.fit(input, mode: .standard, overrides: try parseOverrides(settings))
        } catch is ReachedLevel {}
        return curve
    }

    /// The test metric of a recommender on `split`, as the reference computes it.
    func scorer(_ target: QualityTarget, data: RatingsData, split: Split) -> (any Recommender) -> Double {
        switch target.metric {
        case "NDCG@10":
            let evaluator = SampledEvaluator(split: split, data: data)
            return { evaluator.evaluate($0, k: 10).metrics["NDCG@10"] ?? .nan }
        case "RMSE":
            // As autorec.py: predictions clamped to [1, 5], 3 for a user or item unseen in training.
            let rows = RatingRows(data, rows: split.test)
            var seenUser = [Bool](repeating: false, count: data.userCount)
            var seenItem = [Bool](repeating: false, count: data.itemCount)
            for r in split.train {
                seenUser[Int(data.users[r])] = true
                seenItem[Int(data.items[r])] = true
            }
            return { recommender in
                let predictions = recommender.scores(pairs: rows.users, rows.items)
                let clamped = zip(predictions.indices, predictions).map { k, p -> Float in
                    seenUser[Int(rows.users[k])] && seenItem[Int(rows.items[k])] ? min(5, max(1, p)) : 3
                }
                return RatingMetrics.rmse(clamped, rows.ratings)
            }
        default:
            let evaluator = FullRankingEvaluator(
                train: InteractionMatrix(data, rows: split.train), test: InteractionMatrix(data, rows: split.test))
            return { evaluator.evaluate($0, ks: [20]).metrics[target.metric] ?? .nan }
        }
    }
}

extension TimeToQualityBench {
    /// SGNS: epoch budgets 1...sgnsBudgets on each side (alternating), next-liked-item HR@10.
    func runSGNS(_ target: QualityTarget, _ data: RatingsData) throws {
        let cases = Sessions.holdOutLast(Sessions.liked(data))
        var config = Item2Vec.defaultConfig(.standard)  // the book's SGNS preset (lr 0.1)
        config.minimumCount = 5  // the peers' min_count: the same vocabulary, so the same test cases count
        config.threads = Kernels.threadCount
        var referenceCurves: [QualityCurve] = [], ourCurves: [QualityCurve] = []
        for _ in 0..<repeats {
            var ref = QualityCurve(), ours = QualityCurve()
            for budget in 1...sgnsBudgets {
                // One split's next-item HR@10 moves by about 0.007 (some 800 test users): each point is the
                // mean over several seeds on each side, or the level would be set by one lucky draw.
                var point: (refSeconds: [Double], refHR: [Double], seconds: [Double], hr: [Double]) = ([], [], [], [])
                for s in 0..<UInt64(sgnsSeeds) {
                    let arguments = [
                        "--epochs", "\(budget)", "--workers", "\(Kernels.threadCount)", "--seed", "\(seed &+ s)",
                        "--out", "bench_ttq_sgns_reference",
                    ]
                    if let result = try reference.run(target.script, arguments) {
                        point.refSeconds.append(result["train_s"] as? Double ?? .nan)
                        point.refHR.append(result[target.referenceKey] as? Double ?? .nan)
                    }
                    config.training = .fixed(budget)
                    let vectors = try trainSGNS(
                        sessions: cases.map(\.context), itemCount: data.itemCount, config: config, seed: seed &+ s
                    ).vectors
                    point.seconds.append(vectors.trainSeconds)
                    point.hr.append(nextItemEvaluation(vectors, cases: cases).hr)
                }
                func mean(_ x: [Double]) -> Double { meanAndSD(x).mean }
                ref.seconds.append(mean(point.refSeconds))
                ref.values.append(mean(point.refHR))
                ours.seconds.append(mean(point.seconds))
                ours.values.append(mean(point.hr))
                log(String(format: "%d epochs: reference HR@10 %.4f in %.2f s, ours %.4f in %.2f s (means of %d seeds)",
                           budget, ref.values.last ?? .nan, ref.seconds.last ?? .nan, ours.values.last ?? .nan,
                           ours.seconds.last ?? .nan, sgnsSeeds))
            }
            referenceCurves.append(ref)
            ourCurves.append(ours)
        }
        let level = target.level(best: referenceCurves[0].best(target))
        try report(
            target, level: level, ours: ourCurves, references: referenceCurves, data: data, ourConfig: config.summary)
    }

    /// Prints the JSON: both sides' time to the level (medians over runs) and the ratio.
    func report(
        _ target: QualityTarget, level: Double, ours: [QualityCurve], references: [QualityCurve], data: RatingsData,
        ourConfig: String? = nil
    ) throws {
        func side(_ curves: [QualityCurve]) -> (seconds: Double?, epochs: Int?, best: Double, times: [Any]) {
            let times = curves.map { $0.timeTo(level, target) }
            let reached = times.compactMap { $0 }
            let epochs = curves.first.flatMap { c in c.values.firstIndex { target.reaches($0, level) } }.map { $0 + 1 }
            return (
                reached.count == curves.count ? median(reached) : nil, epochs, curves.first?.best(target) ?? .nan,
                times.map { $0 ?? NSNull() as Any }
            )
        }
        func orNull<T>(_ x: T?) -> Any { x.map { $0 as Any } ?? NSNull() }
        let (o, r) = (side(ours), side(references))
        let config =
            try ourConfig ?? Registry.entry(target.model).config(.standard, overrides: parseOverrides(settings)).summary
        var result: [String: Any] = [
            "bench": "time-to-quality", "threads": Kernels.threadCount, "dataset": data.name, "model": target.model,
            "protocol": target.protocolName?.rawValue ?? "next liked item (last of each user's rating>=4 session)",
            "metric": target.metric, "level": level,
            "level_rule": target.higherIsBetter ? "0.99 x the reference's best" : "1.01 x the reference's best",
            "config": [
                "ours": config, "reference": ([target.script] + target.referenceArguments).joined(separator: " "),
            ],
            "timings": ["time_to_quality_seconds": orNull(o.seconds), "runs_seconds": o.times],
            "quality": [
                "best": o.best, "epochs_to_quality": orNull(o.epochs), "epochs_run": ours.first?.values.count ?? 0,
            ],
            "reference": [
                "time_to_quality_seconds": orNull(r.seconds), "runs_seconds": r.times, "best": r.best,
                "epochs_to_quality": orNull(r.epochs), "script": "peers/\(target.script)",
            ],
        ]
        if let a = o.seconds, let b = r.seconds, b > 0 {
            result["time_to_quality_ratio"] = a / b
        } else {
            result["time_to_quality_ratio"] = NSNull()
            result["note"] =
                o.seconds == nil
                ? "ours did not reach the level in every run (no ratio)" : "the reference did not reach its own level"
        }
        try printResult(result, json: json)
    }
}
