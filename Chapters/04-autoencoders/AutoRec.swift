// Chapter 4, part 1: AutoRec on ratings, against biased MF and the bias baselines.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension AutoencodersChapter {
    /// Trains AutoRec on the split's training ratings; the train and test RMSE after each epoch
    /// (curves to look at: the budget is fixed), and the seconds per epoch.
    static func trainAutoRec(
        _ context: ChapterContext, data: RatingsData, split: Split, itemBased: Bool, hidden: Int,
        epochs: Int, progress: Bool = true
    ) throws
        -> (train: [Double], test: [Double], seconds: [Double])
    {
        var config = AutoRec.Config(mode: context.options.mode)
        (config.itemBased, config.hidden, config.training) = (itemBased, hidden, .fixed(epochs))
        let trainRows = RatingRows(data, rows: split.train), testRows = RatingRows(data, rows: split.test)
        var input = FitInput(
            data: data, rows: split.train, seed: context.options.seed,
            progress: progress ? context.progress : nil)
        var trainRMSE: [Double] = [], testRMSE: [Double] = []
        input.afterEpoch = { _, model in
            trainRMSE.append(
                RatingMetrics.rmse(model.scores(pairs: trainRows.users, trainRows.items), trainRows.ratings))
            testRMSE.append(RatingMetrics.rmse(model.scores(pairs: testRows.users, testRows.items), testRows.ratings))
        }
        let model = try AutoRec.fit(input, config: config)
        return (trainRMSE, testRMSE, model.record.epochSeconds)
    }

    static func autoRec(_ context: ChapterContext, data: RatingsData, plan: Plan) throws {
        let say = context.narrator
        say.heading("AutoRec: reconstructing ratings")
        say.listing(try Listing.region("autorec", file: source("AutoRec.swift")))
        say.errata(
            """
            The document's AutoRec.loss is the masked mean squared error alone. The paper's objective (Sedhain et al. \
            2015) adds λ/2 (‖W‖² + ‖V‖²), and it matters: on MovieLens-100K a small λ overfits within 20 epochs. The \
            document's decoder comment offers nn.Sigmoid() as an alternative output, which would confine predictions \
            to (0, 1) and cannot reach ratings of 1 to 5 without rescaling; the paper's I-AutoRec uses the identity. \
            Here: the paper's sum of squared errors over observed ratings plus λ = 300 (chosen by the PyTorch \
            reference), identity output, predictions clipped to [1, 5], and 3 for an item or user with no training \
            rating.
            """)
        let split = try Split.make(data, protocol: .ratings9010, seed: context.options.seed)
        say.prose(
            """
            Protocol ratings-90-10: a seeded random 90/10 split of the \(data.count.formatted()) ratings. I-AutoRec \
            reconstructs each item's vector of ratings by the \(data.userCount) users (hidden 500, Adam lr 0.001, \
            batches of 64 items, \(plan.autorecEpochs) epochs); U-AutoRec does the same with users' rows.
            """)
        let item = try trainAutoRec(
            context, data: data, split: split, itemBased: true, hidden: 500, epochs: plan.autorecEpochs)
        let user = try trainAutoRec(
            context, data: data, split: split, itemBased: false, hidden: 500, epochs: plan.autorecEpochs)
        // Baselines: the global mean, damped biases, and biased MF on the tensor core.
        let train = split.train, test = split.test
        let mu = train.map { data.ratings[$0] }.reduce(0, +) / Float(train.count)
        var itemSum = [Float](repeating: 0, count: data.itemCount),
            itemCount = [Float](repeating: 0, count: data.itemCount)
        for k in train { itemSum[Int(data.items[k])] += data.ratings[k] - mu; itemCount[Int(data.items[k])] += 1 }
        let bi = (0..<data.itemCount).map { itemSum[$0] / (itemCount[$0] + 25) }
        var userSum = [Float](repeating: 0, count: data.userCount),
            userCount = [Float](repeating: 0, count: data.userCount)
        for k in train {
            userSum[Int(data.users[k])] += data.ratings[k] - mu - bi[Int(data.items[k])];
            userCount[Int(data.users[k])] += 1
        }
        let bu = (0..<data.userCount).map { userSum[$0] / (userCount[$0] + 10) }
        let targets = test.map { data.ratings[$0] }
        let meanRMSE = RatingMetrics.rmse([Float](repeating: mu, count: test.count), targets)
        let biasRMSE = RatingMetrics.rmse(
            test.map { min(5, max(1, mu + bi[Int(data.items[$0])] + bu[Int(data.users[$0])])) }, targets)
        let mf = try BiasedMF.fit(
            FitInput(data: data, rows: split.train, seed: context.options.seed),
            config: BiasedMF.Config(mode: context.options.mode))
        let mfRMSE = RatingMetrics.rmse(
            mf.scores(pairs: test.map { data.users[$0] }, test.map { data.items[$0] }), targets)
        let rows: [[String]] = [
            [
                "I-AutoRec (hidden 500)", f4(item.test.last ?? .nan),
                String(format: "%.3f", item.seconds.reduce(0, +) / Double(item.seconds.count)),
            ],
            [
                "U-AutoRec (hidden 500)", f4(user.test.last ?? .nan),
                String(format: "%.3f", user.seconds.reduce(0, +) / Double(user.seconds.count)),
            ],
            ["biased MF (k = 32, Adam)", f4(mfRMSE), "-"], ["damped user + item biases", f4(biasRMSE), "-"],
            ["global mean", f4(meanRMSE), "-"],
        ]
        for (name, value) in [
            ("I-AutoRec", item.test.last ?? .nan), ("U-AutoRec", user.test.last ?? .nan), ("biased MF", mfRMSE),
            ("bias baseline", biasRMSE), ("global mean", meanRMSE),
        ] {
            context.record(
                ResultEntry(
                    model: name, protocol: "ratings-90-10", dataset: data.name, metrics: ["RMSE": value],
                    trainSeconds: name == "I-AutoRec" ? item.seconds.reduce(0, +) : nil,
                    epochs: name.hasSuffix("AutoRec") ? plan.autorecEpochs : nil))
        }
        say.table(
            Table(headers: ["model", "test RMSE", "s / epoch"], rows: rows),
            caption: "ratings-90-10 on MovieLens-100K after \(plan.autorecEpochs) epochs")
        var figure = Figure(
            name: "autorec-rmse", title: "AutoRec: train and test RMSE per epoch (ratings-90-10)", xLabel: "epoch",
            yLabel: "RMSE",
            kind: .lines([
                Series("I-AutoRec train", perEpoch: item.train), Series("I-AutoRec test", perEpoch: item.test),
                Series("U-AutoRec test", perEpoch: user.test),
                Series(
                    "damped biases (test)", [(x: 1, y: biasRMSE), (x: Double(plan.autorecEpochs), y: biasRMSE)],
                    style: .dashed),
            ]))
        figure.keyPosition = "below"
        try context.figure(figure)
        // Hidden size.
        var points: [(x: Double, y: Double)] = []
        let hbar = ProgressBar("hidden sizes", total: plan.hiddenSizes.count, style: say.style)
        for (k, h) in plan.hiddenSizes.enumerated() {
            let r = try trainAutoRec(
                context, data: data, split: split, itemBased: true, hidden: h, epochs: plan.hiddenEpochs,
                progress: false)
            points.append((x: Double(h), y: r.test.last ?? .nan))
            context.record("autorec_hidden_\(h)_test_RMSE", r.test.last ?? .nan)
            hbar.update(k + 1, detail: "hidden \(h)")
        }
        hbar.finish()
        var hidden = Figure(
            name: "autorec-hidden", title: "I-AutoRec: test RMSE against hidden size (\(plan.hiddenEpochs) epochs)",
            xLabel: "hidden units",
            yLabel: "test RMSE", kind: .lines([Series("I-AutoRec", points)]))
        hidden.logX = true
        hidden.xTics = plan.hiddenSizes.map(Double.init)
        try context.figure(hidden)
    }
}
