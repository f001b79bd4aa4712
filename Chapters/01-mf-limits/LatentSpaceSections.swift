// Chapter 1, part 2: the latent space itself: placing user 4 in every direction of K = 2, and what more dimensions buy.

import Foundation
import Narrative
import Plotting
import TensorCore

extension MFLimitsChapter {
    static func latentSpace(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        let trainUsers = Array(paperMatrix.prefix(3)), user4 = paperMatrix[3]
        say.heading(t("latent.heading"))
        say.step(t("latent.step.svd"))
        say.listing(try Listing.region("svd-factors", file: LatentSpace.sourceFile))
        let exact = try LatentSpace.exactFactors(trainUsers, k: 2)
        say.step(t("latent.step.gradient"))
        say.listing(try Listing.region("gradient-mf", file: LatentSpace.sourceFile))
        let steps = context.options.mode == .quick ? 3000 : (context.options.mode == .full ? 20000 : 6000)
        let (trained, losses) = try LatentSpace.trainedFactors(
            trainUsers, k: 2, steps: steps, rng: context.rng("mf-k2"))
        let pairs = [(1, 2), (0, 1), (0, 2)]
        var rows: [[String]] = []
        var largestGap = 0.0
        for (a, b) in pairs {
            let e = LatentSpace.cosine(exact.users[a], exact.users[b]),
                g = LatentSpace.cosine(trained.users[a], trained.users[b])
            largestGap = max(largestGap, abs(e - g))
            rows.append([
                "cos(p\(a + 1), p\(b + 1))", f(LatentSpace.jaccard(trainUsers[a], trainUsers[b]), 3), f(e, 3), f(g, 3),
            ])
        }
        say.table(
            Table(
                headers: ["latent.cosines.header.users", "common.jaccard", "common.svd", "common.gradient-descent"]
                    .map { t($0) }, rows: rows),
            caption: t("latent.cosines.caption"))
        context.record("k2_squared_error_svd", exact.squaredError(trainUsers))
        context.record("k2_squared_error_gd", trained.squaredError(trainUsers))
        context.record("k2_largest_cosine_gap_svd_vs_gd", largestGap)
        say.prose(
            t(
                "latent.errors",
                [
                    "svd": f(exact.squaredError(trainUsers), 4), "gd": f(trained.squaredError(trainUsers), 4),
                    "steps": steps, "gap": f(largestGap, 4),
                ]))
        try context.figure(
            Figure(
                name: "mf-training-loss", title: t("fig.training-loss.title"),
                xLabel: t("fig.training-loss.x"), yLabel: t("common.squared-error"),
                kind: .lines([
                    // Every early step (the x axis is logarithmic), then a few hundred points.
                    Series(
                        t("common.gradient-descent"),
                        losses.enumerated().filter { $0.offset < 100 || $0.offset % max(1, steps / 300) == 0 }
                            .map { (x: Double($0.offset + 1), y: $0.element) }, style: .lines),
                    Series(
                        t("fig.training-loss.optimum"),
                        [
                            (x: 1, y: exact.squaredError(trainUsers)),
                            (x: Double(steps), y: exact.squaredError(trainUsers)),
                        ], style: .dashed),
                ])
            ).with {
                $0.logY = true; $0.logX = true
            })

        say.step(t("latent.step.fold-in"))
        say.listing(try Listing.region("fold-in", file: LatentSpace.sourceFile))
        let p4 = try LatentSpace.foldIn(user4, items: exact.items)
        let sims = LatentSpace.similarities(of: p4, to: exact.users)
        let jaccards = (0..<3).map { LatentSpace.jaccard(user4, trainUsers[$0]) }
        let mfOrder = LatentSpace.ranking(sims), jaccardOrder = LatentSpace.ranking(jaccards)
        say.table(
            Table(
                headers: [t("common.user"), t("latent.fold-in.header.jaccard"), t("latent.fold-in.header.cosine")],
                rows: (0..<3).map { ["u\($0 + 1)", f(jaccards[$0], 3), f(sims[$0], 3)] }),
            caption: t("latent.fold-in.caption", ["order": mfOrder.map { "u\($0 + 1)" }.joined(separator: " > ")]))
        for u in 0..<3 { context.record("k2_foldin_cosine_u\(u + 1)", sims[u]) }
        let foldInError = LatentSpace.squaredError(user4, user: p4, items: exact.items)
        context.record("k2_foldin_squared_error", foldInError)
        say.prose(
            t(
                mfOrder == jaccardOrder ? "latent.fold-in.same" : "latent.fold-in.against",
                ["error": f(foldInError, 3), "u2": f(sims[1], 3), "u3": f(sims[2], 3)]))

        say.step(t("latent.step.sweep"))
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
            t(
                "latent.sweep",
                [
                    "ordered": ordered.count, "max": f(maxCosine, 3), "best": f(bestOrdered, 3),
                    "nothing": f(nothing, 0), "foldin": f(foldInError, 3),
                ]))

        let foldInDegrees = (Foundation.atan2(p4[1], p4[0]) * 180 / .pi + 360).truncatingRemainder(dividingBy: 360)
        var cosFigure = Figure(
            name: "user4-directions", title: t("fig.directions.title"),
            xLabel: t("fig.directions.x"), yLabel: t("fig.directions.y"),
            kind: .lines(
                (0..<3).map { u in
                    Series(
                        "cos(p4, p\(u + 1))",
                        directions.enumerated().filter { $0.offset % 10 == 0 }
                            .map { (x: $0.element.degrees, y: $0.element.similarities[u]) }, style: .lines)
                } + [
                    Series(
                        t("fig.directions.ordered"),
                        ordered.enumerated().filter { $0.offset % 4 == 0 }.map { (x: $0.element.degrees, y: -1.05) },
                        style: .points)
                ]))
        cosFigure.markers = [(x: foldInDegrees, caption: t("common.mf-fold-in"))]
        cosFigure.xRange = 0...360
        cosFigure.yRange = -1.15...1.15
        cosFigure.keyPosition = "below"
        try context.figure(
            cosFigure,
            caption: t("fig.directions.caption"))
        var errorFigure = Figure(
            name: "user4-error", title: t("fig.user4-error.title"),
            xLabel: t("fig.directions.x"), yLabel: t("fig.user4-error.y"),
            kind: .lines([
                Series(
                    t("fig.user4-error.any"),
                    directions.enumerated().filter { $0.offset % 10 == 0 }.map {
                        (x: $0.element.degrees, y: $0.element.squaredError)
                    }, style: .lines),
                Series(
                    t("fig.user4-error.ordered"),
                    ordered.enumerated().filter { $0.offset % 4 == 0 }.map {
                        (x: $0.element.degrees, y: $0.element.squaredError)
                    }, style: .points),
                Series(t("fig.user4-error.nothing"), [(x: 0, y: nothing), (x: 360, y: nothing)], style: .dashed),
            ]))
        errorFigure.markers = [(x: foldInDegrees, caption: t("common.mf-fold-in"))]
        errorFigure.xRange = 0...360
        errorFigure.yRange = 0...(nothing * 1.1)
        errorFigure.keyPosition = "below"
        try context.figure(errorFigure)

        // The latent space itself.
        let labels =
            (0..<3).map {
                PointLabel(t("fig.latent.label.user", ["n": $0 + 1]), x: exact.users[$0][0], y: exact.users[$0][1])
            }
            + [PointLabel(t("fig.latent.label.user4"), x: p4[0], y: p4[1])]
            + exact.items.enumerated().map {
                PointLabel(t("common.item", ["n": $0.offset + 1]), x: $0.element[0], y: $0.element[1])
            }
        try context.figure(
            Figure(
                name: "latent-space-k2", title: t("fig.latent.title"),
                xLabel: t("fig.latent.x"), yLabel: t("fig.latent.y"),
                kind: .scatter(
                    [
                        Series(t("fig.latent.users"), exact.users.map { (x: $0[0], y: $0[1]) }, style: .points),
                        Series(t("fig.latent.user4"), [(x: p4[0], y: p4[1])], style: .points),
                        Series(t("fig.latent.items"), exact.items.map { (x: $0[0], y: $0[1]) }, style: .points),
                        Series(t("fig.latent.origin"), [(x: 0, y: 0)], style: .points),
                    ], labels: labels + [PointLabel("0", x: 0, y: 0)])
            ).with {
                // Equal axes make the plot about square: a canvas taller than wide gives it the room.
                $0.keyPosition = "below"
                $0.size = (860, 840)
                $0.equalAxes = true
                // The origin in view, with room around every point.
                let all = exact.users + exact.items + [p4, [0, 0]]
                let (xs, ys) = (all.map { Double($0[0]) }, all.map { Double($0[1]) })
                let (x0, x1, y0, y1) = (xs.min() ?? 0, xs.max() ?? 0, ys.min() ?? 0, ys.max() ?? 0)
                let pad = 0.15 * max(x1 - x0, y1 - y0, 1e-9)
                $0.xRange = (x0 - pad)...(x1 + pad)
                $0.yRange = (y0 - pad)...(y1 + pad)
            },
            caption: t("fig.latent.caption"))
    }

    static func dimensions(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        let trainUsers = Array(paperMatrix.prefix(3)), user4 = paperMatrix[3]
        say.heading(t("dimensions.heading"))
        say.prose(t("dimensions.intro"))
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
                    ties ? t("dimensions.ties") : order.map { "u\($0 + 1)" }.joined(separator: " > "),
                    yesNo(context, matches),
                ])
        }
        say.table(
            Table(
                headers: ["K", "cos u1", "cos u2", "cos u3", t("dimensions.header.ranking"),
                    t("dimensions.header.as-jaccard")], rows: rows),
            caption: t("dimensions.caption"))
        say.prose(t("dimensions.prose"))

        say.heading(t("error.heading"), level: 3)
        let steps = context.options.mode == .quick ? 3000 : (context.options.mode == .full ? 20000 : 6000)
        var exactErrors: [(x: Double, y: Double)] = [], trainedErrors: [(x: Double, y: Double)] = []
        var table: [[String]] = []
        for k in 1...4 {
            let e = try LatentSpace.exactFactors(paperMatrix, k: k).squaredError(paperMatrix)
            let g = try LatentSpace.trainedFactors(paperMatrix, k: k, steps: steps, rng: context.rng("mf-k\(k)"))
                .factors.squaredError(paperMatrix)
            exactErrors.append((x: Double(k), y: e))
            trainedErrors.append((x: Double(k), y: g))
            context.record("all_users_k\(k)_squared_error_svd", e)
            context.record("all_users_k\(k)_squared_error_gd", g)
            table.append(["\(k)", f(e, 4), f(g, 4)])
        }
        say.table(
            Table(headers: ["K", t("error.header.svd"), t("common.gradient-descent")], rows: table),
            caption: t("error.caption"))
        try context.figure(
            Figure(
                name: "error-vs-dimension", title: t("fig.error-dimension.title"),
                xLabel: t("fig.error-dimension.x"), yLabel: t("common.squared-error"),
                kind: .lines([
                    Series(t("fig.error-dimension.svd"), exactErrors),
                    Series(t("fig.error-dimension.gradient"), trainedErrors, style: .dashed),
                ])
            )
            .with {
                $0.xRange = 0.8...4.2; $0.xTicStep = 1
                // A squared error is never negative: the axis starts at 0.
                let top = (exactErrors + trainedErrors).map(\.y).filter(\.isFinite).max() ?? 1
                $0.yRange = 0...(1.1 * max(top, 1e-9))
            })
        say.prose(t("error.prose"))
    }
}
