import Chapter08Capstone
import Models
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class Chapter08RunTests: XCTestCase {
    static let run = runQuick(CapstoneChapter.self, plots: false)

    override class func tearDown() {
        try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent())
    }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testLeaderboardHasEveryModelOnOneProtocol() throws {
        XCTAssertNil(Self.run.error)
        let results = try XCTUnwrap(Self.run.results)
        let board = results.results.filter { $0.protocol == "holdout-20" }
        XCTAssertEqual(Set(board.map(\.model)), Set(Registry.leaderboard.map(\.info.name)))
        let pop = try XCTUnwrap(board.first { $0.model == "MostPopular" }?.metrics["Recall@20"])
        // The seeded holdout-20 split's most-popular number (the same as chapters 5 and 6, and RecKit's tests).
        XCTAssertEqual(pop, 0.1701, accuracy: 5e-5)
        let ease = try XCTUnwrap(board.first { $0.model == "EASE" }?.metrics["Recall@20"])
        XCTAssertGreaterThan(ease, 0.33)
        // The TSV: a header and 12 rows sorted by Recall@20, the same numbers as results.json.
        let tsv = try String(contentsOf: Self.run.directory.appendingPathComponent("leaderboard.tsv"), encoding: .utf8)
        let lines = tsv.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        XCTAssertEqual(lines.first?[0...4], ["rank", "model", "chapter", "protocol", "Recall@20"])
        XCTAssertEqual(lines.count, Registry.leaderboard.count + 1)
        let recalls = lines.dropFirst().compactMap { Double($0[4]) }
        XCTAssertEqual(recalls.count, Registry.leaderboard.count)
        XCTAssertEqual(recalls, recalls.sorted(by: >))
        for row in lines.dropFirst() {
            let recorded = try XCTUnwrap(board.first { $0.model == row[1] }?.metrics["Recall@20"])
            XCTAssertEqual(Double(row[4]) ?? -1, recorded, accuracy: 1e-6)
        }
    }

    /// Every row carries a 95% interval around its number and its training budget; the closing claims are
    /// paired comparisons whose verdicts add up.
    func testRowsCarryIntervalsBudgetsAndPairedClaims() throws {
        let results = try XCTUnwrap(Self.run.results)
        let board = results.results.filter { $0.protocol == "holdout-20" }
        for entry in board {
            for metric in ["Recall@20", "NDCG@20"] {
                let value = try XCTUnwrap(entry.metrics[metric]), bounds = try XCTUnwrap(entry.intervals?[metric])
                XCTAssertEqual(bounds.count, 2)
                XCTAssertTrue(bounds[0] <= value && value <= bounds[1], "\(entry.model) \(metric) outside its interval")
                XCTAssertGreaterThan(bounds[1] - bounds[0], 0.001, "\(entry.model): an interval over 943 users")
            }
        }
        for name in ["LightGCN", "NeuMF", "Mult-VAE", "CDAE"] {
            let entry = try XCTUnwrap(board.first { $0.model == name })
            XCTAssertGreaterThan(entry.steps ?? 0, 0, "\(name) records its optimiser steps")
            XCTAssertGreaterThan(entry.epochs ?? 0, 0, "\(name) records its epochs")
        }
        let values = results.values
        let below = try XCTUnwrap(values["neural_models_below_ease"]),
            tied = try XCTUnwrap(values["neural_models_tied_with_ease"])
        XCTAssertLessThanOrEqual(below + tied, 10)
        let difference = try XCTUnwrap(values["lightgcn_minus_mfbpr_recall@20"])
        let recall = { (name: String) in board.first { $0.model == name }?.metrics["Recall@20"] ?? .nan }
        XCTAssertEqual(difference, recall("LightGCN") - recall("MF-BPR"), accuracy: 1e-9)
        XCTAssertNotNil(values["lightgcn_vs_mfbpr_distinguishable"])
    }

    func testPipelineBeatsTheMeanAndStopsEarly() throws {
        let results = try XCTUnwrap(Self.run.results)
        let entry = try XCTUnwrap(results.results.first { $0.protocol == "ratings-80-20" })
        let rmse = try XCTUnwrap(entry.metrics["RMSE"])
        XCTAssertLessThan(rmse, try XCTUnwrap(results.values["pipeline_global_mean_rmse"]))
        XCTAssertLessThanOrEqual(entry.epochs ?? 99, 2)
    }

    /// The closing remarks measure what damaged data cost EASE: noise and half the data both cost
    /// Recall@20 (EASE does not depend on the training budget, so quick mode shows it too).
    func testClosingRemarksMeasureWhatDamagedDataCost() throws {
        let values = try XCTUnwrap(Self.run.results).values
        let noise = try XCTUnwrap(values["ease_recall_lost_to_noise"])
        let half = try XCTUnwrap(values["ease_recall_lost_to_half_data"])
        XCTAssertGreaterThan(noise, 0.01)
        XCTAssertGreaterThan(half, noise, "halving the data costs more than replacing a fifth of it")
        XCTAssertGreaterThan(try XCTUnwrap(values["learned_model_spread_recall@20"]), 0)
        let winners = try XCTUnwrap(values["distinct_winners_by_activity"])
        XCTAssertTrue((1...3).contains(winners))
        XCTAssertLessThanOrEqual(try XCTUnwrap(values["thirds_with_a_clear_winner"]), 3)
    }
}
