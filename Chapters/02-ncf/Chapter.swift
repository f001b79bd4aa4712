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

    /// The paired bootstrap of `a` against `b` on `metric`, as a sentence ("" without per-user values).
    static func paired(
        _ context: ChapterContext, _ evaluations: [String: Evaluation], _ a: String, _ b: String,
        metric: String = "HR@10"
    ) -> String {
        guard let x = evaluations[a], let y = evaluations[b],
            let c = Bootstrap.compare(x, y, metric: metric, seed: context.options.seed)
        else { return "" }
        return c.sentence(a, b, metric: metric)
    }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        let plan = Plan.of(context.options.mode)
        say.heading(context.chapterHeading, level: 1)
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
        say.heading(t("summary.heading"))
        let hr = loo.hr
        let popHR = hr("MostPopular"), knnHR = hr("ItemKNN")
        let ncf = ["GMF", "MLP", "NeuMF"]
        func paired(_ a: String, _ b: String) -> String { Self.paired(context, loo.evaluations, a, b) }
        say.bullets([
            t(
                "summary.models",
                [
                    "neumf": f4(hr("NeuMF")), "gmf": f4(hr("GMF")), "mlp": f4(hr("MLP")),
                    "paired": paired("NeuMF", "GMF"),
                ]),
            t(
                "summary.pretraining",
                [
                    "pretrained": f4(hr("NeuMF (pre-trained)")), "scratch": f4(hr("NeuMF")),
                    "paired": paired("NeuMF (pre-trained)", "NeuMF"),
                ]),
            t(
                ncf.allSatisfy { hr($0) > popHR } ? "summary.baselines.all" : "summary.baselines.not-all",
                ["popular": f4(popHR), "knn": f4(knnHR), "paired": paired("NeuMF", "ItemKNN")])
                + " " + t(ordersAgree ? "summary.candidates.agree" : "summary.candidates.reorder"),
            t("summary.document"),
        ])
    }

    // MARK: - Models

    static func models(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("models.heading"))
        say.prose(t("models.intro"))
        say.derivation(
            t("models.derivation.title"),
            [
                (
                    t("models.derivation.score"),
                    #"\hat y_{ui} = a\left(h^\top (p_u \odot q_i) + b\right) = a\left(\sum_{k=1}^{f} h_k \, "#
                        + #"p_{uk} \, q_{ik} + b\right)"#,
                    "ŷ_ui = a(hᵀ(p_u ⊙ q_i) + b) = a(Σ_k h_k p_uk q_ik + b)"
                ),
                (
                    t("models.derivation.mf"),
                    #"\hat y_{ui} = \sum_{k} p_{uk} q_{ik} = p_u^\top q_i"#,
                    "ŷ_ui = Σ_k p_uk q_ik = p_uᵀ q_i"
                ),
                (
                    t("models.derivation.rescale"),
                    #"h_k \, p_{uk} \, q_{ik} = (h_k p_{uk}) \, q_{ik} = p'_{uk} \, q_{ik}"#,
                    "h_k p_uk q_ik = (h_k p_uk) q_ik = p'_uk q_ik"
                ),
            ])
        say.listing(try listing("gmf", GMF.info.source))
        say.prose(t("models.mlp"))
        say.listing(try listing("mlp", MLP.info.source))
        let rows = [(8, 3), (16, 3), (32, 3), (32, 4), (64, 3)].map { f, l in
            [
                "\(f)", "\(l)", "\(f * (1 << (l - 1)))",
                MLP.pyramid(factors: f, layers: l).map(String.init).joined(separator: " → "),
            ]
        }
        say.table(
            Table(
                headers: ["f", "L", t("models.pyramid.header.embedding"), t("models.pyramid.header.layers")],
                rows: rows, alignments: [.right, .right, .right, .left]),
            caption: t("models.pyramid.caption"))
        say.prose(t("models.pyramid.check"))
        say.listing(try listing("neumf", NeuMF.info.source))
        let config = NeuMF.defaultConfig(context.options.mode)
        try context.diagram(
            neumfDiagram(config, context),
            caption: t("models.diagram.caption", ["config": config.summary]))
        say.errata(t("models.errata"))
    }

    /// NeuMF's two towers and how they join, with the widths of `config`.
    static func neumfDiagram(_ config: NCFConfig, _ context: ChapterContext) -> Diagram {
        let t = context.text
        var d = Diagram(name: "neumf-architecture", title: t("diagram.title"))
        let pyramid = config.pyramid, f = config.factors
        let (input, gmf, mlp, join) = ("#fdf2d0", "#dcecf7", "#e3f1df", "#f3e1ef")
        d.nodes = [
            .init("user", t("diagram.user"), shape: .ellipse, fill: input),
            .init("item", t("diagram.item"), shape: .ellipse, fill: input),
            .init("gu", t("diagram.gmf-user", ["width": f]), fill: gmf),
            .init("gi", t("diagram.gmf-item", ["width": f]), fill: gmf),
            .init("prod", t("diagram.product", ["width": f]), fill: gmf),
            .init("mu", t("diagram.mlp-user", ["width": pyramid[0] / 2]), fill: mlp),
            .init("mi", t("diagram.mlp-item", ["width": pyramid[0] / 2]), fill: mlp),
            .init("cat", t("diagram.concatenate", ["width": pyramid[0]]), fill: mlp),
        ]
        d.edges = [
            .init("user", "gu"), .init("item", "gi"), .init("user", "mu"), .init("item", "mi"), .init("gu", "prod"),
            .init("gi", "prod"), .init("mu", "cat"), .init("mi", "cat"),
        ]
        var previous = "cat"
        for (k, width) in pyramid.dropFirst().enumerated() {
            // The tower's order: Dropout (when it has one), Linear, ReLU.
            let widths: [String: any CustomStringConvertible] = [
                "from": pyramid[k], "to": width, "p": String(format: "%g", config.dropout),
            ]
            let layer = t(config.dropout > 0 ? "diagram.layer.dropout" : "diagram.layer", widths)
            d.nodes.append(.init("l\(k)", layer, fill: mlp))
            d.edges.append(.init(previous, "l\(k)"))
            previous = "l\(k)"
        }
        d.nodes += [
            .init("join", t("diagram.join", ["gmf": f, "mlp": pyramid.last ?? f]), fill: join),
            .init("out", t("diagram.output"), fill: join),
        ]
        d.edges += [.init("prod", "join", label: "GMF"), .init(previous, "join", label: "MLP"), .init("join", "out")]
        d.sameRank = [["user", "item"], ["gu", "gi", "mu", "mi"]]
        return d
    }

    // MARK: - Toy

    static func toy(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("toy.heading"))
        let r: [[Float]] = [[1, 1, 1, 0, 1], [0, 1, 1, 0, 0], [0, 1, 1, 1, 0], [1, 0, 1, 1, 1]]
        say.prose(t("toy.intro"))
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
            [t("toy.row.mf"), String(format: "%.4f", mfError), "-"],
            [t("toy.row.constant"), String(format: "%.4f", gmfBound), "-"],
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
            Table(headers: [t("common.model"), t("toy.header.error"), t("toy.header.cells")], rows: rows),
            caption: t("toy.caption", ["steps": steps]))
        say.table(
            Table(
                headers: [t("common.user")] + (1...5).map { t("common.item", ["n": $0]) },
                rows: (0..<4).map { u in
                    ["u\(u + 1)"] + (0..<5).map { String(format: "%.2f", predictions[u * 5 + $0]) }
                }), caption: t("toy.reconstruction.caption"))
        say.prose(t("toy.outro", ["bound": String(format: "%.4f", gmfBound)]))
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
