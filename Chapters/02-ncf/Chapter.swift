// Chapter 2: Neural Collaborative Filtering: GMF, MLP and NeuMF (He et al., WWW 2017).

import DataFetch
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum NCFChapter: Chapter {
    public static let number = 2
    public static let slug = "ncf"
    public static let title = "Neural Collaborative Filtering: GMF, MLP and NeuMF"
    public static let summary = "GMF, MLP and NeuMF on the tensor core: loo-99 HR@10, pre-training, factors, negatives"

    /// How much each part runs in each mode.
    struct Plan {
        var factorModels: [String], factorSizes: [Int], negativeModel: String, negativeCounts: [Int]
        var regressionEpochs: Int
        static func of(_ mode: RunMode) -> Plan {
            switch mode {
            case .quick:
                return Plan(
                    factorModels: ["GMF"], factorSizes: [8, 16], negativeModel: "GMF", negativeCounts: [1, 4],
                    regressionEpochs: 2)
            case .standard:
                return Plan(
                    factorModels: ["GMF"], factorSizes: [8, 16, 32, 64], negativeModel: "GMF",
                    negativeCounts: [1, 2, 4, 8], regressionEpochs: 3)
            case .full:
                return Plan(
                    factorModels: ["GMF", "MLP", "NeuMF"], factorSizes: [8, 16, 32, 64], negativeModel: "NeuMF",
                    negativeCounts: Array(1...10), regressionEpochs: 50)
            }
        }
    }

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// A listing from a model's own file (`GMF.info.source`) or RecKit's.
    static func listing(_ name: String, _ file: String) throws -> Listing { try Listing.region(name, file: file) }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        let plan = Plan.of(context.options.mode)
        say.heading("Chapter 2. \(title)", level: 1)
        try models(context)
        try toy(context)
        guard
            let data = try context.optionalData(
                "MovieLens-100K",
                { try MovieLens.ml100k(context.options) { say.status($0) } })
        else {
            return
        }
        let loo = try implicitTopK(context, data: data, plan: plan)
        try factorSweep(context, data: data, loo: loo, plan: plan)
        try negativeSweep(context, data: data, loo: loo, plan: plan)
        let ordersAgree = try sampledCaveat(context, data: data, loo: loo)
        try regression(context, data: data, plan: plan)
        say.heading("Summary")
        let hr = loo.hr
        let popHR = hr("MostPopular"), knnHR = hr("ItemKNN")
        let ncf = ["GMF", "MLP", "NeuMF"]
        func paired(_ a: String, _ b: String) -> String {
            guard let x = loo.evaluations[a], let y = loo.evaluations[b],
                let c = Bootstrap.compare(x, y, metric: "HR@10", seed: context.options.seed)
            else { return "" }
            return c.sentence(a, b, metric: "HR@10")
        }
        say.bullets([
            """
            GMF generalises MF by weighting each latent dimension; MLP learns the interaction from concatenated \
            embeddings; NeuMF joins both. 
            """
                + String(
                    format: "Here NeuMF reached HR@10 %.4f against %.4f (GMF) and %.4f (MLP); ", hr("NeuMF"), hr("GMF"),
                    hr("MLP"))
                + paired("NeuMF", "GMF") + ".",
            String(
                format:
                    "Pre-training NeuMF from GMF and MLP (the paper's recipe) gave %.4f against %.4f from scratch; ",
                hr("NeuMF (pre-trained)"), hr("NeuMF"))
                + paired("NeuMF (pre-trained)", "NeuMF") + ".",
            (ncf.allSatisfy { hr($0) > popHR }
                ? "Under loo-99 every NCF model beats most-popular (HR@10 \(f4(popHR))); "
                : "Not every NCF model beats most-popular (HR@10 \(f4(popHR))) here; ")
                + "against ItemKNN (\(f4(knnHR))): " + paired("NeuMF", "ItemKNN") + ". "
                + (ordersAgree
                    ? "More candidates keep the order but change the gaps."
                    : "More candidates reorder the models: report the protocol with every number."),
            """
            The document's own pipeline trains NeuMF as a rating regressor, and its evaluation ranks items across \
            users inside a mini-batch: the numbers it prints are not per-user ranking metrics.
            """,
        ])
    }

    // MARK: - Models

    static func models(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Three models")
        say.prose(
            """
            MF predicts with an inner product p_u · q_i, a fixed, linear way of combining a user with an item. Neural \
            CF learns the combination. GMF keeps the element-wise product but learns a weight for each dimension:
            """)
        say.derivation(
            "GMF contains MF",
            [
                (
                    "GMF scores a pair through a weighted element-wise product and a link function a:",
                    #"\hat y_{ui} = a\left(h^\top (p_u \odot q_i) + b\right) = a\left(\sum_{k=1}^{f} h_k \, "#
                        + #"p_{uk} \, q_{ik} + b\right)"#,
                    "ŷ_ui = a(hᵀ(p_u ⊙ q_i) + b) = a(Σ_k h_k p_uk q_ik + b)"
                ),
                (
                    "With a the identity, h = 1 (all ones) and b = 0, that is exactly MF's inner product:",
                    #"\hat y_{ui} = \sum_{k} p_{uk} q_{ik} = p_u^\top q_i"#,
                    "ŷ_ui = Σ_k p_uk q_ik = p_uᵀ q_i"
                ),
                (
                    "A learned h only rescales dimensions (h_k p_uk can be absorbed into p_u), so GMF's gain over MF "
                        + "comes from the sigmoid link and the log loss, not from a richer interaction; MLP is where "
                        + "the interaction becomes non-linear:",
                    #"h_k \, p_{uk} \, q_{ik} = (h_k p_{uk}) \, q_{ik} = p'_{uk} \, q_{ik}"#,
                    "h_k p_uk q_ik = (h_k p_uk) q_ik = p'_uk q_ik"
                ),
            ])
        say.listing(try listing("gmf", GMF.info.source))
        say.prose(
            """
            MLP concatenates the two embeddings and learns the interaction with a tower of layers that halves at \
            every step (the document's pyramid):
            """)
        say.listing(try listing("mlp", MLP.info.source))
        let rows = [(8, 3), (16, 3), (32, 3), (32, 4), (64, 3)].map { f, l in
            [
                "\(f)", "\(l)", "\(f * (1 << (l - 1)))",
                MLP.pyramid(factors: f, layers: l).map(String.init).joined(separator: " → "),
            ]
        }
        say.table(
            Table(
                headers: ["f", "L", "embedding size", "layers"], rows: rows,
                alignments: [.right, .right, .right, .left]),
            caption: "The pyramid: embeddings of f·2^(L-1) each, concatenated, then halved L times")
        say.prose(
            """
            The document's comment \"factor_num=32, num_layers=4 → 256\" checks out: 32 · 2³ = 256. NeuMF runs both \
            with separate embeddings and joins their last layers:
            """)
        say.listing(try listing("neumf", NeuMF.info.source))
        let config = NeuMF.defaultConfig(context.options.mode)
        try context.diagram(
            neumfDiagram(config),
            caption: """
                NeuMF as the book trains it (\(config.summary)); drawn from its Config, so the widths are the ones \
                that run.
                """)
        say.errata(
            """
            The document's MLP and NeuralMF call self._init_weight_() but never define it (only GMF does), so \
            constructing either raises AttributeError. The NCF PyTorch reference the code follows defines it as: \
            embeddings N(0, 0.01), tower weights Xavier-uniform, the output layer kaiming_uniform(a=1, \
            nonlinearity='sigmoid') (which is LeCun-uniform), all biases zero. The models above use exactly that; GMF \
            keeps the document's own initialisation.
            """)
    }

    /// NeuMF's two towers and how they join, with the widths of `config`.
    static func neumfDiagram(_ config: NCFConfig) -> Diagram {
        var d = Diagram(name: "neumf-architecture", title: "NeuMF: GMF and MLP towers joined (He et al. 2017)")
        let pyramid = config.pyramid, f = config.factors
        let (input, gmf, mlp, join) = ("#fdf2d0", "#dcecf7", "#e3f1df", "#f3e1ef")
        d.nodes = [
            .init("user", "user u (one-hot)", shape: .ellipse, fill: input),
            .init("item", "item i (one-hot)", shape: .ellipse, fill: input),
            .init("gu", "GMF user embedding\n\(f)", fill: gmf), .init("gi", "GMF item embedding\n\(f)", fill: gmf),
            .init("prod", "element-wise product\np_u ⊙ q_i  (\(f))", fill: gmf),
            .init("mu", "MLP user embedding\n\(pyramid[0] / 2)", fill: mlp),
            .init("mi", "MLP item embedding\n\(pyramid[0] / 2)", fill: mlp),
            .init("cat", "concatenate\n\(pyramid[0])", fill: mlp),
        ]
        d.edges = [
            .init("user", "gu"), .init("item", "gi"), .init("user", "mu"), .init("item", "mi"), .init("gu", "prod"),
            .init("gi", "prod"), .init("mu", "cat"), .init("mi", "cat"),
        ]
        var previous = "cat"
        for (k, width) in pyramid.dropFirst().enumerated() {
            d.nodes.append(.init("l\(k)", "Linear + ReLU\n\(pyramid[k]) → \(width)", fill: mlp))
            d.edges.append(.init(previous, "l\(k)"))
            previous = "l\(k)"
        }
        d.nodes += [
            .init("join", "concatenate\n\(f) + \(pyramid.last ?? f)", fill: join),
            .init("out", "Linear → 1, sigmoid\nŷ_ui", fill: join),
        ]
        d.edges += [.init("prod", "join", label: "GMF"), .init(previous, "join", label: "MLP"), .init("join", "out")]
        d.sameRank = [["user", "item"], ["gu", "gi", "mu", "mi"]]
        return d
    }

    // MARK: - Toy

    static func toy(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Toy first: what NeuMF fits that MF of the same size cannot")
        let r: [[Float]] = [[1, 1, 1, 0, 1], [0, 1, 1, 0, 0], [0, 1, 1, 1, 0], [1, 0, 1, 1, 1]]
        say.prose(
            """
            Chapter 1's matrix (the NCF paper's four users) has rank 4, so MF with 2 factors cannot reconstruct it: \
            the best rank-2 approximation leaves a squared error of 1.296 whatever the training (Eckart-Young). NeuMF \
            with the same 2 predictive factors, trained on all 20 cells with squared error:
            """)
        let users = (0..<4).flatMap { u in [Int32](repeating: Int32(u), count: 5) }
        let items = (0..<4).flatMap { _ in (0..<5).map(Int32.init) }
        let target = Tensor(r.flatMap { $0 })
        var config = NCFConfig(mode: .standard)
        config.factors = 2
        config.layers = 2
        let steps = context.options.mode == .quick ? 800 : 3000
        let rng = context.rng("toy")
        let mfError = try bestRankError(r, rank: 2), gmfBound = try bestRankPlusConstantError(r, rank: 2)
        var rows: [[String]] = [
            ["MF, K = 2 (SVD optimum)", String(format: "%.4f", mfError), "-"],
            ["rank 2 + a constant (optimum)", String(format: "%.4f", gmfBound), "-"],
        ]
        var predictions: [Float] = []
        for (name, model) in [
            ("GMF, f = 2", GMF(userCount: 4, itemCount: 5, factors: 2, rng: rng) as any PairScorer),
            ("NeuMF, f = 2, L = 2", NeuMF(userCount: 4, itemCount: 5, config: config, rng: rng)),
        ] {
            // Full-batch Adam on the squared error of all 20 cells.
            var strategy = FullBatchStrategy { (model(users, items) - target).sumOfSquares() }
            _ = try Trainer(name, settings: .fixed(steps))
                .fit(&strategy, model: model, optimizer: Adam(model.parameters), learningRate: 0.01)
            let p = model.predict(users: users, items: items)
            let error = zip(p, target.data).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
            let correct = zip(p, target.data).filter { ($0 > 0.5) == ($1 > 0.5) }.count
            rows.append([name, String(format: "%.4f", error), "\(correct) / 20"])
            context.record("toy_squared_error_\(name.split(separator: ",")[0])", error)
            if name.hasPrefix("NeuMF") { predictions = p }
        }
        context.record("toy_squared_error_MF_K2_optimum", mfError)
        context.record("toy_squared_error_rank2_plus_constant_optimum", gmfBound)
        say.table(
            Table(headers: ["model", "squared error", "cells on the right side of 0.5"], rows: rows),
            caption: "Fitting the 4 x 5 matrix with 2 predictive factors (\(steps) full-batch Adam steps)")
        say.table(
            Table(
                headers: ["user"] + (1...5).map { "item \($0)" },
                rows: (0..<4).map { u in
                    ["u\(u + 1)"] + (0..<5).map { String(format: "%.2f", predictions[u * 5 + $0]) }
                }), caption: "NeuMF's reconstruction")
        say.prose(
            String(
                format: """
                    GMF with 2 factors is MF with per-dimension weights plus the output layer's bias: a rank-2 \
                    matrix plus a constant. So it can beat plain MF's 1.296 (the constant is a third, very \
                    restricted factor), but never the best rank-2-plus-constant fit, %.4f. NeuMF's MLP path
                    """, gmfBound)
                    + """
                     combines the same 2-factor interface non-linearly and reconstructs the matrix, which is the \
                    point of the paper's figure 1.
                    """
        )
    }

    /// The squared error of the best rank-k approximation: the sum of the squared singular
    /// values beyond k.
    static func bestRankError(_ r: [[Float]], rank: Int) throws -> Double {
        let (_, s, _) = try Linalg.svd(r.flatMap { $0 }, rows: r.count, columns: r[0].count)
        return s.dropFirst(rank).map { Double($0) * Double($0) }.reduce(0, +)
    }

    /// The squared error of the best rank-k matrix plus a constant (GMF's output bias adds one):
    /// the rank-k error of R - b, minimised over b by a grid on [-1, 2] and golden-section steps.
    static func bestRankPlusConstantError(_ r: [[Float]], rank: Int) throws -> Double {
        func error(_ b: Double) throws -> Double { try bestRankError(r.map { $0.map { $0 - Float(b) } }, rank: rank) }
        let grid = try (0...300).map { k -> (Double, Double) in
            let b = -1 + Double(k) / 100; return (b, try error(b))
        }
        let best = grid.min { $0.1 < $1.1 }?.0 ?? 0
        var (lo, hi) = (best - 0.01, best + 0.01)
        for _ in 0..<40 {
            let (a, c) = (hi - 0.618 * (hi - lo), lo + 0.618 * (hi - lo))
            if try error(a) < error(c) { hi = c } else { lo = a }
        }
        return try min(error((lo + hi) / 2), grid.map(\.1).min() ?? .infinity)
    }
}
