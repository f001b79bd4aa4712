// Writing a split as TSV with raw ids, so that anyone can check the book's numbers with other
// tools (the peers' ease.py reads exactly this).

import Foundation
import _WorkbookSupport

extension Split {
    /// Writes train.tsv and test.tsv (and validation.tsv, and for loo-99 candidates.tsv) into
    /// `directory`, each file atomically. Rows are `user_id item_id rating timestamp` with the
    /// data set's raw ids.
    public func write(to directory: URL, data: RatingsData) throws {
        func rating(_ r: Float) -> String { r == r.rounded() ? String(Int(r)) : String(r) }
        func rows(_ indices: [Int]) -> String {
            "user_id\titem_id\trating\ttimestamp\n"
                + indices.map {
                    "\(data.userIds[Int(data.users[$0])])\t\(data.itemIds[Int(data.items[$0])])"
                        + "\t\(rating(data.ratings[$0]))\t\(data.timestamps[$0])"
                }.joined(separator: "\n") + "\n"
        }
        try AtomicFile.write(rows(train), to: directory.appendingPathComponent("train.tsv"))
        try AtomicFile.write(rows(test), to: directory.appendingPathComponent("test.tsv"))
        if !validation.isEmpty {
            try AtomicFile.write(rows(validation), to: directory.appendingPathComponent("validation.tsv"))
        }
        if let candidates {
            let text =
                "user_id\tcandidate_item_ids\n"
                + candidates.enumerated().map { u, items in
                    "\(data.userIds[u])\t" + items.map { "\(data.itemIds[Int($0)])" }.joined(separator: ",")
                }.joined(separator: "\n") + "\n"
            try AtomicFile.write(text, to: directory.appendingPathComponent("candidates.tsv"))
        }
    }

    /// Writes the split as RecBole atomic files, `NAME.train.inter`, `NAME.valid.inter` and
    /// `NAME.test.inter` in `directory/NAME/`, so that RecBole can rerun it exactly
    /// (`benchmark_filename: [train, valid, test]`, `data_path` = `directory`, `dataset` = NAME).
    public func writeRecBole(to directory: URL, data: RatingsData, name: String) throws {
        func rating(_ r: Float) -> String { r == r.rounded() ? String(Int(r)) : String(r) }
        func rows(_ indices: [Int]) -> String {
            "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
                + indices.map {
                    "\(data.userIds[Int(data.users[$0])])\t\(data.itemIds[Int(data.items[$0])])"
                        + "\t\(rating(data.ratings[$0]))\t\(data.timestamps[$0])"
                }.joined(separator: "\n") + "\n"
        }
        let folder = directory.appendingPathComponent(name)
        try AtomicFile.write(rows(train), to: folder.appendingPathComponent("\(name).train.inter"))
        try AtomicFile.write(rows(validation), to: folder.appendingPathComponent("\(name).valid.inter"))
        try AtomicFile.write(rows(test), to: folder.appendingPathComponent("\(name).test.inter"))
    }
}
