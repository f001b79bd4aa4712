import Chapter07Practice
import Models
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class SelectionTests: XCTestCase {
    func profile(density: Double, lift: Double, energy: Double, reach: Double) -> DataProfile {
        DataProfile(
            name: "case", users: 10, items: 10, interactions: 10, density: density, medianPerUser: 1, orderLift: lift,
            rank8Energy: energy, threeHopReach: reach)
    }

    func testTheFlowchartTakesEveryBranch() {
        XCTAssertEqual(recommendModel(for: profile(density: 0.005, lift: 9, energy: 0.1, reach: 1)).model, "EASE")
        XCTAssertEqual(recommendModel(for: profile(density: 0.05, lift: 2.5, energy: 0.1, reach: 1)).model, "Item2Vec")
        XCTAssertEqual(recommendModel(for: profile(density: 0.05, lift: 1.5, energy: 0.7, reach: 1)).model, "GMF")
        XCTAssertEqual(
            recommendModel(for: profile(density: 0.05, lift: 1.5, energy: 0.3, reach: 0.8)).model, "LightGCN")
        XCTAssertEqual(recommendModel(for: profile(density: 0.05, lift: 1.5, energy: 0.3, reach: 0.2)).model, "NeuMF")
        XCTAssertEqual(recommendModel(for: profile(density: 0.05, lift: 1.5, energy: 0.3, reach: 0.2)).path.count, 4)
    }

    func testProfileOfAHandMadeDataSet() throws {
        // Users 0 and 1 watch 0 -> 1 -> 2 in order, user 2 watches 0 -> 1 then 3: the successor of
        // item 1 seen in training (user 0's and 1's 1 -> 2 are training steps for nobody's
        // last item... each user's last step is held out).
        let data = RatingsData(
            name: "toy", rawUsers: [0, 0, 0, 1, 1, 1, 2, 2, 2], rawItems: [0, 1, 2, 0, 1, 2, 0, 1, 3],
            ratings: [Float](repeating: 5, count: 9), timestamps: [1, 2, 3, 1, 2, 3, 1, 2, 3])
        let p = try DataProfile.measure(data)
        XCTAssertEqual(p.density, 9.0 / 12.0, accuracy: 1e-12)
        XCTAssertEqual(p.medianPerUser, 3)
        // Energy of the top min(8, 4) singular values: all of it.
        XCTAssertEqual(p.rank8Energy, 1, accuracy: 1e-5)
        // Every user reaches every item in three hops (all share item 0).
        XCTAssertEqual(p.threeHopReach, 1, accuracy: 1e-12)
        // Successors only come from non-final steps: 0 -> 1 (three times). Predicting the last
        // item from item 1 finds no counted successor, so no hits: lift 0.
        XCTAssertEqual(p.orderLift, 0)
    }

    func testSyntheticDataSetsSendTheFlowchartWhereTheyShould() throws {
        let sparse = try DataProfile.measure(SyntheticData.sparse(seed: 42))
        XCTAssertLessThan(sparse.density, 0.01)
        XCTAssertEqual(recommendModel(for: sparse).model, "EASE")
        let sequential = try DataProfile.measure(SyntheticData.sequential(seed: 42))
        XCTAssertGreaterThan(sequential.density, 0.01)
        XCTAssertGreaterThan(sequential.orderLift, 2)
        XCTAssertEqual(recommendModel(for: sequential).model, "Item2Vec")
        // Deterministic: the same seed gives the same data.
        XCTAssertEqual(SyntheticData.sequential(seed: 7).items, SyntheticData.sequential(seed: 7).items)
    }

    func testExposureMeasuresOnAHandComputedCase() {
        // 4 items, popularity 10, 5, 1, 0: the head (top 20% of 4 = 0 items) is empty, so
        // everything is long tail; use 5 items to get a head of one.
        let report = ExposureReport.of([[0, 1], [0, 2]], popularity: [10, 5, 1, 0, 0])
        XCTAssertEqual(report.coverage, 3.0 / 5.0, accuracy: 1e-12)
        XCTAssertEqual(report.meanPopularity, (10 + 5 + 10 + 1) / 4.0, accuracy: 1e-12)
        XCTAssertEqual(report.longTailShare, 2.0 / 4.0, accuracy: 1e-12)  // item 0 is the head
        // Exposure counts [2, 1, 1, 0, 0]: sorted [0, 0, 1, 1, 2], n = 5, total 4:
        // Σ (2i - 6) x_i = (-4)(0) + (-2)(0) + 0(1) + 2(1) + 4(2) = 10; G = 10 / 20 = 0.5.
        XCTAssertEqual(report.gini, 0.5, accuracy: 1e-12)
        XCTAssertEqual(giniCoefficient([3, 3, 3]), 0, accuracy: 1e-12)
        XCTAssertEqual(giniCoefficient([0, 0, 0, 8]), 0.75, accuracy: 1e-12)
    }

    func testKendallTau() {
        XCTAssertEqual(kendallTau(["a", "b", "c"], ["a", "b", "c"]), 1)
        XCTAssertEqual(kendallTau(["a", "b", "c"], ["c", "b", "a"]), -1)
        // One swapped pair of three: (2 - 1) / 3.
        XCTAssertEqual(kendallTau(["a", "b", "c"], ["b", "a", "c"]), 1.0 / 3.0, accuracy: 1e-12)
    }
}

final class Chapter07RunTests: XCTestCase {
    static let run = runQuick(PracticeChapter.self, plots: false)

    override class func tearDown() {
        try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent())
    }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testTheFlowchartCheckRanOnThreeDataSets() throws {
        XCTAssertNil(Self.run.error)
        let results = try XCTUnwrap(Self.run.results)
        for dataset in ["ml-100k", "synthetic-sparse", "synthetic-sequential"] {
            let entries = results.results.filter { $0.dataset == dataset && $0.protocol == "loo-full" }
            XCTAssertEqual(entries.count, 6, dataset)
            for e in entries { XCTAssertTrue((0...1).contains(e.metrics["HR@10"] ?? -1), "\(dataset) \(e.model)") }
            let rank = try XCTUnwrap(results.values["\(dataset)_flowchart_pick_rank"])
            XCTAssertTrue((1...6).contains(rank))
        }
        // EASE has no epochs, so even --quick shows it well above most-popular on MovieLens.
        let ml = results.results.filter { $0.dataset == "ml-100k" && $0.protocol == "loo-full" }
        let ease = try XCTUnwrap(ml.first { $0.model == "EASE" }?.metrics["HR@10"])
        let pop = try XCTUnwrap(ml.first { $0.model == "MostPopular" }?.metrics["HR@10"])
        XCTAssertGreaterThan(ease, pop * 1.3)
    }

    func testEvaluationSectionNumbers() throws {
        let values = try XCTUnwrap(Self.run.results).values
        // Per-user metrics do not depend on the row order; the document's do.
        XCTAssertEqual(try XCTUnwrap(values["per_user_precision_spread"]), 0, accuracy: 1e-12)
        XCTAssertGreaterThan(try XCTUnwrap(values["document_evaluate_precision_spread"]), 0)
        // The worked user's numbers are metrics.
        XCTAssertTrue((0...1).contains(try XCTUnwrap(values["worked_user_ndcg@10"])))
        // The sampled and full orders are compared.
        XCTAssertTrue((-1...1).contains(try XCTUnwrap(values["kendall_tau_sampled_full"])))
        // Most-popular concentrates its exposure more than EASE.
        XCTAssertGreaterThan(try XCTUnwrap(values["MostPopular_gini@10"]), try XCTUnwrap(values["EASE_gini@10"]))
        XCTAssertLessThan(try XCTUnwrap(values["MostPopular_coverage@10"]), try XCTUnwrap(values["EASE_coverage@10"]))
    }

    func testTrainingTipsNumbers() throws {
        let results = try XCTUnwrap(Self.run.results)
        let values = results.values
        let stop = try XCTUnwrap(values["early_stop_epoch"]), best = try XCTUnwrap(values["early_stop_best_epoch"])
        XCTAssertLessThanOrEqual(best, stop)
        XCTAssertLessThanOrEqual(stop, 3)
        for key in [
            "init_xavier_best_validation_mse", "init_he_best_validation_mse", "init_normal_best_validation_mse",
            "improved_mlp_plain_best_validation_mse", "improved_mlp_batchnorm_best_validation_mse",
            "improved_mlp_batchnorm_offset_best_validation_mse",
        ] {
            let mse = try XCTUnwrap(values[key], key)
            XCTAssertTrue(mse > 0.5 && mse < 5, "\(key) = \(mse)")
        }
        // The early-stopped model keeps the best epoch's weights: its test RMSE is a rating RMSE.
        let rmse = try XCTUnwrap(values["early_stop_test_rmse"])
        XCTAssertTrue(rmse > 0.8 && rmse < 1.3, "\(rmse)")
    }
}
