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
        let say = context.narrator
        say.heading("Chapter 6. \(title)", level: 1)
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
        say.heading("Summary")
        say.bullets([
            """
            A user-item matrix is a bipartite graph; k rounds of message passing let a user's embedding see items \
            k hops away (3 hops: items liked by users who share their items).
            """,
            String(
                format: "On holdout-20, trained %@: LightGCN Recall@20 %.4f, NGCF %.4f, MF-BPR (no propagation) %.4f. ",
                context.options.mode == .standard ? "until validation stopped improving" : "for a fixed budget",
                outcome.recall["LightGCN"] ?? .nan, outcome.recall["NGCF"] ?? .nan, outcome.recall["MF-BPR"] ?? .nan)
                + {
                    switch outcome.lightGCNAheadOfMFBPR {
                    case true?: return "LightGCN is ahead of MF-BPR on the same users, as its paper found."
                    case false?: return "MF-BPR is ahead of LightGCN on the same users: the reverse of the paper."
                    case nil:
                        return """
                            LightGCN and MF-BPR cannot be told apart on these users (the paired interval includes 0): \
                            with both tuned on validation, propagation buys little on a data set this small and \
                            dense.
                            """
                    }
                }(),
            """
            Propagation smooths: the more layers, the more alike all embeddings become, which is why LightGCN \
            stops at a few layers and keeps layer 0 in its average.
            """,
        ])
    }

    // MARK: - The graph

    static func graphs(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Why graphs")
        say.prose(
            """
            Users and items are the two kinds of node of a bipartite graph, and every interaction is an edge. The toy \
            matrix of chapters 1, 2 and 5 as a graph:
            """)
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
        let userLabels: [PointLabel] = (0..<4).map { PointLabel("user \($0 + 1)", x: -0.12, y: userY($0)) }
        let itemLabels: [PointLabel] = (0..<5).map { PointLabel("item \($0 + 1)", x: 1.02, y: itemY($0)) }
        let series = [
            Series("interactions", edges, style: .lines), Series("users", userNodes, style: .points),
            Series("items", itemNodes, style: .points),
        ]
        var figure = Figure(
            name: "toy-graph", title: "The toy interactions as a bipartite graph", xLabel: "users | items",
            yLabel: "node",
            kind: .scatter(series, labels: userLabels + itemLabels))
        figure.hideAxes = true  // a drawing: where a node sits means nothing
        figure.xRange = -0.3...1.3
        figure.yRange = -0.5...4.5
        figure.keyPosition = "below"
        try context.figure(figure)
        say.prose(
            """
            Message passing lets each node gather information from its neighbours. After k rounds a user has heard \
            from every node k hops away:
            """)
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
                headers: ["hops", "user 1 reaches", "user 2", "user 3", "user 4"], rows: rows,
                alignments: [.right, .left, .left, .left, .left]),
            caption: """
                Multi-hop reachability on the toy graph (1 hop: own items; 2: users sharing an item; 3: those \
                users' items)
                """)
        say.prose("Propagation averages with weights that shrink for busy nodes: the symmetric normalised adjacency.")
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
            caption: "D^-1/2 A D^-1/2 of the toy graph (user 1 has 4 items, item 3 has 4 users: 1/sqrt(16) = 0.250)")
    }

    static func documentCode(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("NGCF, done right")
        say.errata(
            """
            The document's NGCF.construct_message uses `user` and `item` (as in `adj[user]`, `adj[item]`), which are \
            never defined in that method, so it raises NameError; it also normalises each message with Python list \
            lengths inside a tensor expression and never defines aggregate_message. Even with those filled in, its \
            forward propagates only the batch's own embeddings: `user_emb` and `item_emb` are the looked-up rows of \
            the users and items in the batch, so a message can only come from the one item paired with a user in \
            that row, never from the user's other neighbours in the graph, and the multi-hop reach above never \
            happens. Propagation has to run over all nodes' embeddings through the adjacency Â before the batch's \
            rows are read. The paper's layer, for every node at once, is E' = LeakyReLU((ÂE + E)W1 + (ÂE ⊙ E)W2), \
            with message dropout and the layers' outputs concatenated:
            """)
        say.listing(try Listing.region("ngcf", file: source("NGCF.swift")))
        say.prose("LightGCN keeps only the propagation, as the document writes it:")
        say.listing(try Listing.region("lightgcn", file: source("LightGCN.swift")))
        say.derivation(
            "LightGCN's propagation and layer mean",
            [
                (
                    "A layer is one multiplication by the normalised adjacency, with no weights and no non-linearity:",
                    #"E^{(k+1)} = \hat A E^{(k)}, \qquad \hat A = D^{-1/2} A D^{-1/2}, \qquad "#
                        + #"e_u^{(k+1)} = \sum_{i \in N_u} \frac{e_i^{(k)}}{\sqrt{|N_u|}\sqrt{|N_i|}}"#,
                    "E⁽ᵏ⁺¹⁾ = Â E⁽ᵏ⁾,  Â = D^-1/2 A D^-1/2,  e_u⁽ᵏ⁺¹⁾ = Σ_{i∈N_u} e_i⁽ᵏ⁾ / (√|N_u| √|N_i|)"
                ),
                (
                    "The final embedding is the mean of the K + 1 layers, "
                        + "so it is a fixed polynomial in Â applied to E⁽⁰⁾:",
                    #"E = \frac{1}{K+1} \sum_{k=0}^{K} E^{(k)} = \frac{1}{K+1} \left( \sum_{k=0}^{K} \hat A^k "#
                        + #"\right) E^{(0)}"#,
                    "E = (1/(K+1)) Σ_k E⁽ᵏ⁾ = (1/(K+1)) (Σ_k Âᵏ) E⁽⁰⁾"
                ),
                (
                    "Only E⁽⁰⁾ is learned; the score is a dot product of final embeddings:",
                    #"\hat y_{ui} = e_u^\top e_i"#,
                    "ŷ_ui = e_uᵀ e_i"
                ),
            ])
        say.derivation(
            "BPR, from a pairwise likelihood",
            [
                (
                    "Assume a user prefers an item they have (i) to one they lack (j) "
                        + "with probability σ of the score gap:",
                    #"p(i \succ_u j \mid \Theta) = \sigma(\hat y_{ui} - \hat y_{uj})"#,
                    "p(i ≻_u j | Θ) = σ(ŷ_ui − ŷ_uj)"
                ),
                (
                    "Maximise the likelihood of the sampled triples under a Gaussian prior on the ego embeddings; "
                        + "the negative log posterior is the loss:",
                    #"\mathcal L = -\sum_{(u,i,j)} \ln \sigma(\hat y_{ui} - \hat y_{uj}) + \lambda \lVert "#
                        + #"E^{(0)} \rVert^2"#,
                    "L = −Σ ln σ(ŷ_ui − ŷ_uj) + λ‖E⁽⁰⁾‖²"
                ),
                (
                    "Its gradient in the gap is what a step pushes: nothing for a triple already well ordered, "
                        + "up to 1 for one ordered the wrong way:",
                    #"\frac{\partial}{\partial (\hat y_{ui} - \hat y_{uj})} \left( -\ln \sigma(\hat y_{ui} - "#
                        + #"\hat y_{uj}) \right) "#
                        + #"= -\left(1 - \sigma(\hat y_{ui} - \hat y_{uj})\right)"#,
                    "∂/∂(ŷ_ui − ŷ_uj) [−ln σ(ŷ_ui − ŷ_uj)] = −(1 − σ(ŷ_ui − ŷ_uj))"
                ),
            ])
        say.prose(
            """
            In code, for a batch of triples, with the L2 penalty on the batch's ego embeddings:
            """)
        say.listing(try Listing.region("bpr-loss", file: source("Graph.swift")))
    }

}
