// An exclusive lock between processes, on a file: `workbook all` runs two chapters at once, and
// two chapters asking for the same model must train it once (the second waits, then loads it).

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum FileLock {
    /// Runs `body` holding an exclusive `flock` on `url` (created if missing). `waiting` is called
    /// once when another process holds the lock, before this one blocks until it is released.
    /// Where the lock file cannot be made (a read-only folder), `body` runs without it: whatever
    /// it writes there fails with its own message.
    public static func withLock<T>(_ url: URL, waiting: () -> Void = {}, _ body: () throws -> T) rethrows -> T {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }  // closing the descriptor releases the lock, also when `body` throws
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        return try body()
    }
}
