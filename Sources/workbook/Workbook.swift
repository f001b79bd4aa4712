// The `workbook` command: the book's chapters, their exercises, data and benchmarks.
// The command tree is declared here, in one place.

import ArgumentParser
import Chapter01MFLimits
import Chapter02NCF
import Chapter03Item2Vec
import Chapter04Autoencoders
import Chapter05EASE
import Chapter06GNN
import Chapter07Practice
import Chapter08Capstone
import Foundation
import Narrative
import _WorkbookSupport

/// Every chapter of the book, in order: an explicit registry (no lookup by reflection).
var chapters: [any Chapter.Type] {
    [
        MFLimitsChapter.self,
        NCFChapter.self,
        Item2VecChapter.self,
        AutoencodersChapter.self,
        EASEChapter.self,
        GNNChapter.self,
        PracticeChapter.self,
        CapstoneChapter.self,
    ]
}

@main
struct Workbook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbook",
        abstract: "Deep-learning recommender systems, as a book you run: one chapter per section.",
        discussion: "Start with `workbook chapter 1`. Figures and transcripts go to output/<NN-slug>/.",
        subcommands: [
            List.self, RunChapter.self, RunAll.self, Exercises.self, DataCommand.self, Evaluate.self, Similar.self,
            Recommend.self, Book.self, Bench.self,
        ],
        defaultSubcommand: List.self)

    /// Parses and runs; any error becomes one line on stderr and a non-zero exit.
    static func main() {
        // The models' settings, the model store's and the fetcher's lines in the command line's language.
        LibraryWords.current = ChapterContext.libraryWords(cliText)
        do {
            var command = try parseAsRoot()
            // The benches print JSON for programs: their settings stay English in any edition.
            if command is any EnglishOnlyCommand {
                try LibraryWords.inEnglish { try command.run() }
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version: print and exit 0
            var message = self.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            if let first = message.split(separator: "\n").first { message = String(first) }
            FileHandle.standardError.write(Data("workbook: \(message)\n".utf8))
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// How long to train, and from which seed (chapters and `recommend`).
struct TrainingOptions: ParsableArguments {
    @Flag(help: "Seconds instead of a minute: tiny epochs, for a smoke test.")
    var quick = false
    @Flag(help: "Paper-scale epochs (slow).")
    var full = false
    @Option(parsing: .unconditional, help: "The seed every random choice flows from.")
    var seed: UInt64 = 42

    func validate() throws {
        if quick && full { throw ValidationError(cliWords("cli.quick-full")) }
    }

    var mode: RunMode { quick ? .quick : (full ? .full : .standard) }
}

/// Options every chapter run takes.
struct RunOptions: ParsableArguments {
    @OptionGroup var training: TrainingOptions
    @Option(help: "Folder for the chapters' output folders.")
    var output = "output"
    @Flag(help: "Skip the figures.")
    var noPlots = false
    @Option(help: "Folder with MovieLens (default: $WORKBOOK_DATA or ~/.cache/workbook).")
    var dataDir: String?
    @Flag(help: "Train every model again instead of loading it from <output>/models/.")
    var retrain = false
    @Flag(help: "Skip malformed lines of the data (and say how many) instead of stopping at the first.")
    var skipBadLines = false
    @Option(help: "The edition's language: en or ko (default: $WORKBOOK_LANG, else a Korean locale gives ko).")
    var lang: String?

    func validate() throws {
        do { _ = try Languages.resolve(lang) } catch { throw ValidationError("\(error)") }
        if let dataDir {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: dataDir, isDirectory: &isDirectory) || !isDirectory.boolValue {
                throw ValidationError(cliWords("cli.data-dir", ["dir": dataDir]))
            }
        }
    }

    /// These options as command-line arguments (for `workbook all`'s chapter processes): one
    /// line per option above, so that a new option is passed on where it is declared.
    var arguments: [String] {
        var arguments = ["--seed", "\(training.seed)", "--output", output, "--lang", chapterOptions.language]
        if training.quick { arguments.append("--quick") }
        if training.full { arguments.append("--full") }
        if noPlots { arguments.append("--no-plots") }
        if let dataDir { arguments += ["--data-dir", dataDir] }
        if retrain { arguments.append("--retrain") }
        if skipBadLines { arguments.append("--skip-bad-lines") }
        return arguments
    }

    var chapterOptions: ChapterOptions {
        ChapterOptions(
            mode: training.mode, seed: training.seed,
            outputRoot: URL(fileURLWithPath: output), plots: !noPlots,
            dataDirectory: dataDir.map { URL(fileURLWithPath: $0) }, retrain: retrain,
            skipBadLines: skipBadLines, language: (try? Languages.resolve(lang)) ?? Languages.english)
    }
}

/// Finds a chapter by number ("3") or slug ("item2vec").
func chapter(named name: String) throws -> any Chapter.Type {
    let key = name.lowercased().trimmingCharacters(in: .whitespaces)
    if let found = chapters.first(where: {
        "\($0.number)" == key || $0.slug == key || $0.folderName == key
            || String(format: "%02d", $0.number) == key
    }) {
        return found
    }
    let known = chapters.map { "\($0.number) (\($0.slug))" }.joined(separator: ", ")
    throw WorkbookError(
        cliWords("cli.unknown-chapter", ["name": name]), fix: cliWords("cli.unknown-chapter.fix", ["known": known]))
}

/// Runs one chapter and writes its transcript; returns its results.
@discardableResult
func runChapter(_ chapter: any Chapter.Type, options: ChapterOptions) throws -> ChapterResults {
    let narrator = Narrator()
    let context = ChapterContext(chapter: chapter, options: options, narrator: narrator)
    let words = narrator.words
    // Fail before any work when the output folder cannot be made.
    do {
        try FileManager.default.createDirectory(at: context.directory, withIntermediateDirectories: true)
    } catch {
        throw WorkbookError(
            cliWords("cli.output", ["folder": context.directory.path]), fix: cliWords("cli.output.fix"))
    }
    let start = Date()
    try chapter.run(context)
    narrator.heading(words("exercises.heading"))
    narrator.prose(words("exercises.intro", ["folder": chapter.folderName, "number": chapter.number]))
    for exercise in chapter.exercises {
        let (title, prompt, _) = exercise.words(context.text)
        let ended = title.last.map { ".?!".contains($0) } == true ? title : title + "."
        narrator.prose("\(exercise.id) \(ended) \(prompt) → \(exercise.answerIn)")
    }
    try context.finish()
    narrator.status(
        words(
            "chapter.finished",
            [
                "number": chapter.number, "seconds": String(format: "%.1f", Date().timeIntervalSince(start)),
                "path": context.directory.path, "figures": context.recorded.figures.count,
            ]))
    return context.recorded
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the chapters and whether each has been run.")
    @Option(help: "Folder holding the chapters' output.")
    var output = "output"
    @Option(help: "The edition: en or ko (default as for chapters); ko lists the Korean runs, under <output>/ko/.")
    var lang: String?

    func validate() throws {
        do { _ = try Languages.resolve(lang) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let style = TerminalStyle.current()
        let language = (try? Languages.resolve(lang)) ?? Languages.english
        let words = Text(directory: Languages.sharedDirectory, language: language)
        let root = Languages.editionRoot(URL(fileURLWithPath: output), language)
        var rows: [[String]] = []
        for c in chapters {
            // "yes", "-", "running", "interrupted", or "yes (a later run was interrupted)".
            let status = ChapterContext.outputStatus(of: c, in: root).label(in: words)
            // The English edition says what a chapter shows; another gives its chapter's title in its words.
            let shows =
                language == Languages.english
                ? c.summary : Text(directory: Languages.chapterDirectory(c.folderName), language: language)("title")
            rows.append(["\(c.number)", c.slug, shows, status])
        }
        print(words("list.heading") + "\n")
        print(
            Table(
                headers: words("list.columns").components(separatedBy: " | "), rows: rows,
                alignments: [.right, .left, .left, .left]
            ).text())
        print("\n" + wrap(words("list.footer", ["flag": language == Languages.english ? "" : " --lang \(language)"]),
                          width: style.width))
    }
}

struct RunChapter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter", abstract: "Run one chapter: its narrative, numbers and figures.")
    @Argument(help: "The chapter's number or slug (e.g. 1 or mf-limits).")
    var name: String
    @OptionGroup var options: RunOptions

    func run() throws {
        try runChapter(try chapter(named: name), options: options.chapterOptions)
    }
}

struct Exercises: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check your exercise answers (the same checks as `swift test`).")
    @Argument(help: "A chapter number or slug (all chapters when omitted).")
    var name: String?
    @Option(help: "The language of titles and hints: en or ko (default as for chapters).")
    var lang: String?

    func run() throws {
        let selected = try name.map { [try chapter(named: $0)] } ?? chapters
        let language: String
        do { language = try Languages.resolve(lang) } catch { throw ValidationError("\(error)") }
        var rows: [[String]] = []
        let words = Text(directory: Languages.sharedDirectory, language: language)
        for c in selected {
            let text = Text(directory: Languages.chapterDirectory(c.folderName), language: language)
            for e in c.exercises {
                let (title, _, hint) = e.words(text)
                let verdict: String
                switch e.checkAnswer() {
                case .untouched: verdict = words("exercises.untouched", ["hint": hint])
                case .correct: verdict = words("exercises.correct")
                case .wrong(let why):
                    verdict = words("exercises.wrong", ["why": e.explain(why, in: text, shared: words)])
                }
                rows.append([e.id, title, verdict])
            }
        }
        let headers = ["exercises.col.exercise", "exercises.col.title", "exercises.col.answer"].map { words($0) }
        print(Table(headers: headers, rows: rows, alignments: [.left, .left, .left]).text())
        print("\n" + words("exercises.footer"))
    }
}

/// The shared words in the command line's language (`--lang` among the arguments, else
/// WORKBOOK_LANG or the locale), for the errors a learner meets before a chapter starts.
func cliWords(_ id: String, _ values: [String: any CustomStringConvertible] = [:]) -> String {
    cliText(id, values)
}

/// A table's column headers, from a block that separates them by " | ".
func cliColumns(_ id: String) -> [String] { cliText(id).components(separatedBy: " | ") }

/// The shared text in the command line's language, read once per process.
let cliText = Text(directory: Languages.sharedDirectory, language: cliLanguage())

/// `--lang` for the tool commands (data, evaluate, similar, recommend): their lines and errors in
/// that edition's language (main() has installed it, from the arguments, before parsing).
struct LanguageOption: ParsableArguments {
    @Option(help: "The language of messages and errors: en or ko (default: $WORKBOOK_LANG, else the locale).")
    var lang: String?

    func validate() throws {
        do { _ = try Languages.resolve(lang) } catch { throw ValidationError("\(error)") }
    }
}

/// The command line's language: `--lang` among the arguments, else WORKBOOK_LANG or the locale.
func cliLanguage() -> String {
    let arguments = CommandLine.arguments
    let requested = arguments.firstIndex(of: "--lang").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        ?? arguments.first { $0.hasPrefix("--lang=") }.map { String($0.dropFirst(7)) }
    return (try? Languages.resolve(requested)) ?? Languages.english
}

