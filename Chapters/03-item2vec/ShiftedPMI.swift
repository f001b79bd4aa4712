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
        let say = context.narrator
        say.heading("SGNS and PMI")
        say.prose(
            """
            Levy & Goldberg (2014) showed that SGNS with k negatives is, at its optimum, a factorisation of the \
            pointwise mutual information matrix shifted by log k. The argument fits in four lines:
            """)
        say.derivation(
            "SGNS's optimum is shifted PMI",
            [
                (
                    "With #(i, j) the co-occurrence count of items i and j, #(i) and #(j) their counts, D the total, "
                        + "and negatives drawn from the unigram distribution, SGNS maximises",
                    ##"\ell = \sum_{i,j} \#(i,j) \log \sigma(w_i \cdot c_j) + k \sum_{i} \#(i) \, "##
                        + ##"\mathbb E_{j' \sim P}\left[\log \sigma(-w_i \cdot c_{j'})\right]"##,
                    "ℓ = Σ #(i,j) log σ(w_i·c_j) + k Σ_i #(i) E_{j'~P}[log σ(−w_i·c_j')]"
                ),
                (
                    "For one pair the terms that involve x = w_i · c_j are (with P(j) = #(j)/D)",
                    ##"\ell(x) = \#(i,j) \log \sigma(x) + k \, \#(i) \frac{\#(j)}{D} \log \sigma(-x)"##,
                    "ℓ(x) = #(i,j) log σ(x) + k #(i) #(j)/D · log σ(−x)"
                ),
                (
                    "Using σ'(x) = σ(x)σ(−x), the derivative is zero where",
                    ##"\#(i,j)\,\sigma(-x) = k \, \frac{\#(i)\#(j)}{D} \, \sigma(x) \iff "##
                        + ##"e^{x} = \frac{\#(i,j) \, D}{\#(i)\#(j)} \cdot \frac1k"##,
                    "#(i,j) σ(−x) = k #(i)#(j)/D σ(x)  ⇔  eˣ = (#(i,j) D / (#(i)#(j))) / k"
                ),
                (
                    "so, if every dot product could be set freely, the optimum is PMI shifted by log k:",
                    ##"w_i \cdot c_j = \log \frac{\#(i,j)\, D}{\#(i)\#(j)} - \log k = \mathrm{PMI}(i, j) - \log k"##,
                    "w_i · c_j = PMI(i, j) − log k"
                ),
            ])
        say.prose(
            """
            With d-dimensional vectors the dot products cannot all reach their optimum, so SGNS finds a low-rank \
            compromise, weighted by how often each pair occurs. The document's PMI function:
            """)
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
            """
            compute_pmi_matrix takes log(0) for every pair never seen together and divides 0 by 0 for every film that \
            co-occurs with nothing. On the co-occurrence matrix of these sessions (window 20, the \(n) films of the \
            vocabulary) \(onVocabulary.minusInfinity.formatted()) of \((n * n).formatted()) cells are -inf; NumPy \
            warns, and `pmi[pmi < 0] = 0` turns them into 0, which is exactly what positive PMI means (a pair \
            never seen together gets PPMI 0), so that part is right, only noisy. The bug is elsewhere. Over all \
            \(data.itemCount) films (no \
            min_count), \(emptyRows) films co-occur with nothing and the function leaves \(nan.formatted()) cells \
            NaN: `pmi < 0` is false for NaN, so the clip does not catch them, and any factorisation of that matrix \
            fails. The right handling: compute PMI only where the count is positive and define (shifted) PPMI as 0 \
            elsewhere:
            """)
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
            String(
                format: """
                    Shifted PPMI (k = %.0f) factorised by a rank-%d SVD (vectors U·sqrt(S)) and the SGNS vectors \
                    agree on %.1f%% of each film's 10 nearest neighbours, against %.1f%% by chance. Over the %d \
                    co-occurring pairs, SGNS's dot products input_i · output_j correlate with PMI(i, j) - log k at r \
                    = %.2f. That is the evidence for \"SGNS implicitly factorises a shifted PMI matrix\": not equal \
                    (SGNS weights frequent pairs more, and stops before its optimum), but the same structure.
                    """,
                k, rank, 100 * overlap, 100 * chance, xs.count, correlation))
        let stride = max(1, xs.count / 4000)
        var figure = Figure(
            name: "sgns-vs-pmi", title: "SGNS dot products against shifted PMI (co-occurring pairs)",
            xLabel: "PMI(i, j) - log k",
            yLabel: "input_i · output_j (SGNS)",
            kind: .scatter(
                [
                    Series(
                        "film pairs (every \(stride)th)",
                        Swift.stride(from: 0, to: xs.count, by: stride).map { (x: ys[$0], y: xs[$0]) }, style: .points),
                    Series("y = x (the optimum of SGNS)", [(x: -4, y: -4), (x: 2, y: 2)], style: .dashed),
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
