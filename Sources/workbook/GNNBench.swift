// `workbook bench gnn`: LightGCN or NGCF seconds per epoch against a PyTorch reference, alternating runs.

import ArgumentParser
import Foundation
import Models
import Narrative
import RecKit
import TensorCore

/// The graph models `bench gnn` times, each with its PyTorch reference.
enum GNNBenchModel: String, ExpressibleByArgument, CaseIterable {
    case lightgcn, ngcf

    /// The reference script, and whether it is this repository's (Benchmarks/) rather than the peers'.
    var reference: (script: String, inBenchmarks: Bool, label: String) {
        switch self {
        case .lightgcn: ("lightgcn.py", false, "peers/lightgcn.py (PyTorch)")
        case .ngcf:
            ("ngcf_reference.py", true, "Benchmarks/ngcf_reference.py (PyTorch, on peers/lightgcn.py's harness)")
        }
    }

    func fit(_ input: FitInput, config: GraphConfig) throws -> any GraphModel {
        switch self {
        case .lightgcn: try LightGCN.fit(input, config: config)
        case .ngcf: try NGCF.fit(input, config: config)
        }
    }
}

struct GNNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gnn",
        abstract: "LightGCN's or NGCF's seconds per epoch and Recall@20/NDCG@20 (holdout-20) against PyTorch's.")
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @OptionGroup var location: DataLocation
    @OptionGroup var reference: ReferenceOptions
    @Option(help: "lightgcn (reference: the peers' lightgcn.py) or ngcf (reference: Benchmarks/ngcf_reference.py).")
    var model: GNNBenchModel = .lightgcn
    @Option(parsing: .unconditional, help: "Epochs of each side (the peers' run_all.sh trains LightGCN for 150).")
    var epochs = 150
    @Option(parsing: .unconditional, help: "Seed of the holdout-20 split and the model.")
    var seed: UInt64 = 42
    @Option(
        parsing: .unconditional,
        help: "Timed runs of each side, alternating (a shared machine's speed drifts); quality is from the first.")
    var repeats = 1

    func validate() throws {
        guard epochs >= 1, repeats >= 1 else { throw ValidationError("--epochs and --repeats must be at least 1") }
    }

    func run() throws {
        let data = try location.load()
        let split = try Split.make(data, protocol: .holdout20, seed: seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        var config = GraphConfig(mode: .standard)
        config.training = .fixed(epochs)
        let input = FitInput(
            data: data, rows: split.train, seed: seed, progress: ProgressBar.factory(style: .current()))
        let first = try model.fit(input, config: config)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        let metrics = evaluator.evaluate(first, ks: [20]).metrics
        // Timed runs, alternating with the reference's; the first of ours is the one trained above.
        // The reference gets our settings (its own defaults are the same, but a changed GraphConfig must follow).
        var referenceArguments = [
            "--epochs", "\(epochs)", "--layers", "\(config.layers)", "--dim", "\(config.embeddingSize)",
            "--lr", "\(config.learningRate)", "--batch", "\(config.batchSize)", "--wd", "\(config.l2)",
            "--threads", "\(Kernels.threadCount)", "--out", "bench_gnn_\(model.rawValue)_reference",
        ]
        if model == .ngcf { referenceArguments += ["--dropout", "\(config.messageDropout)"] }
        var firstReference: [String: Any]?
        let (ours, references) = try alternating(repeats) { r in
            let run = r == 0 ? first : try model.fit(input, config: config)
            log(String(format: "timed run %d: %.3f s per epoch", r + 1, median(run.record.epochSeconds)))
            return median(run.record.epochSeconds)
        } reference: { r -> Double? in
            let script = model.reference
            guard let run = try reference.run(script.script, referenceArguments, inBenchmarks: script.inBenchmarks)
            else { return nil }
            if r == 0 { firstReference = run }
            return median((run["epoch_train_s"] as? [Double]) ?? [])
        }
        func quality(_ metrics: [String: Double]) -> [String: Double] {
            ["Recall@20", "RecallCapped@20", "NDCG@20"].reduce(into: [:]) { $0[$1] = metrics[$1] ?? .nan }
        }
        var result: [String: Any] = [
            "bench": "gnn", "threads": Kernels.threadCount, "dataset": data.name, "protocol": "holdout-20",
            "config": [
                "model": first.name, "layers": config.layers, "dimension": config.embeddingSize,
                "batchSize": config.batchSize, "epochs": epochs, "learningRate": Double(config.learningRate),
                "l2": Double(config.l2), "messageDropout": model == .ngcf ? Double(config.messageDropout) : NSNull(),
                "settings": "the reference's (GraphConfig, passed to it), not the book's preset",
            ],
            "timings": ["epoch_seconds": median(ours), "runs_epoch_seconds": ours],
            "quality": quality(metrics),
        ]
        if model == .lightgcn {
            // MF-BPR (no propagation) with the same settings, for "LightGCN beats MF-BPR".
            let mf = try MFBPR.fit(input, config: config)
            result["mf_bpr_quality"] = quality(evaluator.evaluate(mf, ks: [20]).metrics)
        }
        if let ref = firstReference {
            let refEpoch = median(references)
            result["reference"] = [
                "epoch_seconds": refEpoch, "runs_epoch_seconds": references,
                "Recall@20": ref["recall_plain@20"] ?? NSNull(),
                "RecallCapped@20": ref["recall@20"] ?? NSNull(),
                "NDCG@20": ref["ndcg@20"] ?? NSNull(), "script": model.reference.label,
                "split": "the reference's own seeded 80/20",
            ]
            result["epoch_time_ratio"] = median(ours) / refEpoch
        }
        try printResult(result, json: json)
    }
}
