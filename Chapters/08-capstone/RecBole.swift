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
    /// RecBole 1.2.1 on the seed-42 holdout-20 split: (Recall@20, NDCG@20), and a note on its
    /// run (the block `recbole.note.<note>`; none when empty).
    static let recBoleSeed42: [(model: String, recall: Double, ndcg: Double, note: String)] = [
        ("EASE", 0.3607, 0.4403, "closed-form"),
        ("ItemKNN", 0.3267, 0.3894, "closed-form"),
        ("Mult-VAE", 0.3611, 0.4229, "vae"),
        ("Mult-DAE", 0.3537, 0.4151, ""),
        ("CDAE", 0.3479, 0.4095, ""),
        ("NGCF", 0.3402, 0.4125, "cap80"),
        ("MF-BPR", 0.3368, 0.4046, ""),
        ("NeuMF", 0.3281, 0.3879, ""),
        ("LightGCN", 0.3208, 0.3893, "cap150"),
    ]

    static func recBole(_ context: ChapterContext, board: [Entry]) {
        let say = context.narrator, text = context.text
        guard context.options.seed == 42 else {
            say.prose(text("recbole.other-seed"))
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
                f4(e.metrics["NDCG@20"] ?? .nan), f4(ref.ndcg),
                ref.note.isEmpty ? "" : text("recbole.note." + ref.note),
            ]
        }
        guard !rows.isEmpty else { return }
        say.prose(text(context.options.mode == .standard ? "recbole.intro" : "recbole.intro.mode"))
        say.table(
            Table(
                headers: [
                    text("recbole.col.model"), text("recbole.col.recall"), "RecBole", text("recbole.col.difference"),
                    "NDCG@20", "RecBole", text("recbole.col.run"),
                ],
                rows: rows, alignments: [.left, .right, .right, .right, .right, .right, .left]),
            caption: text("recbole.caption"))
        context.record("recbole_models_matched_or_within_interval", Double(within))
        say.prose(text("recbole.reading", ["within": within, "compared": compared]))
    }
}
