// `workbook similar "toy story"`: the nearest films by Item2Vec vectors trained on all of
// MovieLens-100K (the registry's Item2Vec, saved and reused like every model).

import _WorkbookSupport
import ArgumentParser
import Foundation
import Models
import Narrative
import RecKit

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Films most similar to a title, by Item2Vec vectors trained on MovieLens-100K.")
    @OptionGroup var location: DataLocation
    @Argument(help: "A film title, or part of one (\"toy story\").")
    var title: String
    @Option(name: .short, parsing: .unconditional, help: "How many films to show.")
    var k = 10
    @Option(parsing: .unconditional, help: "SGNS epochs (default: Item2Vec's own budget in the chosen mode).")
    var epochs: Int?
    @OptionGroup var training: TrainingOptions
    @Option(help: "Folder for output (models go to <output>/models/).")
    var output = "output"
    @OptionGroup var language: LanguageOption

    func validate() throws {
        if k < 1 || k > 100 { throw ValidationError(cliWords("cli.k-range", ["max": 100, "k": k])) }
        if let epochs, epochs < 1 || epochs > 10_000 {
            throw ValidationError(cliWords("cli.epochs-range", ["epochs": epochs]))
        }
    }

    func run() throws {
        let data = try location.load()
        let item = try findTitle(title, in: data)
        let entry = try Registry.entry("item2vec")
        let input = FitInput(
            data: data, rows: Array(0..<data.count), seed: training.seed,
            progress: ProgressBar.factory(style: .current()))
        let environment = CommandEnvironment(training, output: output)
        let fitted =
            try epochs.map { try entry.fit(input, mode: training.mode, overrides: ["training.maxEpochs": "\($0)"]) }
            ?? environment.fitted(entry, input: input, split: "all")
        guard let vectors = (fitted.recommender as? Item2Vec)?.vectors else { return }
        let found = data.catalogue[item]
        guard vectors.index[item] >= 0 else {
            let minimum = SGNSConfig(mode: training.mode).minimumCount
            throw WorkbookError(
                cliWords("cli.similar.no-vector", ["film": found.displayTitle, "minimum": minimum]),
                fix: cliWords("cli.similar.no-vector.fix"))
        }
        let v = Int(vectors.index[item])
        let near = vectors.nearest(to: vectors.normalized(v), k: k, excluding: [v])
        print(cliWords("cli.similar.heading", ["film": found.displayTitle, "settings": fitted.configSummary]) + "\n")
        print(
            Table(
                headers: cliColumns("cli.similar.columns"),
                rows: near.enumerated().map { r, n in
                    let e = data.catalogue[Int(vectors.items[n.v])]
                    return [
                        "\(r + 1)", e.displayTitle, String(format: "%.3f", n.cosine), e.genres.joined(separator: ", "),
                    ]
                }, alignments: [.right, .left, .right, .left]
            ).text())
    }
}

/// The catalogue entry a title names: an exact title, else the most popular film whose
/// title contains every word given, else the closest title by shared letter triples.
func findTitle(_ query: String, in data: RatingsData) throws -> Int {
    func normal(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .map { $0.isLetter || $0.isNumber ? $0 : " " }.reduce(into: "") { $0.append($1) }
            .split(separator: " ").joined(separator: " ")
    }
    let q = normal(query)
    guard !q.isEmpty else { throw ValidationError(cliWords("cli.similar.empty")) }
    var popularity = [Int](repeating: 0, count: data.itemCount)
    for i in data.items { popularity[Int(i)] += 1 }
    let titles = data.catalogue.map { normal($0.displayTitle) }
    if let exact = titles.indices.first(where: { titles[$0] == q || normal(data.catalogue[$0].title) == q }) {
        return exact
    }
    let words = q.split(separator: " ")
    let containing = titles.indices.filter { t in
        words.allSatisfy { titles[t].split(separator: " ").contains($0) || titles[t].contains($0) }
    }
    if let best = containing.max(by: { popularity[$0] < popularity[$1] }) { return best }
    func trigrams(_ s: String) -> Set<String> {
        let chars = Array("  " + s + " ")
        return Set((0..<max(0, chars.count - 2)).map { String(chars[$0..<($0 + 3)]) })
    }
    let qt = trigrams(q)
    let scored = titles.indices.map {
        (
            t: $0,
            score: Double(qt.intersection(trigrams(titles[$0])).count)
                / Double(max(1, qt.union(trigrams(titles[$0])).count))
        )
    }
    let top = scored.sorted { ($0.score, popularity[$0.t]) > ($1.score, popularity[$1.t]) }
    if let best = top.first, best.score >= 0.3 { return best.t }
    let suggestions = top.prefix(3).map { data.catalogue[$0.t].displayTitle }.joined(separator: "; ")
    throw WorkbookError(
        cliWords("cli.similar.no-match", ["query": query]),
        fix: cliWords("cli.similar.no-match.fix", ["closest": suggestions]))
}
