// Chapter 5: EASE, the embarrassingly shallow autoencoder (Steck, WWW 2019).

import DataFetch
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum EASEChapter: Chapter {
    public static let number = 5
    public static let slug = "ease"
    public static let title = "EASE: the embarrassingly shallow autoencoder"
    public static let summary =
        "A closed-form item-item model on LAPACK: lambda chosen on validation, B inspected, deep models compared"

    static let lambdas: [Double] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let source = EASE.info.source

    /// The toy matrix of chapters 1 and 2 (the NCF paper's four users).
    public static let toy = ToyData.ncfUsers

    /// The toy matrix as training interactions.
    public static func toyMatrix() -> InteractionMatrix { ToyData.ncfMatrix() }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(context.chapterHeading, level: 1)
        try closedForm(context)
        try toyExample(context)
        guard
            let data = try context.optionalData(
                "MovieLens-100K",
                { try MovieLens.ml100k(context.options) { say.status($0) } })
        else {
            try scale(context)
            return
        }
        let (ease, split) = try movieLens(context, data: data)
        try lookInside(context, data: data, ease: ease)
        try compare(context, data: data, split: split)
        try scale(context)
        say.heading(t("summary.heading"))
        say.bullets([t("summary.closed-form"), t("summary.lambda"), t("summary.negative"), t("summary.cost")])
    }

    // MARK: - Sections

    static func closedForm(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("closed.heading"))
        say.prose(t("closed.intro"))
        say.derivation(
            t("closed.derivation.title"),
            [
                (
                    t("closed.derivation.objective"),
                    #"\min_B \; \lVert X - XB \rVert_F^2 + \lambda \lVert B \rVert_F^2 \quad \text{s.t.} \quad "#
                        + #"\operatorname{diag}(B) = 0"#,
                    t("closed.derivation.objective.plain")
                ),
                (
                    t("closed.derivation.lagrangian"),
                    #"L(B, \mu) = \lVert X - XB \rVert_F^2 + \lambda \lVert B \rVert_F^2 + 2\mu^\top "#
                        + #"\operatorname{diag}(B)"#,
                    "L(B, μ) = ‖X − XB‖²_F + λ‖B‖²_F + 2 μᵀ diag(B)"
                ),
                (
                    t("closed.derivation.gradient"),
                    #"-2X^\top(X - XB) + 2\lambda B + 2\operatorname{diagMat}(\mu) = 0"#,
                    "−2Xᵀ(X − XB) + 2λB + 2 diagMat(μ) = 0"
                ),
                (
                    t("closed.derivation.solve"),
                    #"GB = G - \lambda I - \operatorname{diagMat}(\mu) \;\Rightarrow\; "#
                        + #"B = I - P \operatorname{diagMat}(\tilde\mu), \quad \tilde\mu = \lambda \mathbf{1} + \mu"#,
                    t("closed.derivation.solve.plain")
                ),
                (
                    t("closed.derivation.constraint"),
                    #"B = I - P \operatorname{diagMat}\!\left(1 \oslash \operatorname{diag}(P)\right), \qquad "#
                        + #"B_{ij} = -\frac{P_{ij}}{P_{jj}} \;(i \ne j), \quad B_{jj} = 0"#,
                    "B = I − P·diagMat(1 ⊘ diag(P)),   B_ij = −P_ij / P_jj (i ≠ j),   B_jj = 0"
                ),
            ])
        say.prose(t("closed.ridge"))
        say.step(t("closed.step.cholesky"))
        say.step(t("closed.step.scores"))
        say.listing(try Listing.region("ease", file: source))
        say.prose(t("closed.document"))
        say.table(
            Table(
                headers: [t("closed.table.line"), t("closed.table.does")],
                rows: [
                    ["G = X.T @ X", t("closed.table.gram")],
                    ["G[diag_indices] += self.lambda_reg", t("closed.table.lambda")],
                    ["P = np.linalg.inv(G)", t("closed.table.inverse")],
                    ["self.B = P / (-np.diag(P))", t("closed.table.divide")],
                    ["self.B[diag_indices] = 0", t("closed.table.zero")],
                    ["return X @ self.B", t("closed.table.scores")],
                ], alignments: [.left, .left]))
        say.errata(t("closed.errata"))
    }

    static func toyExample(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("toy.heading"))
        let train = toyMatrix()
        let ease = try EASE(train: train, lambda: 1)
        let g = EASE.gram(train)
        say.table(
            Table(
                headers: ["G = XᵀX"] + (1...5).map { "i\($0)" },
                rows: (0..<5).map { i in
                    ["i\(i + 1)"] + (0..<5).map { String(format: "%.0f", g[i * 5 + $0]) }
                }), caption: t("toy.gram.caption"))
        say.table(
            Table(
                headers: ["B (λ = 1)"] + (1...5).map { "i\($0)" },
                rows: (0..<5).map { i in
                    ["i\(i + 1)"] + (0..<5).map { String(format: "%+.3f", ease.weight(i, $0)) }
                }), caption: t("toy.weights.caption"))
        let negatives = (0..<5).flatMap { i in (0..<5).filter { $0 != i && ease.weight(i, $0) < 0 } }.count
        context.record("toy_negative_weights_lambda1", Double(negatives))
        let scores = ease.scores(users: [1])
        let lacking = [0, 3, 4].map { t("toy.score", ["item": $0 + 1, "score": String(format: "%+.3f", scores[$0])]) }
        say.prose(t("toy.scores", ["scores": lacking.joined(separator: ", "), "negatives": negatives]))
    }

    static func evaluate(
        _ model: any Recommender, train: InteractionMatrix, test: InteractionMatrix
    ) -> [String: Double] {
        FullRankingEvaluator(train: train, test: test).evaluate(model, ks: [20]).metrics
    }

    static func movieLens(_ context: ChapterContext, data: RatingsData) throws -> (EASE, Split) {
        let say = context.narrator, t = context.text
        say.heading(t("ml.heading"))
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let trainRows = (split.train + split.validation).sorted()
        say.prose(
            t(
                "ml.protocol",
                [
                    "test": split.test.count.formatted(), "validation": split.validation.count.formatted(),
                    "train": split.train.count.formatted(),
                ]))
        let fitTrain = InteractionMatrix(data, rows: split.train),
            validation = InteractionMatrix(data, rows: split.validation)
        let fullTrain = InteractionMatrix(data, rows: trainRows), test = InteractionMatrix(data, rows: split.test)
        var rows: [[String]] = []
        var validationNDCG: [(x: Double, y: Double)] = [], testNDCG: [(x: Double, y: Double)] = [],
            testRecall: [(x: Double, y: Double)] = []
        let bar = ProgressBar(t("ml.progress"), total: lambdas.count, style: say.style)
        var best: (lambda: Double, ndcg: Double) = (0, -1)
        var fitSeconds = 0.0
        for (k, lambda) in lambdas.enumerated() {
            let onValidation = evaluate(try EASE(train: fitTrain, lambda: lambda), train: fitTrain, test: validation)
            let full = try EASE(train: fullTrain, lambda: lambda)
            fitSeconds = full.timings.gram + full.timings.inverse + full.timings.weights
            let onTest = evaluate(full, train: fullTrain, test: test)
            let negative = Double(full.weights.filter { $0 < 0 }.count) / Double(data.itemCount * (data.itemCount - 1))
            if (onValidation["NDCG@20"] ?? .nan) > best.ndcg { best = (lambda, (onValidation["NDCG@20"] ?? .nan)) }
            validationNDCG.append((x: lambda, y: (onValidation["NDCG@20"] ?? .nan)))
            testNDCG.append((x: lambda, y: (onTest["NDCG@20"] ?? .nan)))
            testRecall.append((x: lambda, y: (onTest["Recall@20"] ?? .nan)))
            context.record("lambda_\(Int(lambda))_validation_NDCG@20", (onValidation["NDCG@20"] ?? .nan))
            context.record("lambda_\(Int(lambda))_test_NDCG@20", (onTest["NDCG@20"] ?? .nan))
            context.record("lambda_\(Int(lambda))_negative_share", negative)
            rows.append([
                String(format: "%.0f", lambda), f4((onValidation["Recall@20"] ?? .nan)),
                f4((onValidation["NDCG@20"] ?? .nan)),
                f4((onTest["Recall@20"] ?? .nan)), f4((onTest["NDCG@20"] ?? .nan)),
                String(format: "%.1f%%", 100 * negative),
            ])
            bar.update(k + 1, detail: "λ = \(Int(lambda))")
        }
        bar.finish()
        say.table(
            Table(
                headers: [
                    "λ", t("ml.sweep.valid-recall"), t("ml.sweep.valid-ndcg"), t("ml.sweep.test-recall"),
                    t("ml.sweep.test-ndcg"), t("ml.sweep.negative"),
                ], rows: rows),
            caption: t("ml.sweep.caption"))
        let chosen = try EASE(train: fullTrain, lambda: best.lambda)
        let final = evaluate(chosen, train: fullTrain, test: test)
        let testBest = testNDCG.max { $0.y < $1.y }!
        context.record("chosen_lambda", best.lambda)
        context.record(
            ResultEntry(
                model: "EASE (λ = \(Int(best.lambda)))", protocol: "holdout-20", dataset: data.name, metrics: final,
                trainSeconds: chosen.timings.gram + chosen.timings.inverse + chosen.timings.weights))
        let picked: [String: any CustomStringConvertible] = [
            "lambda": String(format: "%.0f", best.lambda), "recall": f4(final["Recall@20"] ?? .nan),
            "ndcg": f4(final["NDCG@20"] ?? .nan), "best": String(format: "%.0f", testBest.x),
            "best-ndcg": f4(testBest.y), "gap": f4(testBest.y - (final["NDCG@20"] ?? .nan)), "n": data.itemCount,
            "seconds": String(format: "%.2f", fitSeconds), "gram": String(format: "%.3f", chosen.timings.gram),
            "inverse": String(format: "%.3f", chosen.timings.inverse),
        ]
        say.prose(t(testBest.x == best.lambda ? "ml.picks.same" : "ml.picks.gap", picked))
        let testRecallName = t("fig.sweep.test-recall")
        var figure = Figure(
            name: "lambda-sweep", title: t("fig.sweep.title"), xLabel: t("fig.sweep.x"), yLabel: t("fig.sweep.y"),
            kind: .lines([
                Series(t("fig.sweep.valid-ndcg"), validationNDCG), Series(t("fig.sweep.test-ndcg"), testNDCG),
                Series(testRecallName, testRecall),
            ]))
        figure.secondAxis = (label: t("fig.sweep.y2"), series: [testRecallName], range: nil)
        figure.logX = true
        figure.markers = [(x: best.lambda, caption: t("fig.sweep.chosen"))]
        figure.keyPosition = "below"
        try context.figure(figure, caption: t("fig.sweep.caption"))
        return (chosen, split)
    }

    static func scale(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("scale.heading"))
        let n: Int
        switch context.options.mode {
        case .quick: n = 1_500
        case .standard: n = 6_000
        case .full: n = 20_000
        }
        say.prose(t("scale.intro", ["items": n.formatted()]))
        let (train, seconds) = try EASE.syntheticFit(items: n, users: n * 5, seed: context.options.seed)
        let gigabytes = 8 * Double(n) * Double(n) / 1e9
        let predicted20k = seconds.total * pow(20_000 / Double(n), 3)
        context.record("scale_items", Double(n))
        context.record("scale_fit_seconds", seconds.total)
        context.record("scale_inverse_seconds", seconds.inverse)
        say.table(
            Table(
                headers: [
                    t("scale.table.items"), t("scale.table.users"), t("scale.table.interactions"),
                    t("scale.table.gram"), t("scale.table.inverse"), t("scale.table.weights"), t("scale.table.size"),
                ],
                rows: [
                    [
                        n.formatted(), train.userCount.formatted(), train.nonZeroCount.formatted(),
                        String(format: "%.2f", seconds.gram),
                        String(format: "%.2f", seconds.inverse), String(format: "%.2f", seconds.weights),
                        t("scale.table.gigabytes", ["size": String(format: "%.2f", gigabytes)]),
                    ]
                ]), caption: t("scale.table.caption"))
        say.prose(
            n == 20_000
                ? t(
                    "scale.full",
                    ["seconds": String(format: "%.0f", seconds.total), "size": String(format: "%.1f", gigabytes)])
                : t(
                    "scale.predicted",
                    [
                        "items": n, "seconds": String(format: "%.0f", predicted20k),
                        "size": String(format: "%.1f", 8 * 4e8 / 1e9),
                    ]))
    }

}
