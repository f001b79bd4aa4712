// A chapter's output folder is replaced whole, never mixed: a run writes into a fresh staging
// folder beside it (`output/.03-item2vec.partial-PID-RUN`), and only `ChapterContext.finish()`
// puts that folder in place of `output/03-item2vec` (two renames: the old folder aside, the
// new one in, then the old one removed). A run that fails removes its staging folder; one that
// is killed leaves it, hidden, and the next run of that chapter removes it. So
// `output/03-item2vec/` always holds exactly one complete run: its README.md, results.json
// and figures belong together.

import _WorkbookSupport
import Foundation

/// What a chapter's output folder holds, for `workbook list`.
public struct ChapterOutputStatus: Sendable, Equatable {
    /// `output/NN-slug/` holds a run that finished (its README.md and results.json).
    public var complete: Bool
    /// Process ids of runs of this chapter still writing their staging folders.
    public var running: [Int32]
    /// Staging folders of runs that were interrupted (their process is gone); the next run of
    /// the chapter removes them. The complete folder, if any, is the last run that finished.
    public var interrupted: [URL]

    /// One word or phrase for a table: "yes", "-", "running", "yes (a later run was interrupted)".
    public var label: String { label(in: Text(directory: Languages.sharedDirectory, language: Languages.english)) }

    /// The same in an edition's words (`list.status.*` blocks).
    public func label(in words: Text) -> String {
        let base = complete ? "yes" : "none"
        if !running.isEmpty { return words("list.status." + (complete ? "yes-running-again" : "running")) }
        if !interrupted.isEmpty { return words("list.status." + (complete ? "yes-interrupted-later" : "interrupted")) }
        return words("list.status." + base)
    }
}

enum ChapterOutput {
    /// A staging folder name for a new run: hidden, unique to this process and run.
    static func stagingDirectory(for folder: String, in root: URL) -> URL {
        let run = UUID().uuidString.prefix(8).lowercased()
        return root.appendingPathComponent(".\(folder).partial-\(ProcessInfo.processInfo.processIdentifier)-\(run)")
    }

    /// Staging (and set-aside) folders of `folder` in `root`, with the pid that made each.
    static func leftovers(of folder: String, in root: URL) -> [(url: URL, pid: Int32)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.compactMap { name in
            for marker in [".\(folder).partial-", ".\(folder).previous-"] where name.hasPrefix(marker) {
                let rest = name.dropFirst(marker.count)
                guard let pid = Int32(rest.split(separator: "-").first ?? "") else { return nil }
                return (root.appendingPathComponent(name), pid)
            }
            return nil
        }
    }

    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// Removes what killed runs of `folder` left behind.
    static func removeStale(_ folder: String, in root: URL) {
        for leftover in leftovers(of: folder, in: root) where !isAlive(leftover.pid) {
            try? FileManager.default.removeItem(at: leftover.url)
        }
    }

    static func status(of folder: String, in root: URL) -> ChapterOutputStatus {
        let final = root.appendingPathComponent(folder)
        let fm = FileManager.default
        let complete =
            fm.fileExists(atPath: final.appendingPathComponent("README.md").path)
            && fm.fileExists(atPath: final.appendingPathComponent("results.json").path)
        let staging = leftovers(of: folder, in: root).filter { $0.url.lastPathComponent.contains(".partial-") }
        return ChapterOutputStatus(
            complete: complete, running: staging.filter { isAlive($0.pid) }.map(\.pid),
            interrupted: staging.filter { !isAlive($0.pid) }.map(\.url))
    }

    /// Puts `staging` in place of `final`: the old folder (if any) is moved aside, the new one
    /// renamed into place, then the old one removed. If the second rename fails, the old folder
    /// is put back.
    static func replace(_ final: URL, with staging: URL) throws {
        let fm = FileManager.default
        let fix = "check that \(final.deletingLastPathComponent().path) is writable"
        var aside: URL?
        if fm.fileExists(atPath: final.path) {
            let pid = ProcessInfo.processInfo.processIdentifier
            let old = final.deletingLastPathComponent()
                .appendingPathComponent(".\(final.lastPathComponent).previous-\(pid)")
            try? fm.removeItem(at: old)
            guard rename(final.path, old.path) == 0 else {
                throw WorkbookError("cannot move the previous \(final.path) aside to replace it", fix: fix)
            }
            aside = old
        }
        guard rename(staging.path, final.path) == 0 else {
            if let aside { _ = rename(aside.path, final.path) }
            throw WorkbookError("cannot move the finished run into \(final.path)", fix: fix)
        }
        if let aside { try? fm.removeItem(at: aside) }
    }
}
