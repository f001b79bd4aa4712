// Small pieces shared by the workbook's layers: user-facing errors and atomic file writes.

import Foundation

/// An error a reader can act on: what is wrong, and what to do about it, in one line.
public struct WorkbookError: Error, CustomStringConvertible, Sendable, Equatable {
    public let problem: String
    public let fix: String?

    public init(_ problem: String, fix: String? = nil) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String { fix.map { "\(problem): \($0)" } ?? problem }
}

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary
/// file in the same folder, which is then renamed over the target (rename is atomic).
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw WorkbookError(
                LibraryWords.say("file.create-folder", ["path": directory.path]),
                fix: LibraryWords.say("file.fix.path"))
        }
        let temporary = temporaryURL(for: url)
        do {
            try data.write(to: temporary)
            try replace(url, with: temporary)
        } catch let error as WorkbookError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WorkbookError(
                LibraryWords.say("file.write", ["path": url.path]), fix: LibraryWords.say("file.fix.write"))
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// A temporary name beside `url` (hidden, unique to this process).
    public static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    }

    /// Renames `temporary` over `url` (atomically replacing any existing file).
    public static func replace(_ url: URL, with temporary: URL) throws {
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw WorkbookError(
                LibraryWords.say(
                    "file.move", ["name": url.lastPathComponent, "folder": url.deletingLastPathComponent().path]),
                fix: LibraryWords.say("file.fix.folder"))
        }
    }
}

/// Looks for an executable on the PATH.
public func findExecutable(_ name: String) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// `text` quoted for an error message, on one line: whole when short, else its first `limit`
/// characters (Unicode scalars), an ellipsis and its length, so that a 100 MB field does not
/// put 100 MB on stderr. Control characters are shown escaped (`\t`, `\n`). `byteCount`: the
/// whole text's length when `text` is only its beginning.
public func excerpt(_ text: some StringProtocol, limit: Int = 40, byteCount: Int? = nil) -> String {
    var shown = "", count = 0
    let length = byteCount ?? text.utf8.count
    for scalar in text.unicodeScalars {
        if count == limit { return "'\(shown)…' (\(length) bytes)" }
        let control =
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
        shown += control ? scalar.escaped(asASCII: true) : String(scalar)
        count += 1
    }
    return length > text.utf8.count ? "'\(shown)…' (\(length) bytes)" : "'\(shown)'"
}

/// An error that means the data is simply not on this machine (not fetched, no network), as
/// opposed to data that is there and wrong: a chapter runs its toy parts without it.
public protocol DataAbsentError: Error {}

/// Where a run's data lives and how strictly it is read (chapters' and commands' options).
public protocol DataOptions {
    /// The folder with MovieLens (nil: the default cache).
    var dataDirectory: URL? { get }
    /// Skip malformed lines (and count them) instead of stopping at the first.
    var skipBadLines: Bool { get }
}
