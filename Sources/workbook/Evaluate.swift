// `workbook evaluate`: any model of the registry under any protocol, trained as the chapters train
// it (early stopping and hyperparameters chosen on validation, then fitted on train + validation),
// with its metrics as a table or one JSON entry, and every user's top K as TSV.

import _WorkbookSupport
import ArgumentParser
import Foundation
import Models
import Narrative
import RecKit

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Metrics of any model of the book under a protocol.",
        discussion: "Models: " + Registry.all.map(\.info.key).joined(separator: ", ") + ". The model is trained on the "
            + """
            protocol's training part, chosen on its validation part, saved to <output>/models/ and reused by \
            later calls.
            """)
    @Option(help: "The model (e.g. itemknn, ease, neumf, lightgcn, i-autorec).")
    var model: String
    @Option(
        name: .customLong("protocol"),
        help: "loo-99, holdout-20 or temporal-80-20 (ranking); ratings-90-10 or ratings-80-20 (rating models).")
    var protocolName: String?
    @Option(name: .short, parsing: .unconditional, help: "The cut-off K (default: 10 for loo-99, 20 for full ranking).")
    var k: Int?
    @Option(
        name: .customLong("set"),
        help: "Change a setting of the model's Config, e.g. --set neighbourCount=50 (repeatable).")
    var settings: [String] = []
    @Flag(help: "Print one results entry as JSON.")
    var json = false
    @Option(help: "Write each user's top K (full ranking) as TSV: user_id, rank, item_id, score, title.")
    var export: String?
    @Flag(help: "Train again even if a saved model exists.")
    var retrain = false
    @Flag(
        help: """
            Tune without touching the test part: fit on the training part only (early stopping, grids) and \
            print what validation measured and chose.
            """)
    var searchOnly = false
    @OptionGroup var training: TrainingOptions
    @Option(help: "Folder for output (models go to <output>/models/).")
    var output = "output"
    @OptionGroup var location: DataLocation
    @OptionGroup var language: LanguageOption

    func validate() throws {
        if let k, k < 1 || k > 1000 { throw ValidationError(cliWords("cli.k-range", ["max": 1000, "k": k])) }
        _ = try parseOverrides(settings)
    }

    func run() throws {
        let entry = try Registry.entry(model)
        let rating = entry.info.task == .rating
        let p = try parseProtocol(protocolName ?? (rating ? "ratings-90-10" : "holdout-20"))
        let ratingProtocol = p == .ratings9010 || p == .ratings8020
        if ratingProtocol && !rating {
            throw ValidationError(cliWords("cli.evaluate.no-ratings", ["model": entry.info.name]))
        }
        let overrides = try parseOverrides(settings)
        _ = try entry.config(training.mode, overrides: overrides)  // a bad --set fails before any work
        if let export { try checkWritable(URL(fileURLWithPath: export).deletingLastPathComponent()) }
        let data = try location.load()
        let split = try Split.make(data, protocol: p, seed: training.seed, validation: true)
        let environment = CommandEnvironment(training, output: output, retrain: retrain)
        if searchOnly {
            try printSearch(
                try entry.fit(
                    environment.fitInput(data, split: split), mode: training.mode,
                    overrides: overrides, refit: false), entry: entry)
            return
        }
        let fitted =
            overrides.isEmpty
            ? try environment.fitted(entry, data: data, split: split)
            : try entry.fit(environment.fitInput(data, split: split), mode: training.mode, overrides: overrides)
        let train = InteractionMatrix(data, rows: (split.train + split.validation).sorted())
        let test = InteractionMatrix(data, rows: split.test)
        let cutoff = k ?? (p == .loo99 ? 10 : 20)
        let evaluation: Evaluation
        if ratingProtocol {
            let rows = RatingRows(data, rows: split.test)
            let predictions = fitted.recommender.scores(pairs: rows.users, rows.items)
            evaluation = Evaluation(
                evaluationProtocol: p.rawValue,
                metrics: [
                    "RMSE": RatingMetrics.rmse(predictions, rows.ratings),
                    "MAE": RatingMetrics.mae(predictions, rows.ratings),
                ],
                evaluatedUsers: Set(rows.users).count, skippedUsers: 0, seconds: 0)
        } else if p == .loo99 {
            evaluation = SampledEvaluator(split: split, data: data).evaluate(fitted.recommender, k: cutoff)
        } else {
            evaluation = FullRankingEvaluator(train: train, test: test, protocolName: p.rawValue)
                .evaluate(fitted.recommender, ks: [cutoff])
        }
        if let export { try write(export, fitted.recommender, data: data, train: train, test: test, k: cutoff) }
        let result = ResultEntry(
            model: entry.info.name, protocol: p.rawValue, dataset: data.name, metrics: evaluation.metrics,
            trainSeconds: fitted.seconds, epochs: fitted.epochs, bestEpoch: fitted.bestEpoch,
            steps: fitted.steps, settings: fitted.englishSummary)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print(
            cliWords("cli.evaluate.heading", [
                "model": entry.info.name, "data": data.name, "protocol": p.rawValue, "summary": p.summary,
                "seed": training.seed,
            ]))
        print(
            cliWords(fitted.choice.isEmpty ? "cli.evaluate.trained" : "cli.evaluate.trained.chose", [
                "settings": fitted.configSummary, "choice": fitted.choice,
                "seconds": String(format: "%.1f", fitted.seconds), "steps": fitted.steps,
            ]))
        print(
            Table(
                headers: cliColumns("cli.evaluate.columns"),
                rows: evaluation.metrics.keys.sorted().map {
                    [$0, String(format: "%.4f", evaluation.metrics[$0] ?? .nan)]
                }
            ).text())
        if !ratingProtocol {
            print(
                cliWords(
                    "cli.evaluate.users",
                    ["evaluated": evaluation.evaluatedUsers, "skipped": evaluation.skippedUsers]))
        }
    }

    /// Every user's top K over all items (training items excluded), as TSV.
    func write(
        _ path: String, _ model: any Recommender, data: RatingsData, train: InteractionMatrix, test: InteractionMatrix,
        k: Int
    ) throws {
        let lists = FullRankingEvaluator(train: train, test: test).topLists(model, k: k, allUsers: true)
        var text = "user_id\trank\titem_id\tscore\ttitle\n"
        for start in stride(from: 0, to: lists.count, by: 256) {
            let users = (start..<min(lists.count, start + 256)).map(Int32.init)
            let scores = model.scores(users: users)
            for (b, u) in users.enumerated() {
                for (rank, item) in lists[Int(u)].enumerated() {
                    let score = scores[b * data.itemCount + Int(item)]
                    text +=
                        "\(data.userIds[Int(u)])\t\(rank + 1)\t\(data.itemIds[Int(item)])\t\(score)\t"
                        + data.catalogue[Int(item)].displayTitle.replacingOccurrences(of: "\t", with: " ") + "\n"
                }
            }
        }
        try AtomicFile.write(text, to: URL(fileURLWithPath: path))
        log("top-\(k) lists of \(lists.count) users written to \(path)")
    }
}

func parseProtocol(_ name: String) throws -> EvaluationProtocol {
    guard let p = EvaluationProtocol(rawValue: name) else {
        let choices = EvaluationProtocol.allCases.map(\.rawValue).joined(separator: ", ")
        throw ValidationError(cliWords("cli.protocol", ["name": name, "choices": choices]))
    }
    return p
}

/// Fails before any training when `directory` cannot be written (made if missing).
func checkWritable(_ directory: URL) throws {
    let probe = directory.appendingPathComponent(".workbook-write-check-\(ProcessInfo.processInfo.processIdentifier)")
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data().write(to: probe)
        try FileManager.default.removeItem(at: probe)
    } catch {
        throw WorkbookError(
            cliWords("cli.unwritable", ["folder": directory.path]), fix: cliWords("cli.unwritable.fix"))
    }
}

extension Evaluate {
    /// What a search on validation did (the test part is not read): one JSON object with `--json`.
    func printSearch(_ fitted: FittedModel, entry: ModelEntry) throws {
        let record = fitted.final
        let summary: [String: Any] = [
            "model": entry.info.key, "settings": fitted.englishSummary,
            "validation_metric": record.validationMetric ?? "", "validation_best": record.bestValue ?? Double.nan,
            "best_epoch": record.bestEpoch ?? 0, "epochs_run": record.epochs, "stopped_early": record.stoppedEarly,
            "train_seconds": record.seconds, "evaluation_seconds": record.evaluationSeconds,
            "chosen": record.chosen, "curve": record.validation.map { [Double($0.epoch), $0.value] },
        ]
        try printResult(summary.filter { ($0.value as? Double)?.isNaN != true }, json: json)
    }
}
