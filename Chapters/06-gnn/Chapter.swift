// Chapter 6: graph neural networks for recommendation: NGCF and LightGCN.

import DataFetch
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum GNNChapter: Chapter {
    public static let number = 6
    public static let slug = "gnn"
    public static let title = "Graph neural networks: NGCF and LightGCN"
    public static let summary =
        "The bipartite graph, message passing, NGCF done right, LightGCN vs MF-BPR, over-smoothing"

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static func source(_ file: String) -> String { ModelsSource.file("Graph/" + file) }

    /// The toy interactions: the NCF paper's four users (chapters 1, 2 and 5).
    public static func toyMatrix() -> InteractionMatrix { ToyData.ncfMatrix() }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(context.chapterHeading, level: 1)
        try graphs(context)
        try documentCode(context)
        guard
            let data = try context.optionalData(
                "MovieLens-100K",
                { try MovieLens.ml100k(context.options) { say.status($0) } })
        else {
            return
        }
        let outcome = try movieLens(context, data: data)
        try layers(context, data: data, split: outcome.split)
        say.heading(t("summary.heading"))
        let result = t(
            context.options.mode == .standard ? "summary.result.converged" : "summary.result.fixed",
            [
                "lightgcn": f4(outcome.recall["LightGCN"] ?? .nan), "ngcf": f4(outcome.recall["NGCF"] ?? .nan),
                "mfbpr": f4(outcome.recall["MF-BPR"] ?? .nan),
            ])
        let verdict: String
        switch outcome.lightGCNAheadOfMFBPR {
        case true?: verdict = "summary.ahead"
        case false?: verdict = "summary.behind"
        case nil: verdict = "summary.tied"
        }
        say.bullets([t("summary.graph"), result + " " + t(verdict), t("summary.smoothing")])
    }

    // MARK: - The graph

    static func graphs(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("why.heading"))
        say.prose(t("why.intro"))
        let train = toyMatrix()
        var edges: [(x: Double, y: Double)] = []
        func userY(_ u: Int) -> Double { Double(3 - u) * 4 / 3 }
        func itemY(_ i: Int) -> Double { Double(4 - i) }
        for u in 0..<4 {
            for i in train.items(of: u) {
                edges.append((x: 0, y: userY(u)))
                edges.append((x: 1, y: itemY(Int(i))))
                edges.append((x: .nan, y: .nan))  // a gap: each edge is its own segment
            }
        }
        let userNodes: [(x: Double, y: Double)] = (0..<4).map { (x: 0, y: userY($0)) }
        let itemNodes: [(x: Double, y: Double)] = (0..<5).map { (x: 1, y: itemY($0)) }
        let userLabels: [PointLabel] = (0..<4).map {
            PointLabel(t("fig.toy-graph.user", ["n": $0 + 1]), x: -0.12, y: userY($0))
        }
        let itemLabels: [PointLabel] = (0..<5).map {
            PointLabel(t("fig.toy-graph.item", ["n": $0 + 1]), x: 1.02, y: itemY($0))
        }
        let series = [
            Series(t("fig.toy-graph.edges"), edges, style: .lines),
            Series(t("fig.toy-graph.users"), userNodes, style: .points),
            Series(t("fig.toy-graph.items"), itemNodes, style: .points),
        ]
        var figure = Figure(
            name: "toy-graph", title: t("fig.toy-graph.title"), xLabel: t("fig.toy-graph.x"),
            yLabel: t("fig.toy-graph.y"),
            kind: .scatter(series, labels: userLabels + itemLabels))
        figure.hideAxes = true  // a drawing: where a node sits means nothing
        figure.xRange = -0.3...1.3
        figure.yRange = -0.5...4.5
        figure.keyPosition = "below"
        try context.figure(figure)
        say.prose(t("why.message-passing"))
        let a = normalizedAdjacency(train)
        var rows: [[String]] = []
        var reach = (0..<9).map { Set([$0]) }
        for hop in 1...3 {
            reach = reach.map { nodes in
                nodes.union(nodes.flatMap { node in a.columns[a.rowStart[node]..<a.rowStart[node + 1]].map(Int.init) })
            }
            rows.append(
                ["\(hop)"]
                    + (0..<4).map { u in
                        let items = reach[u].filter { $0 >= 4 }.map { "i\($0 - 3)" }.sorted(),
                            users = reach[u].filter { $0 < 4 && $0 != u }.map { "u\($0 + 1)" }.sorted()
                        return (items + users).joined(separator: " ")
                    })
        }
        say.table(
            Table(
                headers: [t("reach.hops"), t("reach.first-user", ["n": 1])]
                    + (2...4).map { t("reach.user", ["n": $0]) },
                rows: rows, alignments: [.right, .left, .left, .left, .left]),
            caption: t("reach.caption"))
        say.prose(t("why.adjacency"))
        say.listing(try Listing.region("adjacency", file: source("Graph.swift")))
        let dense = (0..<9).map { r in
            (0..<9).map { c -> String in
                let k = a.columns[a.rowStart[r]..<a.rowStart[r + 1]].firstIndex(of: Int32(c))
                return k.map { String(format: "%.3f", a.values[$0]) } ?? "."
            }
        }
        say.table(
            Table(
                headers: ["Â"] + (1...4).map { "u\($0)" } + (1...5).map { "i\($0)" },
                rows: dense.enumerated().map { r, row in [r < 4 ? "u\(r + 1)" : "i\(r - 3)"] + row }),
            caption: t("adjacency.caption"))
    }

    static func documentCode(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("ngcf.heading"))
        say.errata(t("ngcf.errata"))
        say.listing(try Listing.region("ngcf", file: source("NGCF.swift")))
        say.prose(t("lightgcn.intro"))
        say.listing(try Listing.region("lightgcn", file: source("LightGCN.swift")))
        say.derivation(
            t("lightgcn.derivation.title"),
            [
                (
                    t("lightgcn.derivation.layer"),
                    #"E^{(k+1)} = \hat A E^{(k)}, \qquad \hat A = D^{-1/2} A D^{-1/2}, \qquad "#
                        + #"e_u^{(k+1)} = \sum_{i \in N_u} \frac{e_i^{(k)}}{\sqrt{|N_u|}\sqrt{|N_i|}}"#,
                    "E⁽ᵏ⁺¹⁾ = Â E⁽ᵏ⁾,  Â = D^-1/2 A D^-1/2,  e_u⁽ᵏ⁺¹⁾ = Σ_{i∈N_u} e_i⁽ᵏ⁾ / (√|N_u| √|N_i|)"
                ),
                (
                    t("lightgcn.derivation.mean"),
                    #"E = \frac{1}{K+1} \sum_{k=0}^{K} E^{(k)} = \frac{1}{K+1} \left( \sum_{k=0}^{K} \hat A^k "#
                        + #"\right) E^{(0)}"#,
                    "E = (1/(K+1)) Σ_k E⁽ᵏ⁾ = (1/(K+1)) (Σ_k Âᵏ) E⁽⁰⁾"
                ),
                (
                    t("lightgcn.derivation.score"),
                    #"\hat y_{ui} = e_u^\top e_i"#,
                    "ŷ_ui = e_uᵀ e_i"
                ),
            ])
        say.derivation(
            t("bpr.derivation.title"),
            [
                (
                    t("bpr.derivation.preference"),
                    #"p(i \succ_u j \mid \Theta) = \sigma(\hat y_{ui} - \hat y_{uj})"#,
                    "p(i ≻_u j | Θ) = σ(ŷ_ui − ŷ_uj)"
                ),
                (
                    t("bpr.derivation.loss"),
                    #"\mathcal L = -\sum_{(u,i,j)} \ln \sigma(\hat y_{ui} - \hat y_{uj}) + \lambda \lVert "#
                        + #"E^{(0)} \rVert^2"#,
                    "L = −Σ ln σ(ŷ_ui − ŷ_uj) + λ‖E⁽⁰⁾‖²"
                ),
                (
                    t("bpr.derivation.gradient"),
                    #"\frac{\partial}{\partial (\hat y_{ui} - \hat y_{uj})} \left( -\ln \sigma(\hat y_{ui} - "#
                        + #"\hat y_{uj}) \right) "#
                        + #"= -\left(1 - \sigma(\hat y_{ui} - \hat y_{uj})\right)"#,
                    "∂/∂(ŷ_ui − ŷ_uj) [−ln σ(ŷ_ui − ŷ_uj)] = −(1 − σ(ŷ_ui − ŷ_uj))"
                ),
            ])
        say.prose(t("bpr.code"))
        say.listing(try Listing.region("bpr-loss", file: source("Graph.swift")))
    }

}
