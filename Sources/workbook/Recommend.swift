// `workbook recommend` (one user's recommendations from any model of the book) and
// `workbook book` (the chapters' transcripts as HTML).

import ArgumentParser
import Foundation
import Models
import Narrative
import RecKit
import _WorkbookSupport

struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One user's top-K from any model of the book, next to what they rated highly.",
        discussion: """
            The model is trained on all of MovieLens-100K with its chapter's defaults and saved to <output>/models/; \
            later calls load it. 
            """
                + "Models: " + Registry.all.map(\.info.key).joined(separator: ", ") + ".")
    @Option(help: "The model (e.g. ease, neumf, lightgcn, mult-vae).")
    var model: String
    @Option(parsing: .unconditional, help: "The MovieLens user id (1-943 in MovieLens-100K).")
    var user: Int
    @Option(name: .short, parsing: .unconditional, help: "How many films to recommend.")
    var k = 10
    @Flag(help: "Show which of the user's films contributed most (EASE and ItemKNN).")
    var explain = false
    @Flag(help: "Train again even if a saved model exists.")
    var retrain = false
    @OptionGroup var training: TrainingOptions
    @Option(help: "Folder for output (models go to <output>/models/).")
    var output = "output"
    @OptionGroup var location: DataLocation
    @OptionGroup var language: LanguageOption

    func validate() throws {
        if k < 1 || k > 100 { throw ValidationError(cliWords("cli.k-range", ["max": 100, "k": k])) }
        _ = try Registry.entry(model)
    }

    func run() throws {
        let entry = try Registry.entry(model)
        try checkWritable(URL(fileURLWithPath: output).appendingPathComponent("models"))
        let data = try location.load()
        guard let u = data.userIndex(raw: user) else {
            throw WorkbookError(
                cliWords("cli.recommend.no-user", ["user": user, "data": data.name]),
                fix: cliWords(
                    "cli.recommend.no-user.fix", ["first": data.userIds.first ?? 0, "last": data.userIds.last ?? 0]))
        }
        let environment = CommandEnvironment(training, output: output, retrain: retrain)
        let input = FitInput(
            data: data, rows: Array(0..<data.count), seed: training.seed, progress: environment.progress)
        let stored = try environment.store.fitted(
            entry, input: input, mode: training.mode, split: "all", retrain: retrain, log: log)
        let fitted = stored.model
        if explain && !entry.info.explainable {
            log(cliWords("cli.recommend.no-explain", ["model": entry.info.name]))
        }
        let title = { (i: Int) in
            data.catalogue.indices.contains(i) ? data.catalogue[i].displayTitle
                : cliWords("cli.recommend.item", ["id": data.itemIds[i]])
        }
        // What the user rated highly: best ratings first, then the most recent.
        let rows = (0..<data.count).filter { data.users[$0] == Int32(u) }
            .sorted { (data.ratings[$0], data.timestamps[$0]) > (data.ratings[$1], data.timestamps[$1]) }
        print(cliWords("cli.recommend.rated", ["user": user, "count": rows.count]) + "\n")
        print(
            Table(
                headers: cliColumns("cli.recommend.rated.columns"),
                rows: rows.prefix(k).map { [String(format: "%.0f", data.ratings[$0]), title(Int(data.items[$0]))] },
                alignments: [.right, .left]
            ).text())
        let recommendations = Recommendation.top(
            fitted.recommender, train: input.train, user: u, k: k,
            explain: explain && entry.info.explainable)
        let origin = cliWords(
            stored.trainedNow ? "cli.recommend.trained" : "cli.recommend.loaded", ["path": stored.url.path])
        print(
            "\n" + cliWords("cli.recommend.heading", [
                "k": k, "model": entry.info.name, "settings": fitted.configSummary, "count": data.count.formatted(),
                "origin": origin,
            ]) + "\n")
        var table: [[String]] = []
        for (r, rec) in recommendations.enumerated() {
            var row = [
                "\(r + 1)", title(rec.item), String(format: abs(rec.score) >= 1000 ? "%.0f" : "%.4f", rec.score),
            ]
            if explain && entry.info.explainable {
                row.append(
                    rec.because.map { "\(title($0.item)) (\(String(format: "%+.3f", $0.weight)))" }.joined(
                        separator: "; "))
            }
            table.append(row)
        }
        let headers =
            cliColumns("cli.recommend.columns")
            + (explain && entry.info.explainable ? [cliWords("cli.recommend.because")] : [])
        print(Table(headers: headers, rows: table, alignments: [.right, .left, .right, .left]).text())
    }
}

struct Book: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the book as HTML (output/book/index.html) from the chapters' transcripts.")
    @Option(help: "Folder holding the chapters' output.")
    var output = "output"
    @Option(help: "The edition to build: en (output/book/) or ko (output/ko/book/); default as for chapters.")
    var lang: String?

    func run() throws {
        let language: String
        do { language = try Languages.resolve(lang) } catch { throw ValidationError("\(error)") }
        let report = try buildBook(output: URL(fileURLWithPath: output), language: language)
        let words = Text(directory: Languages.sharedDirectory, language: language)
        print(words("cli.book.built", ["path": report.index.path, "pages": report.pages, "figures": report.figures]))
        if !report.missing.isEmpty {
            let flag = language == Languages.english ? "" : " --lang \(language)"
            print(words("cli.book.missing", ["chapters": report.missing.joined(separator: ", "), "flag": flag]))
        }
    }
}

/// Builds the `language` edition's book, linked page by page to the other edition where that ran;
/// the other edition's book is rebuilt too (when any of its chapters ran), so that links go both ways.
@discardableResult
func buildBook(output root: URL, language: String) throws -> BookBuilder.Report {
    func edition(_ code: String) -> (root: URL, words: Text, chapters: [(folder: String, number: Int, title: String)]) {
        let base = Languages.editionRoot(root, code)
        let list = chapters.map { c in
            (folder: c.folderName, number: c.number,
             title: code == Languages.english
                ? c.title : Text(directory: Languages.chapterDirectory(c.folderName), language: code)("title"))
        }
        return (base, Text(directory: Languages.sharedDirectory, language: code), list)
    }
    let other =
        language == Languages.english ? Languages.available.first { $0 != Languages.english } : Languages.english
    let this = edition(language)
    func link(from: String, to code: String?) -> (label: String, path: String, root: URL)? {
        guard let code else { return nil }
        let target = edition(code)
        // From output/book/ to output/ko/book/, or back.
        let path = from == Languages.english ? "../\(code)/book/" : "../../book/"
        return (target.words("book.language"), path, target.root)
    }
    let report = try BookBuilder.build(
        outputRoot: this.root, chapters: this.chapters,
        edition: Edition(words: this.words, other: link(from: language, to: other)))
    if let other {
        let that = edition(other)
        // Fails (writing nothing) when none of its chapters ran: then there is nothing to link to.
        _ = try? BookBuilder.build(
            outputRoot: that.root, chapters: that.chapters,
            edition: Edition(words: that.words, other: link(from: other, to: language)))
    }
    return report
}

