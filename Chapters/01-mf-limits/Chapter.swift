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
        let say = context.narrator
        say.heading("Chapter 1. \(title)", level: 1)
        try whyDeepLearning(context)
        try documentExample(context)
        try paperExample(context)
        try latentSpace(context)
        try dimensions(context)
        say.heading("Summary")
        say.bullets([
            """
            Jaccard similarity is computed from the interactions themselves; the document's example matrix does \
            not give the numbers its comments claim (they belong to the NCF paper's matrix).
            """,
            """
            MF ranks users by the geometry of their latent vectors. In 2 dimensions, the space learned from users \
            1-3 forces user 4 nearer to user 2 than to user 3, against the data.
            """,
            """
            Every 2-D direction that does respect Jaccard's order explains user 4 no better than predicting \
            nothing; a third dimension removes the conflict.
            """,
            """
            Raising K is one way out (at the price of overfitting on real data); learning a non-linear \
            interaction function is the other, and that is Neural CF, chapter 2.
            """,
        ])
    }

    // MARK: - Sections

    static func whyDeepLearning(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Why deep learning?")
        say.prose(
            """
            The document opens with a metaphor: deep learning changes recommendation the way a globe changes a flat \
            map. Matrix factorisation (MF) captures only linear relations between users and items; a neural network \
            can learn non-linear ones. Its mind map of the strengths and limits, as an outline:
            """)
        say.outline([
            (0, "Deep-learning recommenders"),
            (1, "Strengths"),
            (2, "Non-linear transformations: ReLU and sigmoid activations capture complex patterns"),
            (2, "Representation learning: features extracted automatically; multimodal data"),
            (2, "Sequence modelling: temporal patterns, session-based recommendation"),
            (2, "Flexibility: network structures combine; open-source frameworks"),
            (1, "Limits"),
            (2, "Interpretability: the black-box problem; explainable AI is needed"),
            (2, "Data requirements: much training data (transfer learning helps)"),
            (2, "Hyperparameter tuning: complex optimisation (AutoML helps)"),
        ])
        say.heading("Industry results, as the document claims them", level: 3)
        say.table(
            Table(
                headers: ["company", "claimed improvement"],
                rows: [
                    ["Netflix", "recommendation accuracy +9%"], ["YouTube", "watch time +20%"],
                    ["Pinterest", "user engagement +30%"], ["Walmart", "conversion rate +40%"],
                ]), caption: "Figures quoted by the source document (its TL;DR says 9-40%)")
        say.note(
            """
            These are the document's claims, shown as such: it cites no source for them and they cannot be recomputed \
            here. Everything else this book prints is computed by the run that prints it.
            """)
    }

    static func documentExample(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("MF's linear limit: the document's example")
        say.prose(
            """
            Three users have interacted with five items (1 = interacted). A new user 4 arrives with the row [1, 0, 1, \
            1, 0]. The document compares users by Jaccard similarity, the share of items two users have in common \
            among the items either of them has:
            """)
        say.listing(try Listing.region("jaccard", file: LatentSpace.sourceFile))
        say.table(
            Table(
                headers: ["user", "item 1", "item 2", "item 3", "item 4", "item 5"],
                rows: (documentMatrix + [documentUser4]).enumerated().map { u, row in
                    ["U\(u + 1)"] + row.map(String.init)
                }),
            caption: "The document's interaction matrix, with user 4")
        let rows = documentMatrix + [documentUser4]
        var table: [[String]] = []
        for (pair, a, b, claimed) in documentClaims {
            let computed = LatentSpace.jaccard(rows[a], rows[b])
            context.record("document_jaccard_\(pair)", computed)
            table.append([pair, f(claimed), f(computed), abs(claimed - computed) < 0.01 ? "yes" : "no"])
        }
        let u4 = (0..<3).map { LatentSpace.jaccard(documentUser4, documentMatrix[$0]) }
        table.append(["U4-U2", "-", f(u4[1]), "-"])
        table.append(["U4-U3", "-", f(u4[2]), "-"])
        say.table(
            Table(headers: ["pair", "document says", "computed", "agree"], rows: table),
            caption: "Jaccard similarities of the document's matrix")
        say.errata(
            """
            The document's comments say U1-U2 = 0.50, U1-U3 = 0.40, U2-U3 = 0.66 and that user 4 is most similar to \
            user 1 (0.60). Its own matrix gives U1-U2 = \(f(LatentSpace.jaccard(rows[0], rows[1]))), U1-U3 = \
            \(f(LatentSpace.jaccard(rows[0], rows[2]))), U2-U3 = \(f(LatentSpace.jaccard(rows[1], rows[2]))), and \
            user 4 is tied between user 1 and user 3 (\(f(u4[0])) each), so the ordering its argument needs does not \
            exist in this matrix. The numbers come from figure 1 of the NCF paper (He et al., WWW 2017), which uses a \
            different matrix; 0.66 is 2/3 truncated (0.67 rounded).
            """)
    }

    static func paperExample(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("The matrix the argument needs (NCF paper, figure 1)")
        say.prose(
            """
            The paper's matrix gives exactly the quoted similarities. Users 1-3 are what MF learns from; user 4 \
            arrives later.
            """)
        say.table(
            Table(
                headers: ["user", "item 1", "item 2", "item 3", "item 4", "item 5"],
                rows: paperMatrix.enumerated().map { u, row in ["u\(u + 1)"] + row.map(String.init) }),
            caption: "He et al. 2017, figure 1a")
        var rows: [[String]] = []
        for (a, b) in [(1, 2), (0, 1), (0, 2), (3, 0), (3, 2), (3, 1)] {
            let s = LatentSpace.jaccard(paperMatrix[a], paperMatrix[b])
            context.record("paper_jaccard_u\(a + 1)u\(b + 1)", s)
            rows.append(["s\(a + 1)\(b + 1)", f(s, 3)])
        }
        say.table(
            Table(headers: ["similarity", "Jaccard"], rows: rows),
            caption: "s23 > s12 > s13 among users 1-3; for user 4: s41 > s43 > s42")
        say.prose("So a faithful space must put user 4 nearest to user 1, then user 3, then user 2.")
    }

}

extension LatentSpace {
    /// This chapter's source file, for listings.
    static let sourceFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "LatentSpace.swift"
    ).path
}
