// Where MovieLens lives on this machine. Fetching it is DataFetch's job; finding it is here,
// so that everything that only reads the data needs RecKit alone.

import Foundation

public enum DataCache {
    /// Where data lives: `override` (--data-dir), else $WORKBOOK_DATA, else
    /// $XDG_CACHE_HOME/workbook, else ~/.cache/workbook.
    public static func root(override: URL? = nil) -> URL {
        if let override { return override }
        let env = ProcessInfo.processInfo.environment
        if let d = env["WORKBOOK_DATA"], !d.isEmpty { return URL(fileURLWithPath: d) }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty {
            return URL(fileURLWithPath: x).appendingPathComponent("workbook")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/workbook")
    }

    /// The folder holding MovieLens-100K under `root` (or `root` itself if the files are there).
    public static func ml100kDirectory(root: URL) -> URL {
        MovieLensLayout.detect(in: root) != nil ? root : root.appendingPathComponent("ml-100k")
    }
}
