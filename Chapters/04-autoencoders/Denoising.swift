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
        let settings: [(Float, Bool)] = [(0, false), (0.2, false), (0.5, false), (0.8, false), (0.5, true)]
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
            xLabel: "corruption ratio q", yLabel: "validation NDCG@20", kind: .lines([Series("CDAE", points)]))
        figure.xRange = -0.05...0.85
        try context.figure(figure)
        // The model the book uses (chapter 8 reuses it): its default q, searched on validation, fitted on train +
        // validation, scored on test.
        let fitted = try context.fitted(entry, data: data, split: split)
        let test = FullRankingEvaluator(
            train: InteractionMatrix(data, rows: (split.train + split.validation).sorted()),
            test: InteractionMatrix(data, rows: split.test)
        ).evaluate(fitted.recommender, ks: [20])
        context.record(ResultEntry(fitted, evaluation: test, dataset: data.name))
        say.prose(
            """
            The book's CDAE keeps q = \(String(format: "%g", defaults.corruption)) (chosen on validation; the reason \
            is in its \
            Config); fitted on train + validation and scored once on test: Recall@20 \
            \(withInterval(test, "Recall@20")), \
            NDCG@20 \(withInterval(test, "NDCG@20")).
            """)
    }

    static func multVAE(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        let mode = context.options.mode
        say.heading("Mult-VAE: a probabilistic autoencoder")
        say.listing(try Listing.region("multvae", file: source("MultVAE.swift")))
        let defaults = MultVAE.defaultConfig(mode)
        say.prose(
            """
            The document's MultVAE, trained as in Liang et al. (2018): the loss is the multinomial negative \
            log-likelihood -Σ x log softmax(logits) plus β·KL, with β rising linearly from 0 to its cap; Mult-DAE is \
            the same network with a deterministic code and no KL term. Settings: \(defaults.summary). Where they \
            differ from the paper's (a 64-dimensional code and dropout 0.7 instead of 200 and 0.5), validation chose \
            them: ML-100K's 943 users cannot fill 200 dimensions.
            """)
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed, validation: true)
        let density = Double(split.train.count) / Double(data.userCount * data.itemCount)
        say.prose(
            String(
                format: """
                    One difference from the document's code, in how it runs rather than what it computes: a user's \
                    training row is %.1f%% non-zero here, so the input stays a sparse matrix until the first layer. \
                    Normalising, dropping out and multiplying by the 1,682 x 600 encoder touch only the items the \
                    user has, where PyTorch multiplies the zeros too (the same numbers, a fraction of the work; the \
                    decoder's softmax over all items is dense either way).
                    """, 100 * density))
        let train = InteractionMatrix(data, rows: (split.train + split.validation).sorted())
        let evaluator = FullRankingEvaluator(train: train, test: InteractionMatrix(data, rows: split.test))
        var rows: [[String]] = [], curves: [Series] = [], markers: [(x: Double, caption: String)] = []
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
                curves.append(
                    Series(
                        entry.info.name, search.validation.map { (x: Double($0.epoch), y: $0.value) },
                        style: .linesPoints))
                if let best = search.bestEpoch { markers.append((x: Double(best), caption: entry.info.name)) }
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
        if !curves.isEmpty {
            var recall = Figure(
                name: "vae-recall", title: "Validation NDCG@20 per epoch (holdout-20 validation part)",
                xLabel: "epoch", yLabel: "validation NDCG@20", kind: .lines(curves))
            recall.markers = markers
            recall.keyPosition = "bottom right"
            try context.figure(recall, caption: "The dashed lines mark the epochs each model kept.")
        }
        let record = vaeFit?.search ?? vaeFit?.final
        let recon = record?.stepTerms?["reconstruction"] ?? [], kl = record?.stepTerms?["KL"] ?? [],
            beta = record?.stepTerms?["β"] ?? []
        if !recon.isEmpty, recon.count == kl.count, kl.count == beta.count {
            let every = max(1, recon.count / 300)
            let sampled = Swift.stride(from: 0, to: recon.count, by: every).map { $0 }
            var terms = Figure(
                name: "vae-loss-terms", title: "Mult-VAE training: reconstruction, KL and β per step",
                xLabel: "training step", yLabel: "value (log scale)",
                kind: .lines([
                    Series("reconstruction (multinomial NLL)", sampled.map { (x: Double($0 + 1), y: recon[$0]) }),
                    Series("KL(q(z|x) || N(0, I))", sampled.map { (x: Double($0 + 1), y: kl[$0]) }),
                    Series("β", sampled.map { (x: Double($0 + 1), y: max(beta[$0], 1e-4)) }, style: .dashed),
                ]))
            terms.logY = true
            terms.keyPosition = "below"
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
