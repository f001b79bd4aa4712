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
        say.heading(context.chapterHeading, level: 1)
        say.prose(context.text("intro"))
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
        say.heading(context.text("checklist.heading"))
        say.bullets(
            ["split", "exclude", "protocol", "per-user", "seeds", "baselines", "beyond", "eval-mode"].map {
                context.text("checklist." + $0)
            })
    }

}
