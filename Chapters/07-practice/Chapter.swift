// Chapter 7: putting it into practice. Choosing a model, training it well, measuring it right:
// every tip of the document is an experiment here.

import DataFetch
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum PracticeChapter: Chapter {
    public static let number = 7
    public static let slug = "practice"
    public static let title = "In practice: choosing a model, training it well, measuring it right"
    public static let summary =
        "The selection flowchart tested, initialisation, LR plateaus, early stopping, batch norm, metrics done right"

    struct Plan {
        var tipEpochs: Int, patience: Int, stopPatience: Int
        static func of(_ mode: RunMode) -> Plan {
            switch mode {
            case .quick: return Plan(tipEpochs: 3, patience: 0, stopPatience: 1)
            case .standard: return Plan(tipEpochs: 10, patience: 1, stopPatience: 2)
            case .full: return Plan(tipEpochs: 40, patience: 5, stopPatience: 10)
            }
        }
    }

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static func listing(_ name: String, _ file: String) throws -> Listing {
        try Listing.region(name, file: directory.appendingPathComponent(file).path)
    }

    /// The models the flowchart chooses between, and most-popular as the floor.
    static let flowchartModels = ["ease", "item2vec", "gmf", "neumf", "lightgcn", "most-popular"]

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Chapter 7. \(title)", level: 1)
        say.prose(
            """
            The document closes its tour of models with practical advice: a flowchart for choosing a model, four \
            optimisation tips, and an evaluation function. This chapter runs each piece of advice as an experiment, \
            on MovieLens-100K and on synthetic data built to send the flowchart down its other branches, and reports \
            what happened.
            """)
        let data = try context.optionalData(
            "MovieLens-100K", { try MovieLens.ml100k(context.options) { say.status($0) } })
        let outcome = try selection(context, movieLens: data)
        if let data {
            let trained = try tips(context, data: data)
            try evaluationDoneRight(context, data: data, regression: trained, loo: outcome)
        }
        checklist(context)
    }

    // MARK: - Checklist

    static func checklist(_ context: ChapterContext) {
        let say = context.narrator
        say.heading("A checklist to take away")
        say.bullets([
            """
            Split before you look: train, validation, test; every hyperparameter (λ, epochs, learning-rate \
            schedule) is chosen on validation, and the test set is read once.
            """,
            """
            Exclude what the user already has when ranking, and say so: a model that 'recommends' training items \
            looks good and is useless.
            """,
            """
            Name the protocol with every number (loo-99, holdout-20, ratings-80-20 here): a sampled HR@10 and a \
            full-ranking HR@10 are different quantities.
            """,
            """
            Rank per user. A metric computed over a mini-batch of many users (the document's evaluate_model) \
            measures the batch.
            """,
            """
            Fix the seeds, and report the seed: every number in this book comes from one seed (--seed) and \
            repeats exactly.
            """,
            """
            Include baselines: most-popular and ItemKNN cost seconds and are surprisingly hard to beat; a deep \
            model that does not beat them is not done.
            """,
            "Look beyond accuracy: coverage and popularity of what is recommended.",
            """
            Keep the best weights when you stop early, and switch to evaluation mode (dropout off, batch norm on \
            running statistics) before predicting.
            """,
        ])
    }

}
