import Foundation
import Narrative
import DataFetch
import RecKit
import XCTest

/// Runs a chapter in --quick mode into a temporary folder, as `workbook chapter N --quick`
/// would, and returns what it recorded (or the error it stopped with).
func runQuick(
    _ chapter: any Chapter.Type, plots: Bool = true
) -> (results: ChapterResults?, directory: URL, error: String?) {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(chapter.slug)-\(UUID().uuidString)")
    let narrator = Narrator(style: TerminalStyle(width: 88, colour: false, interactiveProgress: false)) { _ in }
    let context = ChapterContext(
        chapter: chapter, options: ChapterOptions(mode: .quick, outputRoot: output, plots: plots), narrator: narrator)
    do {
        try chapter.run(context)
        try context.finish()
        return (context.recorded, context.directory, nil)
    } catch {
        return (nil, context.directory, "\(error)")
    }
}

/// Skips a test that needs MovieLens-100K when it is not in the cache (CI fetches it first).
func skipWithoutMovieLens() throws {
    guard (try? MovieLens.ml100k(fetchIfMissing: false)) != nil else {
        throw XCTSkip("MovieLens-100K is not in the cache: run `swift run workbook data fetch`")
    }
}
