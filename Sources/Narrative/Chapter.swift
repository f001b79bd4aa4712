// What every chapter is, and the context it runs in: options, the narrator, figures, and the
// record of every number it reports (results.json). A run writes into a staging folder that
// replaces the chapter's folder only when it finishes (ChapterOutput.swift); a figure gnuplot
// cannot draw is a note in the transcript, not the end of the chapter.

import _WorkbookSupport
import Foundation
import Plotting
import TensorCore

/// How long a chapter may take (defined below the models, which choose their budgets by it).
public typealias RunMode = _WorkbookSupport.RunMode

public struct ChapterOptions: Sendable, DataOptions {
    public var mode: RunMode
    public var seed: UInt64
    /// The folder that holds one folder per chapter (`output/`).
    public var outputRoot: URL
    public var plots: Bool
    /// Where MovieLens lives (nil: the default cache).
    public var dataDirectory: URL?
    /// Train every model again instead of loading it from `output/models/`.
    public var retrain: Bool
    /// Skip malformed data lines (and count them) instead of stopping at the first.
    public var skipBadLines: Bool
    /// The edition: "en" (the reference) or another language of `Languages.available`.
    public var language: String

    /// Where this edition's chapter folders go: `output/` for English, `output/<language>/` for
    /// another (trained models stay shared in `output/models/`).
    public var chapterRoot: URL { Languages.editionRoot(outputRoot, language) }

    public init(
        mode: RunMode = .standard, seed: UInt64 = 42, outputRoot: URL = URL(fileURLWithPath: "output"),
        plots: Bool = true, dataDirectory: URL? = nil, retrain: Bool = false, skipBadLines: Bool = false,
        language: String = Languages.english
    ) {
        self.language = language
        self.mode = mode
        self.seed = seed
        self.outputRoot = outputRoot
        self.plots = plots
        self.dataDirectory = dataDirectory
        self.retrain = retrain
        self.skipBadLines = skipBadLines
    }
}

/// A chapter of the book: `workbook chapter <number|slug>` runs it.
public protocol Chapter {
    static var number: Int { get }
    /// The short name used in folders and on the command line (`mf-limits`).
    static var slug: String { get }
    static var title: String { get }
    /// One line for `workbook list`.
    static var summary: String { get }
    static var exercises: [Exercise] { get }
    /// Runs the chapter's narrative, computations and figures.
    static func run(_ context: ChapterContext) throws
}

extension Chapter {
    /// "01-mf-limits": the chapter's output folder name.
    public static var folderName: String { String(format: "%02d-", number) + slug }
}

/// One reported result (defined below the models, which fill it in).
public typealias ResultEntry = _WorkbookSupport.ResultEntry

/// The whole results.json of one chapter run.
public struct ChapterResults: Codable, Sendable {
    public var chapter: String
    public var seed: UInt64
    public var mode: RunMode
    public var results: [ResultEntry]
    /// Every other number the chapter printed, by a descriptive key.
    public var values: [String: Double]
    /// Each figure's file, relative to the output folder ("03-item2vec/neighbours.png"; the
    /// .gp script when no PNG was drawn), so that runs into different folders record the same.
    public var figures: [String]
}

/// Everything a running chapter uses.
public final class ChapterContext: TrainingEnvironment {
    public let options: ChapterOptions
    public let narrator: Narrator
    public let chapterName: String
    /// The chapter's folder, `output/NN-slug/`: it holds the last run that finished.
    public let outputDirectory: URL
    /// Where this run's files go: a fresh staging folder (`output/.NN-slug.partial-PID-RUN/`)
    /// while the chapter runs; after `finish()`, `outputDirectory`, which the staging folder
    /// replaced whole.
    public var directory: URL { finished ? outputDirectory : stagingDirectory }
    private let stagingDirectory: URL
    private var finished = false
    private let renderer: FigureRenderer
    private let diagrams: DiagramRenderer
    private var results: [ResultEntry] = []
    private var values: [String: Double] = [:]
    private var figures: [String] = []
    private var warnedAboutGnuplot = false
    /// The chapter's words in the run's language (Chapters/<NN-slug>/text/<language>.txt).
    public let text: Text
    public let chapterNumber: Int

    /// "Chapter 3. <title>" in the run's language, the title from the chapter's `title` block.
    public var chapterHeading: String {
        narrator.words("chapter.heading", ["number": chapterNumber, "title": text("title")])
    }

    /// A file of this chapter's output as the transcript names it: `output/08-capstone/x.tsv`, or
    /// `output/ko/08-capstone/x.tsv` in another edition.
    public func shown(_ file: String) -> String {
        let root = Languages.editionRoot(URL(fileURLWithPath: options.outputRoot.lastPathComponent), options.language)
        return root.relativePath + "/" + chapterName + "/" + file
    }

    public init(chapter: any Chapter.Type, options: ChapterOptions, narrator: Narrator) {
        self.options = options
        self.narrator = narrator
        chapterName = chapter.folderName
        chapterNumber = chapter.number
        outputDirectory = options.chapterRoot.appendingPathComponent(chapter.folderName)
        try? FileManager.default.createDirectory(at: options.chapterRoot, withIntermediateDirectories: true)
        ChapterOutput.removeStale(chapter.folderName, in: options.chapterRoot)
        stagingDirectory = ChapterOutput.stagingDirectory(for: chapter.folderName, in: options.chapterRoot)
        text = Text(directory: Languages.chapterDirectory(chapter.folderName), language: options.language)
        // The narrator speaks the run's language too: its callouts, figure lines and training progress.
        narrator.words = Text(directory: Languages.sharedDirectory, language: options.language)
        ProgressWords.current = Self.progressWords(narrator.words)
        LibraryWords.current = Self.libraryWords(narrator.words)
        renderer = FigureRenderer(directory: stagingDirectory)
        diagrams = DiagramRenderer(directory: stagingDirectory)
    }

    /// A run that did not finish leaves nothing: its staging folder goes, the chapter's folder
    /// keeps the last run that did.
    deinit {
        if !finished { try? FileManager.default.removeItem(at: stagingDirectory) }
    }

    /// What `output/NN-slug/` holds: a finished run, runs going on, interrupted ones (for
    /// `workbook list`).
    public static func outputStatus(of chapter: any Chapter.Type, in outputRoot: URL) -> ChapterOutputStatus {
        ChapterOutput.status(of: chapter.folderName, in: outputRoot)
    }

    // MARK: - Training environment

    public var mode: RunMode { options.mode }
    public var seed: UInt64 { options.seed }
    public var retrain: Bool { options.retrain }
    /// Trained models are shared by every chapter run into the same output folder.
    public var modelDirectory: URL { options.outputRoot.appendingPathComponent("models") }
    public var progress: ProgressFactory { ProgressBar.factory(style: narrator.style) }
    public func log(_ line: String) { narrator.status(line) }

    /// A generator seeded from the run's seed and a stream name: each part of a chapter
    /// draws from its own stream, so adding a draw in one part does not move another's.
    public func rng(_ stream: String) -> RandomGenerator { RandomGenerator(seed: options.seed, stream: stream) }

    /// Renders a figure (unless `--no-plots`) and shows it in the narrative. A figure that
    /// gnuplot fails on, or that takes longer than the time limit, becomes a note naming the
    /// figure and its .gp script; the chapter goes on. (It still throws, but only when the
    /// figure's own .dat and .gp cannot be written: then the output folder itself is broken.)
    public func figure(_ figure: Figure, caption: String? = nil) throws {
        guard options.plots else { return }
        var figure = figure
        figure.rightAxisSuffix = " " + narrator.words("figure.right-axis")
        let rendered: RenderedFigure
        do {
            rendered = try renderer.render(figure).moved(to: outputDirectory)
        } catch let error as FigureError {
            figures.append(chapterName + "/" + error.script.lastPathComponent)
            narrator.note(
                narrator.words(
                    "figure.failed",
                    [
                        "name": figure.name, "title": figure.title, "problem": error.problem,
                        "script": error.script.lastPathComponent, "folder": outputDirectory.path,
                    ]))
            return
        }
        if rendered.png == nil && !warnedAboutGnuplot {
            warnedAboutGnuplot = true
            narrator.note(narrator.words("figure.no-gnuplot", ["folder": outputDirectory.path]))
        }
        figures.append(chapterName + "/" + (rendered.png ?? rendered.script).lastPathComponent)
        narrator.figure(rendered, caption: caption ?? figure.caption)
    }

    /// Draws a Graphviz diagram (name.dot, .png, .svg) and shows it; without Graphviz, or when `dot`
    /// fails, a note says where the .dot file is and how to draw it.
    public func diagram(_ diagram: Diagram, caption: String? = nil) throws {
        guard options.plots else { return }
        do {
            let rendered = try diagrams.render(diagram).moved(to: outputDirectory)
            guard rendered.png != nil else {
                figures.append(chapterName + "/" + rendered.script.lastPathComponent)
                narrator.note(narrator.words("diagram.no-graphviz", ["title": diagram.title, "name": diagram.name]))
                return
            }
            figures.append(chapterName + "/" + (rendered.png ?? rendered.script).lastPathComponent)
            narrator.figure(rendered, caption: caption)
        } catch let error as FigureError {
            figures.append(chapterName + "/" + error.script.lastPathComponent)
            narrator.note(narrator.words("diagram.failed", ["name": diagram.name, "problem": error.problem]))
        }
    }

    /// Runs `load` (the data a chapter's MovieLens sections need). When the data is simply
    /// absent (not fetched, no network), the chapter says so in a note and gets nil, so that it
    /// can finish with its toy parts; data that is there but wrong stops the chapter with its error.
    public func optionalData<T>(_ what: String, _ load: () throws -> T) throws -> T? {
        do {
            return try load()
        } catch let error as DataAbsentError {
            narrator.note(narrator.words("data.absent", ["what": what, "error": "\(error)"]))
            return nil
        }
    }

    /// Records a model's metrics for results.json.
    public func record(_ entry: ResultEntry) { results.append(entry) }

    /// Records any other reported number for results.json.
    public func record(_ key: String, _ value: Double) { values[key] = value }

    /// The results recorded so far.
    public var recorded: ChapterResults {
        ChapterResults(
            chapter: chapterName, seed: options.seed, mode: options.mode, results: results,
            values: values, figures: figures)
    }

    /// Writes README.md (the transcript) and results.json into the staging folder, then puts
    /// that folder in place of the chapter's folder. Calling it again rewrites both files in
    /// the chapter's folder.
    public func finish() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(recorded), to: directory.appendingPathComponent("results.json"))
        try AtomicFile.write(narrator.markdown, to: directory.appendingPathComponent("README.md"))
        guard !finished else { return }
        try ChapterOutput.replace(outputDirectory, with: stagingDirectory)
        finished = true
    }
}

extension ChapterContext {
    /// Training's progress words from the shared text files (`progress.*` blocks).
    static func progressWords(_ t: Text) -> ProgressWords {
        guard t.language != Languages.english else { return .english }
        var words = ProgressWords(
            epoch: { t("progress.epoch", ["epoch": $0, "of": $1]) }, loss: { " " + t("progress.loss", ["loss": $0]) },
            best: { ", " + t("progress.best", ["value": $0, "epoch": $1]) },
            epochs: { t("progress.epochs", ["count": $0]) },
            kept: { ", " + t("progress.kept", ["epoch": $0, "metric": $1, "value": $2]) },
            stoppedEarly: ", " + t("progress.stopped-early"), done: { t("progress.done", ["label": $0, "time": $1]) })
        words.loaded = {
            t("progress.loaded", ["model": $0, "path": $1, "seconds": String(format: "%.1f", $2)])
        }
        words.waiting = { t("progress.waiting", ["model": $0]) }
        return words
    }

    /// The libraries' words from the shared text files (`settings.*`, `store.*`, `fetch.*` blocks; English
    /// is in Swift): a chapter run's, and the command line's for its language.
    public static func libraryWords(_ t: Text) -> LibraryWords.Translation? {
        guard t.language != Languages.english else { return nil }
        return { id, values in
            guard t.translates(id) else {
                t.note("block '\(id)' is missing in \(t.language)")
                return nil
            }
            return t(id, values)
        }
    }
}
