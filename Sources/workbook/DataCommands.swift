// `workbook data ...`: MovieLens on this machine, its statistics, and exported splits.

import ArgumentParser
import Foundation
import Narrative
import Plotting
import DataFetch
import RecKit
import _WorkbookSupport

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Get, describe and split MovieLens.",
        subcommands: [Fetch.self, Info.self, SplitCommand.self])
}

/// Where the data lives, shared by the data commands.
struct DataLocation: ParsableArguments {
    @Option(help: "Folder for MovieLens (default: $WORKBOOK_DATA, $XDG_CACHE_HOME/workbook or ~/.cache/workbook).")
    var dataDir: String?
    @Flag(help: "Skip malformed lines (and say how many) instead of stopping at the first.")
    var skipBadLines = false

    var root: URL { DataCache.root(override: dataDir.map { URL(fileURLWithPath: $0) }) }

    func load() throws -> RatingsData {
        let directory = DataCache.ml100kDirectory(root: root)
        guard MovieLensLayout.detect(in: directory) != nil else {
            throw WorkbookError(
                "no MovieLens data in \(root.path)", fix: "run `workbook data fetch` (or pass --data-dir)")
        }
        let data = try MovieLens.load(directory: directory, options: LoadOptions(skipBadLines: skipBadLines))
        if data.skippedLines > 0 { log("skipped \(data.skippedLines) malformed lines") }
        return data
    }
}

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Get MovieLens-100K into the cache (GroupLens, else the RecBole wheel from PyPI).")
    @OptionGroup var location: DataLocation
    @Option(help: "A folder or ml-100k.zip you already have, to copy (and check) instead of downloading.")
    var from: String?

    func run() throws {
        let report = try MovieLensFetcher.fetch(
            root: location.root, from: from.map { URL(fileURLWithPath: $0) }, log: log)
        if report.alreadyPresent {
            print("MovieLens-100K is already in \(report.directory.path) (\(report.verified)).")
        } else {
            print("MovieLens-100K from \(report.source) is in \(report.directory.path).\nChecked: \(report.verified).")
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Statistics of the data set, and its long-tail figure.")
    @OptionGroup var location: DataLocation
    @Option(help: "Folder for the figure (output/data/).")
    var output = "output"
    @Flag(help: "Skip the figure.")
    var noPlots = false

    func run() throws {
        let data = try location.load()
        let narrator = Narrator()
        narrator.heading("\(data.name): \(data.count.formatted()) ratings", level: 2)
        func median(_ x: [Int]) -> Int { let s = x.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        var perUser = [Int](repeating: 0, count: data.userCount), perItem = [Int](repeating: 0, count: data.itemCount)
        for r in 0..<data.count { perUser[Int(data.users[r])] += 1; perItem[Int(data.items[r])] += 1 }
        let first = Date(timeIntervalSince1970: TimeInterval(data.timestamps.min() ?? 0))
        let last = Date(timeIntervalSince1970: TimeInterval(data.timestamps.max() ?? 0))
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        narrator.table(
            Table(
                headers: ["", "value"],
                rows: [
                    ["users", data.userCount.formatted()], ["items", data.itemCount.formatted()],
                    ["ratings", data.count.formatted()],
                    ["density", String(format: "%.4f (sparsity %.4f)", data.density, 1 - data.density)],
                    [
                        "ratings per user (min / median / max)",
                        "\(perUser.min() ?? 0) / \(median(perUser)) / \(perUser.max() ?? 0)",
                    ],
                    [
                        "ratings per item (min / median / max)",
                        "\(perItem.min() ?? 0) / \(median(perItem)) / \(perItem.max() ?? 0)",
                    ],
                    ["time span", "\(day.string(from: first)) to \(day.string(from: last)) (UTC)"],
                    ["rating scale", data.ratingScale.map { s in LibraryWords.inEnglish { "\(s)" } } ?? "not checked"],
                    ["duplicate (user, item) ratings dropped", data.duplicatesDropped.formatted()],
                ], alignments: [.left, .right]))
        narrator.prose(
            "Loader rules: ids are integers from 0; every rating lies on the scale above; "
                + "\(MovieLens.duplicatePolicy) (\(data.duplicatesDropped.formatted()) dropped here)"
                + (data.skippedLines > 0 ? "; \(data.skippedLines.formatted()) malformed lines skipped." : "."))
        var histogram: [Float: Int] = [:]
        for r in data.ratings { histogram[r, default: 0] += 1 }
        narrator.table(
            Table(
                headers: ["rating", "count", "share"],
                rows: histogram.keys.sorted().map { k in
                    [
                        String(format: k == k.rounded() ? "%.0f" : "%.1f", k), histogram[k]!.formatted(),
                        String(format: "%.1f%%", 100 * Double(histogram[k]!) / Double(data.count)),
                    ]
                }), caption: "Rating histogram")
        let sorted = perItem.sorted(by: >)
        let top = sorted.prefix(max(1, sorted.count / 5)).reduce(0, +)
        narrator.prose(
            String(
                format:
                    """
                    The long tail: the most popular 20%% of items hold %.1f%% of the ratings; %d items have fewer \
                    than 5.
                    """,
                100 * Double(top) / Double(data.count), perItem.filter { $0 < 5 }.count))
        guard !noPlots else { return }
        var figure = Figure(
            name: "long-tail", title: "\(data.name): item popularity (the long tail)",
            xLabel: "item rank by popularity",
            yLabel: "number of ratings",
            kind: .lines([
                Series(
                    "ratings per item",
                    sorted.enumerated().map { (x: Double($0.offset + 1), y: Double(max($0.element, 1))) }, style: .lines
                )
            ]))
        figure.logY = true
        let renderer = FigureRenderer(directory: URL(fileURLWithPath: output).appendingPathComponent("data"))
        do {
            narrator.figure(try renderer.render(figure))
        } catch {
            narrator.note(
                "The figure \(figure.name) was not drawn (\(error)); "
                    + "its script is \(figure.name).gp in \(renderer.directory.path).")
        }
    }
}

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Write a protocol's train/test split as TSV with raw ids, to check numbers with other tools.")
    @OptionGroup var location: DataLocation
    @Option(name: .customLong("protocol"), help: "loo-99, holdout-20, ratings-90-10, ratings-80-20 or temporal-80-20.")
    var protocolName: String
    @Option(parsing: .unconditional, help: "The split's seed.")
    var seed: UInt64 = 42
    @Flag(help: "Also hold out a validation set from the training rows (same protocol).")
    var validation = false
    @Option(help: "Folder for train.tsv, test.tsv (validation.tsv, candidates.tsv).")
    var out: String
    @Option(
        help:
            """
            tsv, or recbole: also RecBole atomic files NAME.{train,valid,test}.inter in OUT/NAME/ (implies \
            --validation).
            """
    )
    var format = "tsv"

    func validate() throws {
        guard ["tsv", "recbole"].contains(format) else {
            throw ValidationError("unknown format '\(format)': choose tsv or recbole")
        }
    }

    func run() throws {
        let p = try parseProtocol(protocolName)
        let data = try location.load()
        let recbole = format == "recbole"
        let split = try Split.make(data, protocol: p, seed: seed, validation: validation || recbole)
        let dir = URL(fileURLWithPath: out)
        try split.write(to: dir, data: data)
        print(
            """
            \(p.rawValue) (\(p.summary)), seed \(seed): \(split.train.count) train, \(split.validation.count) \
            validation, \(split.test.count) test rows in \(dir.path)
            """
        )
        if recbole {
            let name = "\(data.name)-\(p.rawValue)-seed\(seed)"
            try split.writeRecBole(to: dir, data: data, name: name)
            print(
                """
                RecBole atomic files in \(dir.appendingPathComponent(name).path): run RecBole with data_path: \
                \(dir.path), 
                """
                    + "dataset: \(name), benchmark_filename: [train, valid, test]")
        }
    }
}
