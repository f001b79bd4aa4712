// Chapter 3, part 3: SGNS against the shifted PMI matrix it implicitly factorises.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension Item2VecChapter {
    static func pmi(
        _ context: ChapterContext, data: RatingsData, cases: [(user: Int, context: [Int32], heldOut: Int32)],
        vectors: ItemVectors
    ) throws {
        let say = context.narrator, text = context.text
        say.heading(text("pmi.heading"))
        say.prose(text("pmi.intro"))
        say.derivation(
            text("pmi.derivation.title"),
            [
                (
                    text("pmi.derivation.1"),
                    ##"\ell = \sum_{i,j} \#(i,j) \log \sigma(w_i \cdot c_j) + k \sum_{i} \#(i) \, "##
                        + ##"\mathbb E_{j' \sim P}\left[\log \sigma(-w_i \cdot c_{j'})\right]"##,
                    "ℓ = Σ #(i,j) log σ(w_i·c_j) + k Σ_i #(i) E_{j'~P}[log σ(−w_i·c_j')]"
                ),
                (
                    text("pmi.derivation.2"),
                    ##"\ell(x) = \#(i,j) \log \sigma(x) + k \, \#(i) \frac{\#(j)}{D} \log \sigma(-x)"##,
                    "ℓ(x) = #(i,j) log σ(x) + k #(i) #(j)/D · log σ(−x)"
                ),
                (
                    text("pmi.derivation.3"),
                    ##"\#(i,j)\,\sigma(-x) = k \, \frac{\#(i)\#(j)}{D} \, \sigma(x) \iff "##
                        + ##"e^{x} = \frac{\#(i,j) \, D}{\#(i)\#(j)} \cdot \frac1k"##,
                    "#(i,j) σ(−x) = k #(i)#(j)/D σ(x)  ⇔  eˣ = (#(i,j) D / (#(i)#(j))) / k"
                ),
                (
                    text("pmi.derivation.4"),
                    ##"w_i \cdot c_j = \log \frac{\#(i,j)\, D}{\#(i)\#(j)} - \log k = \mathrm{PMI}(i, j) - \log k"##,
                    "w_i · c_j = PMI(i, j) − log k"
                ),
            ])
        say.prose(text("pmi.low-rank"))
        say.listing(try listing("document-pmi", "Sessions.swift"))
        let n = vectors.count
        let c = PMI.cooccurrence(cases.map(\.context), index: vectors.index, size: n, window: 20)
        let onVocabulary = PMI.documentPMI(c, n: n)
        // The same function on every film (no min_count): films that never co-occur give 0/0.
        let all = PMI.cooccurrence(
            cases.map(\.context), index: (0..<Int32(data.itemCount)).map { $0 }, size: data.itemCount, window: 20)
        let onCatalogue = PMI.documentPMI(all, n: data.itemCount)
        let nan = onCatalogue.pmi.filter { $0.isNaN }.count
        let emptyRows = (0..<data.itemCount).filter { i in
            (0..<data.itemCount).allSatisfy { all[i * data.itemCount + $0] == 0 }
        }.count
        context.record("document_pmi_minus_infinity", Double(onVocabulary.minusInfinity))
        context.record("document_pmi_nan_all_films", Double(nan))
        say.errata(
            text(
                "pmi.errata",
                [
                    "n": n, "minusInfinity": onVocabulary.minusInfinity.formatted(),
                    "cells": (n * n).formatted(),
                    "films": data.itemCount, "emptyRows": emptyRows, "nan": nan.formatted(),
                ]))
        say.listing(try listing("shifted-ppmi", "Sessions.swift"))
        let k = Double(SGNSConfig.document.negativeCount)
        let sppmi = PMI.shiftedPPMI(c, n: n, shift: k)
        let rank = min(vectors.dimension, n - 1)
        let (u, s, _) = try Linalg.truncatedSVD(sppmi.map(Float.init), rows: n, columns: n, rank: rank)
        var svdVectors = [Float](repeating: 0, count: n * rank)
        for i in 0..<n { for j in 0..<rank { svdVectors[i * rank + j] = u[i * rank + j] * s[j].squareRoot() } }
        // Overlap of the 10 nearest neighbours under both embeddings.
        func neighbours(_ m: [Float], _ d: Int) -> [[Int]] {
            var sims = Linalg.cosineSimilarities(m, count: n, dimension: d)
            return (0..<n).map { i in
                sims[i * n + i] = -.infinity  // not its own neighbour
                return sims.withUnsafeBufferPointer {
                    topK(UnsafeBufferPointer(rebasing: $0[(i * n)..<((i + 1) * n)]), k: 10)
                }.map(Int.init)
            }
        }
        let sgnsNeighbours = neighbours(vectors.input, vectors.dimension), svdNeighbours = neighbours(svdVectors, rank)
        let overlap =
            (0..<n).map { Double(Set(sgnsNeighbours[$0]).intersection(svdNeighbours[$0]).count) / 10 }.reduce(0, +)
            / Double(n)
        let chance = 10.0 / Double(n - 1)
        // Dot products against shifted PMI on the pairs that co-occur.
        var xs: [Double] = [], ys: [Double] = []
        let total = c.reduce(0, +)
        let rowSums = (0..<n).map { i in (0..<n).map { c[i * n + $0] }.reduce(0, +) }
        let colSums = (0..<n).map { j in (0..<n).map { c[$0 * n + j] }.reduce(0, +) }
        let d = vectors.dimension
        for i in 0..<n {
            for j in 0..<n where c[i * n + j] > 0 && i != j {
                xs.append(Double((0..<d).map { vectors.input[i * d + $0] * vectors.output[j * d + $0] }.reduce(0, +)))
                ys.append(Foundation.log(c[i * n + j] * total / (rowSums[i] * colSums[j])) - Foundation.log(k))
            }
        }
        let correlation = pearson(xs, ys)
        context.record("pmi_svd_sgns_neighbour_overlap", overlap)
        context.record("pmi_svd_sgns_neighbour_overlap_chance", chance)
        context.record("sgns_dot_vs_shifted_pmi_correlation", correlation)
        say.prose(
            text(
                "pmi.evidence",
                [
                    "k": String(format: "%.0f", k), "rank": rank, "overlap": String(format: "%.1f", 100 * overlap),
                    "chance": String(format: "%.1f", 100 * chance), "pairs": xs.count,
                    "r": String(format: "%.2f", correlation),
                ]))
        let stride = max(1, xs.count / 4000)
        var figure = Figure(
            name: "sgns-vs-pmi", title: text("fig.sgns-vs-pmi.title"),
            xLabel: text("fig.sgns-vs-pmi.x"),
            yLabel: text("fig.sgns-vs-pmi.y"),
            kind: .scatter(
                [
                    Series(
                        text("fig.sgns-vs-pmi.pairs", ["stride": stride]),
                        Swift.stride(from: 0, to: xs.count, by: stride).map { (x: ys[$0], y: xs[$0]) }, style: .points),
                    Series(text("fig.sgns-vs-pmi.optimum"), [(x: -4, y: -4), (x: 2, y: 2)], style: .dashed),
                ], labels: []))
        figure.keyPosition = "top left"
        try context.figure(figure)
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +), syy = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        return sxy / max((sxx * syy).squareRoot(), 1e-12)
    }
}
