// Chapter 7, part 1: the document's model-selection flowchart, measured on three data sets.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

extension PracticeChapter {
    struct LooFindings {
        let split: Split
        let models: [(name: String, model: any Recommender)]
        let full: [String: [String: Double]]
    }

    static func selection(_ context: ChapterContext, movieLens: RatingsData?) throws -> LooFindings? {
        let say = context.narrator
        let text = context.text
        say.heading(text("selection.heading"))
        say.prose(text("selection.intro"))
        say.listing(try listing("flowchart", "Selection.swift"))
        try context.diagram(flowchartDiagram(text), caption: text("selection.diagram.caption"))
        let datasets =
            (movieLens.map { [$0] } ?? []) + [
                SyntheticData.sparse(seed: context.options.seed), SyntheticData.sequential(seed: context.options.seed),
            ]
        var profiles: [DataProfile] = []
        for data in datasets { profiles.append(try DataProfile.measure(data)) }
        say.table(
            Table(
                headers: [
                    "data", "users", "items", "interactions", "density", "median", "lift", "energy", "reach", "says",
                ].map { text("selection.profile." + $0) },
                rows: profiles.map { p in
                    [
                        p.name, p.users.formatted(), p.items.formatted(), p.interactions.formatted(),
                        String(format: "%.2f%%", p.density * 100),
                        String(format: "%.0f", p.medianPerUser), String(format: "%.2f", p.orderLift),
                        String(format: "%.0f%%", p.rank8Energy * 100),
                        String(format: "%.0f%%", p.threeHopReach * 100), recommendModel(for: p).model,
                    ]
                }), caption: text("selection.profile.caption"))
        for p in profiles {
            let (model, path) = recommendModel(for: p)
            say.prose(
                text(
                    "selection.path",
                    ["data": p.name, "path": flowchartPath(p, path, text).joined(separator: "; "), "model": model]))
            context.record("\(p.name)_density", p.density)
            context.record("\(p.name)_order_lift", p.orderLift)
            context.record("\(p.name)_rank8_energy", p.rank8Energy)
            context.record("\(p.name)_three_hop_reach", p.threeHopReach)
        }
        say.prose(text("selection.synthetic"))
        var rows: [[String]] = [], groups: [String: [Double]] = [:]
        var outcome: LooFindings?
        let entries = try flowchartModels.map { try Registry.entry($0) }
        let names = entries.map(\.info.name)
        for (data, profile) in zip(datasets, profiles) {
            let split = try Split.make(data, protocol: .loo99, seed: context.options.seed, validation: true)
            let fitRows = (split.train + split.validation).sorted()
            let train = InteractionMatrix(data, rows: fitRows), test = InteractionMatrix(data, rows: split.test)
            let evaluator = FullRankingEvaluator(train: train, test: test, protocolName: "loo-full")
            var hr: [String: Double] = [:], models: [(name: String, model: any Recommender)] = [],
                full: [String: [String: Double]] = [:]
            for entry in entries {
                // Through the model store: chapter 2's loo-99 models on MovieLens are these very ones.
                let trained = try context.fitted(entry, data: data, split: split)
                let evaluation = evaluator.evaluate(trained.recommender, ks: [10])
                let m = evaluation.metrics
                hr[entry.info.name] = m["HR@10"] ?? 0
                full[entry.info.name] = m
                models.append((entry.info.name, trained.recommender))
                var result = ResultEntry(
                    trained, evaluation: evaluation, dataset: data.name, intervalsOf: ["HR@10", "NDCG@10"])
                result.metrics = ["HR@10": m["HR@10"] ?? 0, "NDCG@10": m["NDCG@10"] ?? 0]
                context.record(result)
            }
            let pick = recommendModel(for: profile).model
            let ranking = names.sorted { (hr[$0] ?? 0, $1) > (hr[$1] ?? 0, $0) }
            let winner = ranking.first ?? "-"
            let pickRank = (ranking.firstIndex(of: pick) ?? ranking.count) + 1
            rows.append(
                [data.name] + names.map { f4(hr[$0] ?? .nan) }
                    + [pick, winner, text("selection.place", ["rank": pickRank, "count": names.count])])
            for n in names { groups[n, default: []].append(hr[n] ?? 0) }
            context.record("\(data.name)_flowchart_pick_rank", Double(pickRank))
            if data.name == movieLens?.name { outcome = LooFindings(split: split, models: models, full: full) }
        }
        let caption = text(
            context.options.mode == .standard ? "selection.results.caption.early" : "selection.results.caption.epochs",
            ["seed": context.options.seed, "mode": context.options.mode.rawValue])
        say.table(
            Table(
                headers: [text("selection.results.data")] + names
                    + ["pick", "winner", "place"].map { text("selection.results." + $0) }, rows: rows),
            caption: caption)
        var figure = Figure(
            name: "flowchart-check", title: text("fig.flowchart-check.title"), xLabel: text("fig.flowchart-check.x"),
            yLabel: "HR@10",
            kind: .bars(categories: datasets.map(\.name), groups: names.map { ($0, groups[$0] ?? []) }))
        figure.keyPosition = "below"
        figure.size = (width: 1200, height: 700)
        try context.figure(figure)
        let verdicts = zip(datasets, rows).map { data, row in
            let (pick, winner, place) = (row[row.count - 3], row[row.count - 2], row[row.count - 1])
            return pick == winner
                ? text("selection.verdict.win", ["data": data.name, "model": pick])
                : text("selection.verdict.lose", ["data": data.name, "pick": pick, "winner": winner, "place": place])
        }
        say.prose(text("selection.verdicts", ["verdicts": verdicts.joined(separator: "; ")]))
        return outcome
    }
}

extension PracticeChapter {
    /// The decision graph of `recommendModel(for:)`, recovered from its answers: every combination of
    /// profile values on either side of its thresholds, each path split into "question? answer" steps.
    static func flowchartDiagram(_ text: Text) -> Diagram {
        var d = Diagram(name: "selection-flowchart", title: text("flowchart.title"))
        var questions: [String] = [], models: Set<String> = [], edges: Set<String> = []
        for density in [0.001, 0.5] {
            for lift in [0.0, 10] {
                for energy in [0.0, 1] {
                    for reach in [0.0, 1] {
                        let profile = DataProfile(
                            name: "probe", users: 1, items: 1, interactions: 1, density: density, medianPerUser: 1,
                            orderLift: lift, rank8Energy: energy, threeHopReach: reach)
                        let (model, path) = recommendModel(for: profile)
                        let steps = path.map(flowchartStep)
                        models.insert(model)
                        for (k, step) in steps.enumerated() {
                            if !questions.contains(step.question) { questions.append(step.question) }
                            let next = k + 1 < steps.count ? steps[k + 1].question : "model:" + model
                            edges.insert(step.question + "\u{1}" + next + "\u{1}" + step.answer)
                        }
                    }
                }
            }
        }
        d.nodes = questions.map { .init($0, flowchartQuestion($0, text), shape: .diamond, fill: "#fdf2d0") }
            + models.sorted().map { .init("model:" + $0, $0, shape: .box, fill: "#dcecf7") }
        d.edges = edges.sorted().map { e in
            let parts = e.components(separatedBy: "\u{1}")
            return .init(parts[0], parts[1], label: flowchartAnswer(parts[2], text))
        }
        return d
    }

    /// One step of `recommendModel`'s path split into its question ("sparse?") and answer ("yes").
    static func flowchartStep(_ step: String) -> (question: String, answer: String) {
        let parts = step.split(separator: "?", maxSplits: 1).map(String.init)
        let answer = parts.count > 1 ? String(parts[1].drop { $0 == " " }.prefix { $0 != " " }) : ""
        return (parts[0] + "?", answer)
    }

    /// The text blocks' key of each question `recommendModel` asks.
    static let flowchartKeys = [
        "sparse?": "sparse", "order matters?": "order", "complex patterns?": "complex",
        "relations matter?": "relations",
    ]

    /// A question as the edition words it (a question the text does not know stays as the code asks it).
    static func flowchartQuestion(_ question: String, _ text: Text) -> String {
        flowchartKeys[question].map { text("flowchart.q." + $0) } ?? question
    }

    static func flowchartAnswer(_ answer: String, _ text: Text) -> String {
        ["yes", "no"].contains(answer) ? text("flowchart." + answer) : answer
    }

    /// A data set's path through the flowchart in the edition's words: the questions and answers
    /// `recommendModel` gave, each with the profile's number behind it.
    static func flowchartPath(_ p: DataProfile, _ path: [String], _ text: Text) -> [String] {
        let values: [String: any CustomStringConvertible] = [
            "density": String(format: "%.2f", p.density * 100), "lift": String(format: "%.1f", p.orderLift),
            "energy": String(format: "%.0f", p.rank8Energy * 100),
            "reach": String(format: "%.0f", p.threeHopReach * 100),
        ]
        return path.map { step in
            let (question, answer) = flowchartStep(step)
            guard let key = flowchartKeys[question], ["yes", "no"].contains(answer) else { return step }
            return text("flowchart.step.\(key).\(answer)", values)
        }
    }
}
