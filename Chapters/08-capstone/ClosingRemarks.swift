// Chapter 8, part 4: the document's closing remarks (맺음말), each claim set against this run:
// no method wins everywhere, a simple EASE can beat deep models, and the data matter most.

import _WorkbookSupport
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension CapstoneChapter {
    static func closingRemarks(
        _ context: ChapterContext, board: [Entry], verdicts: Verdicts, train: InteractionMatrix,
        test: InteractionMatrix
    ) throws {
        let say = context.narrator, text = context.text
        guard board.count > 2, let ease = board.first(where: { $0.name == "EASE" }) else { return }
        say.heading(text("closing.heading"))
        say.prose(text("closing.intro"))
        universal(context, board: board, train: train)
        let neural = board.filter { !simpleModels.contains($0.name) }.count
        let reading =
            verdicts.above.isEmpty
            ? "none-above" : (verdicts.above.count == 1 ? "one-above" : "many-above")
        say.prose(
            text(
                "closing.ease." + reading,
                [
                    "below": verdicts.below.count, "neural": neural, "tied": verdicts.tied.count,
                    "above": verdicts.above.count,
                ]))
        try dataMatters(context, board: board, ease: ease, train: train, test: test)
    }

    /// The models' mean Recall@20 on each third of the test users, ordered by training interactions.
    static func universal(_ context: ChapterContext, board: [Entry], train: InteractionMatrix) {
        let say = context.narrator, text = context.text
        let users = board[0].evaluation.users
        guard users.count >= 30, board.allSatisfy({ $0.evaluation.users == users }) else { return }
        let activity = users.map { train.count(of: Int($0)) }
        let order = users.indices.sorted { (activity[$0], $0) < (activity[$1], $1) }
        let thirds = (0..<3).map { t in Array(order[(t * order.count / 3)..<((t + 1) * order.count / 3)]) }
        var rows: [[String]] = [], winners: [String] = [], separated = 0
        for (t, members) in thirds.enumerated() {
            // Each model's Recall@20 for this third's users, and its mean, computed once.
            var values: [String: [Double]] = [:], means: [String: Double] = [:]
            for e in board {
                let all = e.evaluation.perUser["Recall@20"] ?? []
                let own = members.map { all.indices.contains($0) ? all[$0] : 0 }
                values[e.name] = own
                means[e.name] = own.reduce(0, +) / Double(max(members.count, 1))
            }
            func mean(_ e: Entry) -> Double { means[e.name] ?? 0 }
            let ranked = board.sorted { (mean($0), $1.name) > (mean($1), $0.name) }
            let (first, second) = (ranked[0], ranked[1])
            let paired = Bootstrap.compare(
                values[first.name] ?? [], values[second.name] ?? [], seed: context.options.seed)
            let counts = members.map { activity[$0] }
            winners.append(first.name)
            if paired.isDistinguishable { separated += 1 }
            rows.append([
                text("universal." + ["fewest", "middle", "most"][t], 
                    ["min": counts.min() ?? 0, "max": counts.max() ?? 0]),
                "\(members.count)", "\(first.name) \(f4(mean(first)))", "\(second.name) \(f4(mean(second)))",
                text(paired.isDistinguishable ? "universal.yes" : "universal.no"),
                means["EASE"].map(f4) ?? "-", means["MostPopular"].map(f4) ?? "-",
            ])
        }
        say.prose(text("universal.intro"))
        say.table(
            Table(
                headers: ["third", "users", "best", "runner-up", "apart"].map { text("universal.col." + $0) }
                    + ["EASE", "MostPopular"],
                rows: rows, alignments: [.left, .right, .left, .left, .left, .right, .right]),
            caption: text("universal.caption"))
        let distinct = Set(winners)
        context.record("distinct_winners_by_activity", Double(distinct.count))
        context.record("thirds_with_a_clear_winner", Double(separated))
        let leaders = winners.joined(separator: ", ")
        let verdict: String
        switch (distinct.count > 1, separated) {
        case (true, 0): verdict = text("universal.changes.unseparated", ["leaders": leaders])
        case (true, _): verdict = text("universal.changes.separated", ["leaders": leaders, "separated": separated])
        default: verdict = text("universal.one-leader", ["model": winners[0]])
        }
        say.prose(verdict)
    }

    /// What noisier or sparser training data cost EASE, against what the choice of model is worth.
    static func dataMatters(_ context: ChapterContext, board: [Entry], ease: Entry, train: InteractionMatrix,
                            test: InteractionMatrix) throws {
        let say = context.narrator, text = context.text
        let lambda = (ease.fitted.recommender as? EASE)?.lambda ?? EASE.Config(mode: .standard).lambda
        let evaluator = FullRankingEvaluator(train: train, test: test)
        let rng = context.rng("closing-remarks")
        let noisy = try EASE(train: perturbed(train, replacing: 0.2, rng: rng), lambda: lambda)
        let sparse = try EASE(train: perturbed(train, keeping: 0.5, rng: rng), lambda: lambda)
        let clean = ease.evaluation.perUser["Recall@20"] ?? []
        func lost(_ model: any Recommender) -> Bootstrap.Comparison? {
            let values = evaluator.evaluate(model, ks: [20]).perUser["Recall@20"] ?? []
            guard values.count == clean.count, !clean.isEmpty else { return nil }
            return Bootstrap.compare(clean, values, seed: context.options.seed)
        }
        let learned = board.filter { !simpleModels.contains($0.name) }
        guard let noise = lost(noisy), let half = lost(sparse), let best = learned.first, let worst = learned.last,
            let spread = Bootstrap.compare(best.evaluation, worst.evaluation, metric: "Recall@20",
                                           seed: context.options.seed)
        else { return }
        context.record("ease_recall_lost_to_noise", noise.difference)
        context.record("ease_recall_lost_to_half_data", half.difference)
        context.record("learned_model_spread_recall@20", spread.difference)
        func signed(_ c: Bootstrap.Comparison) -> String {
            String(format: "%.4f [%.4f, %.4f]", c.difference, c.interval.lowerBound, c.interval.upperBound)
        }
        say.prose(text("data.intro", ["lambda": Int(lambda), "best": best.name, "worst": worst.name]))
        say.bullets([
            text("data.noise", ["difference": signed(noise)]),
            text("data.half", ["difference": signed(half)]),
            text("data.spread", ["best": best.name, "worst": worst.name, "difference": signed(spread)]),
        ])
        let series = text("fig.data.series")
        var bars = Figure(
            name: "data-vs-model", title: text("fig.data.title"), xLabel: text("fig.data.x"),
            yLabel: text("fig.data.y"),
            kind: .bars(
                categories: [
                    text("fig.data.noise"), text("fig.data.half"),
                    text("fig.data.spread", ["best": best.name, "worst": worst.name]),
                ],
                groups: [(series, [noise.difference, half.difference, spread.difference])]))
        bars.barIntervals[series] = [noise.interval, half.interval, spread.interval]
        bars.keyPosition = "off"
        try context.figure(bars, caption: text("fig.data.caption"))
        /// How a damage compares with the spread of the models: "more", "less" or "same".
        func against(_ damage: Bootstrap.Comparison) -> String {
            if damage.interval.lowerBound > spread.interval.upperBound { return "more" }
            if damage.interval.upperBound < spread.interval.lowerBound { return "less" }
            return "same"
        }
        let verdicts = (noise: against(noise), half: against(half))
        let holds = verdicts.noise != "less" || verdicts.half != "less"
        say.prose(
            text(
                "data.verdict",
                [
                    "half": text("data.half." + verdicts.half), "noise": text("data.noise." + verdicts.noise),
                    "reading": text(holds ? "data.holds" : "data.fails"),
                ]))
    }

    /// `train` with a `fraction` of each user's items replaced by random items the user does not have.
    static func perturbed(_ train: InteractionMatrix, replacing fraction: Double, rng: RandomGenerator)
        -> InteractionMatrix
    {
        var users: [Int32] = [], items: [Int32] = []
        for u in 0..<train.userCount {
            let own = Array(train.items(of: u))
            let owned = Set(own)
            let replaced = min(Int((Double(own.count) * fraction).rounded()), train.itemCount - owned.count)
            var order = own
            rng.shuffle(&order)
            var kept = Array(order.dropFirst(replaced)), added = Set<Int32>()
            while added.count < replaced {
                let item = Int32(rng.nextInt(below: train.itemCount))
                if !owned.contains(item) { added.insert(item) }
            }
            kept += added.sorted()
            users += Array(repeating: Int32(u), count: kept.count)
            items += kept
        }
        return InteractionMatrix(userCount: train.userCount, itemCount: train.itemCount, users: users, items: items)
    }

    /// `train` with a random `fraction` of each user's items (at least one).
    static func perturbed(_ train: InteractionMatrix, keeping fraction: Double, rng: RandomGenerator)
        -> InteractionMatrix
    {
        var users: [Int32] = [], items: [Int32] = []
        for u in 0..<train.userCount {
            var own = Array(train.items(of: u))
            guard !own.isEmpty else { continue }
            rng.shuffle(&own)
            let kept = own.prefix(max(1, Int((Double(own.count) * fraction).rounded())))
            users += Array(repeating: Int32(u), count: kept.count)
            items += kept
        }
        return InteractionMatrix(userCount: train.userCount, itemCount: train.itemCount, users: users, items: items)
    }
}
