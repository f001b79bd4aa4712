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
            throw WorkbookError(cliWords("cli.no-data", ["path": root.path]), fix: cliWords("cli.no-data.fix"))
        }
        let data = try MovieLens.load(directory: directory, options: LoadOptions(skipBadLines: skipBadLines))
        if data.skippedLines > 0 { log(cliWords("cli.skipped", ["count": data.skippedLines])) }
        return data
    }
}

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Get MovieLens-100K into the cache (GroupLens, else the RecBole wheel from PyPI).")
    @OptionGroup var location: DataLocation
    @Option(help: "A folder or ml-100k.zip you already have, to copy (and check) instead of downloading.")
    var from: String?
    @OptionGroup var language: LanguageOption

    func run() throws {
        let report = try MovieLensFetcher.fetch(
            root: location.root, from: from.map { URL(fileURLWithPath: $0) }, log: log)
        let values = ["source": report.source, "path": report.directory.path, "checked": report.verified]
        print(cliWords(report.alreadyPresent ? "cli.fetch.present" : "cli.fetch.done", values))
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Statistics of the data set, and its long-tail figure.")
    @OptionGroup var location: DataLocation
    @Option(help: "Folder for the figure (output/data/).")
    var output = "output"
    @Flag(help: "Skip the figure.")
    var noPlots = false
    @OptionGroup var language: LanguageOption

    func run() throws {
        let data = try location.load()
        let narrator = Narrator()
        narrator.words = cliText
        narrator.heading(cliWords("cli.info.heading", ["name": data.name, "count": data.count.formatted()]), level: 2)
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
                headers: ["", cliWords("cli.info.value")],
                rows: [
                    [cliWords("cli.info.users"), data.userCount.formatted()],
                    [cliWords("cli.info.items"), data.itemCount.formatted()],
                    [cliWords("cli.info.ratings"), data.count.formatted()],
                    [
                        cliWords("cli.info.density"),
                        cliWords("cli.info.density.value", [
                            "density": String(format: "%.4f", data.density),
                            "sparsity": String(format: "%.4f", 1 - data.density),
                        ]),
                    ],
                    [
                        cliWords("cli.info.per-user"),
                        "\(perUser.min() ?? 0) / \(median(perUser)) / \(perUser.max() ?? 0)",
                    ],
                    [
                        cliWords("cli.info.per-item"),
                        "\(perItem.min() ?? 0) / \(median(perItem)) / \(perItem.max() ?? 0)",
                    ],
                    [
                        cliWords("cli.info.span"),
                        cliWords(
                            "cli.info.span.value", ["first": day.string(from: first), "last": day.string(from: last)]),
                    ],
                    [
                        cliWords("cli.info.scale"),
                        data.ratingScale.map { "\($0)" }
                            ?? cliWords("cli.info.scale.unchecked"),
                    ],
                    [cliWords("cli.info.duplicates"), data.duplicatesDropped.formatted()],
                ], alignments: [.left, .right]))
        narrator.prose(
            cliWords(data.skippedLines > 0 ? "cli.info.rules.skipped" : "cli.info.rules", [
                "policy": MovieLens.duplicatePolicy, "dropped": data.duplicatesDropped.formatted(),
                "skipped": data.skippedLines.formatted(),
            ]))
        var histogram: [Float: Int] = [:]
        for r in data.ratings { histogram[r, default: 0] += 1 }
        narrator.table(
            Table(
                headers: cliColumns("cli.info.histogram.columns"),
                rows: histogram.keys.sorted().map { k in
                    [
                        String(format: k == k.rounded() ? "%.0f" : "%.1f", k), histogram[k]!.formatted(),
                        String(format: "%.1f%%", 100 * Double(histogram[k]!) / Double(data.count)),
                    ]
                }), caption: cliWords("cli.info.histogram"))
        let sorted = perItem.sorted(by: >)
        let top = sorted.prefix(max(1, sorted.count / 5)).reduce(0, +)
        narrator.prose(
            cliWords("cli.info.tail", [
                "share": String(format: "%.1f", 100 * Double(top) / Double(data.count)),
                "rare": perItem.filter { $0 < 5 }.count,
            ]))
        guard !noPlots else { return }
        var figure = Figure(
            name: "long-tail", title: cliWords("cli.info.figure.title", ["name": data.name]),
            xLabel: cliWords("cli.info.figure.x"),
            yLabel: cliWords("cli.info.figure.y"),
            kind: .lines([
                Series(
                    cliWords("cli.info.figure.series"),
                    sorted.enumerated().map { (x: Double($0.offset + 1), y: Double(max($0.element, 1))) }, style: .lines
                )
            ]))
        figure.logY = true
        let renderer = FigureRenderer(directory: URL(fileURLWithPath: output).appendingPathComponent("data"))
        do {
            narrator.figure(try renderer.render(figure))
        } catch {
            narrator.note(
                cliWords("cli.info.figure.failed", [
                    "figure": figure.name, "error": "\(error)", "folder": renderer.directory.path,
                ]))
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
    @OptionGroup var language: LanguageOption

    func validate() throws {
        guard ["tsv", "recbole"].contains(format) else {
            throw ValidationError(cliWords("cli.split.format", ["format": format]))
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
            cliWords("cli.split.written", [
                "protocol": p.rawValue, "summary": p.summary, "seed": seed, "train": split.train.count,
                "validation": split.validation.count, "test": split.test.count, "folder": dir.path,
            ]))
        if recbole {
            let name = "\(data.name)-\(p.rawValue)-seed\(seed)"
            try split.writeRecBole(to: dir, data: data, name: name)
            print(
                cliWords("cli.split.recbole", [
                    "folder": dir.appendingPathComponent(name).path, "root": dir.path, "name": name,
                ]))
        }
    }
}
