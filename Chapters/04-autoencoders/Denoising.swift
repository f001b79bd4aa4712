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
        let say = context.narrator
        let mode = context.options.mode
        say.heading("Denoising: the collaborative DAE")
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
            """
            Protocol holdout-20 on implicit data, with 20% of each user's training ratings as validation. Each \
            user's training row is corrupted, encoded with the user's own vector, and decoded to one logit per \
            item; the loss is BCE against the uncorrupted row (\(defaults.summary)). How much corruption? Each \
            ratio q is trained \(searching ? "until validation NDCG@20 stops improving" : "for a fixed budget") and \
            scored on validation, since choosing q is tuning.
            """)
        var rows: [[String]] = [], points: [(x: Double, y: Double)] = []
        let settings: [(Float, Bool)] = [
            (0, false), (0.2, false), (0.3, false), (0.5, false), (0.8, false), (0.5, true),
        ]
        let bar = ProgressBar("CDAE corruption", total: settings.count, style: say.style)
        for (k, (q, rescale)) in settings.enumerated() {
            let model = try entry.fit(
                input, mode: mode, overrides: ["corruption": "\(q)", "rescale": "\(rescale)"], refit: false)
            let name = rescale ? "q = \(q), rescaled by 1/(1-q)" : "q = \(q)"
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
            Table(headers: ["corruption", "validation NDCG@20", "validation Recall@20", "epochs"], rows: rows),
            caption: "CDAE on holdout-20's validation part by corruption ratio q (the document's noise: no rescaling)")
        let plain = context.recorded.values["cdae_q0.5_validation_NDCG@20"] ?? .nan,
            scaled = context.recorded.values["cdae_q0.5_rescaled_validation_NDCG@20"] ?? .nan
        say.prose(
            String(
                format: """
                    Should dropout noise be rescaled? Without rescaling, a corrupted row has on average (1 - q) of \
                    its mass, so the encoder sees smaller inputs in training than at prediction time (when nothing \
                    is dropped). With 1/(1-q) rescaling (inverted dropout) the expected input matches. At q = 0.5 \
                    here: validation NDCG@20 %.4f unscaled against %.4f rescaled, 
                    """, plain, scaled)
                + (abs(plain - scaled) < 0.005
                    ? "a negligible difference: the per-user node and the biases absorb the shift."
                    : (scaled > plain ? "so rescaling helps." : "so the document's unscaled noise does no harm here.")))
        var figure = Figure(
            name: "cdae-corruption", title: "CDAE: validation NDCG@20 against the corruption ratio (holdout-20)",
            xLabel: "corruption ratio q", yLabel: "validation NDCG@20",
            kind: .lines([
                Series("CDAE, the document's noise", points),
                Series("q = 0.5, rescaled by 1/(1-q)", [(x: 0.5, y: scaled)], style: .points),
            ]))
        figure.xRange = -0.05...0.85
        // The axis spans 10% below the best: differences of a few thousandths stay small, as they are.
        let best = points.map(\.y).filter(\.isFinite).max() ?? 1
        figure.yRange = (0.9 * best)...(1.02 * best)
        figure.keyPosition = "bottom left"
        try context.figure(
            figure,
            caption: """
                One split, one seed per point: differences under about 0.005 are within what another seed would \
                move them by.
                """)
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
            """
            The book's CDAE keeps the document's q = \(String(format: "%g", defaults.corruption)) (validation NDCG@20 \
            \(f4(qValue)) here, against \(f4(bestValue)) for the best q of the sweep, q = \(bestQ)); fitted on train + \
            validation and scored once on test: Recall@20 \(withInterval(test, "Recall@20")), NDCG@20 \
            \(withInterval(test, "NDCG@20")).
            """)
    }

    static func multVAE(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        let mode = context.options.mode
        say.heading("Mult-VAE: a probabilistic autoencoder")
        say.listing(try Listing.region("multvae", file: source("MultVAE.swift")))
        let defaults = MultVAE.defaultConfig(mode)
        let rate = String(format: "%g", defaults.dropout), cap = String(format: "%g", defaults.betaCap)
        say.prose(
            """
            The document's MultVAE network (600 tanh units, a Gaussian code), trained as in Liang et al. (2018): \
            the loss is the multinomial negative log-likelihood -Σ x log softmax(logits) plus β·KL; Mult-DAE is the \
            same network with a deterministic code and no KL term. Settings: \(defaults.summary). Where they differ \
            from the paper's (a \(defaults.latent)-dimensional code and dropout \(rate) instead of 200 and 0.5), \
            validation chose them: ML-100K's 943 users cannot fill 200 dimensions.
            """)
        say.derivation(
            "Mult-VAE's objective, from its generative story",
            [
                (
                    "Each user has a latent code; the code gives a distribution over items; the clicks are a "
                        + "multinomial draw of the user's N_u clicks from it:",
                    #"z_u \sim \mathcal N(0, I_K), \quad \pi(z_u) = \operatorname{softmax}(f_\theta(z_u)), \quad "#
                        + #"x_u \sim \operatorname{Mult}(N_u, \pi(z_u))"#,
                    "z_u ~ N(0, I),  π(z_u) = softmax(f_θ(z_u)),  x_u ~ Mult(N_u, π(z_u))"
                ),
                (
                    "The multinomial log-likelihood is the reconstruction term (up to a constant):",
                    #"\log p_\theta(x_u \mid z_u) = \sum_i x_{ui} \log \pi_i(z_u) + \text{const}"#,
                    "log p(x_u | z_u) = Σ_i x_ui log π_i(z_u) + const"
                ),
                (
                    "An encoder q_φ(z_u | x_u) = N(μ_φ(x_u), diag σ²_φ(x_u)) gives a lower bound on log p(x_u), the "
                        + "ELBO, here with the KL term weighted by β:",
                    #"\mathcal L_\beta(x_u) = \mathbb E_{q_\phi(z_u \mid x_u)}\left[\log p_\theta(x_u \mid "#
                        + #"z_u)\right] "#
                        + #"- \beta \, \mathrm{KL}\left(q_\phi(z_u \mid x_u) \,\Vert\, \mathcal N(0, I)\right)"#,
                    "L_β(x_u) = E_q[log p(x_u | z_u)] − β·KL(q(z_u | x_u) ‖ N(0, I))"
                ),
                (
                    "Between two Gaussians the KL has a closed form (what the loss computes):",
                    #"\mathrm{KL} = \tfrac12 \sum_{k=1}^{K} \left(\mu_k^2 + \sigma_k^2 - \log \sigma_k^2 - 1\right)"#,
                    "KL = ½ Σ_k (μ_k² + σ_k² − log σ_k² − 1)"
                ),
                (
                    "The expectation is estimated with one sample, written so that gradients reach μ and σ "
                        + "(the reparameterisation trick):",
                    #"z_u = \mu_\phi(x_u) + \sigma_\phi(x_u) \odot \varepsilon, \qquad \varepsilon \sim \mathcal "#
                        + #"N(0, I_K)"#,
                    "z_u = μ_φ(x_u) + σ_φ(x_u) ⊙ ε,  ε ~ N(0, I)"
                ),
            ])
        say.prose(
            """
            With β = 1 this is the ELBO; β < 1 trades a looser bound for a code that keeps more about the user, \
            which is what ranking needs. Liang et al. anneal β from 0 and stop at about 0.2; Mult-DAE is β = 0 with \
            the sampling removed.
            """)
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let density = Double(split.train.count) / Double(data.userCount * data.itemCount)
        let percent = String(format: "%.1f", 100 * density)
        say.errata(
            """
            The document's MultVAE is not the paper's model, and the book's is the paper's: the document feeds the \
            raw click row to the encoder, where Liang et al. L2-normalise it and drop out input items (rate \(rate) \
            here) before the first layer; its loss takes β = 1 with no schedule, where the paper anneals β from 0 \
            and caps it (here at \(cap)), since β = 1 over-regularises the code and costs ranking quality. These \
            change what is computed, not only how. How it runs differs too: a user's training row is \(percent)% \
            non-zero, so the book keeps the input sparse until the first layer and touches only the items the user \
            has, where PyTorch multiplies the zeros too.
            """)
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
                        ?? "\(fitted.epochs ?? 0) (fixed)") : "-",
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
                    "model", "Recall@20 [95% CI]", "RecallCapped@20 (Liang)", "NDCG@20 [95% CI]",
                    "best epoch / run", "s / epoch",
                ],
                rows: rows, alignments: [.left, .right, .right, .right, .right, .right]),
            caption: """
                holdout-20 on MovieLens-100K (seed \(context.options.seed), \(mode.rawValue) mode); RecallCapped \
                divides hits by min(20, n) as the Mult-VAE paper does; intervals: bootstrap over users
                """)
        if let a = context.recorded.results.last(where: { $0.model == "Mult-VAE" }),
            let b = context.recorded.results.last(where: { $0.model == "Mult-DAE" }),
            let x = a.metrics["Recall@20"], let y = b.metrics["Recall@20"]
        {
            context.record("multvae_minus_multdae_Recall@20", x - y)
        }
        if !runs.isEmpty {
            var recall = Figure.validationCurves(
                name: "vae-recall", title: "Validation NDCG@20 per epoch (holdout-20 validation part)",
                yLabel: "validation NDCG@20", runs: runs)
            recall.keyPosition = "bottom right"
            try context.figure(recall, caption: "The circles mark the epochs each model kept.")
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
                name: "vae-reconstruction", title: "Mult-VAE training: the reconstruction term per step",
                xLabel: "training step", yLabel: "multinomial NLL per user (nats)",
                kind: .lines([Series("reconstruction (multinomial NLL)", perStep(recon))]))
            reconstruction.keyPosition = "off"
            reconstruction.xRange = 0...Double(recon.count + 1)
            var terms = Figure(
                name: "vae-kl", title: "Mult-VAE training: the KL term, and the part of it the loss counts",
                xLabel: "training step", yLabel: "KL (nats)",
                kind: .lines([
                    Series("KL(q(z|x) || N(0, I))", perStep(kl)),
                    Series("β · KL (what the loss adds)", perStep(zip(kl, beta).map { $0 * $1 }), style: .dashed),
                ]))
            // β · KL is a small fraction of KL while β anneals: its own scale on the right shows its shape.
            // Both axes start at 0, so that the two curves share their baseline.
            let weighted = zip(kl, beta).map { $0 * $1 }.filter(\.isFinite)
            terms.yRange = 0...max(1.1 * (kl.filter(\.isFinite).max() ?? 1), 1e-6)
            terms.secondAxis = (
                label: "β · KL (nats)", series: ["β · KL (what the loss adds)"],
                range: 0...max(1.1 * (weighted.max() ?? 1), 1e-6)
            )
            terms.keyPosition = "below"
            terms.xRange = 0...Double(recon.count + 1)
            try context.figure(reconstruction)
            let endBeta = beta.last ?? .nan
            let schedule =
                defaults.annealSteps > 0 && recon.count < defaults.annealSteps
                ? String(
                    format: "β reaches only %.3f by the last step: it would reach its cap %g at step %d, but "
                        + "validation stopped the run first, so this Mult-VAE is regularised far less than β = %g "
                        + "suggests", endBeta, defaults.betaCap, defaults.annealSteps, defaults.betaCap)
                : String(format: "β reaches %.3f by the last step", endBeta)
            context.record("multvae_final_beta", endBeta)
            try context.figure(
                terms,
                caption: schedule
                    + String(
                        format: "; the KL term moves from %.2f to %.1f as the code spreads out, the reconstruction "
                            + "from %.0f to %.0f.", kl.first ?? .nan, kl.last ?? .nan, recon.first ?? .nan,
                        recon.last ?? .nan))
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
                group("light users (< \(low) films)") { $0 < low }, group("medium") { $0 >= low && $0 < high },
                group("heavy users (>= \(high) films)") { $0 >= high },
            ]
            var figure = Figure(
                name: "vae-latent", title: "Mult-VAE: users' latent means (first two principal axes)", xLabel: "PC 1",
                yLabel: "PC 2",
                kind: .scatter(groups, labels: []))
            figure.keyPosition = "below"
            try context.figure(figure, caption: "Users coloured by how many films they have in training.")
        }
    }
}
