// `workbook bench autoencoders`: I-AutoRec and Mult-VAE seconds per epoch and quality, side by
// side with the PyTorch references (../shared/peers/autorec.py and multvae.py).

import ArgumentParser
import Foundation
import Models
import Narrative
import RecKit
import TensorCore

struct AutoencodersBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoencoders",
        abstract: "I-AutoRec and Mult-VAE seconds per epoch and quality against the PyTorch references.",
        discussion: """
            Timing runs alternate (ours, reference, ours, reference, ...) so that both see the same \
            machine; each run's epoch time is the median of its epochs, and the ratio is the median \
            of ours over the median of the reference's. Quality is the first run's (same seed, same \
            numbers); --quality-seeds K adds K seeds per side, because the two sides split the data \
            with different generators and one split's RMSE moves by about 0.01.
            """)
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @OptionGroup var location: DataLocation
    @OptionGroup var reference: ReferenceOptions
    @Option(parsing: .unconditional, help: "I-AutoRec epochs (the reference's default is 100).")
    var autorecEpochs = 100
    @Option(parsing: .unconditional, help: "Mult-VAE epochs (the reference's default is 200).")
    var vaeEpochs = 200
    @Option(parsing: .unconditional, help: "Timing runs per side, alternating.")
    var repeats = 3
    @Option(
        parsing: .unconditional,
        help: "Extra seeds (1...K) per side for the quality comparison (one split's AutoRec RMSE moves by about 0.01).")
    var qualitySeeds = 0
    @Option(parsing: .unconditional, help: "Seed.")
    var seed: UInt64 = 42

    func validate() throws {
        guard repeats >= 1, qualitySeeds >= 0, autorecEpochs >= 1, vaeEpochs >= 1 else {
            throw ValidationError(
                "--repeats, --autorec-epochs and --vae-epochs must be at least 1, --quality-seeds at least 0")
        }
    }

    /// One run of ours: median seconds per epoch and the quality at the end.
    func ours(_ data: RatingsData, seed: UInt64) throws -> (autorec: Double, multvae: Double, quality: [String: Double])
    {
        let ratings = try Split.make(data, protocol: .ratings9010, seed: seed)
        var autorecConfig = AutoRec.Config(mode: .standard)
        autorecConfig.training = .fixed(autorecEpochs)
        let autorec = try AutoRec.fit(FitInput(data: data, rows: ratings.train, seed: seed), config: autorecConfig)
        let testRows = RatingRows(data, rows: ratings.test)
        let rmse = RatingMetrics.rmse(autorec.scores(pairs: testRows.users, testRows.items), testRows.ratings)
        log(
            String(
                format: "I-AutoRec (seed %d): %.3f s/epoch, test RMSE %.4f", seed, autorec.record.medianEpochSeconds,
                rmse))
        var quality = ["autorec_RMSE": rmse]
        let holdout = try Split.make(data, protocol: .holdout20, seed: seed)
        let train = InteractionMatrix(data, rows: holdout.train), test = InteractionMatrix(data, rows: holdout.test)
        var vaeConfig = MultVAE.Config(mode: .standard)
        vaeConfig.training = .fixed(vaeEpochs)
        let vae = try MultVAE.fit(FitInput(data: data, rows: holdout.train, seed: seed), config: vaeConfig)
        let metrics = FullRankingEvaluator(train: train, test: test).evaluate(vae, ks: [20]).metrics
        log(
            String(
                format: "Mult-VAE (seed %d): %.3f s/epoch, Recall@20 %.4f", seed, vae.record.medianEpochSeconds,
                metrics["Recall@20"] ?? .nan))
        for key in ["Recall@20", "RecallCapped@20", "NDCG@20"] { quality["multvae_\(key)"] = metrics[key] ?? .nan }
        return (autorec.record.medianEpochSeconds, vae.record.medianEpochSeconds, quality)
    }

    /// One run of the references (nil without --peers); `seed` is the split seed (default: theirs).
    func references(seed: UInt64?) throws -> (autorec: Double, multvae: Double, quality: [String: Double])? {
        let split = seed.map { ["--split-seed", "\($0)", "--eval-every", "0"] } ?? []
        guard
            let a = try reference.run(
                "autorec.py", ["--epochs", "\(autorecEpochs)", "--out", "bench_autorec_reference"] + split)
        else { return nil }
        var quality = ["autorec_RMSE": (a["test_rmse"] as? Double) ?? .nan]
        guard
            let v = try reference.run(
                "multvae.py", ["--epochs", "\(vaeEpochs)", "--out", "bench_multvae_reference"] + split)
        else { return nil }
        quality["multvae_Recall@20"] = (v["recall_plain@20"] as? Double) ?? .nan
        quality["multvae_RecallCapped@20"] = (v["recall@20"] as? Double) ?? .nan
        quality["multvae_NDCG@20"] = (v["ndcg@20"] as? Double) ?? .nan
        return (
            median((a["epoch_train_s"] as? [Double]) ?? []), median((v["epoch_train_s"] as? [Double]) ?? []), quality
        )
    }

    func run() throws {
        let data = try location.load()
        let (runs, referenceRuns) = try alternating(repeats) { r in
            log("timing run \(r + 1) of \(repeats)")
            return try ours(data, seed: seed)
        } reference: { _ in try references(seed: nil) }
        let timings = [
            "autorec_epoch_seconds": median(runs.map(\.autorec)), "multvae_epoch_seconds": median(runs.map(\.multvae)),
        ]
        var result: [String: Any] = [
            "bench": "autoencoders", "threads": Kernels.threadCount, "dataset": data.name, "repeats": repeats,
            "config": [
                "autorec": [
                    "hidden": 500, "lambda": 300, "batchSize": 64, "epochs": autorecEpochs, "protocol": "ratings-90-10",
                ],
                "multvae": [
                    "layers": [600, 200], "batchSize": 500, "epochs": vaeEpochs, "beta": 0.2, "protocol": "holdout-20",
                ],
            ],
            "timings": timings,
            "timings_per_run": ["autorec": runs.map(\.autorec), "multvae": runs.map(\.multvae)],
            "quality": runs[0].quality,
        ]
        if !referenceRuns.isEmpty {
            let ref = [
                "autorec_epoch_seconds": median(referenceRuns.map(\.autorec)),
                "multvae_epoch_seconds": median(referenceRuns.map(\.multvae)),
            ]
            result["reference"] = [
                "timings": ref,
                "timings_per_run": ["autorec": referenceRuns.map(\.autorec), "multvae": referenceRuns.map(\.multvae)],
                "quality": referenceRuns[0].quality, "scripts": ["peers/autorec.py", "peers/multvae.py"],
            ]
            result["epoch_time_ratios"] = [
                "autorec": timings["autorec_epoch_seconds"]! / ref["autorec_epoch_seconds"]!,
                "multvae": timings["multvae_epoch_seconds"]! / ref["multvae_epoch_seconds"]!,
            ]
        }
        if qualitySeeds > 0 {
            // Different splits per seed on both sides: compare the means, not one split against another.
            var mine: [[String: Double]] = [], theirs: [[String: Double]] = []
            for s in 1...UInt64(qualitySeeds) {
                mine.append(try ours(data, seed: s).quality)
                if let ref = try references(seed: s) { theirs.append(ref.quality) }
            }
            func summary(_ runs: [[String: Double]]) -> [String: Any] {
                Dictionary(
                    uniqueKeysWithValues: ["autorec_RMSE", "multvae_Recall@20", "multvae_NDCG@20"].map { key in
                        let values = runs.map { $0[key] ?? .nan }, (mean, sd) = meanAndSD(values)
                        return (key, ["by_seed": values, "mean": mean, "sd": sd] as [String: Any])
                    })
            }
            result["quality_by_seed"] = ["seeds": Array(1...qualitySeeds), "ours": summary(mine)]
                .merging(theirs.isEmpty ? [:] : ["reference": summary(theirs)]) { $1 }
        }
        try printResult(result, json: json)
    }
}
