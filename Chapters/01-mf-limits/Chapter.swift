// Chapter 1: why deep learning, and the linear limit of matrix factorisation.
//
// The document's opening sections, run: its mind map and industry claims, then the
// 3-user x 5-item example with a new user 4, where the Jaccard similarities are computed
// from the matrix (the document's comments are not what its matrix gives: Errata), and the
// NCF paper's argument (He et al., WWW 2017, figure 1) shown by computation: in a 2-D latent
// space, MF cannot place user 4 so that its similarities rank the users as Jaccard does.

import Foundation
import Narrative
import Plotting
import TensorCore

public enum MFLimitsChapter: Chapter {
    public static let number = 1
    public static let slug = "mf-limits"
    public static let title = "Why deep learning: the linear limit of matrix factorisation"
    public static let summary = "Jaccard vs. latent space: why a 2-D MF cannot place a new user correctly"

    /// The document's matrix: 3 users x 5 items, and its new user 4.
    public static let documentMatrix = [[1, 1, 0, 1, 0], [0, 1, 1, 0, 1], [0, 0, 1, 1, 1]]
    public static let documentUser4 = [1, 0, 1, 1, 0]
    /// The values the document's comments and text claim for them.
    public static let documentClaims: [(pair: String, a: Int, b: Int, claimed: Double)] = [
        ("U1-U2", 0, 1, 0.50), ("U1-U3", 0, 2, 0.40), ("U2-U3", 1, 2, 0.66), ("U4-U1", 3, 0, 0.60),
    ]
    /// The matrix of the NCF paper's figure 1a (users 1-3, then user 4), whose similarities
    /// are the numbers the document quotes.
    public static let paperMatrix = [[1, 1, 1, 0, 1], [0, 1, 1, 0, 0], [0, 1, 1, 1, 0], [1, 0, 1, 1, 1]]

    static func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(context.chapterHeading, level: 1)
        try whyDeepLearning(context)
        try documentExample(context)
        try paperExample(context)
        try latentSpace(context)
        try dimensions(context)
        say.heading(t("summary.heading"))
        say.bullets(["summary.jaccard", "summary.geometry", "summary.directions", "summary.way-out"].map { t($0) })
    }

    /// The header row of a user-by-item matrix: "user", "item 1", ..., "item 5".
    static func matrixHeaders(_ context: ChapterContext) -> [String] {
        [context.text("common.user")] + (1...5).map { context.text("common.item", ["n": $0]) }
    }

    static func yesNo(_ context: ChapterContext, _ yes: Bool) -> String {
        context.text(yes ? "common.yes" : "common.no")
    }

    // MARK: - Sections

    static func whyDeepLearning(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("why.heading"))
        say.prose(t("why.intro"))
        say.outline(
            [
                (0, "root"), (1, "strengths"), (2, "nonlinear"), (2, "representation"), (2, "sequence"),
                (2, "flexibility"), (1, "limits"), (2, "interpretability"), (2, "data"), (2, "tuning"),
            ].map { (depth: $0.0, text: t("why.outline." + $0.1)) })
        say.heading(t("industry.heading"), level: 3)
        say.table(
            Table(
                headers: [t("industry.header.company"), t("industry.header.claim")],
                rows: [
                    ["Netflix", t("industry.netflix")], ["YouTube", t("industry.youtube")],
                    ["Pinterest", t("industry.pinterest")], ["Walmart", t("industry.walmart")],
                ]), caption: t("industry.caption"))
        say.note(t("industry.note"))
    }

    static func documentExample(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("document.heading"))
        say.prose(t("document.intro"))
        say.listing(try Listing.region("jaccard", file: LatentSpace.sourceFile))
        say.table(
            Table(
                headers: matrixHeaders(context),
                rows: (documentMatrix + [documentUser4]).enumerated().map { u, row in
                    ["U\(u + 1)"] + row.map(String.init)
                }),
            caption: t("document.matrix.caption"))
        let rows = documentMatrix + [documentUser4]
        var table: [[String]] = []
        for (pair, a, b, claimed) in documentClaims {
            let computed = LatentSpace.jaccard(rows[a], rows[b])
            context.record("document_jaccard_\(pair)", computed)
            table.append([pair, f(claimed), f(computed), yesNo(context, abs(claimed - computed) < 0.01)])
        }
        let u4 = (0..<3).map { LatentSpace.jaccard(documentUser4, documentMatrix[$0]) }
        table.append(["U4-U2", "-", f(u4[1]), "-"])
        table.append(["U4-U3", "-", f(u4[2]), "-"])
        let headers = ["pair", "claimed", "computed", "agree"].map { t("document.jaccard.header." + $0) }
        say.table(Table(headers: headers, rows: table), caption: t("document.jaccard.caption"))
        say.errata(
            t(
                "document.errata",
                [
                    "u12": f(LatentSpace.jaccard(rows[0], rows[1])), "u13": f(LatentSpace.jaccard(rows[0], rows[2])),
                    "u23": f(LatentSpace.jaccard(rows[1], rows[2])), "u4": f(u4[0]),
                ]))
    }

    static func paperExample(_ context: ChapterContext) throws {
        let say = context.narrator, t = context.text
        say.heading(t("paper.heading"))
        say.prose(t("paper.intro"))
        say.table(
            Table(
                headers: matrixHeaders(context),
                rows: paperMatrix.enumerated().map { u, row in ["u\(u + 1)"] + row.map(String.init) }),
            caption: t("paper.matrix.caption"))
        var rows: [[String]] = []
        for (a, b) in [(1, 2), (0, 1), (0, 2), (3, 0), (3, 2), (3, 1)] {
            let s = LatentSpace.jaccard(paperMatrix[a], paperMatrix[b])
            context.record("paper_jaccard_u\(a + 1)u\(b + 1)", s)
            rows.append(["s\(a + 1)\(b + 1)", f(s, 3)])
        }
        say.table(
            Table(headers: [t("paper.similarity.header"), t("common.jaccard")], rows: rows),
            caption: t("paper.similarity.caption"))
        say.prose(t("paper.conclusion"))
    }

}

extension LatentSpace {
    /// This chapter's source file, for listings.
    static let sourceFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "LatentSpace.swift"
    ).path
}
