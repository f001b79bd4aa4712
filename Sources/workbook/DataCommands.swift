// `workbook data ...` and `workbook evaluate`: MovieLens on this machine, its statistics,
// exported splits, and the baselines' metrics under each protocol.

import ArgumentParser
import Foundation
import Chapter03Item2Vec
import Narrative
import Plotting
import DataFetch
import RecKit
import _WorkbookSupport

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Get, describe and split MovieLens.",
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
            throw WorkbookError("no MovieLens data in \(root.path)", fix: "run `workbook data fetch` (or pass --data-dir)")
        }
        let data = try MovieLens.load(directory: directory, options: LoadOptions(skipBadLines: skipBadLines))
        if data.skippedLines > 0 { log("skipped \(data.skippedLines) malformed lines") }
        return data
    }
}

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Get MovieLens-100K into the cache (GroupLens, else the RecBole wheel from PyPI).")
    @OptionGroup var location: DataLocation
    @Option(help: "A folder or ml-100k.zip you already have, to copy (and check) instead of downloading.")
    var from: String?

    func run() throws {
        let report = try MovieLensFetcher.fetch(root: location.root, from: from.map { URL(fileURLWithPath: $0) }, log: log)
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
        narrator.table(Table(headers: ["", "value"], rows: [
            ["users", data.userCount.formatted()], ["items", data.itemCount.formatted()], ["ratings", data.count.formatted()],
            ["density", String(format: "%.4f (sparsity %.4f)", data.density, 1 - data.density)],
            ["ratings per user (min / median / max)", "\(perUser.min() ?? 0) / \(median(perUser)) / \(perUser.max() ?? 0)"],
            ["ratings per item (min / median / max)", "\(perItem.min() ?? 0) / \(median(perItem)) / \(perItem.max() ?? 0)"],
            ["time span", "\(day.string(from: first)) to \(day.string(from: last)) (UTC)"],
            ["rating scale", data.ratingScale.map { "\($0)" } ?? "not checked"],
            ["duplicate (user, item) ratings dropped", data.duplicatesDropped.formatted()],
        ], alignments: [.left, .right]))
        narrator.prose("Loader rules: ids are integers from 0; every rating lies on the scale above; "
            + "\(MovieLens.duplicatePolicy) (\(data.duplicatesDropped.formatted()) dropped here)"
            + (data.skippedLines > 0 ? "; \(data.skippedLines.formatted()) malformed lines skipped." : "."))
        var histogram: [Float: Int] = [:]
        for r in data.ratings { histogram[r, default: 0] += 1 }
        narrator.table(Table(headers: ["rating", "count", "share"], rows: histogram.keys.sorted().map { k in
            [String(format: k == k.rounded() ? "%.0f" : "%.1f", k), histogram[k]!.formatted(), String(format: "%.1f%%", 100 * Double(histogram[k]!) / Double(data.count))]
        }), caption: "Rating histogram")
        let sorted = perItem.sorted(by: >)
        let top = sorted.prefix(max(1, sorted.count / 5)).reduce(0, +)
        narrator.prose(String(format: "The long tail: the most popular 20%% of items hold %.1f%% of the ratings; %d items have fewer than 5.",
                              100 * Double(top) / Double(data.count), perItem.filter { $0 < 5 }.count))
        guard !noPlots else { return }
        var figure = Figure(name: "long-tail", title: "\(data.name): item popularity (the long tail)", xLabel: "item rank by popularity",
                            yLabel: "number of ratings", kind: .lines([Series("ratings per item", sorted.enumerated().map { (x: Double($0.offset + 1), y: Double(max($0.element, 1))) }, style: .lines)]))
        figure.logY = true
        let renderer = FigureRenderer(directory: URL(fileURLWithPath: output).appendingPathComponent("data"))
        do {
            narrator.figure(try renderer.render(figure))
        } catch {
            narrator.note("The figure \(figure.name) was not drawn (\(error)); "
                + "its script is \(figure.name).gp in \(renderer.directory.path).")
        }
    }
}

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "split", abstract: "Write a protocol's train/test split as TSV with raw ids, to check numbers with other tools.")
    @OptionGroup var location: DataLocation
    @Option(name: .customLong("protocol"), help: "loo-99, holdout-20, ratings-90-10, ratings-80-20 or temporal-80-20.")
    var protocolName: String
    @Option(help: "The split's seed.")
    var seed: UInt64 = 42
    @Flag(help: "Also hold out a validation set from the training rows (same protocol).")
    var validation = false
    @Option(help: "Folder for train.tsv, test.tsv (validation.tsv, candidates.tsv).")
    var out: String

    func run() throws {
        let p = try parseProtocol(protocolName)
        let data = try location.load()
        let split = try Split.make(data, protocol: p, seed: seed, validation: validation)
        let dir = URL(fileURLWithPath: out)
        try split.write(to: dir, data: data)
        print("\(p.rawValue) (\(p.summary)), seed \(seed): \(split.train.count) train, \(split.validation.count) validation, \(split.test.count) test rows in \(dir.path)")
    }
}

func parseProtocol(_ name: String) throws -> EvaluationProtocol {
    guard let p = EvaluationProtocol(rawValue: name) else {
        throw ValidationError("unknown protocol '\(name)': choose one of \(EvaluationProtocol.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return p
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Metrics of a baseline (pop, itemknn, random) under a protocol.")
    @OptionGroup var location: DataLocation
    @Option(help: "pop, itemknn or random.")
    var model: String
    @Option(name: .customLong("protocol"), help: "loo-99 or holdout-20.")
    var protocolName = "holdout-20"
    @Option(help: "The split's seed.")
    var seed: UInt64 = 42
    @Option(name: .short, help: "The cut-off K (default: 10 for loo-99, 20 for holdout-20).")
    var k: Int?
    @Option(help: "ItemKNN: neighbours kept per item.")
    var neighbours = 100
    @Option(help: "ItemKNN: shrinkage of the cosine.")
    var shrinkage: Float = 10
    @Flag(help: "Print one results entry as JSON.")
    var json = false
    @Option(help: "Write each user's top-K as TSV (user_id, rank, item_id, title).")
    var export: String?

    func validate() throws {
        guard ["pop", "itemknn", "random"].contains(model) else {
            throw ValidationError("unknown model '\(model)': choose pop, itemknn or random")
        }
        if let k, k < 1 { throw ValidationError("-k must be at least 1") }
    }

    func run() throws {
        let p = try parseProtocol(protocolName)
        guard p == .loo99 || p == .holdout20 else {
            throw ValidationError("\(p.rawValue) is a rating-prediction protocol: baselines rank items, use loo-99 or holdout-20")
        }
        let data = try location.load()
        let split = try Split.make(data, protocol: p, seed: seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let start = Date()
        let recommender: any Recommender
        switch model {
        case "pop": recommender = MostPopular(train: train)
        case "itemknn": recommender = try ItemKNN(train: train, neighbourCount: neighbours, shrinkage: shrinkage)
        default: recommender = RandomRecommender(itemCount: data.itemCount, seed: seed)
        }
        let fitSeconds = Date().timeIntervalSince(start)
        let cutoff = k ?? (p == .loo99 ? 10 : 20)
        let evaluation = p == .loo99 ? SampledEvaluator(split: split, data: data).evaluate(recommender, k: cutoff)
            : FullRankingEvaluator(train: train, test: test).evaluate(recommender, ks: [cutoff])
        if let export {
            let lists = FullRankingEvaluator(train: train, test: test).topLists(recommender, k: cutoff, allUsers: true)
            var text = "user_id\trank\titem_id\ttitle\n"
            for (u, list) in lists.enumerated() {
                for (rank, item) in list.enumerated() {
                    text += "\(data.userIds[u])\t\(rank + 1)\t\(data.itemIds[Int(item)])\t\(data.catalogue[Int(item)].displayTitle)\n"
                }
            }
            try AtomicFile.write(text, to: URL(fileURLWithPath: export))
            log("top-\(cutoff) lists of \(lists.count) users written to \(export)")
        }
        if json {
            let entry = ResultEntry(model: recommender.name, protocol: p.rawValue, dataset: data.name, metrics: evaluation.metrics, trainSeconds: fitSeconds)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(entry), as: UTF8.self))
            return
        }
        print("\(recommender.name) on \(data.name), protocol \(p.rawValue) (\(p.summary)), seed \(seed):")
        print(Table(headers: ["metric", "value"], rows: evaluation.metrics.keys.sorted().map { [$0, String(format: "%.4f", evaluation.metrics[$0]!)] }).text())
        print("\(evaluation.evaluatedUsers) users evaluated, \(evaluation.skippedUsers) without test items skipped; evaluation took \(String(format: "%.3f", evaluation.seconds)) s.")
    }
}

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Films most similar to a title, by Item2Vec vectors trained on MovieLens-100K.")
    @OptionGroup var location: DataLocation
    @Argument(help: "A film title, or part of one (\"toy story\").")
    var title: String
    @Option(name: .short, help: "How many films to show.")
    var k = 10
    @Option(help: "SGNS epochs.")
    var epochs = 30
    @Option(help: "Seed.")
    var seed: UInt64 = 42

    func run() throws {
        let data = try location.load()
        let item = try findTitle(title, in: data)
        let sessions = Sessions.liked(data)
        var config = Item2VecChapter.documentConfig()
        config.epochCount = epochs
        log("training Item2Vec (\(config))...")
        let vectors = trainSGNS(sessions: sessions, itemCount: data.itemCount, config: config, seed: seed)
        let entry = data.catalogue[item]
        guard vectors.index[item] >= 0 else {
            throw WorkbookError("\(entry.displayTitle) is liked by fewer than \(config.minimumCount) users, so Item2Vec has no vector for it",
                                fix: "try a better-known film")
        }
        let v = Int(vectors.index[item])
        let near = vectors.nearest(to: vectors.normalized(v), k: k, excluding: [v])
        print("Films most similar to \(entry.displayTitle) (Item2Vec, \(epochs) epochs, cosine):\n")
        print(Table(headers: ["#", "film", "cosine", "genres"], rows: near.enumerated().map { r, n in
            let e = data.catalogue[Int(vectors.items[n.v])]
            return ["\(r + 1)", e.displayTitle, String(format: "%.3f", n.cosine), e.genres.joined(separator: ", ")]
        }, alignments: [.right, .left, .right, .left]).text())
    }
}

/// The catalogue entry a title names: an exact title, else the most popular film whose
/// title contains every word given, else the closest title by shared letter triples.
func findTitle(_ query: String, in data: RatingsData) throws -> Int {
    func normal(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .map { $0.isLetter || $0.isNumber ? $0 : " " }.reduce(into: "") { $0.append($1) }
            .split(separator: " ").joined(separator: " ")
    }
    let q = normal(query)
    guard !q.isEmpty else { throw ValidationError("the title is empty: give a film title, e.g. \"toy story\"") }
    var popularity = [Int](repeating: 0, count: data.itemCount)
    for i in data.items { popularity[Int(i)] += 1 }
    let titles = data.catalogue.map { normal($0.displayTitle) }
    if let exact = titles.indices.first(where: { titles[$0] == q || normal(data.catalogue[$0].title) == q }) { return exact }
    let words = q.split(separator: " ")
    let containing = titles.indices.filter { t in words.allSatisfy { titles[t].split(separator: " ").contains($0) || titles[t].contains($0) } }
    if let best = containing.max(by: { popularity[$0] < popularity[$1] }) { return best }
    func trigrams(_ s: String) -> Set<String> {
        let chars = Array("  " + s + " ")
        return Set((0..<max(0, chars.count - 2)).map { String(chars[$0..<($0 + 3)]) })
    }
    let qt = trigrams(q)
    let scored = titles.indices.map { (t: $0, score: Double(qt.intersection(trigrams(titles[$0])).count) / Double(max(1, qt.union(trigrams(titles[$0])).count))) }
    let top = scored.sorted { ($0.score, popularity[$0.t]) > ($1.score, popularity[$1.t]) }
    if let best = top.first, best.score >= 0.3 { return best.t }
    let suggestions = top.prefix(3).map { data.catalogue[$0.t].displayTitle }.joined(separator: "; ")
    throw WorkbookError("no film matches \"\(query)\"", fix: "try part of a title; the closest are: \(suggestions)")
}
