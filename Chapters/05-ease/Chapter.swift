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
        let say = context.narrator
        say.heading("Chapter 5. \(title)", level: 1)
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
        say.heading("Summary")
        say.bullets([
            """
            EASE is one ridge regression per item with the item itself forbidden as an input: a single inverse of \
            the regularised Gram matrix gives all of them at once.
            """,
            "Its only hyperparameter, λ, is chosen on a validation split; the test set is touched once, at the end.",
            """
            Negative weights are part of the model: having one film can lower another's score, which \
            similarity-based ItemKNN cannot express.
            """,
            """
            The cost is the inverse: cubic in the number of items, so EASE suits catalogues of up to a few tens \
            of thousands of items.
            """,
        ])
    }

    // MARK: - Sections

    static func closedForm(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("The closed form, step by step")
        say.prose(
            """
            EASE learns an item-item matrix B so that a user's row x (which items they have) is reconstructed as x·B, \
            with one rule: an item may not predict itself.
            """)
        say.derivation(
            "EASE's closed form, derived",
            [
                (
                    "The objective, with X the users × items interaction matrix and one rule: no item predicts itself.",
                    #"\min_B \; \lVert X - XB \rVert_F^2 + \lambda \lVert B \rVert_F^2 \quad \text{s.t.} \quad "#
                        + #"\operatorname{diag}(B) = 0"#,
                    "min_B ‖X − XB‖²_F + λ‖B‖²_F   subject to   diag(B) = 0"
                ),
                (
                    "One Lagrange multiplier μ_j per diagonal entry; the Lagrangian is",
                    #"L(B, \mu) = \lVert X - XB \rVert_F^2 + \lambda \lVert B \rVert_F^2 + 2\mu^\top "#
                        + #"\operatorname{diag}(B)"#,
                    "L(B, μ) = ‖X − XB‖²_F + λ‖B‖²_F + 2 μᵀ diag(B)"
                ),
                (
                    "Its gradient in B, set to zero (diagMat(μ) puts μ on a diagonal):",
                    #"-2X^\top(X - XB) + 2\lambda B + 2\operatorname{diagMat}(\mu) = 0"#,
                    "−2Xᵀ(X − XB) + 2λB + 2 diagMat(μ) = 0"
                ),
                (
                    "Write G = XᵀX + λI (the Gram matrix with λ on its diagonal) and P = G⁻¹; solving for B,",
                    #"GB = G - \lambda I - \operatorname{diagMat}(\mu) \;\Rightarrow\; "#
                        + #"B = I - P \operatorname{diagMat}(\tilde\mu), \quad \tilde\mu = \lambda \mathbf{1} + \mu"#,
                    "G B = G − λI − diagMat(μ)  ⇒  B = I − P·diagMat(μ̃),  with μ̃ = λ + μ"
                ),
                (
                    "The constraint fixes μ̃: B_jj = 1 − P_jj μ̃_j = 0, so μ̃_j = 1 / P_jj, and",
                    #"B = I - P \operatorname{diagMat}\!\left(1 \oslash \operatorname{diag}(P)\right), \qquad "#
                        + #"B_{ij} = -\frac{P_{ij}}{P_{jj}} \;(i \ne j), \quad B_{jj} = 0"#,
                    "B = I − P·diagMat(1 ⊘ diag(P)),   B_ij = −P_ij / P_jj (i ≠ j),   B_jj = 0"
                ),
            ])
        say.prose(
            """
            Without the constraint (μ = 0) the same steps give ridge regression, B = (XᵀX + λI)⁻¹XᵀX = I − λP, \
            whose diagonal is not zero: an item would recommend itself.
            """)
        say.step(
            """
            G is symmetric positive definite (λ > 0), so P comes from a Cholesky factorisation (LAPACK's dpotrf, then \
            dpotri), in double precision.
            """)
        say.step("A user's scores are x·B; items the user already has are excluded when ranking.")
        say.listing(try Listing.region("ease", file: source))
        say.prose("The document's EASE class in Python, line by line:")
        say.table(
            Table(
                headers: ["document's line", "what it does"],
                rows: [
                    ["G = X.T @ X", "the Gram matrix: G_ij = number of users with both i and j"],
                    [
                        "G[diag_indices] += self.lambda_reg",
                        "adds λ to the diagonal (the ridge penalty), it does not zero it",
                    ],
                    [
                        "P = np.linalg.inv(G)",
                        "P = G⁻¹ (a general inverse; Cholesky is cheaper and stabler for this symmetric matrix)",
                    ],
                    ["self.B = P / (-np.diag(P))", "divides column j by -P_jj: B_ij = -P_ij / P_jj"],
                    ["self.B[diag_indices] = 0", "the constraint: no item predicts itself"],
                    ["return X @ self.B", "scores"],
                ], alignments: [.left, .left]))
        say.errata(
            """
            The comment above `G[diag_indices] += self.lambda_reg` says the diagonal is set to zero (to stop an item \
            predicting itself). That line adds λ to the diagonal; the zeroing happens later, on B. And the usage \
            lines (`ease = EASE(lambda_reg=500)`, `ease.fit(train_matrix)`, `scores = ...`) are indented inside the \
            class body: Python runs a class body when it defines the class, where the name EASE does not exist yet, \
            so the document's code fails with NameError before any model is fitted. They belong at module level.
            """)
    }

    static func toyExample(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Toy first: the 4 x 5 matrix")
        let train = toyMatrix()
        let ease = try EASE(train: train, lambda: 1)
        let g = EASE.gram(train)
        say.table(
            Table(
                headers: ["G = XᵀX"] + (1...5).map { "i\($0)" },
                rows: (0..<5).map { i in
                    ["i\(i + 1)"] + (0..<5).map { String(format: "%.0f", g[i * 5 + $0]) }
                }), caption: "Co-occurrence counts (the diagonal is each item's popularity)")
        say.table(
            Table(
                headers: ["B (λ = 1)"] + (1...5).map { "i\($0)" },
                rows: (0..<5).map { i in
                    ["i\(i + 1)"] + (0..<5).map { String(format: "%+.3f", ease.weight(i, $0)) }
                }), caption: "B: row i says how much having item i adds to each item's score; the diagonal is 0")
        let negatives = (0..<5).flatMap { i in (0..<5).filter { $0 != i && ease.weight(i, $0) < 0 } }.count
        context.record("toy_negative_weights_lambda1", Double(negatives))
        let scores = ease.scores(users: [1])
        say.prose(
            "User 2 has items 2 and 3. Their scores for the items they lack: "
                + [0, 3, 4].map { "item \($0 + 1): \(String(format: "%+.3f", scores[$0]))" }.joined(separator: ", ")
                + String(format: ". %d of B's 20 off-diagonal weights are negative here.", negatives))
    }

    static func evaluate(
        _ model: any Recommender, train: InteractionMatrix, test: InteractionMatrix
    ) -> [String: Double] {
        FullRankingEvaluator(train: train, test: test).evaluate(model, ks: [20]).metrics
    }

    static func movieLens(_ context: ChapterContext, data: RatingsData) throws -> (EASE, Split) {
        let say = context.narrator
        say.heading("MovieLens-100K (holdout-20)")
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let trainRows = (split.train + split.validation).sorted()
        say.prose(
            """
            Protocol holdout-20: each user's random 20% of ratings is test (\(split.test.count.formatted()) ratings); \
            every rating counts as an interaction. To choose λ without looking at the test set, the same rule holds \
            out 20% of each user's remaining ratings as validation (\(split.validation.count.formatted())), leaving \
            \(split.train.count.formatted()) for fitting. The final model is refitted on training + validation and \
            evaluated once on test.
            """)
        let fitTrain = InteractionMatrix(data, rows: split.train),
            validation = InteractionMatrix(data, rows: split.validation)
        let fullTrain = InteractionMatrix(data, rows: trainRows), test = InteractionMatrix(data, rows: split.test)
        var rows: [[String]] = []
        var validationNDCG: [(x: Double, y: Double)] = [], testNDCG: [(x: Double, y: Double)] = [],
            testRecall: [(x: Double, y: Double)] = []
        let bar = ProgressBar("lambda sweep", total: lambdas.count, style: say.style)
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
                    "λ", "valid Recall@20", "valid NDCG@20", "test Recall@20", "test NDCG@20", "negative weights",
                ], rows: rows),
            caption: "The λ sweep: chosen on validation (left), reported on test (right, for the curve only)")
        let chosen = try EASE(train: fullTrain, lambda: best.lambda)
        let final = evaluate(chosen, train: fullTrain, test: test)
        let testBest = testNDCG.max { $0.y < $1.y }!
        context.record("chosen_lambda", best.lambda)
        context.record(
            ResultEntry(
                model: "EASE (λ = \(Int(best.lambda)))", protocol: "holdout-20", dataset: data.name, metrics: final,
                trainSeconds: chosen.timings.gram + chosen.timings.inverse + chosen.timings.weights))
        let hindsight =
            testBest.x == best.lambda
            ? "it is also the best λ on test, so validation found the optimum without looking at the test set"
            : String(
                format: "the best λ in hindsight (%.0f) would have given NDCG@20 %.4f, a gap of %.4f", testBest.x,
                testBest.y, testBest.y - (final["NDCG@20"] ?? .nan))
        say.prose(
            String(
                format: "Validation picks λ = %.0f. On test it scores Recall@20 %.4f and NDCG@20 %.4f; ", best.lambda,
                (final["Recall@20"] ?? .nan), (final["NDCG@20"] ?? .nan))
                + hindsight
                + String(
                    format: ". One fit of the %d x %d model takes %.2f s (Gram %.3f s, inverse %.3f s).",
                    data.itemCount, data.itemCount, fitSeconds, chosen.timings.gram, chosen.timings.inverse))
        var figure = Figure(
            name: "lambda-sweep", title: "EASE on MovieLens-100K: the λ sweep (holdout-20)", xLabel: "λ (log scale)",
            yLabel: "NDCG@20",
            kind: .lines([
                Series("validation NDCG@20", validationNDCG), Series("test NDCG@20", testNDCG),
                Series("test Recall@20", testRecall),
            ]))
        figure.secondAxis = (label: "Recall@20", series: ["test Recall@20"], range: nil)
        figure.logX = true
        figure.markers = [(x: best.lambda, caption: "chosen on validation")]
        figure.keyPosition = "below"
        try context.figure(
            figure,
            caption: """
                Validation and test sit at different levels (validation holds fewer items per user); what matters \
                is where each peaks.
                """)
        return (chosen, split)
    }

    static func scale(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Scale: the cubic cost")
        let n: Int
        switch context.options.mode {
        case .quick: n = 1_500
        case .standard: n = 6_000
        case .full: n = 20_000
        }
        say.prose(
            """
            The inverse costs about n³/3 + 2n³/3 floating-point operations (Cholesky, then the inverse from the \
            factor) and two n x n double matrices (8n² bytes each). A synthetic catalogue of \(n.formatted()) items \
            (popularity falling as a power law, 50 items per user):
            """)
        let (train, seconds) = try EASE.syntheticFit(items: n, users: n * 5, seed: context.options.seed)
        let gigabytes = 8 * Double(n) * Double(n) / 1e9
        let predicted20k = seconds.total * pow(20_000 / Double(n), 3)
        context.record("scale_items", Double(n))
        context.record("scale_fit_seconds", seconds.total)
        context.record("scale_inverse_seconds", seconds.inverse)
        say.table(
            Table(
                headers: ["items", "users", "interactions", "Gram s", "inverse s", "B s", "G / P size"],
                rows: [
                    [
                        n.formatted(), train.userCount.formatted(), train.nonZeroCount.formatted(),
                        String(format: "%.2f", seconds.gram),
                        String(format: "%.2f", seconds.inverse), String(format: "%.2f", seconds.weights),
                        String(format: "%.2f GB", gigabytes),
                    ]
                ]), caption: "EASE fit on a synthetic catalogue")
        say.prose(
            n == 20_000
                ? String(
                    format: "At MovieLens-20M's catalogue size the fit takes %.0f s and holds %.1f GB per matrix.",
                    seconds.total, gigabytes)
                : String(
                    format: """
                        Scaling this run's time by (20,000 / %d)³ would put MovieLens-20M's catalogue at about %.0f \
                        s and %.1f GB per matrix; BLAS uses the cores better on larger matrices, so that is an upper \
                        estimate. `--full` fits 20,000 items and `workbook bench ease` measures it.
                        """, n, predicted20k, 8 * 4e8 / 1e9))
    }

}
