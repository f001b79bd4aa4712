// Chapter 4, parts 2 and 3: CDAE by corruption ratio, and Mult-VAE / Mult-DAE with KL annealing.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension AutoencodersChapter {
    /// Test metrics with 95% intervals, as table cells.
    static func withInterval(_ e: Evaluation, _ metric: String) -> String {
        let value = f4(e.metrics[metric] ?? .nan)
        return e.interval(metric).map {
            value + " [" + String(format: "%.3f, %.3f", $0.lowerBound, $0.upperBound) + "]"
        }
            ?? value
    }

    static func cdae(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator, text = context.text
        let mode = context.options.mode
        say.heading(text("cdae.heading"))
        say.prose(text("cdae.before-listing"))
        say.listing(try Listing.region("cdae", file: source("CDAE.swift")))
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let entry = try Registry.entry("cdae")
        let searching = CDAE.defaultConfig(mode).searchesOnValidation
        let input =
            searching ? context.fitInput(data, split: split) : context.fitInput(data, split: split).withoutValidation()
        let validation = FullRankingEvaluator(
            train: InteractionMatrix(data, rows: split.train), test: InteractionMatrix(data, rows: split.validation))
        let defaults = CDAE.defaultConfig(mode)
        say.prose(
            text("cdae.intro", ["settings": defaults.summary]) + " "
                + text(searching ? "cdae.intro.search" : "cdae.intro.fixed"))
        var rows: [[String]] = [], points: [(x: Double, y: Double)] = []
        let settings: [(Float, Bool)] = [
            (0, false), (0.2, false), (0.3, false), (0.5, false), (0.8, false), (0.5, true),
        ]
        let bar = ProgressBar(text("cdae.progress"), total: settings.count, style: say.style)
        for (k, (q, rescale)) in settings.enumerated() {
            let model = try context.searched(
                entry, input: input, split: split.evaluationProtocol.rawValue,
                overrides: ["corruption": "\(q)", "rescale": "\(rescale)"])
            let name = rescale ? text("cdae.row.rescaled", ["q": q]) : "q = \(q)"
            let m = validation.evaluate(model.recommender, ks: [20]).metrics
            rows.append([
                name, f4(m["NDCG@20"] ?? .nan), f4(m["Recall@20"] ?? .nan),
                model.final.bestEpoch.map(String.init) ?? "\(model.final.epochs)",
            ])
            if !rescale { points.append((x: Double(q), y: m["NDCG@20"] ?? .nan)) }
            context.record("cdae_q\(q)\(rescale ? "_rescaled" : "")_validation_NDCG@20", m["NDCG@20"] ?? .nan)
            bar.update(k + 1, detail: name)
        }
        bar.finish()
        say.table(
            Table(headers: ["corruption", "ndcg", "recall", "epochs"].map { text("cdae.table.\($0)") }, rows: rows),
            caption: text("cdae.table.caption"))
        let plain = context.recorded.values["cdae_q0.5_validation_NDCG@20"] ?? .nan,
            scaled = context.recorded.values["cdae_q0.5_rescaled_validation_NDCG@20"] ?? .nan
        let verdict =
            abs(plain - scaled) < 0.005
            ? "cdae.rescale.same" : (scaled > plain ? "cdae.rescale.helps" : "cdae.rescale.no-harm")
        say.prose(
            text("cdae.rescale", ["plain": f4(plain), "scaled": f4(scaled), "verdict": text(verdict)]))
        var figure = Figure(
            name: "cdae-corruption", title: text("fig.cdae-corruption.title"),
            xLabel: text("fig.cdae-corruption.x"), yLabel: text("cdae.table.ndcg"),
            kind: .lines([
                Series(text("fig.cdae-corruption.document"), points),
                Series(text("cdae.row.rescaled", ["q": "0.5"]), [(x: 0.5, y: scaled)], style: .points),
            ]))
        figure.xRange = -0.05...0.85
        // The axis spans 10% below the best: differences of a few thousandths stay small, as they are.
        let best = points.map(\.y).filter(\.isFinite).max() ?? 1
        figure.yRange = (0.9 * best)...(1.02 * best)
        figure.keyPosition = "bottom left"
        try context.figure(figure, caption: text("fig.cdae-corruption.caption"))
        // The model the book uses (chapter 8 reuses it): its default q, searched on validation, fitted on train +
        // validation, scored on test.
        let fitted = try context.fitted(entry, data: data, split: split)
        let test = FullRankingEvaluator(
            train: InteractionMatrix(data, rows: (split.train + split.validation).sorted()),
            test: InteractionMatrix(data, rows: split.test)
        ).evaluate(fitted.recommender, ks: [20])
        context.record(ResultEntry(fitted, evaluation: test, dataset: data.name))
        let qValue = context.recorded.values["cdae_q\(defaults.corruption)_validation_NDCG@20"] ?? .nan
        let top = points.max { $0.y < $1.y }
        let (bestQ, bestValue) = (String(format: "%g", top?.x ?? .nan), top?.y ?? .nan)
        say.prose(
            text(
                "cdae.book",
                [
                    "q": String(format: "%g", defaults.corruption), "value": f4(qValue), "best": f4(bestValue),
                    "bestQ": bestQ, "recall": withInterval(test, "Recall@20"), "ndcg": withInterval(test, "NDCG@20"),
                ]))
    }

    static func multVAE(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator, text = context.text
        let mode = context.options.mode
        say.heading(text("vae.heading"))
        say.prose(text("vae.before-listing"))
        say.listing(try Listing.region("multvae", file: source("MultVAE.swift")))
        let defaults = MultVAE.defaultConfig(mode)
        let rate = String(format: "%g", defaults.dropout), cap = String(format: "%g", defaults.betaCap)
        say.prose(
            text("vae.intro", ["settings": defaults.summary, "latent": defaults.latent, "rate": rate]))
        say.derivation(
            text("vae.derivation.title"),
            [
                (
text("vae.derivation.1"),
                    #"z_u \sim \mathcal N(0, I_K), \quad \pi(z_u) = \operatorname{softmax}(f_\theta(z_u)), \quad "#
                        + #"x_u \sim \operatorname{Mult}(N_u, \pi(z_u))"#,
                    "z_u ~ N(0, I),  π(z_u) = softmax(f_θ(z_u)),  x_u ~ Mult(N_u, π(z_u))"
                ),
                (
                    text("vae.derivation.2"),
                    #"\log p_\theta(x_u \mid z_u) = \sum_i x_{ui} \log \pi_i(z_u) + \text{const}"#,
                    "log p(x_u | z_u) = Σ_i x_ui log π_i(z_u) + const"
                ),
                (
text("vae.derivation.3"),
                    #"\mathcal L_\beta(x_u) = \mathbb E_{q_\phi(z_u \mid x_u)}\left[\log p_\theta(x_u \mid "#
                        + #"z_u)\right] "#
                        + #"- \beta \, \mathrm{KL}\left(q_\phi(z_u \mid x_u) \,\Vert\, \mathcal N(0, I)\right)"#,
                    "L_β(x_u) = E_q[log p(x_u | z_u)] − β·KL(q(z_u | x_u) ‖ N(0, I))"
                ),
                (
                    text("vae.derivation.4"),
                    #"\mathrm{KL} = \tfrac12 \sum_{k=1}^{K} \left(\mu_k^2 + \sigma_k^2 - \log \sigma_k^2 - 1\right)"#,
                    "KL = ½ Σ_k (μ_k² + σ_k² − log σ_k² − 1)"
                ),
                (
text("vae.derivation.5"),
                    #"z_u = \mu_\phi(x_u) + \sigma_\phi(x_u) \odot \varepsilon, \qquad \varepsilon \sim \mathcal "#
                        + #"N(0, I_K)"#,
                    "z_u = μ_φ(x_u) + σ_φ(x_u) ⊙ ε,  ε ~ N(0, I)"
                ),
            ])
        say.prose(text("vae.beta"))
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let density = Double(split.train.count) / Double(data.userCount * data.itemCount)
        let percent = String(format: "%.1f", 100 * density)
        say.errata(text("vae.errata", ["rate": rate, "cap": cap, "percent": percent]))
        let train = InteractionMatrix(data, rows: (split.train + split.validation).sorted())
        let evaluator = FullRankingEvaluator(train: train, test: InteractionMatrix(data, rows: split.test))
        var rows: [[String]] = [], runs: [(name: String, points: [(x: Double, y: Double)], best: Int?)] = []
        var vae: MultVAE?, vaeFit: FittedModel?
        for key in ["mult-vae", "mult-dae", "itemknn", "most-popular"] {
            let entry = try Registry.entry(key)
            let fitted = try context.fitted(entry, data: data, split: split)
            let e = evaluator.evaluate(fitted.recommender, ks: [20])
            context.record(ResultEntry(fitted, evaluation: e, dataset: data.name))
            rows.append([
                entry.info.name, withInterval(e, "Recall@20"), f4(e.metrics["RecallCapped@20"] ?? .nan),
                withInterval(e, "NDCG@20"),
                fitted.steps > 0
                    ? (fitted.bestEpoch.map { "\($0) / \(fitted.searchEpochs ?? 0)" }
                        ?? text("table.fixed", ["epochs": fitted.epochs ?? 0])) : "-",
                fitted.steps > 0 ? String(format: "%.3f", fitted.final.medianEpochSeconds) : "-",
            ])
            if let search = fitted.search, fitted.steps > 0 {
                runs.append((entry.info.name, search.validationPoints, search.bestEpoch))
            }
            if key == "mult-vae" { (vae, vaeFit) = (fitted.recommender as? MultVAE, fitted) }
        }
        say.table(
            Table(
                headers: [
                    "table.model", "vae.table.recall", "vae.table.capped", "vae.table.ndcg", "table.best-epoch",
                    "table.epoch-seconds",
                ].map { text($0) },
                rows: rows, alignments: [.left, .right, .right, .right, .right, .right]),
            caption: text("vae.table.caption", ["seed": context.options.seed, "mode": mode.rawValue]))
        if let a = context.recorded.results.last(where: { $0.model == "Mult-VAE" }),
            let b = context.recorded.results.last(where: { $0.model == "Mult-DAE" }),
            let x = a.metrics["Recall@20"], let y = b.metrics["Recall@20"]
        {
            context.record("multvae_minus_multdae_Recall@20", x - y)
        }
        if !runs.isEmpty {
            var recall = Figure.validationCurves(
                name: "vae-recall", title: text("fig.vae-recall.title"),
                yLabel: text("fig.vae-recall.y"), runs: runs, xLabel: text("fig.epoch"),
                kept: { text("fig.kept-epoch", ["epoch": $0]) })
            recall.keyPosition = "bottom right"
            try context.figure(recall, caption: text("fig.vae-recall.caption"))
        }
        let record = vaeFit?.search ?? vaeFit?.final
        let recon = record?.stepTerms?["reconstruction"] ?? [], kl = record?.stepTerms?["KL"] ?? [],
            beta = record?.stepTerms?["β"] ?? []
        if !recon.isEmpty, recon.count == kl.count, kl.count == beta.count {
            let every = max(1, recon.count / 300)
            let sampled = Swift.stride(from: 0, to: recon.count, by: every).map { $0 }
            // Two quantities, two figures: the reconstruction in nats per user, the KL in nats of code.
            func perStep(_ values: [Double]) -> [(x: Double, y: Double)] {
                sampled.map { (x: Double($0 + 1), y: values[$0]) }
            }
            var reconstruction = Figure(
                name: "vae-reconstruction", title: text("fig.vae-reconstruction.title"),
                xLabel: text("fig.vae.step"), yLabel: text("fig.vae-reconstruction.y"),
                kind: .lines([Series(text("fig.vae-reconstruction.series"), perStep(recon))]))
            reconstruction.keyPosition = "off"
            reconstruction.xRange = 0...Double(recon.count + 1)
            var terms = Figure(
                name: "vae-kl", title: text("fig.vae-kl.title"),
                xLabel: text("fig.vae.step"), yLabel: text("fig.vae-kl.y"),
                kind: .lines([
                    Series(text("fig.vae-kl.kl"), perStep(kl)),
                    Series(text("fig.vae-kl.weighted"), perStep(zip(kl, beta).map { $0 * $1 }), style: .dashed),
                ]))
            // β · KL is a small fraction of KL while β anneals: its own scale on the right shows its shape.
            // Both axes start at 0, so that the two curves share their baseline.
            let weighted = zip(kl, beta).map { $0 * $1 }.filter(\.isFinite)
            terms.yRange = 0...max(1.1 * (kl.filter(\.isFinite).max() ?? 1), 1e-6)
            terms.secondAxis = (
                label: text("fig.vae-kl.y2"), series: [text("fig.vae-kl.weighted")],
                range: 0...max(1.1 * (weighted.max() ?? 1), 1e-6)
            )
            terms.keyPosition = "below"
            terms.xRange = 0...Double(recon.count + 1)
            try context.figure(reconstruction)
            let endBeta = beta.last ?? .nan
            let capped = defaults.annealSteps > 0 && recon.count < defaults.annealSteps
            context.record("multvae_final_beta", endBeta)
            try context.figure(
                terms,
                caption: text(
                    capped ? "fig.vae-kl.caption.capped" : "fig.vae-kl.caption",
                    [
                        "beta": String(format: "%.3f", endBeta), "cap": String(format: "%g", defaults.betaCap),
                        "steps": defaults.annealSteps, "klFirst": String(format: "%.2f", kl.first ?? .nan),
                        "klLast": String(format: "%.1f", kl.last ?? .nan),
                        "reconFirst": String(format: "%.0f", recon.first ?? .nan),
                        "reconLast": String(format: "%.0f", recon.last ?? .nan),
                    ]))
        }
        // The latent means of users, in 2-D.
        if let vae {
            vae.setTraining(false)
            let all = (0..<Int32(data.userCount)).map { $0 }
            let mu = Tensor.withoutGrad { vae.encode(sparseRows(train, all)).mean }
            let (projection, _) = try Linalg.pca(mu.data, rows: data.userCount, columns: vae.latent, components: 2)
            let activity = (0..<data.userCount).map { train.count(of: $0) }
            let sorted = activity.sorted()
            let (low, high) = (sorted[sorted.count / 3], sorted[2 * sorted.count / 3])
            func group(_ name: String, _ test: (Int) -> Bool) -> Series {
                let members = (0..<data.userCount).filter { test(activity[$0]) }
                let points: [(x: Double, y: Double)] = members.map {
                    (x: Double(projection[$0 * 2]), y: Double(projection[$0 * 2 + 1]))
                }
                return Series(name, points, style: .points)
            }
            let groups = [
                group(text("fig.vae-latent.light", ["low": low])) { $0 < low },
                group(text("fig.vae-latent.medium")) { $0 >= low && $0 < high },
                group(text("fig.vae-latent.heavy", ["high": high])) { $0 >= high },
            ]
            var figure = Figure(
                name: "vae-latent", title: text("fig.vae-latent.title"), xLabel: "PC 1", yLabel: "PC 2",
                kind: .scatter(groups, labels: []))
            figure.keyPosition = "below"
            try context.figure(figure, caption: text("fig.vae-latent.caption"))
        }
    }
}
