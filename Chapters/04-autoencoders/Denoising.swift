// Chapter 4, parts 2 and 3: CDAE by corruption ratio, and Mult-VAE / Mult-DAE with KL annealing.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension AutoencodersChapter {
    static func cdae(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("Denoising: the collaborative DAE")
        say.listing(try Listing.region("cdae", file: source("CDAE.swift")))
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        say.prose(
            """
            Protocol holdout-20 on implicit data. Each user's training row is corrupted, encoded with the user's own \
            vector, and decoded to one logit per item; the loss is BCE against the uncorrupted row (hidden 200, Adam \
            lr 0.001, batches of 128 users, \(plan.cdaeEpochs) epochs).
            """)
        var rows: [[String]] = [], points: [(x: Double, y: Double)] = []
        let settings: [(Float, Bool)] = [(0, false), (0.2, false), (0.5, false), (0.8, false), (0.5, true)]
        let bar = ProgressBar("CDAE corruption", total: settings.count, style: say.style)
        for (k, (q, rescale)) in settings.enumerated() {
            var config = CDAE.Config(mode: context.options.mode)
            (config.corruption, config.rescale, config.training) = (q, rescale, .fixed(plan.cdaeEpochs))
            let model = try CDAE.fit(
                FitInput(data: data, rows: split.train, seed: context.options.seed), config: config)
            let name = rescale ? "q = \(q), rescaled by 1/(1-q)" : "q = \(q)"
            let m = evaluator.evaluate(model, ks: [20]).metrics
            rows.append([name, f4((m["Recall@20"] ?? .nan)), f4((m["NDCG@20"] ?? .nan))])
            if !rescale { points.append((x: Double(q), y: (m["Recall@20"] ?? .nan))) }
            context.record(
                ResultEntry(
                    model: "CDAE (\(name))", protocol: "holdout-20", dataset: data.name, metrics: m,
                    epochs: plan.cdaeEpochs))
            context.record("cdae_q\(q)\(rescale ? "_rescaled" : "")_Recall@20", (m["Recall@20"] ?? .nan))
            bar.update(k + 1, detail: name)
        }
        bar.finish()
        say.table(
            Table(headers: ["corruption", "Recall@20", "NDCG@20"], rows: rows),
            caption: "CDAE on holdout-20 by corruption ratio q (the document's noise: no rescaling)")
        let plain = context.recorded.values["cdae_q0.5_Recall@20"] ?? .nan,
            scaled = context.recorded.values["cdae_q0.5_rescaled_Recall@20"] ?? .nan
        say.prose(
            String(
                format: """
                    Should dropout noise be rescaled? Without rescaling, a corrupted row has on average (1 - q) of \
                    its mass, so the encoder sees smaller inputs in training than at prediction time (when nothing \
                    is dropped). With 1/(1-q) rescaling (inverted dropout) the expected input matches. At q = 0.5 \
                    here: Recall@20 %.4f unscaled against %.4f rescaled, 
                    """, plain, scaled)
                + (abs(plain - scaled) < 0.005
                    ? "a negligible difference: the per-user node and the biases absorb the shift."
                    : (scaled > plain ? "so rescaling helps." : "so the document's unscaled noise does no harm here.")))
        var figure = Figure(
            name: "cdae-corruption", title: "CDAE: Recall@20 against the corruption ratio (holdout-20)",
            xLabel: "corruption ratio q",
            yLabel: "Recall@20", kind: .lines([Series("CDAE", points)]))
        figure.xRange = -0.05...0.85
        try context.figure(figure)
    }

    static func multVAE(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("Mult-VAE: a probabilistic autoencoder")
        say.listing(try Listing.region("multvae", file: source("MultVAE.swift")))
        say.prose(
            """
            The document's MultVAE, trained as in Liang et al. (2018): the loss is the multinomial negative \
            log-likelihood -Σ x log softmax(logits) plus β·KL, with β rising linearly from 0 to 0.2 over all the \
            training steps; batches of 500 users, Adam lr 0.001, \(plan.vaeEpochs) epochs. Mult-DAE is the same \
            network with a deterministic code and no KL term.
            """)
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
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
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        var curves: [Series] = [], steps: [(recon: Double, kl: Double, beta: Double)] = []
        var finals: [String: [String: Double]] = [:], seconds: [String: Double] = [:]
        var vae: MultVAE?
        for variational in [true, false] {
            let name = variational ? "Mult-VAE" : "Mult-DAE"
            var curve: [(x: Double, y: Double)] = []
            var config = MultVAE.Config(mode: context.options.mode)
            (config.variational, config.training) = (variational, .fixed(plan.vaeEpochs))
            var input = FitInput(data: data, rows: split.train, seed: context.options.seed, progress: context.progress)
            input.afterEpoch = { epoch, model in
                guard epoch % max(1, plan.vaeEpochs / 10) == 0 || epoch == plan.vaeEpochs else { return }
                let m = evaluator.evaluate(model, ks: [20]).metrics
                curve.append((x: Double(epoch), y: m["Recall@20"] ?? .nan))
                finals[name] = m
            }
            var terms: [(recon: Double, kl: Double, beta: Double)] = []
            input.onStep = { terms.append(($0["reconstruction"] ?? .nan, $0["KL"] ?? 0, $0["β"] ?? 0)) }
            let trained = try MultVAE.fit(input, config: config)
            seconds[name] = trained.record.seconds / Double(plan.vaeEpochs)
            if variational { steps = terms }
            curves.append(Series(name, curve))
            context.record(
                ResultEntry(
                    model: name, protocol: "holdout-20", dataset: data.name, metrics: finals[name] ?? [:],
                    trainSeconds: trained.record.seconds, epochs: plan.vaeEpochs))
            if variational { vae = trained }
        }
        var rows: [[String]] = ["Mult-VAE", "Mult-DAE"].map {
            [
                $0, f4(finals[$0]?["Recall@20"] ?? .nan), f4(finals[$0]?["RecallCapped@20"] ?? .nan),
                f4(finals[$0]?["NDCG@20"] ?? .nan), String(format: "%.3f", seconds[$0] ?? .nan),
            ]
        }
        for (name, model) in [
            ("ItemKNN", try ItemKNN(train: train) as any Recommender), ("MostPopular", MostPopular(train: train)),
        ] {
            let m = evaluator.evaluate(model, ks: [20]).metrics
            rows.append([
                name, f4((m["Recall@20"] ?? .nan)), f4((m["RecallCapped@20"] ?? .nan)), f4((m["NDCG@20"] ?? .nan)), "-",
            ])
            curves.append(
                Series(
                    name,
                    [(x: 1, y: (m["Recall@20"] ?? .nan)), (x: Double(plan.vaeEpochs), y: (m["Recall@20"] ?? .nan))],
                    style: .dashed))
        }
        say.table(
            Table(headers: ["model", "Recall@20", "RecallCapped@20 (Liang)", "NDCG@20", "s / epoch"], rows: rows),
            caption: """
                holdout-20 on MovieLens-100K after \(plan.vaeEpochs) epochs; RecallCapped divides hits by \
                min(20, n) as the Mult-VAE paper does
                """)
        var recall = Figure(
            name: "vae-recall", title: "Recall@20 per epoch (holdout-20)", xLabel: "epoch", yLabel: "Recall@20",
            kind: .lines(curves))
        recall.keyPosition = "below"
        try context.figure(recall)
        let every = max(1, steps.count / 300)
        let sampled = Swift.stride(from: 0, to: steps.count, by: every).map { $0 }
        var terms = Figure(
            name: "vae-loss-terms", title: "Mult-VAE training: reconstruction, KL and β per step",
            xLabel: "training step", yLabel: "value (log scale)",
            kind: .lines([
                Series(
                    "reconstruction (multinomial NLL)", sampled.map { (x: Double($0 + 1), y: steps[$0].recon) },
                    style: .lines),
                Series("KL(q(z|x) || N(0, I))", sampled.map { (x: Double($0 + 1), y: steps[$0].kl) }, style: .lines),
                Series("β", sampled.map { (x: Double($0 + 1), y: max(steps[$0].beta, 1e-4)) }, style: .dashed),
            ]))
        terms.logY = true
        terms.keyPosition = "below"
        try context.figure(terms)
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
