// Chapter 3: Item2Vec: skip-gram with negative sampling on sessions, and its link to PMI.

import DataFetch
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum Item2VecChapter: Chapter {
    public static let number = 3
    public static let slug = "item2vec"
    public static let title = "Item2Vec: skip-gram with negative sampling, and PMI"
    public static let summary =
        "SGNS trained in Swift on liked-film sessions: neighbours, maps, PMI factorisation, next-item HR@10"

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static func listing(_ name: String, _ file: String) throws -> Listing {
        try Listing.region(name, file: directory.appendingPathComponent(file).path)
    }

    /// The document's configuration (train_item2vec's defaults), on one thread: Hogwild workers
    /// race on the shared tables, and the book's numbers must repeat for the same seed
    /// (`workbook bench item2vec` measures the multi-threaded speed, as gensim's workers).
    static func documentConfig() -> SGNSConfig { SGNSConfig.document }

    /// Epochs of the longer run that shows what more training buys (Item2Vec's own budget).
    /// The longer run uses the book's Item2Vec preset (chosen on validation: lr 0.1 for 20 epochs in
    /// standard mode, where lr 0.025 needed 100 epochs for the same validation score).
    static func longEpochs(_ mode: RunMode) -> Int { Item2Vec.defaultConfig(mode).epochCount }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading(context.chapterHeading, level: 1)
        try documentExample(context)
        guard
            let data = try context.optionalData(
                "MovieLens-100K",
                { try MovieLens.ml100k(context.options) { say.status($0) } })
        else {
            return
        }
        let sessions = Sessions.liked(data)
        try negativesErrata(context, data: data, sessions: sessions)
        let cases = Sessions.holdOutLast(sessions)
        let (short, long) = try training(context, data: data, cases: cases)
        try neighbours(context, data: data, vectors: long)
        try pictures(context, data: data, vectors: long)
        try pmi(context, data: data, cases: cases, vectors: long)
        let next = try recommender(context, data: data, cases: cases, short: short, long: long)
        let text = context.text
        say.heading(text("summary.heading"))
        say.bullets([
            text("summary.1"),
            text(
                "summary.2",
                [
                    "short": f4(next.short), "epochs": longEpochs(context.options.mode), "long": f4(next.long),
                    "popular": f4(next.popular), "knn": f4(next.knn),
                ]),
            text("summary.3"),
            text("summary.4"),
        ])
    }

    // MARK: - The document's example

    static func documentExample(_ context: ChapterContext) throws {
        let say = context.narrator
        let text = context.text
        say.heading(text("example.heading"))
        let session = [
            "Harry Potter (해리포터)", "Azkaban (아즈카반)", "Chamber of Secrets (비밀의방)", "Philosopher's Stone (마법사의돌)",
        ]
        say.prose(text("example.intro"))
        say.listing(try listing("document-skipgram", "Sessions.swift"))
        let pairs = DocumentSkipGram.skipgramPairs(session, window: 2)
        context.record("document_session_pairs_window2", Double(pairs.count))
        say.table(
            Table(
                headers: ["centre", "context", "label"].map { text("example.table.\($0)") },
                rows: pairs.map { [$0.0, $0.1, "\($0.2)"] }),
            caption: text("example.table.caption", ["pairs": pairs.count]))
    }

    static func negativesErrata(_ context: ChapterContext, data: RatingsData, sessions: [[Int32]]) throws {
        let say = context.narrator
        let rng = context.rng("document-negatives")
        let catalogue = (0..<Int32(data.itemCount)).map { $0 }
        var negatives = 0, consumed = 0
        for s in sessions where s.count >= 2 {
            let liked = Set(s)
            let sample = DocumentSkipGram.addNegatives(
                DocumentSkipGram.skipgramPairs(Array(s.prefix(12)), window: 2), allItems: catalogue, count: 5, rng: rng)
            for (_, item, label) in sample where label == 0 {
                negatives += 1
                if liked.contains(item) { consumed += 1 }
            }
        }
        let share = Double(consumed) / Double(max(negatives, 1))
        context.record("document_negatives_consumed_share", share)
        say.errata(
            context.text(
                "negatives.errata",
                ["films": data.itemCount, "share": String(format: "%.1f", 100 * share), "negatives": negatives]))
    }

    // MARK: - Training

    static func training(
        _ context: ChapterContext, data: RatingsData, cases: [(user: Int, context: [Int32], heldOut: Int32)]
    ) throws -> (ItemVectors, ItemVectors) {
        let say = context.narrator
        let text = context.text
        say.heading(text("training.heading"))
        let tokens = cases.reduce(0) { $0 + $1.context.count }
        say.prose(text("training.sessions", ["users": cases.count, "tokens": tokens.formatted()]))
        say.listing(try Listing.region("sgns", file: ModelsSource.file("Item2Vec/SGNS.swift")))
        var config = documentConfig()
        let epochs = longEpochs(context.options.mode)
        say.prose(text("training.config", ["config": config]))
        let short = try trainSGNS(
            sessions: cases.map(\.context), itemCount: data.itemCount, config: config,
            seed: context.options.seed, progress: context.progress
        ).vectors
        config.training = .fixed(epochs)
        config.learningRate = Item2Vec.defaultConfig(context.options.mode).learningRate
        let long = try trainSGNS(
            sessions: cases.map(\.context), itemCount: data.itemCount, config: config,
            seed: context.options.seed &+ 1, progress: context.progress
        ).vectors
        for (name, v) in [("5 epochs", short), ("\(epochs) epochs", long)] {
            context.record(
                "sgns_\(name.replacingOccurrences(of: " ", with: "_"))_items_per_second",
                Double(v.trainedWords) / v.trainSeconds)
        }
        say.table(
            Table(
                headers: ["run", "vocabulary", "trained", "seconds", "speed"].map {
                    text("training.table.\($0)")
                },
                rows: [short, long].enumerated().map { k, v in
                    [
                        k == 0
                            ? text("training.run.document")
                            : text("training.run.long", ["epochs": epochs, "lr": "\(config.learningRate)"]),
                        "\(v.count)",
                        v.trainedWords.formatted(),
                        String(format: "%.2f", v.trainSeconds),
                        String(format: "%.0f", Double(v.trainedWords) / v.trainSeconds),
                    ]
                }), caption: text("training.table.caption", ["kept": short.count, "films": data.itemCount]))
        return (short, long)
    }

}

extension ItemVectors {
    /// Cosine of two vectors (0 if either is zero).
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let dot = zip(a, b).map(*).reduce(0, +)
        let na = a.map { $0 * $0 }.reduce(0, +).squareRoot(), nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
        return na == 0 || nb == 0 ? 0 : dot / (na * nb)
    }
}
