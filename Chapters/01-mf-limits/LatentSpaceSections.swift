// Chapter 1, part 2: the latent space itself: placing user 4 in every direction of K = 2, and what more dimensions buy.

import Foundation
import Narrative
import Plotting
import TensorCore

extension MFLimitsChapter {
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
        let (trained, losses) = try LatentSpace.trainedFactors(
            trainUsers, k: 2, steps: steps, rng: context.rng("mf-k2"))
        let pairs = [(1, 2), (0, 1), (0, 2)]
        var rows: [[String]] = []
        var largestGap = 0.0
        for (a, b) in pairs {
            let e = LatentSpace.cosine(exact.users[a], exact.users[b]),
                t = LatentSpace.cosine(trained.users[a], trained.users[b])
            largestGap = max(largestGap, abs(e - t))
            rows.append([
                "cos(p\(a + 1), p\(b + 1))", f(LatentSpace.jaccard(trainUsers[a], trainUsers[b]), 3), f(e, 3), f(t, 3),
            ])
        }
        say.table(
            Table(headers: ["users", "Jaccard", "SVD", "gradient descent"], rows: rows),
            caption: "The latent space keeps the order of users 1-3 (s23 > s12 > s13)")
        context.record("k2_squared_error_svd", exact.squaredError(trainUsers))
        context.record("k2_squared_error_gd", trained.squaredError(trainUsers))
        context.record("k2_largest_cosine_gap_svd_vs_gd", largestGap)
        say.prose(
            """
            Squared reconstruction error of users 1-3: \(f(exact.squaredError(trainUsers), 4)) (SVD) and \
            \(f(trained.squaredError(trainUsers), 4)) (gradient descent, \(steps) Adam steps, λ = 0.001). The two \
            spaces agree: the largest difference between their cosines is \(f(largestGap, 4)).
            """)
        try context.figure(
            Figure(
                name: "mf-training-loss", title: "Gradient-descent MF on users 1-3 (K = 2)",
                xLabel: "Adam step", yLabel: "squared reconstruction error",
                kind: .lines([
                    // Every early step (the x axis is logarithmic), then a few hundred points.
                    Series(
                        "gradient descent",
                        losses.enumerated().filter { $0.offset < 100 || $0.offset % max(1, steps / 300) == 0 }
                            .map { (x: Double($0.offset + 1), y: $0.element) }, style: .lines),
                    Series(
                        "SVD optimum",
                        [
                            (x: 1, y: exact.squaredError(trainUsers)),
                            (x: Double(steps), y: exact.squaredError(trainUsers)),
                        ], style: .dashed),
                ])
            ).with {
                $0.logY = true; $0.logX = true
            })

        say.step(
            """
            User 4 arrives. MF keeps the item vectors and places the new user where its row is best reconstructed \
            (folding in):
            """)
        say.listing(try Listing.region("fold-in", file: LatentSpace.sourceFile))
        let p4 = try LatentSpace.foldIn(user4, items: exact.items)
        let sims = LatentSpace.similarities(of: p4, to: exact.users)
        let jaccards = (0..<3).map { LatentSpace.jaccard(user4, trainUsers[$0]) }
        let mfOrder = LatentSpace.ranking(sims), jaccardOrder = LatentSpace.ranking(jaccards)
        say.table(
            Table(
                headers: ["user", "Jaccard with user 4", "cos(p4, p_u) in the K = 2 space"],
                rows: (0..<3).map { ["u\($0 + 1)", f(jaccards[$0], 3), f(sims[$0], 3)] }),
            caption: "Jaccard orders u1 > u3 > u2; the latent space orders "
                + mfOrder.map { "u\($0 + 1)" }.joined(separator: " > "))
        for u in 0..<3 { context.record("k2_foldin_cosine_u\(u + 1)", sims[u]) }
        let foldInError = LatentSpace.squaredError(user4, user: p4, items: exact.items)
        context.record("k2_foldin_squared_error", foldInError)
        let verdict =
            mfOrder == jaccardOrder
            ? "the same order as Jaccard."
            : """
            against the data. This is the paper's point: user 2 sits between users 1 and 3 in the space learned \
            from them, so a vector close to user 1 is also close to user 2.
            """
        say.prose(
            """
            MF's own placement reconstructs user 4's row with squared error \(f(foldInError, 3)); it gives user 2 a \
            cosine of \(f(sims[1], 3)) and user 3 one of \(f(sims[2], 3)), \(verdict)
            """)

        say.step(
            """
            Is there any better place for user 4? Try every direction of the plane (cosines do not depend on length), \
            and for each the best length:
            """)
        say.listing(try Listing.region("sweep", file: LatentSpace.sourceFile))
        let directions = LatentSpace.sweep(user4, factors: exact)
        let ordered = directions.filter {
            $0.similarities[0] > $0.similarities[2] && $0.similarities[2] > $0.similarities[1]
        }
        let bestOrdered = ordered.map(\.squaredError).min() ?? .nan
        let nothing = Double(user4.reduce(0, +))
        let maxCosine = ordered.map { $0.similarities.max() ?? -1 }.max() ?? .nan
        context.record("k2_directions_with_jaccard_order", Double(ordered.count))
        context.record("k2_best_error_with_jaccard_order", bestOrdered)
        context.record("k2_best_error_any_direction", directions.map(\.squaredError).min() ?? .nan)
        say.prose(
            """
            Of 3,600 directions, \(ordered.count) rank the users as Jaccard does (u1 > u3 > u2). In all of them user \
            4 points away from every user (its highest cosine there is \(f(maxCosine, 3))), so the best it can do is \
            predict nothing: squared error \(f(bestOrdered, 3)), exactly ‖r4‖² = \(f(nothing, 0)), against \
            \(f(foldInError, 3)) for MF's placement. In two dimensions the model must choose between ranking users \
            correctly and explaining user 4's interactions; it cannot have both.
            """)

        let foldInDegrees = (Foundation.atan2(p4[1], p4[0]) * 180 / .pi + 360).truncatingRemainder(dividingBy: 360)
        var cosFigure = Figure(
            name: "user4-directions", title: "User 4 in every direction of the K = 2 space",
            xLabel: "direction of user 4's vector (degrees)", yLabel: "cosine with user's vector",
            kind: .lines(
                (0..<3).map { u in
                    Series(
                        "cos(p4, p\(u + 1))",
                        directions.enumerated().filter { $0.offset % 10 == 0 }
                            .map { (x: $0.element.degrees, y: $0.element.similarities[u]) }, style: .lines)
                } + [
                    Series(
                        "directions with Jaccard's order (u1 > u3 > u2)",
                        ordered.enumerated().filter { $0.offset % 4 == 0 }.map { (x: $0.element.degrees, y: -1.05) },
                        style: .points)
                ]))
        cosFigure.markers = [(x: foldInDegrees, caption: "MF fold-in")]
        cosFigure.xRange = 0...360
        cosFigure.yRange = -1.15...1.15
        cosFigure.keyPosition = "below"
        try context.figure(
            cosFigure,
            caption: "Where the cosines order u1 > u3 > u2 (dots at the bottom), user 4 points away from every user.")
        var errorFigure = Figure(
            name: "user4-error", title: "How well each direction reconstructs user 4's row",
            xLabel: "direction of user 4's vector (degrees)", yLabel: "squared error at the best length",
            kind: .lines([
                Series(
                    "any direction",
                    directions.enumerated().filter { $0.offset % 10 == 0 }.map {
                        (x: $0.element.degrees, y: $0.element.squaredError)
                    }, style: .lines),
                Series(
                    "directions with Jaccard's order",
                    ordered.enumerated().filter { $0.offset % 4 == 0 }.map {
                        (x: $0.element.degrees, y: $0.element.squaredError)
                    }, style: .points),
                Series("predicting nothing (‖r4‖²)", [(x: 0, y: nothing), (x: 360, y: nothing)], style: .dashed),
            ]))
        errorFigure.markers = [(x: foldInDegrees, caption: "MF fold-in")]
        errorFigure.xRange = 0...360
        errorFigure.yRange = 0...(nothing * 1.1)
        errorFigure.keyPosition = "below"
        try context.figure(errorFigure)

        // The latent space itself.
        let labels =
            (0..<3).map { PointLabel("user \($0 + 1)", x: exact.users[$0][0], y: exact.users[$0][1]) }
            + [PointLabel("user 4 (fold-in)", x: p4[0], y: p4[1])]
            + exact.items.enumerated().map { PointLabel("item \($0.offset + 1)", x: $0.element[0], y: $0.element[1]) }
        try context.figure(
            Figure(
                name: "latent-space-k2", title: "The K = 2 latent space learned from users 1-3",
                xLabel: "latent dimension 1", yLabel: "latent dimension 2",
                kind: .scatter(
                    [
                        Series("users 1-3", exact.users.map { (x: $0[0], y: $0[1]) }, style: .points),
                        Series("user 4, folded in", [(x: p4[0], y: p4[1])], style: .points),
                        Series("items", exact.items.map { (x: $0[0], y: $0[1]) }, style: .points),
                        Series("origin (cosines are angles seen from here)", [(x: 0, y: 0)], style: .points),
                    ], labels: labels + [PointLabel("0", x: 0, y: 0)])
            ).with {
                $0.keyPosition = "below"
                $0.equalAxes = true
                // The origin in view, with room around every point.
                let all = exact.users + exact.items + [p4, [0, 0]]
                let (xs, ys) = (all.map { Double($0[0]) }, all.map { Double($0[1]) })
                let (x0, x1, y0, y1) = (xs.min() ?? 0, xs.max() ?? 0, ys.min() ?? 0, ys.max() ?? 0)
                let pad = 0.15 * max(x1 - x0, y1 - y0, 1e-9)
                $0.xRange = (x0 - pad)...(x1 + pad)
                $0.yRange = (y0 - pad)...(y1 + pad)
            },
            caption: """
                Equal scales on both axes and the origin in view: a user's direction from the origin is what the \
                cosine compares. User 2 lies between users 1 and 3 in angle, so user 4, placed near user 1, is also \
                near user 2.
                """)
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
            rows.append(
                ["\(k)"] + sims.map { f($0, 3) } + [
                    ties ? "ties" : order.map { "u\($0 + 1)" }.joined(separator: " > "), matches ? "yes" : "no",
                ])
        }
        say.table(
            Table(headers: ["K", "cos u1", "cos u2", "cos u3", "ranking", "as Jaccard"], rows: rows),
            caption: "User 4's similarities after folding in, by latent dimension")
        say.prose(
            """
            With K = 1 every vector lies on one line and all users tie; with K = 3 the fold-in ranks u1 > u3 > u2 as \
            the data does. On real data a larger K is not free: it fits noise too. Chapter 2 takes the other way out, \
            a non-linear interaction function.
            """)

        say.heading("Reconstruction error against latent dimension", level: 3)
        let steps = context.options.mode == .quick ? 3000 : (context.options.mode == .full ? 20000 : 6000)
        var exactErrors: [(x: Double, y: Double)] = [], trainedErrors: [(x: Double, y: Double)] = []
        var table: [[String]] = []
        for k in 1...4 {
            let e = try LatentSpace.exactFactors(paperMatrix, k: k).squaredError(paperMatrix)
            let t = try LatentSpace.trainedFactors(paperMatrix, k: k, steps: steps, rng: context.rng("mf-k\(k)"))
                .factors.squaredError(paperMatrix)
            exactErrors.append((x: Double(k), y: e))
            trainedErrors.append((x: Double(k), y: t))
            context.record("all_users_k\(k)_squared_error_svd", e)
            context.record("all_users_k\(k)_squared_error_gd", t)
            table.append(["\(k)", f(e, 4), f(t, 4)])
        }
        say.table(
            Table(headers: ["K", "SVD (optimal)", "gradient descent"], rows: table),
            caption: "Squared reconstruction error of all four users")
        try context.figure(
            Figure(
                name: "error-vs-dimension", title: "MF reconstruction error of the 4 x 5 matrix",
                xLabel: "latent dimension K", yLabel: "squared reconstruction error",
                kind: .lines([
                    Series("SVD (optimal rank-K)", exactErrors),
                    Series("gradient descent (Adam, λ = 0.001)", trainedErrors, style: .dashed),
                ])
            )
            .with {
                $0.xRange = 0.8...4.2; $0.xTicStep = 1
                // A squared error is never negative: the axis starts at 0.
                let top = (exactErrors + trainedErrors).map(\.y).filter(\.isFinite).max() ?? 1
                $0.yRange = 0...(1.1 * max(top, 1e-9))
            })
        say.prose(
            """
            Four users span at most four dimensions, so K = 4 reconstructs the matrix (up to the small L2 penalty). \
            The error falls with K, but the ranking problem above is not about error: at K = 2 the error is small and \
            the geometry is still wrong.
            """)
    }
}
