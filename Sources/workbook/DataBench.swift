// `workbook bench data`: loading, splitting and full-ranking evaluation at MovieLens-100K
// size and at MovieLens-20M size (a generated 20-million-line ratings.csv).

import ArgumentParser
import Foundation
import Models
import RecKit
import TensorCore

struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Loading, splits and evaluation at 100K and 20M ratings.")
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @OptionGroup var location: DataLocation
    @Option(help: "Lines of the generated large file (MovieLens-20M has 20,000,263).")
    var largeLines = 20_000_263
    @Option(help: "Folder for the generated file (deleted afterwards).")
    var scratch = FileManager.default.temporaryDirectory.path

    func run() throws {
        var timings: [String: Double] = [:]
        var config: [String: Any] = ["large_lines": largeLines]
        let ml100k = DataCache.ml100kDirectory(root: location.root)
        if MovieLensLayout.detect(in: ml100k) != nil {
            try measureAll(directory: ml100k, label: "100k", timings: &timings)
        } else {
            log("MovieLens-100K not found (run `workbook data fetch`): 100K timings skipped")
        }
        let dir = URL(fileURLWithPath: scratch).appendingPathComponent(
            "workbook-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let t0 = Date()
        let (users, items) = try generateLatestCSV(lines: largeLines, into: dir)
        log(
            String(
                format: "generated %d lines (%d users x %d items) in %.1f s", largeLines, users, items,
                Date().timeIntervalSince(t0)))
        config["large_users"] = users
        config["large_items"] = items
        try measureAll(directory: dir, label: "20m", timings: &timings)
        timings["peak_resident_megabytes"] = peakResidentMegabytes()
        try printResult(
            [
                "bench": "data", "threads": Kernels.threadCount, "dataset": "ml-100k + generated ml-20m-size",
                "config": config, "timings": timings,
            ], json: json)
    }

    func measureAll(directory: URL, label: String, timings: inout [String: Double]) throws {
        var t = Date()
        let data = try MovieLens.load(directory: directory)
        let load = Date().timeIntervalSince(t)
        timings["load_\(label)_seconds"] = load
        timings["load_\(label)_lines_per_second"] = Double(data.count) / load
        log(
            String(
                format: "%@: loaded %d ratings in %.2f s (%.0f lines/s)", label, data.count, load,
                Double(data.count) / load))
        var holdout: Split?
        for p in [EvaluationProtocol.loo99, .holdout20, .ratings9010, .temporal] {
            t = Date()
            let split = try Split.make(data, protocol: p, seed: 42)
            timings["split_\(p.rawValue.replacingOccurrences(of: "-", with: "_"))_\(label)_seconds"] = Date()
                .timeIntervalSince(t)
            if p == .holdout20 { holdout = split }
            log(String(format: "%@: %@ split in %.2f s", label, p.rawValue, Date().timeIntervalSince(t)))
        }
        guard let holdout else { return }
        t = Date()
        let train = InteractionMatrix(data, rows: holdout.train), test = InteractionMatrix(data, rows: holdout.test)
        timings["matrices_\(label)_seconds"] = Date().timeIntervalSince(t)
        let evaluation = FullRankingEvaluator(train: train, test: test).evaluate(MostPopular(train: train), ks: [20])
        timings["full_ranking_evaluation_\(label)_seconds"] = evaluation.seconds
        log(
            String(
                format: "%@: full-ranking evaluation of %d users x %d items in %.2f s", label,
                evaluation.evaluatedUsers, data.itemCount, evaluation.seconds))
    }

    /// A ratings.csv with MovieLens-20M's shape: 138,493 users, 26,744 items, Zipf-like item
    /// popularity, ratings in half stars, and timestamps.
    func generateLatestCSV(lines: Int, into dir: URL) throws -> (Int, Int) {
        let userCount = 138_493, itemCount = 26_744
        let rng = RandomGenerator(seed: 20)
        let popularity = AliasTable(weights: (1...itemCount).map { 1 / pow(Double($0), 0.9) })
        let url = dir.appendingPathComponent("ratings.csv")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ValidationError("cannot create \(url.path): pass --scratch DIR with 1 GB free")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        handle.write(Data("userId,movieId,rating,timestamp\n".utf8))
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 22)
        var user = 1, remainingForUser = 0
        for line in 0..<lines {
            if remainingForUser == 0 {
                user = 1 + (line * userCount) / lines
                remainingForUser = max(1, lines / userCount)
            }
            remainingForUser -= 1
            let item = Int(popularity.sample(rng)) + 1
            let rating = Double(1 + rng.nextInt(below: 10)) / 2
            let timestamp = 789_652_009 + rng.nextInt(below: 638_000_000)
            buffer.append(contentsOf: "\(user),\(item),\(rating),\(timestamp)\n".utf8)
            if buffer.count > (1 << 22) - 64 { handle.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
        }
        handle.write(Data(buffer))
        return (userCount, itemCount)
    }
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}
