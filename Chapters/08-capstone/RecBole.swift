// Chapter 8: the leaderboard next to RecBole's, on the same exported split.
//
// RecBole 1.2.1's figures below are a reference measured outside this book, once, the way a paper's
// table is: RecBole with its default hyperparameters, its epoch count chosen by early stopping on a
// validation slice of train and then retrained, on this book's own split
// (`workbook data split --protocol holdout-20 --seed 42`), scored with this book's Recall@20
// (hits / the user's test items) and NDCG@20, training items excluded. They hold for seed 42 only.

import _WorkbookSupport
import Foundation
import Narrative
import RecKit

extension CapstoneChapter {
    /// RecBole 1.2.1 on the seed-42 holdout-20 split: (Recall@20, NDCG@20).
    static let recBoleSeed42: [(model: String, recall: Double, ndcg: Double, note: String)] = [
        ("EASE", 0.3607, 0.4403, "closed form"),
        ("ItemKNN", 0.3267, 0.3894, "closed form"),
        ("Mult-VAE", 0.3611, 0.4229, "64-d code, ε std 0.01, β under 0.001: close to a DAE"),
        ("Mult-DAE", 0.3537, 0.4151, ""),
        ("CDAE", 0.3479, 0.4095, ""),
        ("NGCF", 0.3402, 0.4125, "still rising at its 80-epoch cap"),
        ("MF-BPR", 0.3368, 0.4046, ""),
        ("NeuMF", 0.3281, 0.3879, ""),
        ("LightGCN", 0.3208, 0.3893, "still rising at its 150-epoch cap"),
    ]

    static func recBole(_ context: ChapterContext, board: [Entry]) {
        let say = context.narrator
        guard context.options.seed == 42 else {
            say.prose(
                """
                RecBole 1.2.1's figures for these models were measured on the seed-42 split; run \
                `workbook chapter 8 --seed 42` to see this leaderboard next to them.
                """)
            return
        }
        var within = 0, compared = 0
        let rows: [[String]] = recBoleSeed42.compactMap { ref in
            guard let e = board.first(where: { $0.name == ref.model }), let recall = e.metrics["Recall@20"] else {
                return nil
            }
            compared += 1
            let inside = e.interval("Recall@20").map { $0.contains(ref.recall) } ?? false
            if inside || recall >= ref.recall { within += 1 }
            return [
                ref.model, withInterval(e, "Recall@20"), f4(ref.recall), String(format: "%+.4f", recall - ref.recall),
                f4(e.metrics["NDCG@20"] ?? .nan), f4(ref.ndcg), ref.note,
            ]
        }
        guard !rows.isEmpty else { return }
        let modeNote =
            context.options.mode == .standard
            ? ""
            : " This run is not in default mode, so its budgets are not the ones "
                + "that reference was compared with."
        say.prose(
            """
            RecBole 1.2.1, the most used open benchmark library, was run once on this very split (seed 42) with \
            its default hyperparameters and early stopping on a validation slice of train; its numbers are a \
            reference measured outside this book, like a paper's table, and scored with the same Recall@20 and \
            NDCG@20.\(modeNote)
            """)
        say.table(
            Table(
                headers: [
                    "model", "this run Recall@20 [95% CI]", "RecBole", "difference", "NDCG@20", "RecBole",
                    "RecBole's run",
                ],
                rows: rows, alignments: [.left, .right, .right, .right, .right, .right, .left]),
            caption: "holdout-20, seed 42; RecBole 1.2.1 with its defaults (a reference, not computed by this run)")
        context.record("recbole_models_matched_or_within_interval", Double(within))
        say.prose(
            """
            \(within) of the \(compared) models reach RecBole's Recall@20 or hold it inside their 95% interval. \
            The two libraries implement the same papers with different defaults, so agreement within the \
            interval is what to expect, and a gap of a few thousandths is one split's noise (RecBole's own \
            Mult-VAE and Mult-DAE, nearly the same network there, differ by 0.007).
            """)
    }
}
