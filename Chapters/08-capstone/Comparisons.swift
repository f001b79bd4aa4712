// Chapter 8, part 3: what the leaderboard says, claim by claim, each backed by a paired
// bootstrap over the same test users, and the leaderboard next to RecBole's on the same split.

import _WorkbookSupport
import Foundation
import Models
import Narrative
import RecKit

extension CapstoneChapter {
    /// A paired comparison of two leaderboard entries on Recall@20, user by user, the better first.
    struct Claim {
        let better: Entry, worse: Entry
        let comparison: Bootstrap.Comparison
        /// The comparison in words, in the run's language.
        var sentence: String { comparison.sentence(better.name, worse.name, metric: "Recall@20") }
    }

    /// The paired bootstrap of `a` against `b` over the test users (nil if they were evaluated on
    /// different users, which one evaluator never does).
    static func claim(_ a: Entry, _ b: Entry, seed: UInt64) -> Claim? {
        guard let comparison = Bootstrap.compare(a.evaluation, b.evaluation, metric: "Recall@20", seed: seed),
            let reverse = Bootstrap.compare(b.evaluation, a.evaluation, metric: "Recall@20", seed: seed)
        else { return nil }
        return comparison.difference >= 0
            ? Claim(better: a, worse: b, comparison: comparison) : Claim(better: b, worse: a, comparison: reverse)
    }

    static let simpleModels = ["EASE", "ItemKNN", "MostPopular"]

    static func closing(_ context: ChapterContext, board: [Entry], verdicts: Verdicts) {
        let say = context.narrator, text = context.text
        guard board.count > 1 else { return }
        let (top, second) = (board[0], board[1])
        let seed = context.options.seed
        func entry(_ name: String) -> Entry? { board.first { $0.name == name } }
        func recall(_ name: String) -> Double { entry(name)?.metrics["Recall@20"] ?? .nan }
        say.heading(text("says.heading"))
        say.prose(text("says.intro"))
        var claims: [Claim] = []
        if let c = claim(top, second, seed: seed) { claims.append(c) }
        if let light = entry("LightGCN"), let mf = entry("MF-BPR"), let c = claim(light, mf, seed: seed) {
            claims.append(c)
            context.record("lightgcn_minus_mfbpr_recall@20", recall("LightGCN") - recall("MF-BPR"))
            context.record("lightgcn_vs_mfbpr_distinguishable", c.comparison.isDistinguishable ? 1 : 0)
        }
        if let light = entry("LightGCN"), let ngcf = entry("NGCF"), let c = claim(light, ngcf, seed: seed) {
            claims.append(c)
        }
        let neural = board.filter { !simpleModels.contains($0.name) }
        if let ease = entry("EASE") {
            // The best learned model against EASE, unless the first claim already compared them.
            if let bestNeural = neural.first, let c = claim(bestNeural, ease, seed: seed),
                !claims.contains(where: { Set([$0.better.name, $0.worse.name]) == Set([bestNeural.name, "EASE"]) })
            {
                claims.append(c)
            }
        }
        context.record("leaderboard_top_recall@20", top.metrics["Recall@20"] ?? .nan)
        context.record("neural_models_below_ease", Double(verdicts.below.count))
        context.record("neural_models_tied_with_ease", Double(verdicts.tied.count))
        say.bullets(claims.map(\.sentence))
        say.bullets([
            text("says.floor", ["popular": f4(recall("MostPopular")), "knn": f4(recall("ItemKNN"))]),
            dacrema(text, verdicts, neuralCount: neural.count),
            budgets(text, context.options.mode, board: board),
        ])
        recBole(context, board: board)
        say.bullets([text("says.caveat")])
        say.note(text("says.note", ["seed": seed]))
    }

    typealias Verdicts = (below: [String], tied: [String], above: [String])

    /// Each learned model against EASE, paired on the same users: behind, indistinguishable or ahead.
    static func easeVerdicts(board: [Entry], seed: UInt64) -> Verdicts {
        var verdicts: Verdicts = ([], [], [])
        guard let ease = board.first(where: { $0.name == "EASE" }) else { return verdicts }
        for model in board where !simpleModels.contains(model.name) {
            guard let c = claim(model, ease, seed: seed) else { continue }
            if !c.comparison.isDistinguishable {
                verdicts.tied.append(model.name)
            } else if c.better.name == "EASE" {
                verdicts.below.append(model.name)
            } else {
                verdicts.above.append(model.name)
            }
        }
        return verdicts
    }

    /// Dacrema et al.'s finding, set against what this run measured.
    static func dacrema(_ text: Text, _ v: Verdicts, neuralCount: Int) -> String {
        func list(_ names: [String]) -> String { names.isEmpty ? text("says.none") : names.joined(separator: ", ") }
        let measured = text(
            "dacrema.measured",
            [
                "below": v.below.count, "neural": neuralCount, "below-list": list(v.below), "tied": v.tied.count,
                "tied-list": list(v.tied), "above": v.above.count, "above-list": list(v.above),
            ])
        let reading =
            v.above.isEmpty
            ? text("dacrema.none-above")
            : text(v.above.count == 1 ? "dacrema.one-above" : "dacrema.many-above", ["models": list(v.above)])
        return measured + " " + reading
    }

    /// How each gradient-trained model's budget was chosen in this run.
    static func budgets(_ text: Text, _ mode: RunMode, board: [Entry]) -> String {
        let trained = board.filter { $0.fitted.steps > 0 }
        guard mode == .standard else {
            let epochs = trained.compactMap { e in e.fitted.epochs.map { "\(e.name) \($0)" } }.joined(separator: ", ")
            return text("budgets." + mode.rawValue, ["epochs": epochs])
        }
        // A search that did not stop early ran to its epoch cap.
        let capped = trained.filter { $0.fitted.search.map { !$0.stoppedEarly } ?? false }
        let steps = trained.map { "\($0.name) \($0.fitted.steps.formatted())" }.joined(separator: ", ")
        guard !capped.isEmpty else { return text("budgets.stopped", ["steps": steps]) }
        let models = capped.map {
            text(
                "budgets.capped.model",
                ["model": $0.name, "best": $0.fitted.bestEpoch ?? 0, "cap": $0.fitted.searchEpochs ?? 0])
        }
        return text("budgets.capped", ["capped": models.joined(separator: ", "), "steps": steps])
    }
}
