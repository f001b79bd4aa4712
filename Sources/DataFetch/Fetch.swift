// Getting MovieLens-100K onto the machine, verified, without ever leaving a half-written
// folder: from a folder the reader already has; else the official GroupLens zip; else the
// RecBole 1.2.1 wheel from PyPI (which carries the same ratings as atomic files).
// Archives are read through `ZipArchive` (ZIPFoundation, with size limits and safe names);
// checksums are swift-crypto's SHA-256 (RecKit's `SHA256.hex`).

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RecKit
import _WorkbookSupport

/// What `fetch` did.
public struct FetchReport: Sendable {
    public let directory: URL
    public let source: String
    public let verified: String
    public let alreadyPresent: Bool
}

public enum MovieLensFetcher {
    public static let groupLensURL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
    public static let wheelSHA256 = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"
    /// SHA-256 of the RecBole atomic files inside the wheel.
    public static let atomicSHA256 = [
        "ml-100k.inter": "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff",
        "ml-100k.item": "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532",
        "ml-100k.user": "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972",
    ]
    static let interHeader = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
    /// What one file of MovieLens-100K may inflate to: its largest, u.data, is 1.9 MB.
    public static let ml100kEntryLimit: UInt64 = 64 << 20
    /// What all the files extracted from one archive may inflate to (MovieLens-100K's 23
    /// files are 16 MB together).
    public static let ml100kTotalLimit: UInt64 = 256 << 20

    /// Makes sure MovieLens-100K is in `root`. `from`: a folder (or zip) the reader already
    /// has. `log` receives progress lines.
    public static func fetch(
        root: URL, from source: URL? = nil,
        log: (String) -> Void = { _ in }
    ) throws -> FetchReport {
        let target = root.appendingPathComponent("ml-100k")
        let fm = FileManager.default
        let cached = DataCache.ml100kDirectory(root: root)
        if source == nil, let existing = try? verify(directory: cached) {
            return FetchReport(directory: cached, source: "cache", verified: existing, alreadyPresent: true)
        }
        // A data folder this call creates holds only its own scratch until the end: a failure removes it.
        let rootExisted = fm.fileExists(atPath: root.path)
        var fetched = false
        defer { if !rootExisted && !fetched { try? fm.removeItem(at: root) } }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        // Everything is assembled in a scratch folder and renamed into place at the end.
        let scratch = root.appendingPathComponent(".ml-100k.partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: scratch)
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: scratch) }
        let staged = scratch.appendingPathComponent("ml-100k")
        try fm.createDirectory(at: staged, withIntermediateDirectories: true)

        var description: String
        if let source {
            description = try copy(from: source, into: staged)
        } else {
            log(LibraryWords.say("fetch.trying", ["url": groupLensURL]))
            let zip = scratch.appendingPathComponent("ml-100k.zip")
            if let error = download(groupLensURL, to: zip) {
                log("  " + LibraryWords.say("fetch.unreachable", ["error": error]))
                try fetchWheel(into: staged, scratch: scratch, log: log)
                description = LibraryWords.say("fetch.source.wheel")
            } else {
                try extractML100kZip(zip, into: staged)
                description = LibraryWords.say("fetch.source.grouplens", ["url": groupLensURL])
            }
        }
        let verified = try verify(directory: staged)
        let old = scratch.appendingPathComponent("previous")
        if fm.fileExists(atPath: target.path) { try fm.moveItem(at: target, to: old) }
        do {
            try fm.moveItem(at: staged, to: target)
        } catch {
            try? fm.moveItem(at: old, to: target)  // the previous copy stays
            throw WorkbookError(
                LibraryWords.say("fetch.move", ["path": target.path]),
                fix: LibraryWords.say("fetch.move.fix", ["path": root.path]))
        }
        fetched = true
        return FetchReport(directory: target, source: description, verified: verified, alreadyPresent: false)
    }

    /// Checks the files in `directory`: known checksums where they apply, and the shape of
    /// MovieLens-100K (100,000 ratings, 943 users, 1,682 items) always.
    @discardableResult
    public static func verify(directory: URL) throws -> String {
        guard let (layout, ratings) = MovieLensLayout.detect(in: directory) else {
            throw DataError(file: directory.path, LibraryWords.say("fetch.no-ratings-file"))
        }
        var checks: [String] = []
        switch layout {
        case .recbole:
            guard try SHA256.hex(fileAt: ratings) == atomicSHA256[ratings.lastPathComponent] else {
                throw DataError(
                    file: ratings.lastPathComponent,
                    LibraryWords.say("fetch.inter-checksum"),
                    fix: LibraryWords.say("fetch.fix.again", ["path": directory.path]))
            }
            checks.append(LibraryWords.say("fetch.check.sha", ["file": ratings.lastPathComponent]))
        case .ml100k:
            // u.data holds the same rows as RecBole's ml-100k.inter, without its header.
            if try SHA256.hex(fileAt: ratings, prefix: Data(interHeader.utf8)) == atomicSHA256["ml-100k.inter"] {
                checks.append(LibraryWords.say("fetch.check.udata"))
            } else {
                checks.append(LibraryWords.say("fetch.check.udata-other"))
            }
        default:
            checks.append(LibraryWords.say("fetch.check.structure", ["file": ratings.lastPathComponent]))
        }
        let data = try MovieLens.load(directory: directory)
        if layout == .recbole || layout == .ml100k {
            guard data.count == 100_000, data.userCount == 943, data.itemCount == 1_682 else {
                let shape = ["ratings": data.count, "users": data.userCount, "items": data.itemCount]
                throw DataError(
                    file: ratings.lastPathComponent, LibraryWords.say("fetch.shape", shape),
                    fix: LibraryWords.say("fetch.fix.again", ["path": directory.path]))
            }
            checks.append(LibraryWords.say("fetch.check.shape"))
        }
        return checks.joined(separator: "; ")
    }

    // MARK: - Sources

    static func copy(from source: URL, into staged: URL) throws -> String {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw WorkbookError(
                LibraryWords.say("fetch.source.missing", ["path": source.path]),
                fix: LibraryWords.say("fetch.source.missing.fix"))
        }
        if !isDirectory.boolValue {
            try extractML100kZip(source, into: staged)
            return LibraryWords.say("fetch.source.zip", ["path": source.path])
        }
        let folder = MovieLensLayout.detect(in: source) != nil ? source : source.appendingPathComponent("ml-100k")
        guard MovieLensLayout.detect(in: folder) != nil else {
            throw DataError(file: source.path, LibraryWords.say("fetch.source.none"))
        }
        for name in try fm.contentsOfDirectory(atPath: folder.path) where !name.hasPrefix(".") {
            let from = folder.appendingPathComponent(name)
            var dir: ObjCBool = false
            if fm.fileExists(atPath: from.path, isDirectory: &dir), !dir.boolValue {
                try fm.copyItem(at: from, to: staged.appendingPathComponent(name))
            }
        }
        return LibraryWords.say("fetch.source.folder", ["path": folder.path])
    }

    /// Extracts the files of ml-100k/ (u.data, u.item, ...) from the GroupLens zip, each
    /// streamed to disk and at most `ml100kEntryLimit` bytes. An archive with an unsafe name
    /// is refused before anything is written (`ZipArchive`).
    static func extractML100kZip(_ zip: URL, into staged: URL) throws {
        let archive = try ZipArchive(zip, entryLimit: ml100kEntryLimit)
        let wanted = archive.entries.filter { entry in
            let parts = entry.name.split(separator: "/")
            return entry.isFile && (parts.count == 1 || (parts.count == 2 && parts[0] == "ml-100k"))
        }
        guard wanted.contains(where: { $0.name.hasSuffix("u.data") }) else {
            throw DataError(
                file: zip.lastPathComponent, LibraryWords.say("fetch.zip.no-udata"),
                fix: LibraryWords.say("fetch.zip.no-udata.fix"))
        }
        // Each entry stops at its declared size, so the declared total bounds what is written.
        let total = wanted.reduce(0) { $0 &+ min($1.declaredSize, ml100kEntryLimit + 1) }
        guard total <= ml100kTotalLimit else {
            throw DataError(
                file: zip.lastPathComponent,
                LibraryWords.say("fetch.zip.total", ["bytes": total, "files": wanted.count, "limit": ml100kTotalLimit]),
                fix: LibraryWords.say("fetch.fix.official"))
        }
        for entry in wanted {
            let name = String(entry.name.split(separator: "/").last ?? "")
            guard !name.hasPrefix(".") else { continue }
            try archive.extract(entry, to: staged.appendingPathComponent(name))
        }
    }

    /// `python3 -m pip download --no-deps recbole==1.2.1`, then the atomic files out of it.
    static func fetchWheel(into staged: URL, scratch: URL, log: (String) -> Void) throws {
        guard let python = findExecutable(ProcessInfo.processInfo.environment["WORKBOOK_PYTHON"] ?? "python3") else {
            throw noNetwork(LibraryWords.say("fetch.no-python"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
            "recbole==1.2.1", "-d", scratch.path,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let wheel = scratch.appendingPathComponent("recbole-1.2.1-py3-none-any.whl")
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: wheel.path) else {
            let last = message.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
            throw noNetwork(LibraryWords.say("fetch.pip", ["last": last]))
        }
        let digest = try SHA256.hex(fileAt: wheel)
        guard digest == wheelSHA256 else {
            throw DataError(
                file: wheel.lastPathComponent,
                LibraryWords.say("fetch.wheel.digest", ["digest": digest, "known": wheelSHA256]),
                fix: LibraryWords.say("fetch.wheel.digest.fix"))
        }
        log("  " + LibraryWords.say("fetch.verified", ["digest": digest.prefix(12)]))
        let archive = try ZipArchive(wheel, entryLimit: ml100kEntryLimit)
        for name in ["ml-100k.inter", "ml-100k.item", "ml-100k.user"] {
            let path = "recbole/dataset_example/ml-100k/\(name)"
            guard let entry = archive.entries.first(where: { $0.name == path }) else {
                throw DataError(file: wheel.lastPathComponent, LibraryWords.say("fetch.wheel.missing", ["name": name]))
            }
            let data = try archive.extract(entry)
            guard SHA256.hex(data) == atomicSHA256[name] else {
                throw DataError(file: name, LibraryWords.say("fetch.sha-fails"))
            }
            try data.write(to: staged.appendingPathComponent(name))
        }
    }

    static func noNetwork(_ problem: String) -> WorkbookError {
        WorkbookError(
            LibraryWords.say("fetch.no-network", ["problem": problem]), fix: LibraryWords.say("fetch.no-network.fix"))
    }

    /// Downloads `url` to `file`; returns nil on success or a short reason.
    static func download(_ url: String, to file: URL, timeout: TimeInterval = 20) -> String? {
        guard let remote = URL(string: url) else { return "bad URL" }
        final class Box: @unchecked Sendable { var data: Data?; var error: String? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = 120
        let session = URLSession(configuration: config)
        session.dataTask(with: remote) { data, response, error in
            if let error {
                box.error = error.localizedDescription
            } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                box.error = "HTTP \(http.statusCode)"
            } else {
                box.data = data
            }
            done.signal()
        }.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        guard let data = box.data, !data.isEmpty else { return box.error ?? "empty response" }
        do { try data.write(to: file) } catch { return "cannot write \(file.path)" }
        return nil
    }
}

extension MovieLens {
    /// MovieLens-100K from the cache (or `dataDirectory`), fetched first if missing.
    public static func ml100k(
        dataDirectory: URL? = nil, fetchIfMissing: Bool = true, options: LoadOptions = LoadOptions(),
        log: (String) -> Void = { _ in }
    ) throws -> RatingsData {
        let root = DataCache.root(override: dataDirectory)
        let directory = DataCache.ml100kDirectory(root: root)
        if MovieLensLayout.detect(in: directory) == nil {
            guard fetchIfMissing else {
                throw MovieLensAbsent(
                    problem: LibraryWords.say("fetch.absent", ["path": root.path]),
                    fix: LibraryWords.say("fetch.absent.fix"))
            }
            do {
                _ = try MovieLensFetcher.fetch(root: root, log: log)
            } catch {
                throw MovieLensAbsent(
                    problem: LibraryWords.say("fetch.unfetchable", ["path": root.path, "error": "\(error)"]),
                    fix: LibraryWords.say("fetch.unfetchable.fix"))
            }
        }
        return try load(directory: DataCache.ml100kDirectory(root: root), options: options)
    }

    /// MovieLens-100K where `options` say, read as strictly as they say.
    public static func ml100k(_ options: some DataOptions, log: (String) -> Void = { _ in }) throws -> RatingsData {
        try ml100k(
            dataDirectory: options.dataDirectory, options: LoadOptions(skipBadLines: options.skipBadLines), log: log)
    }
}

/// MovieLens-100K is not on this machine and cannot be fetched: the chapters skip what needs it.
public struct MovieLensAbsent: DataAbsentError, CustomStringConvertible {
    public let problem: String
    public let fix: String
    public var description: String { "\(problem): \(fix)" }
}
