// Chapter 1: why deep learning, and the linear limit of matrix factorisation.
//
// The document's opening sections, run: its mind map and industry claims, then the
// 3-user x 5-item example with a new user 4, where the Jaccard similarities are computed
// from the matrix (the document's comments are not what its matrix gives: Errata), and the
// NCF paper's argument (He et al., WWW 2017, figure 1) shown by computation: in a 2-D latent
// space, MF cannot place user 4 so that its similarities rank the users as Jaccard does.

import Foundation
import Narrative
import Plotting
import TensorCore

public enum MFLimitsChapter: Chapter {
    public static let number = 1
    public static let slug = "mf-limits"
    public static let title = "Why deep learning: the linear limit of matrix factorisation"
    public static let summary = "Jaccard vs. latent space: why a 2-D MF cannot place a new user correctly"

    /// The document's matrix: 3 users x 5 items, and its new user 4.
    public static let documentMatrix = [[1, 1, 0, 1, 0], [0, 1, 1, 0, 1], [0, 0, 1, 1, 1]]
    public static let documentUser4 = [1, 0, 1, 1, 0]
    /// The values the document's comments and text claim for them.
    public static let documentClaims: [(pair: String, a: Int, b: Int, claimed: Double)] = [
        ("U1-U2", 0, 1, 0.50), ("U1-U3", 0, 2, 0.40), ("U2-U3", 1, 2, 0.66), ("U4-U1", 3, 0, 0.60),
    ]
    /// The matrix of the NCF paper's figure 1a (users 1-3, then user 4), whose similarities
    /// are the numbers the document quotes.
    public static let paperMatrix = [[1, 1, 1, 0, 1], [0, 1, 1, 0, 0], [0, 1, 1, 1, 0], [1, 0, 1, 1, 1]]

    static func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Chapter 1. \(title)", level: 1)
        try whyDeepLearning(context)
        try documentExample(context)
        try paperExample(context)
        try latentSpace(context)
        try dimensions(context)
        say.heading("Summary")
        say.bullets([
            "Jaccard similarity is computed from the interactions themselves; the document's example matrix does not give the numbers its comments claim (they belong to the NCF paper's matrix).",
            "MF ranks users by the geometry of their latent vectors. In 2 dimensions, the space learned from users 1-3 forces user 4 nearer to user 2 than to user 3, against the data.",
            "Every 2-D direction that does respect Jaccard's order explains user 4 no better than predicting nothing; a third dimension removes the conflict.",
            "Raising K is one way out (at the price of overfitting on real data); learning a non-linear interaction function is the other, and that is Neural CF, chapter 2.",
        ])
    }

    // MARK: - Sections

    static func whyDeepLearning(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Why deep learning?")
        say.prose("The document opens with a metaphor: deep learning changes recommendation the way a globe changes a flat map. Matrix factorisation (MF) captures only linear relations between users and items; a neural network can learn non-linear ones. Its mind map of the strengths and limits, as an outline:")
        say.outline([
            (0, "Deep-learning recommenders"),
            (1, "Strengths"),
            (2, "Non-linear transformations: ReLU and sigmoid activations capture complex patterns"),
            (2, "Representation learning: features extracted automatically; multimodal data"),
            (2, "Sequence modelling: temporal patterns, session-based recommendation"),
            (2, "Flexibility: network structures combine; open-source frameworks"),
            (1, "Limits"),
            (2, "Interpretability: the black-box problem; explainable AI is needed"),
            (2, "Data requirements: much training data (transfer learning helps)"),
            (2, "Hyperparameter tuning: complex optimisation (AutoML helps)"),
        ])
        say.heading("Industry results, as the document claims them", level: 3)
        say.table(Table(headers: ["company", "claimed improvement"], rows: [
            ["Netflix", "recommendation accuracy +9%"], ["YouTube", "watch time +20%"],
            ["Pinterest", "user engagement +30%"], ["Walmart", "conversion rate +40%"],
        ]), caption: "Figures quoted by the source document (its TL;DR says 9-40%)")
        say.note("These are the document's claims, shown as such: it cites no source for them and they cannot be recomputed here. Everything else this book prints is computed by the run that prints it.")
    }

    static func documentExample(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("MF's linear limit: the document's example")
        say.prose("Three users have interacted with five items (1 = interacted). A new user 4 arrives with the row [1, 0, 1, 1, 0]. The document compares users by Jaccard similarity, the share of items two users have in common among the items either of them has:")
        say.listing(try Listing.region("jaccard", file: LatentSpace.sourceFile))
        say.table(Table(headers: ["user", "item 1", "item 2", "item 3", "item 4", "item 5"],
                        rows: (documentMatrix + [documentUser4]).enumerated().map { u, row in ["U\(u + 1)"] + row.map(String.init) }),
                  caption: "The document's interaction matrix, with user 4")
        let rows = documentMatrix + [documentUser4]
        var table: [[String]] = []
        for (pair, a, b, claimed) in documentClaims {
            let computed = LatentSpace.jaccard(rows[a], rows[b])
            context.record("document_jaccard_\(pair)", computed)
            table.append([pair, f(claimed), f(computed), abs(claimed - computed) < 0.01 ? "yes" : "no"])
        }
        let u4 = (0..<3).map { LatentSpace.jaccard(documentUser4, documentMatrix[$0]) }
        table.append(["U4-U2", "-", f(u4[1]), "-"])
        table.append(["U4-U3", "-", f(u4[2]), "-"])
        say.table(Table(headers: ["pair", "document says", "computed", "agree"], rows: table),
                  caption: "Jaccard similarities of the document's matrix")
        say.errata("The document's comments say U1-U2 = 0.50, U1-U3 = 0.40, U2-U3 = 0.66 and that user 4 is most similar to user 1 (0.60). Its own matrix gives U1-U2 = \(f(LatentSpace.jaccard(rows[0], rows[1]))), U1-U3 = \(f(LatentSpace.jaccard(rows[0], rows[2]))), U2-U3 = \(f(LatentSpace.jaccard(rows[1], rows[2]))), and user 4 is tied between user 1 and user 3 (\(f(u4[0])) each), so the ordering its argument needs does not exist in this matrix. The numbers come from figure 1 of the NCF paper (He et al., WWW 2017), which uses a different matrix; 0.66 is 2/3 truncated (0.67 rounded).")
    }

    static func paperExample(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("The matrix the argument needs (NCF paper, figure 1)")
        say.prose("The paper's matrix gives exactly the quoted similarities. Users 1-3 are what MF learns from; user 4 arrives later.")
        say.table(Table(headers: ["user", "item 1", "item 2", "item 3", "item 4", "item 5"],
                        rows: paperMatrix.enumerated().map { u, row in ["u\(u + 1)"] + row.map(String.init) }),
                  caption: "He et al. 2017, figure 1a")
        var rows: [[String]] = []
        for (a, b) in [(1, 2), (0, 1), (0, 2), (3, 0), (3, 2), (3, 1)] {
            let s = LatentSpace.jaccard(paperMatrix[a], paperMatrix[b])
            context.record("paper_jaccard_u\(a + 1)u\(b + 1)", s)
            rows.append(["s\(a + 1)\(b + 1)", f(s, 3)])
        }
        say.table(Table(headers: ["similarity", "Jaccard"], rows: rows), caption: "s23 > s12 > s13 among users 1-3; for user 4: s41 > s43 > s42")
        say.prose("So a faithful space must put user 4 nearest to user 1, then user 3, then user 2.")
    }

    static func latentSpace(_ context: ChapterContext) throws {
        let say = context.narrator
        let trainUsers = Array(paperMatrix.prefix(3)), user4 = paperMatrix[3]
        say.heading("Placing user 4 in a 2-D latent space")
        say.step("Factorise users 1-3 with K = 2. The best rank-2 factorisation comes from the SVD (LAPACK's sgesdd):")
        say.listing(try Listing.region("svd-factors", file: LatentSpace.sourceFile))
        let exact = try LatentSpace.exactFactors(trainUsers, k: 2)
        say.step("Check it against MF trained the usual way, by gradient descent on this book's tensor core:")
        say.listing(try Listing.region("gradient-mf", file: LatentSpace.sourceFile))
        let steps = context.options.mode == .quick ? 3000 : (context.options.mode == .full ? 20000 : 6000)
        let (trained, losses) = try LatentSpace.trainedFactors(trainUsers, k: 2, steps: steps, rng: context.rng("mf-k2"))
        let pairs = [(1, 2), (0, 1), (0, 2)]
        var rows: [[String]] = []
        var largestGap = 0.0
        for (a, b) in pairs {
            let e = LatentSpace.cosine(exact.users[a], exact.users[b]), t = LatentSpace.cosine(trained.users[a], trained.users[b])
            largestGap = max(largestGap, abs(e - t))
            rows.append(["cos(p\(a + 1), p\(b + 1))", f(LatentSpace.jaccard(trainUsers[a], trainUsers[b]), 3), f(e, 3), f(t, 3)])
        }
        say.table(Table(headers: ["users", "Jaccard", "SVD", "gradient descent"], rows: rows),
                  caption: "The latent space keeps the order of users 1-3 (s23 > s12 > s13)")
        context.record("k2_squared_error_svd", exact.squaredError(trainUsers))
        context.record("k2_squared_error_gd", trained.squaredError(trainUsers))
        context.record("k2_largest_cosine_gap_svd_vs_gd", largestGap)
        say.prose("Squared reconstruction error of users 1-3: \(f(exact.squaredError(trainUsers), 4)) (SVD) and \(f(trained.squaredError(trainUsers), 4)) (gradient descent, \(steps) Adam steps, λ = 0.001). The two spaces agree: the largest difference between their cosines is \(f(largestGap, 4)).")
        try context.figure(Figure(name: "mf-training-loss", title: "Gradient-descent MF on users 1-3 (K = 2)",
                                  xLabel: "Adam step", yLabel: "squared reconstruction error",
                                  kind: .lines([
                                    // Every early step (the x axis is logarithmic), then a few hundred points.
                                    Series("gradient descent", losses.enumerated().filter { $0.offset < 100 || $0.offset % max(1, steps / 300) == 0 }
                                        .map { (x: Double($0.offset + 1), y: $0.element) }, style: .lines),
                                    Series("SVD optimum", [(x: 1, y: exact.squaredError(trainUsers)), (x: Double(steps), y: exact.squaredError(trainUsers))], style: .dashed),
                                  ])).with { $0.logY = true; $0.logX = true })

        say.step("User 4 arrives. MF keeps the item vectors and places the new user where its row is best reconstructed (folding in):")
        say.listing(try Listing.region("fold-in", file: LatentSpace.sourceFile))
        let p4 = try LatentSpace.foldIn(user4, items: exact.items)
        let sims = LatentSpace.similarities(of: p4, to: exact.users)
        let jaccards = (0..<3).map { LatentSpace.jaccard(user4, trainUsers[$0]) }
        let mfOrder = LatentSpace.ranking(sims), jaccardOrder = LatentSpace.ranking(jaccards)
        say.table(Table(headers: ["user", "Jaccard with user 4", "cos(p4, p_u) in the K = 2 space"],
                        rows: (0..<3).map { ["u\($0 + 1)", f(jaccards[$0], 3), f(sims[$0], 3)] }),
                  caption: "Jaccard orders u1 > u3 > u2; the latent space orders " + mfOrder.map { "u\($0 + 1)" }.joined(separator: " > "))
        for u in 0..<3 { context.record("k2_foldin_cosine_u\(u + 1)", sims[u]) }
        let foldInError = LatentSpace.squaredError(user4, user: p4, items: exact.items)
        context.record("k2_foldin_squared_error", foldInError)
        let verdict = mfOrder == jaccardOrder
            ? "the same order as Jaccard."
            : "against the data. This is the paper's point: user 2 sits between users 1 and 3 in the space learned from them, so a vector close to user 1 is also close to user 2."
        say.prose("MF's own placement reconstructs user 4's row with squared error \(f(foldInError, 3)); it gives user 2 a cosine of \(f(sims[1], 3)) and user 3 one of \(f(sims[2], 3)), \(verdict)")

        say.step("Is there any better place for user 4? Try every direction of the plane (cosines do not depend on length), and for each the best length:")
        say.listing(try Listing.region("sweep", file: LatentSpace.sourceFile))
        let directions = LatentSpace.sweep(user4, factors: exact)
        let ordered = directions.filter { $0.similarities[0] > $0.similarities[2] && $0.similarities[2] > $0.similarities[1] }
        let bestOrdered = ordered.map(\.squaredError).min() ?? .nan
        let nothing = Double(user4.reduce(0, +))
        let maxCosine = ordered.map { $0.similarities.max() ?? -1 }.max() ?? .nan
        context.record("k2_directions_with_jaccard_order", Double(ordered.count))
        context.record("k2_best_error_with_jaccard_order", bestOrdered)
        context.record("k2_best_error_any_direction", directions.map(\.squaredError).min() ?? .nan)
        say.prose("Of 3,600 directions, \(ordered.count) rank the users as Jaccard does (u1 > u3 > u2). In all of them user 4 points away from every user (its highest cosine there is \(f(maxCosine, 3))), so the best it can do is predict nothing: squared error \(f(bestOrdered, 3)), exactly ‖r4‖² = \(f(nothing, 0)), against \(f(foldInError, 3)) for MF's placement. In two dimensions the model must choose between ranking users correctly and explaining user 4's interactions; it cannot have both.")

        let foldInDegrees = (Foundation.atan2(p4[1], p4[0]) * 180 / .pi + 360).truncatingRemainder(dividingBy: 360)
        var cosFigure = Figure(name: "user4-directions", title: "User 4 in every direction of the K = 2 space",
                               xLabel: "direction of user 4's vector (degrees)", yLabel: "cosine with user's vector",
                               kind: .lines((0..<3).map { u in
                                   Series("cos(p4, p\(u + 1))", directions.enumerated().filter { $0.offset % 10 == 0 }
                                       .map { (x: $0.element.degrees, y: $0.element.similarities[u]) }, style: .lines)
                               } + [Series("directions with Jaccard's order (u1 > u3 > u2)",
                                           ordered.enumerated().filter { $0.offset % 4 == 0 }.map { (x: $0.element.degrees, y: -1.05) }, style: .points)]))
        cosFigure.markers = [(x: foldInDegrees, caption: "MF fold-in")]
        cosFigure.xRange = 0...360
        cosFigure.yRange = -1.15...1.15
        cosFigure.keyPosition = "below"
        try context.figure(cosFigure, caption: "Where the cosines order u1 > u3 > u2 (dots at the bottom), user 4 points away from every user.")
        var errorFigure = Figure(name: "user4-error", title: "How well each direction reconstructs user 4's row",
                                 xLabel: "direction of user 4's vector (degrees)", yLabel: "squared error at the best length",
                                 kind: .lines([
                                    Series("any direction", directions.enumerated().filter { $0.offset % 10 == 0 }.map { (x: $0.element.degrees, y: $0.element.squaredError) }, style: .lines),
                                    Series("directions with Jaccard's order", ordered.enumerated().filter { $0.offset % 4 == 0 }.map { (x: $0.element.degrees, y: $0.element.squaredError) }, style: .points),
                                    Series("predicting nothing (‖r4‖²)", [(x: 0, y: nothing), (x: 360, y: nothing)], style: .dashed),
                                 ]))
        errorFigure.markers = [(x: foldInDegrees, caption: "MF fold-in")]
        errorFigure.xRange = 0...360
        errorFigure.yRange = 0...(nothing * 1.1)
        errorFigure.keyPosition = "below"
        try context.figure(errorFigure)

        // The latent space itself.
        let labels = (0..<3).map { PointLabel("user \($0 + 1)", x: exact.users[$0][0], y: exact.users[$0][1]) }
            + [PointLabel("user 4 (fold-in)", x: p4[0], y: p4[1])]
            + exact.items.enumerated().map { PointLabel("item \($0.offset + 1)", x: $0.element[0], y: $0.element[1]) }
        try context.figure(Figure(name: "latent-space-k2", title: "The K = 2 latent space learned from users 1-3",
                                  xLabel: "latent dimension 1", yLabel: "latent dimension 2",
                                  kind: .scatter([
                                    Series("users 1-3", exact.users.map { (x: $0[0], y: $0[1]) }, style: .points),
                                    Series("user 4, folded in", [(x: p4[0], y: p4[1])], style: .points),
                                    Series("items", exact.items.map { (x: $0[0], y: $0[1]) }, style: .points),
                                  ], labels: labels)).with { $0.keyPosition = "below" },
                           caption: "User 2 lies between users 1 and 3, so user 4, placed near user 1, is also near user 2.")
    }

    static func dimensions(_ context: ChapterContext) throws {
        let say = context.narrator
        let trainUsers = Array(paperMatrix.prefix(3)), user4 = paperMatrix[3]
        say.heading("More dimensions")
        say.prose("The conflict is a property of the 2-D space. The same fold-in with K = 1, 2, 3:")
        var rows: [[String]] = []
        for k in 1...3 {
            let factors = try LatentSpace.exactFactors(trainUsers, k: k)
            let p4 = try LatentSpace.foldIn(user4, items: factors.items)
            let sims = LatentSpace.similarities(of: p4, to: factors.users)
            let order = LatentSpace.ranking(sims)
            let ties = Set(sims.map { ($0 * 1e6).rounded() }).count < 3
            let matches = !ties && order == [0, 2, 1]
            context.record("k\(k)_foldin_matches_jaccard", matches ? 1 : 0)
            rows.append(["\(k)"] + sims.map { f($0, 3) } + [ties ? "ties" : order.map { "u\($0 + 1)" }.joined(separator: " > "), matches ? "yes" : "no"])
        }
        say.table(Table(headers: ["K", "cos u1", "cos u2", "cos u3", "ranking", "as Jaccard"], rows: rows),
                  caption: "User 4's similarities after folding in, by latent dimension")
        say.prose("With K = 1 every vector lies on one line and all users tie; with K = 3 the fold-in ranks u1 > u3 > u2 as the data does. On real data a larger K is not free: it fits noise too. Chapter 2 takes the other way out, a non-linear interaction function.")

        say.heading("Reconstruction error against latent dimension", level: 3)
        let steps = context.options.mode == .quick ? 3000 : (context.options.mode == .full ? 20000 : 6000)
        var exactErrors: [(x: Double, y: Double)] = [], trainedErrors: [(x: Double, y: Double)] = []
        var table: [[String]] = []
        for k in 1...4 {
            let e = try LatentSpace.exactFactors(paperMatrix, k: k).squaredError(paperMatrix)
            let t = try LatentSpace.trainedFactors(paperMatrix, k: k, steps: steps, rng: context.rng("mf-k\(k)")).factors.squaredError(paperMatrix)
            exactErrors.append((x: Double(k), y: e))
            trainedErrors.append((x: Double(k), y: t))
            context.record("all_users_k\(k)_squared_error_svd", e)
            context.record("all_users_k\(k)_squared_error_gd", t)
            table.append(["\(k)", f(e, 4), f(t, 4)])
        }
        say.table(Table(headers: ["K", "SVD (optimal)", "gradient descent"], rows: table),
                  caption: "Squared reconstruction error of all four users")
        try context.figure(Figure(name: "error-vs-dimension", title: "MF reconstruction error of the 4 x 5 matrix",
                                  xLabel: "latent dimension K", yLabel: "squared reconstruction error",
                                  kind: .lines([Series("SVD (optimal rank-K)", exactErrors), Series("gradient descent (Adam, λ = 0.001)", trainedErrors, style: .dashed)]))
                            .with { $0.xRange = 0.8...4.2; $0.xTicStep = 1 })
        say.prose("Four users span at most four dimensions, so K = 4 reconstructs the matrix (up to the small L2 penalty). The error falls with K, but the ranking problem above is not about error: at K = 2 the error is small and the geometry is still wrong.")
    }

    // MARK: - Exercises

    public static let exercises: [Exercise] = [
        Exercise(id: "1.1", title: "Jaccard by hand",
                 prompt: "The Jaccard similarity of user 1 = [1,1,0,1,0] and user 4 = [1,0,1,1,0] in the document's matrix.",
                 hint: "count the items both users have, and the items either has",
                 answerIn: "Chapter1Exercises.jaccardOfUsers1And4()",
                 checkAnswer: { checkJaccard14(Chapter1Exercises.jaccardOfUsers1And4()) },
                 checkReference: { checkJaccard14(Chapter1Solutions.jaccardOfUsers1And4()) }),
        Exercise(id: "1.2", title: "Write Jaccard",
                 prompt: "Write jaccard(a, b) for two 0/1 rows: |a ∩ b| / |a ∪ b|, and 0 when both are empty.",
                 hint: "zip the rows; count positions where both are 1 and where either is 1",
                 answerIn: "Chapter1Exercises.jaccard(_:_:)",
                 checkAnswer: { checkJaccardFunction(Chapter1Exercises.jaccard) },
                 checkReference: { checkJaccardFunction(Chapter1Solutions.jaccard) }),
        Exercise(id: "1.3", title: "How wrong is the fold-in?",
                 prompt: "In the K = 2 space of the paper's users 1-3, compute cos(p4, p2) - cos(p4, p3) for MF's fold-in of user 4.",
                 hint: "LatentSpace.exactFactors(users 1-3, k: 2), then LatentSpace.foldIn, then LatentSpace.cosine",
                 answerIn: "Chapter1Exercises.foldInGapK2()",
                 checkAnswer: { checkFoldInGap(Chapter1Exercises.foldInGapK2()) },
                 checkReference: { checkFoldInGap(Chapter1Solutions.foldInGapK2()) }),
        Exercise(id: "1.4", title: "The price of the right order",
                 prompt: "Among the 3,600 directions of LatentSpace.sweep, the smallest squared error of those that rank u1 > u3 > u2. Compare it with ‖r4‖².",
                 hint: "filter the sweep on similarities[0] > similarities[2] > similarities[1], then take the smallest squaredError",
                 answerIn: "Chapter1Exercises.bestErrorWithJaccardOrder()",
                 checkAnswer: { checkBestError(Chapter1Exercises.bestErrorWithJaccardOrder()) },
                 checkReference: { checkBestError(Chapter1Solutions.bestErrorWithJaccardOrder()) }),
    ]

    static func checkJaccard14(_ answer: Double?) -> ExerciseVerdict {
        Check.number(answer, expected: LatentSpace.jaccard(documentMatrix[0], documentUser4),
                     explain: "Both users have items 1 and 4; together they have items 1, 2, 3 and 4.")
    }

    static func checkJaccardFunction(_ answer: @escaping ([Int], [Int]) -> Double?) -> ExerciseVerdict {
        let rng = RandomGenerator(seed: 11)
        var cases: [([Int], [Int])] = [([0, 0, 0], [0, 0, 0]), ([1, 1], [1, 1]), ([1, 0], [0, 1])]
        for _ in 0..<20 {
            let n = 1 + rng.nextInt(below: 8)
            cases.append(((0..<n).map { _ in rng.nextInt(below: 2) }, (0..<n).map { _ in rng.nextInt(below: 2) }))
        }
        return Check.function(cases: cases, answer: { answer($0.0, $0.1) }, reference: { LatentSpace.jaccard($0.0, $0.1) },
                              matches: { abs($0 - $1) < 1e-12 }, describe: { "a = \($0.0), b = \($0.1)" })
    }

    /// The expected gap is computed with MF trained by gradient descent, a path independent
    /// of the SVD the hint suggests; both must agree to 0.01.
    static func checkFoldInGap(_ answer: Double?) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        let users = Array(paperMatrix.prefix(3))
        guard let trained = try? LatentSpace.trainedFactors(users, k: 2, steps: 6000, rng: RandomGenerator(seed: 5)).factors,
              let p4 = try? LatentSpace.foldIn(paperMatrix[3], items: trained.items) else {
            return .wrong("the check could not train its reference factorisation")
        }
        let expected = LatentSpace.cosine(p4, trained.users[1]) - LatentSpace.cosine(p4, trained.users[2])
        return Check.number(answer, expected: expected, tolerance: 0.01,
                            explain: "Fold user 4 in with the item vectors of the K = 2 factorisation of users 1-3 only, then take cosines with users 2 and 3.")
    }

    /// Checked against the sweep over gradient-descent factors (independent of the SVD).
    static func checkBestError(_ answer: Double?) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        guard let trained = try? LatentSpace.trainedFactors(Array(paperMatrix.prefix(3)), k: 2, steps: 6000, rng: RandomGenerator(seed: 5)).factors
        else { return .wrong("the check could not train its reference factorisation") }
        let expected = LatentSpace.sweep(paperMatrix[3], factors: trained)
            .filter { $0.similarities[0] > $0.similarities[2] && $0.similarities[2] > $0.similarities[1] }
            .map(\.squaredError).min() ?? .nan
        return Check.number(answer, expected: expected, tolerance: 0.02,
                            explain: "Keep only directions whose cosines order u1 > u3 > u2; at each, the error is at the best non-negative length.")
    }
}

extension LatentSpace {
    /// This chapter's source file, for listings.
    static let sourceFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("LatentSpace.swift").path
}
