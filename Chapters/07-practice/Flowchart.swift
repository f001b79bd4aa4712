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
        say.heading("Choosing a model: the flowchart, measured")
        say.prose(
            """
            The document's flowchart asks four questions: is the data sparse, does order matter, are there complex \
            patterns, do relations matter. As drawn they are judgement calls; to run them, each becomes a number with \
            a threshold:
            """)
        say.listing(try listing("flowchart", "Selection.swift"))
        try context.diagram(
            flowchartDiagram(),
            caption: """
                The flowchart as recommendModel(for:) decides: drawn by running the function on profiles at both \
                sides of every threshold and following the questions it asked, so the picture is the code.
                """)
        let datasets =
            (movieLens.map { [$0] } ?? []) + [
                SyntheticData.sparse(seed: context.options.seed), SyntheticData.sequential(seed: context.options.seed),
            ]
        var profiles: [DataProfile] = []
        for data in datasets { profiles.append(try DataProfile.measure(data)) }
        say.table(
            Table(
                headers: [
                    "data set", "users", "items", "interactions", "density", "median / user", "order lift",
                    "rank-8 energy", "3-hop reach", "flowchart says",
                ],
                rows: profiles.map { p in
                    [
                        p.name, p.users.formatted(), p.items.formatted(), p.interactions.formatted(),
                        String(format: "%.2f%%", p.density * 100),
                        String(format: "%.0f", p.medianPerUser), String(format: "%.2f", p.orderLift),
                        String(format: "%.0f%%", p.rank8Energy * 100),
                        String(format: "%.0f%%", p.threeHopReach * 100), recommendModel(for: p).model,
                    ]
                }), caption: "Each data set's answers to the flowchart's questions")
        for p in profiles {
            let (model, path) = recommendModel(for: p)
            say.prose("\(p.name): " + path.joined(separator: "; ") + " → \(model).")
            context.record("\(p.name)_density", p.density)
            context.record("\(p.name)_order_lift", p.orderLift)
            context.record("\(p.name)_rank8_energy", p.rank8Energy)
            context.record("\(p.name)_three_hop_reach", p.threeHopReach)
        }
        say.prose(
            """
            The synthetic data sets are built to answer differently: synthetic-sparse has 3 to 8 interactions per \
            user over 2,000 items (taste groups, power-law popularity, no order); synthetic-sequential has 50 series \
            of 20 episodes that users watch in order. Does the recommended model actually win? Each data set is split \
            leave-one-out (every user's latest interaction is the test item) and the flowchart's five models, plus \
            most-popular, are trained with their chapters' defaults and ranked over the full catalogue (HR@10: is the \
            held-out item in the top 10).
            """)
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
                [data.name] + names.map { f4(hr[$0] ?? .nan) } + [pick, winner, "\(pickRank) of \(names.count)"])
            for n in names { groups[n, default: []].append(hr[n] ?? 0) }
            context.record("\(data.name)_flowchart_pick_rank", Double(pickRank))
            if data.name == movieLens?.name { outcome = LooFindings(split: split, models: models, full: full) }
        }
        let budget =
            context.options.mode == .standard
            ? "early-stopped on validation" : "trained for its \(context.options.mode.rawValue)-mode epochs"
        say.table(
            Table(headers: ["data set"] + names + ["flowchart", "winner", "pick's place"], rows: rows),
            caption: """
                HR@10, leave-one-out, full ranking (\"loo-full\"), seed \(context.options.seed), each model \
                \(budget)
                """)
        var figure = Figure(
            name: "flowchart-check", title: "Does the flowchart's pick win? HR@10, leave-one-out, full ranking",
            xLabel: "data set", yLabel: "HR@10",
            kind: .bars(categories: datasets.map(\.name), groups: names.map { ($0, groups[$0] ?? []) }))
        figure.keyPosition = "below"
        figure.size = (width: 1200, height: 700)
        try context.figure(figure)
        let verdicts = zip(datasets, rows).map { data, row in
            row[row.count - 3] == row[row.count - 2]
                ? "on \(data.name) the flowchart's \(row[row.count - 3]) does win"
                : """
                on \(data.name) it picks \(row[row.count - 3]) but \(row[row.count - 2]) wins (the pick comes \
                \(row[row.count - 1]))
                """
        }
        say.prose(
            "So " + verdicts.joined(separator: "; ") + """
                . A flowchart is a starting point: its questions are real (sparse data does favour a simple, \
                strongly regularised model; order does carry signal where people binge series), but the only \
                reliable way to choose is the one the flowchart leaves out: try the candidates on a validation split \
                of your own data.
                """)
        return outcome
    }
}

extension PracticeChapter {
    /// The decision graph of `recommendModel(for:)`, recovered from its answers: every combination of
    /// profile values on either side of its thresholds, each path split into "question? answer" steps.
    static func flowchartDiagram() -> Diagram {
        var d = Diagram(
            name: "selection-flowchart", title: "Which model? The document's flowchart, as the book runs it")
        var questions: [String] = [], models: Set<String> = [], edges: Set<String> = []
        for density in [0.001, 0.5] {
            for lift in [0.0, 10] {
                for energy in [0.0, 1] {
                    for reach in [0.0, 1] {
                        let profile = DataProfile(
                            name: "probe", users: 1, items: 1, interactions: 1, density: density, medianPerUser: 1,
                            orderLift: lift, rank8Energy: energy, threeHopReach: reach)
                        let (model, path) = recommendModel(for: profile)
                        let steps = path.map { step -> (question: String, answer: String) in
                            let parts = step.split(separator: "?", maxSplits: 1).map(String.init)
                            let answer = parts.count > 1 ? String(parts[1].drop { $0 == " " }.prefix { $0 != " " }) : ""
                            return (parts[0] + "?", answer)
                        }
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
        d.nodes = questions.map { .init($0, $0, shape: .diamond, fill: "#fdf2d0") }
            + models.sorted().map { .init("model:" + $0, $0, shape: .box, fill: "#dcecf7") }
        d.edges = edges.sorted().map { e in
            let parts = e.components(separatedBy: "\u{1}")
            return .init(parts[0], parts[1], label: parts[2])
        }
        return d
    }
}
