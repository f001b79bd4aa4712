// `workbook all`: every chapter, then the HTML book. A chapter's training runs mostly on one core,
// so on a machine with two or more the chapters run as separate processes, `--jobs` at a time,
// each printing its transcript whole and in the book's order once it and those before it are done.
// Two chapters wanting the same model train it once: the model store locks its file (ModelStore).

import ArgumentParser
import Foundation
import Narrative
import _WorkbookSupport

struct RunAll: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Run every chapter in order.")
    @OptionGroup var options: RunOptions
    @Option(help: "Chapters run at once, each in its own process (default: the processor count, at most 4).")
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError(cliWords("cli.all.jobs", ["jobs": jobs])) }
    }

    func run() throws {
        let start = Date()
        let jobs = min(self.jobs ?? min(4, ProcessInfo.processInfo.activeProcessorCount), chapters.count)
        let times = jobs > 1 ? try runInProcesses(jobs) : try runHere()
        let root = options.chapterOptions.chapterRoot.relativePath
        let rows = zip(chapters, times).map { c, run in
            [
                "\(c.number)", c.slug, "\(root)/\(c.folderName)/", "\(run.figures)",
                cliWords("cli.all.seconds", ["seconds": String(format: "%.1f", run.seconds)]),
            ]
        }
        let total = String(format: "%.1f", Date().timeIntervalSince(start))
        print("\n" + cliWords(jobs > 1 ? "cli.all.done.jobs" : "cli.all.done", ["seconds": total, "jobs": jobs]) + "\n")
        print(Table(headers: cliColumns("cli.all.columns"), rows: rows).text())
        let language = options.chapterOptions.language
        let book = try buildBook(output: URL(fileURLWithPath: options.output), language: language)
        print("\n" + cliWords("cli.all.book", ["path": book.index.path]))
    }

    /// One chapter's wall time and figure count.
    struct ChapterRun {
        var seconds: Double
        var figures: Int
    }

    /// One chapter after another in this process (`--jobs 1`).
    func runHere() throws -> [ChapterRun] {
        try chapters.map { c in
            let t0 = Date()
            let results = try runChapter(c, options: options.chapterOptions)
            return ChapterRun(seconds: Date().timeIntervalSince(t0), figures: results.figures.count)
        }
    }

    /// The chapters as child processes (`workbook chapter N` with this run's options), `jobs` at a
    /// time, started in the book's order; each one's output is kept in a file and printed when it
    /// and every chapter before it have finished. A chapter that fails stops the others.
    func runInProcesses(_ jobs: Int) throws -> [ChapterRun] {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("workbook-all-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Stopped by a signal (Ctrl-C, kill), the chapters stop too: none is left training alone.
        let children = Children(scratch: scratch)
        defer { children.stopHandling() }
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let environment = childEnvironment()
        var pending = Array(chapters.indices), running: [Int: (process: Process, log: URL, start: Date)] = [:]
        var finished: [Int: ChapterRun] = [:], printed = 0
        var failed: (index: Int, status: Int32)?
        let status = StatusLine()
        while printed < chapters.count {
            while failed == nil, running.count < jobs, let next = pending.first {
                pending.removeFirst()
                let process = try start(next, executable, environment, scratch)
                children.add(process)
                running[next] = (process, log(next, scratch), Date())
            }
            for (index, child) in running where !child.process.isRunning {
                running[index] = nil
                guard child.process.terminationStatus == 0 else {
                    // The chapters after it stop; those before it finish and are shown first.
                    if failed.map({ index < $0.index }) ?? true { failed = (index, child.process.terminationStatus) }
                    for (other, run) in running where other > index { run.process.terminate() }
                    continue
                }
                let seconds = Date().timeIntervalSince(child.start)
                finished[index] = ChapterRun(seconds: seconds, figures: figureCount(chapters[index]))
            }
            while printed < chapters.count, finished[printed] != nil {
                status.clear()
                if let data = FileManager.default.contents(atPath: log(printed, scratch).path) {
                    FileHandle.standardOutput.write(data)
                }
                printed += 1
            }
            if let failed, failed.index == printed, running.keys.allSatisfy({ $0 > failed.index }) {
                for run in running.values { run.process.terminate() }
                for run in running.values { run.process.waitUntilExit() }
                status.clear()
                let output = (try? String(contentsOf: log(failed.index, scratch), encoding: .utf8)) ?? ""
                throw failure(of: chapters[failed.index], output: output, status: failed.status)
            }
            if !running.isEmpty {
                let names = running.keys.sorted().map { "\(chapters[$0].number)" }.joined(separator: ", ")
                let since = running.values.map(\.start).min() ?? Date()
                status.show(cliWords("cli.all.running", ["chapters": names, "time": Self.clock(since)]))
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        status.clear()
        return chapters.indices.map { finished[$0] ?? ChapterRun(seconds: 0, figures: 0) }
    }

    /// Where chapter `index`'s process writes its output (stdout and stderr, in order).
    func log(_ index: Int, _ scratch: URL) -> URL {
        scratch.appendingPathComponent("chapter-\(chapters[index].number).log")
    }

    /// Starts chapter `index` as `workbook chapter N` with this run's options, its output into its log.
    func start(_ index: Int, _ executable: URL, _ environment: [String: String], _ scratch: URL) throws -> Process {
        let log = log(index, scratch)
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw WorkbookError("cannot write \(log.path)", fix: "free space in the temporary folder, or set TMPDIR")
        }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["chapter", "\(chapters[index].number)"] + options.arguments
        process.environment = environment
        (process.standardOutput, process.standardError) = (handle, handle)
        try process.run()
        return process
    }

    /// The terminal's width and colour for the children (whose output is a file), and with
    /// --retrain the time after which a saved model counts as retrained by this run, so that the
    /// other chapters load it. Their thread count stays the machine's: a chapter run alone and
    /// in `all` compute the same numbers.
    func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        let style = TerminalStyle.current()
        environment["COLUMNS"] = "\(style.width)"
        if style.colour { environment["CLICOLOR_FORCE"] = "1" }
        if options.retrain { environment["WORKBOOK_RETRAINED_SINCE"] = "\(Date().timeIntervalSince1970)" }
        return environment
    }

    /// The failed chapter's output, then its own one-line error as this command's.
    func failure(of chapter: any Chapter.Type, output: String, status: Int32) -> WorkbookError {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let error = lines.last { $0.hasPrefix("workbook: ") }
        let shown = lines.filter { $0 != error }.joined(separator: "\n")
        FileHandle.standardOutput.write(Data(shown.utf8))
        let message = error.map { String($0.dropFirst("workbook: ".count)) }
            ?? cliWords("cli.all.failed", ["number": chapter.number, "status": status])
        return WorkbookError(message)
    }

    /// The figures the chapter's results.json lists.
    func figureCount(_ chapter: any Chapter.Type) -> Int {
        let url = options.chapterOptions.chapterRoot.appendingPathComponent(chapter.folderName)
            .appendingPathComponent("results.json")
        let results = (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(ChapterResults.self, from: $0) }
        return results?.figures.count ?? 0
    }

    static func clock(_ since: Date) -> String {
        let s = Int(Date().timeIntervalSince(since))
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// One line on stderr, redrawn in place, when stderr is a terminal.
final class StatusLine {
    let shown = isatty(STDERR_FILENO) == 1
    private var drawn = false

    func show(_ text: String) {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
        drawn = true
    }

    func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        drawn = false
    }
}

/// The chapters' processes of a `workbook all`, stopped with it: on SIGINT or SIGTERM each is
/// sent SIGTERM, the scratch folder is removed, and the command exits with 128 + the signal.
final class Children: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: [Process] = []
    private var sources: [DispatchSourceSignal] = []

    init(scratch: URL) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                for process in lock.withLock({ processes }) where process.isRunning { process.terminate() }
                try? FileManager.default.removeItem(at: scratch)
                Foundation.exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    func add(_ process: Process) { lock.withLock { processes.append(process) } }

    /// Back to the default signal handling once the chapters are done.
    func stopHandling() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
