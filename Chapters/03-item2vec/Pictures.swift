// Chapter 3, part 2: what the vectors know: neighbours, an analogy, a map and a heatmap.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension Item2VecChapter {
    static func neighbours(_ context: ChapterContext, data: RatingsData, vectors: ItemVectors) throws {
        let say = context.narrator, text = context.text
        say.heading(text("neighbours.heading"))
        // What drives the lists: the neighbours' popularity (vocabulary rank by count, 0 = most played) and
        // release years, against the vocabulary as a whole.
        var neighbourRanks: [Double] = [], yearGaps: [Double] = []
        for title in ["Toy Story (1995)", "Star Wars (1977)", "Fargo (1996)", "Scream (1996)"] {
            guard let item = data.catalogue.firstIndex(where: { $0.displayTitle == title }), vectors.index[item] >= 0
            else { continue }
            let v = Int(vectors.index[item])
            let near = vectors.nearest(to: vectors.normalized(v), k: 8, excluding: [v])
            for n in near {
                neighbourRanks.append(Double(n.v) / Double(max(vectors.count - 1, 1)))  // the vocabulary is by count
                if let a = data.catalogue[item].year, let b = data.catalogue[Int(vectors.items[n.v])].year {
                    yearGaps.append(Double(abs(a - b)))
                }
            }
            say.table(
                Table(
                    headers: ["film", "cosine", "genres"].map { text("neighbours.table.\($0)") },
                    rows: near.map { n in
                        let entry = data.catalogue[Int(vectors.items[n.v])]
                        return [
                            entry.displayTitle, String(format: "%.3f", n.cosine), entry.genres.joined(separator: ", "),
                        ]
                    }), caption: text("neighbours.table.caption", ["title": title]))
            if title.hasPrefix("Toy Story") { context.record("toy_story_top_cosine", Double(near.first?.cosine ?? 0)) }
        }
        neighbourNote(context, data: data, vectors: vectors, ranks: neighbourRanks, yearGaps: yearGaps)
        // An analogy, by vector arithmetic: b - a + c.
        let names = ["Toy Story (1995)", "Aladdin (1992)", "Star Wars (1977)"]
        let ids = names.compactMap { n in
            data.catalogue.firstIndex { $0.displayTitle == n }.flatMap {
                vectors.index[$0] >= 0 ? Int(vectors.index[$0]) : nil
            }
        }
        if ids.count == 3 {
            let (a, b, c) = (vectors.normalized(ids[0]), vectors.normalized(ids[1]), vectors.normalized(ids[2]))
            let query = (0..<vectors.dimension).map { b[$0] - a[$0] + c[$0] }
            let answer = vectors.nearest(to: query, k: 3, excluding: Set(ids))
            let answers = answer.map {
                data.catalogue[Int(vectors.items[$0.v])].displayTitle + String(format: " (%.2f)", $0.cosine)
            }.joined(separator: ", ")
            say.prose(text("neighbours.analogy", ["answers": answers]))
        }
    }

    static func pictures(_ context: ChapterContext, data: RatingsData, vectors: ItemVectors) throws {
        let say = context.narrator, text = context.text
        say.heading(text("map.heading"))
        let unit = vectors.normalizedMatrix()
        let (projection, explained) = try Linalg.pca(
            unit, rows: vectors.count, columns: vectors.dimension, components: 2)
        let genres = ["Comedy", "Action", "Drama", "Horror", "Children's", "Romance"]
        let genreNames = ["comedy", "action", "drama", "horror", "children", "romance"]
        var groups: [Series] = []
        for (g, name) in zip(genres, genreNames) {
            let points = (0..<vectors.count).filter { v in
                let entry = data.catalogue[Int(vectors.items[v])]
                return entry.genres.first(where: { genres.contains($0) }) == g
            }.map { (x: Double(projection[$0 * 2]), y: Double(projection[$0 * 2 + 1])) }
            groups.append(Series(text("fig.item-map.genre.\(name)"), points, style: .points))
        }
        let famous = [
            "Toy Story (1995)", "Fargo (1996)", "Pulp Fiction (1994)", "Schindler's List (1993)", "Aladdin (1992)",
            "Independence Day (ID4) (1996)", "Sense and Sensibility (1995)", "English Patient, The (1996)",
            "Nightmare on Elm Street, A (1984)", "Lion King, The (1994)",
        ]
        let labels = famous.compactMap { title -> PointLabel? in
            guard let item = data.catalogue.firstIndex(where: { $0.displayTitle == title }), vectors.index[item] >= 0
            else { return nil }
            let v = Int(vectors.index[item])
            return PointLabel(title, x: Double(projection[v * 2]), y: Double(projection[v * 2 + 1]))
        }
        var figure = Figure(
            name: "item-map", title: text("fig.item-map.title"),
            xLabel: text("fig.item-map.x", ["share": String(format: "%.1f", 100 * explained[0])]),
            yLabel: text("fig.item-map.y", ["share": String(format: "%.1f", 100 * explained[1])]),
            kind: .scatter(groups, labels: labels))
        figure.keyPosition = "below"
        figure.size = (width: 1200, height: 900)
        try context.figure(figure, caption: text("fig.item-map.caption"))
        let popular = (0..<min(20, vectors.count)).map { $0 }  // the vocabulary is sorted by frequency
        let titles = popular.map { data.catalogue[Int(vectors.items[$0])].displayTitle }
        let sims = Linalg.cosineSimilarities(
            Array(vectors.input[0..<(popular.count * vectors.dimension)]), count: popular.count,
            dimension: vectors.dimension)
        let matrix = popular.map { a in popular.map { b in Double(sims[a * popular.count + b]) } }
        var heat = Figure(
            name: "similarity-heatmap", title: text("fig.similarity-heatmap.title"),
            xLabel: text("fig.similarity-heatmap.axis"), yLabel: text("fig.similarity-heatmap.axis"),
            // A scale centred on 0 only if some similarity is negative; else the colours span what is there.
            kind: .heatmap(
                values: matrix, rowLabels: titles, columnLabels: titles,
                diverging: matrix.joined().contains { $0 < 0 }))
        heat.size = (width: 1200, height: 1100)
        try context.figure(heat)
    }

    /// Says what the neighbour lists above are made of: how popular the neighbours are, and how close in
    /// release year, against random pairs of the vocabulary.
    static func neighbourNote(
        _ context: ChapterContext, data: RatingsData, vectors: ItemVectors, ranks: [Double], yearGaps: [Double]
    ) {
        guard !ranks.isEmpty, !yearGaps.isEmpty else { return }
        let years = (0..<vectors.count).compactMap { data.catalogue[Int(vectors.items[$0])].year }
        let rng = RandomGenerator(seed: context.options.seed, stream: "neighbour-years")
        let randomGaps = (0..<2_000).map { _ in
            Double(abs(years[rng.nextInt(below: years.count)] - years[rng.nextInt(below: years.count)]))
        }
        func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }
        let (rank, gap, randomGap) = (mean(ranks), mean(yearGaps), mean(randomGaps))
        context.record("neighbours_mean_popularity_percentile", 100 * rank)
        context.record("neighbours_mean_year_gap", gap)
        context.record("random_pairs_mean_year_gap", randomGap)
        let popular = context.text(rank < 0.4 ? "neighbours.note.popular" : "neighbours.note.every")
        context.narrator.prose(
            context.text(
                "neighbours.note",
                [
                    "percentile": String(format: "%.0f", 100 * rank), "popular": popular,
                    "gap": String(format: "%.1f", gap), "randomGap": String(format: "%.1f", randomGap),
                ]))
    }
}
