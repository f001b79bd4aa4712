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

    static func closing(_ context: ChapterContext, board: [Entry]) {
        let say = context.narrator
        guard board.count > 1 else { return }
        let (top, second) = (board[0], board[1])
        let seed = context.options.seed
        func entry(_ name: String) -> Entry? { board.first { $0.name == name } }
        func recall(_ name: String) -> Double { entry(name)?.metrics["Recall@20"] ?? .nan }
        say.heading("What the leaderboard says")
        say.prose(
            """
            A difference between two rows is a claim about these 943 users only if it survives resampling them: \
            the paired bootstrap draws users with replacement 1,000 times, both models together, and reports the \
            95% interval of the mean difference in Recall@20. Two models whose intervals overlap in the table can \
            still be told apart this way, because most of a user's difficulty is shared by both models.
            """)
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
        let verdicts = easeVerdicts(board: board, seed: seed)
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
            String(
                format: """
                    Most-popular, which knows nothing about the user, reaches Recall@20 %.4f: every model should be \
                    read against that floor, and ItemKNN (%.4f) against the 'one afternoon of work' line.
                    """, recall("MostPopular"), recall("ItemKNN")),
            dacrema(verdicts, neuralCount: neural.count),
            budgets(context.options.mode, board: board),
        ])
        recBole(context, board: board)
        say.bullets([
            """
            What the table does not say: which model is best for *your* data. Chapter 7's flowchart check shows \
            the ranking changes with the data; run the candidates on a validation split of your own.
            """
        ])
        say.note(
            """
            Every number above was computed by this run (seed \(seed)); `workbook chapter 8 --seed N` gives another \
            split, and `--full` the papers' fixed epoch budgets. `workbook recommend --model NAME --user ID` trains \
            any of these models on all of MovieLens-100K and shows one user's recommendations.
            """)
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
    static func dacrema(_ v: Verdicts, neuralCount: Int) -> String {
        func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
        let measured = """
            Against EASE, paired on the same users: \(v.below.count) of the \(neuralCount) learned models are \
            behind it (\(list(v.below))), \(v.tied.count) cannot be told apart from it (\(list(v.tied))) and \
            \(v.above.count) are ahead (\(list(v.above))).
            """
        let reading =
            v.above.isEmpty
            ? """
                 Dacrema, Cremonesi and Jannach found the same shape when they re-ran neural recommenders against \
                tuned baselines (RecSys 2019, 'Are we really making much progress?'): six of the seven they could \
                reproduce, NCF among them, lost to simple, well-tuned neighbourhood or linear models. Here every \
                model is trained to convergence on validation, and still none beats the closed-form EASE \
                (Steck, 2019); the best of them only draw level.
                """
            : """
                 Dacrema, Cremonesi and Jannach found that six of the seven neural recommenders they could \
                reproduce lost to tuned simple baselines (RecSys 2019); on this split, trained to convergence, \
                \(list(v.above)) \(v.above.count == 1 ? "is" : "are") ahead of EASE, so their finding does not \
                carry over whole: it is a warning about untuned baselines and budgets, not a law.
                """
        return measured + reading
    }

    /// How each gradient-trained model's budget was chosen in this run.
    static func budgets(_ mode: RunMode, board: [Entry]) -> String {
        let trained = board.filter { $0.fitted.steps > 0 }
        guard mode == .standard else {
            let epochs = trained.compactMap { e in e.fitted.epochs.map { "\(e.name) \($0)" } }.joined(separator: ", ")
            return "Epochs in this run (\(mode.rawValue) mode, fixed in advance): \(epochs)."
                + (mode == .quick ? " A smoke test: these models are far from converged, and the order means nothing."
                    : "")
        }
        // A search that did not stop early ran to its epoch cap.
        let capped = trained.filter { $0.fitted.search.map { !$0.stoppedEarly } ?? false }
        let stops =
            capped.isEmpty
            ? "none by its epoch cap"
            : "except " + capped.map { "\($0.name) (best epoch \($0.fitted.bestEpoch ?? 0) of its cap of "
                + "\($0.fitted.searchEpochs ?? 0))" }.joined(separator: ", ")
        let steps = trained.map { "\($0.name) \($0.fitted.steps.formatted())" }.joined(separator: ", ")
        return """
            Every gradient-trained model was stopped by validation, \(stops). The steps differ by model (\(steps)) \
            because each was trained until validation stopped improving, not for an equal budget.
            """
    }
}
