// `workbook bench ncf`: training time per epoch and quality of the NCF models on
// MovieLens-100K (loo-99), optionally side by side with the PyTorch reference
// (../shared/peers/ncf.py) on the same machine.

import ArgumentParser
import Foundation
import Models
import Narrative
import RecKit
import TensorCore

/// Options for running a peers reference script side by side.
struct ReferenceOptions: ParsableArguments {
    @Option(
        help: "A writable copy of ../shared/peers (set up with its setup.sh): runs its reference script side by side.")
    var peers: String?
    @Option(help: "The Python of the peers' environment (default: PEERS/.venv/bin/python).")
    var python: String?

    /// Fails before any work starts when the peers' Python is missing.
    func validate() throws {
        guard let peers else { return }
        let python = self.python ?? "\(peers)/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError(
                "no Python at \(python): copy ../shared/peers somewhere writable and run its setup.sh, or pass --python"
            )
        }
    }

    /// Runs `script` with `arguments` in the peers folder; returns its one-line JSON result.
    /// `inBenchmarks`: the script is this repository's Benchmarks/`script` (a reference the peers
    /// lack, written on their harness), still run with their Python in their folder.
    func run(_ script: String, _ arguments: [String], inBenchmarks: Bool = false) throws -> [String: Any]? {
        guard let peers else { return nil }
        let path = inBenchmarks ? benchmarkScript(script) : "\(peers)/\(script)"
        return try runReferenceScript(
            python: self.python ?? "\(peers)/.venv/bin/python", script: path, arguments: arguments, directory: peers)
    }
}

/// The mean and the sample standard deviation (NaN for fewer than two values).
func meanAndSD(_ x: [Double]) -> (mean: Double, sd: Double) {
    let mean = x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count)
    let sd = x.count < 2 ? .nan : (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
    return (mean, sd)
}

/// Runs ours and the reference's `repeats` times, alternating (ours, reference, ours, ...), so
/// that both sides see the same drift of a shared machine's speed. Run r gets index r; once the
/// reference gives nothing (no `--peers`), it is not asked again.
func alternating<Ours, Reference>(
    _ repeats: Int, ours: (Int) throws -> Ours, reference: (Int) throws -> Reference?
) rethrows -> (ours: [Ours], references: [Reference]) {
    var mine: [Ours] = [], theirs: [Reference] = []
    for r in 0..<repeats {
        mine.append(try ours(r))
        if r == theirs.count, let run = try reference(r) { theirs.append(run) }
    }
    return (mine, theirs)
}

/// The middle value (the mean of the two middle ones for an even count).
func median(_ x: [Double]) -> Double {
    let s = x.sorted(), n = s.count
    return n == 0 ? .nan : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

struct NCFBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ncf", abstract: "NCF training seconds per epoch and HR@10 (loo-99).")
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @OptionGroup var location: DataLocation
    @OptionGroup var reference: ReferenceOptions
    @Option(help: "gmf, mlp or neumf.")
    var model = "neumf"
    @Option(parsing: .unconditional, help: "Predictive factors.")
    var factors = 8
    @Option(parsing: .unconditional, help: "Epochs.")
    var epochs = 10
    @Option(parsing: .unconditional, help: "Seed.")
    var seed: UInt64 = 42

    func run() throws {
        guard ["gmf", "mlp", "neumf"].contains(model) else {
            throw ValidationError("--model must be gmf, mlp or neumf")
        }
        let data = try location.load()
        let split = try Split.make(data, protocol: .loo99, seed: seed)
        let train = InteractionMatrix(data, rows: split.train)
        let evaluator = SampledEvaluator(split: split, data: data)
        var config = NCFConfig(mode: .standard)
        config.factors = factors
        config.training = .fixed(epochs)
        let input = FitInput(data: data, rows: split.train, seed: seed)
        let scorer: any NCFModel
        switch model {
        case "gmf": scorer = try GMF.fit(input, config: config)
        case "mlp": scorer = try MLP.fit(input, config: config)
        default: scorer = try NeuMF.fit(input, config: config)
        }
        let record = scorer.record
        _ = train
        var result: [String: Any] = [
            "bench": "ncf", "threads": Kernels.threadCount, "dataset": data.name, "protocol": "loo-99",
            "config": [
                "model": scorer.name, "factors": factors, "layers": config.layers, "batchSize": config.batchSize,
                "negativeCount": config.negativeCount, "epochs": epochs, "learningRate": config.learningRate,
            ],
            "timings": ["epoch_seconds": record.medianEpochSeconds, "epoch_seconds_all": record.epochSeconds],
            "quality": evaluator.evaluate(scorer, k: 10).metrics,
        ]
        if let ref = try reference.run(
            "ncf.py",
            [
                "--model", model, "--factors", "\(factors)", "--epochs", "\(epochs)", "--eval-every", "0",
                "--threads", "\(Kernels.threadCount)", "--out", "bench_ncf_reference",
            ])
        {
            let refEpoch = median((ref["epoch_train_s"] as? [Double]) ?? [])
            result["reference"] = [
                "epoch_seconds": refEpoch, "HR@10": ref["hr@10"] ?? NSNull(), "NDCG@10": ref["ndcg@10"] ?? NSNull(),
                "script": "peers/ncf.py",
            ]
            result["epoch_time_ratio"] = record.medianEpochSeconds / refEpoch
        }
        try printResult(result, json: json)
    }
}

struct EASEBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ease", abstract: "EASE fit time and quality on MovieLens-100K (and a large synthetic catalogue).")
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @OptionGroup var location: DataLocation
    @OptionGroup var reference: ReferenceOptions
    @Option(parsing: .unconditional, help: "λ.")
    var lambda: Double = 500
    @Option(parsing: .unconditional, help: "Seed of the holdout-20 split.")
    var seed: UInt64 = 42
    @Option(
        parsing: .unconditional, help: "Items of the synthetic catalogue (0 to skip; MovieLens-20M has about 20,000).")
    var largeItems = 20_000

    func run() throws {
        let data = try location.load()
        let split = try Split.make(data, protocol: .holdout20, seed: seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        var fits: [Double] = []
        var model: EASE?
        for _ in 0..<5 {
            let ease = try EASE(train: train, lambda: lambda)
            fits.append(ease.timings.gram + ease.timings.inverse + ease.timings.weights)
            model = ease
        }
        guard let model else { return }
        let metrics = FullRankingEvaluator(train: train, test: test).evaluate(model, ks: [20]).metrics
        var timings: [String: Any] = [
            "fit_seconds": median(fits), "gram_seconds": model.timings.gram, "inverse_seconds": model.timings.inverse,
        ]
        var result: [String: Any] = [
            "bench": "ease", "threads": Kernels.threadCount, "dataset": data.name, "protocol": "holdout-20",
            "config": ["lambda": lambda, "seed": seed],
            "quality": ["Recall@20": (metrics["Recall@20"] ?? .nan), "NDCG@20": (metrics["NDCG@20"] ?? .nan)],
        ]
        if reference.peers != nil {
            // The same split, exported with raw ids, scored by the NumPy closed form.
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "ease-split-\(ProcessInfo.processInfo.processIdentifier)")
            defer { try? FileManager.default.removeItem(at: dir) }
            try split.write(to: dir, data: data)
            if let ref = try reference.run(
                "ease.py", ["--split-dir", dir.path, "--lambdas", "\(lambda)", "--out", "bench_ease_reference"]),
                let grid = (ref["grid"] as? [[String: Any]])?.first
            {
                let refRecall = grid["recall_plain@20"] as? Double ?? .nan, refNDCG = grid["ndcg@20"] as? Double ?? .nan
                let refFit = grid["fit_s"] as? Double ?? .nan
                result["reference"] = [
                    "Recall@20": refRecall, "NDCG@20": refNDCG, "fit_seconds": refFit,
                    "script": "peers/ease.py (NumPy)",
                ]
                result["quality_difference"] = [
                    "Recall@20": (metrics["Recall@20"] ?? .nan) - refRecall,
                    "NDCG@20": (metrics["NDCG@20"] ?? .nan) - refNDCG,
                ]
                result["fit_time_ratio"] = median(fits) / refFit
            }
        }
        if largeItems > 0 {
            log("fitting EASE on a synthetic catalogue of \(largeItems) items...")
            let (large, t) = try EASE.syntheticFit(items: largeItems, users: largeItems * 5, seed: seed)
            timings["large_fit_seconds"] = t.total
            timings["large_inverse_seconds"] = t.inverse
            result["large"] = [
                "items": largeItems, "users": large.userCount, "interactions": large.nonZeroCount,
                "peak_resident_megabytes": peakResidentMegabytes(),
            ]
        }
        result["timings"] = timings
        try printResult(result, json: json)
    }
}

struct Item2VecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "item2vec", abstract: "SGNS training throughput and next-item HR@10 against gensim.")
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @OptionGroup var location: DataLocation
    @OptionGroup var reference: ReferenceOptions
    @Option(parsing: .unconditional, help: "Window.")
    var window = 20
    @Option(parsing: .unconditional, help: "Epochs.")
    var epochs = 5
    @Option(parsing: .unconditional, help: "min_count (the peers' gensim script uses 5).")
    var minCount = 5
    @Option(parsing: .unconditional, help: "Worker threads (gensim's workers).")
    var threads = 2
    @Option(parsing: .unconditional, help: "Seed.")
    var seed: UInt64 = 42
    @Option(
        parsing: .unconditional,
        help: "Runs of each side with seeds seed, seed+1, ..., alternating (a shared machine's speed drifts).")
    var repeats = 3
    @Flag(help: "pWord2Vec's update: a centre's context items share its negatives (Ji et al. 2016).")
    var sharedNegatives = false

    func validate() throws {
        guard epochs >= 1, repeats >= 1, threads >= 1 else {
            throw ValidationError("--epochs, --repeats and --threads must be at least 1")
        }
    }

    func run() throws {
        let data = try location.load()
        let cases = Sessions.holdOutLast(Sessions.liked(data))
        var config = SGNSConfig(mode: .standard)
        config.window = window
        config.training = .fixed(epochs)
        config.minimumCount = minCount
        config.threads = threads
        config.sharedNegatives = sharedNegatives
        let (runs, references) = try alternating(repeats) { r in
            let vectors = try trainSGNS(
                sessions: cases.map(\.context), itemCount: data.itemCount, config: config, seed: seed &+ UInt64(r)
            ).vectors
            let result = nextItemEvaluation(vectors, cases: cases)
            log(String(format: "run %d: %.2f s, HR@10 %.4f", r + 1, vectors.trainSeconds, result.hr))
            return (seconds: vectors.trainSeconds, result: result)
        } reference: { r -> (seconds: Double, hr: Double, ndcg: Double)? in
            let arguments = [
                "--window", "\(window)", "--epochs", "\(epochs)", "--workers", "\(threads)", "--min-count",
                "\(minCount)", "--seed", "\(seed &+ UInt64(r))", "--out", "bench_item2vec_reference",
            ]
            guard let ref = try reference.run("item2vec.py", arguments) else { return nil }
            let run = (
                seconds: ref["train_s"] as? Double ?? ref["train_wall_s"] as? Double ?? .nan,
                hr: ref["next_item_hr@10"] as? Double ?? .nan, ndcg: ref["next_item_ndcg@10"] as? Double ?? .nan
            )
            log(String(format: "run %d: gensim %.2f s, HR@10 %.4f", r + 1, run.seconds, run.hr))
            return run
        }
        let words = Double(cases.reduce(0) { $0 + $1.context.count } * epochs)
        let (ourHR, theirHR) = (meanAndSD(runs.map(\.result.hr)), meanAndSD(references.map(\.hr)))
        let seconds = median(runs.map(\.seconds))
        var result: [String: Any] = [
            "bench": "item2vec", "threads": threads, "dataset": data.name,
            "protocol": "next liked item (last of each user's rating>=4 session)",
            "config": [
                "vector_size": config.dimension, "window": window, "negative": config.negativeCount, "epochs": epochs,
                "min_count": minCount, "sample": config.sample, "workers": threads,
                "update": sharedNegatives ? "pWord2Vec (shared negatives)" : "word2vec (per pair)",
                "repeats": repeats,
            ],
            "timings": [
                "train_seconds": seconds, "words_per_second": words / seconds, "runs_seconds": runs.map(\.seconds),
            ],
            "quality": [
                "HR@10": median(runs.map(\.result.hr)), "NDCG@10": median(runs.map(\.result.ndcg)),
                "HR@10_mean": ourHR.mean, "HR@10_sd": ourHR.sd,
            ],
        ]
        if !references.isEmpty {
            let refSeconds = median(references.map(\.seconds))
            result["reference"] = [
                "train_seconds": refSeconds, "words_per_second": words / refSeconds,
                "runs_seconds": references.map(\.seconds), "HR@10": median(references.map(\.hr)),
                "HR@10_mean": theirHR.mean, "HR@10_sd": theirHR.sd,
                "NDCG@10": median(references.map(\.ndcg)), "script": "peers/item2vec.py (gensim)",
            ]
            result["throughput_ratio"] = refSeconds / seconds
        }
        try printResult(result, json: json)
    }
}
