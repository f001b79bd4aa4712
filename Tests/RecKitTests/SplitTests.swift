import Models
import RecKit
import TensorCore
import XCTest

final class SplitTests: XCTestCase {
    let data = toyData()

    func testLeaveOneOutTakesTheLatestWithFileOrderTies() throws {
        let split = try Split.make(data, protocol: .loo99, seed: 7)
        XCTAssertEqual(split.test.count, data.userCount)
        XCTAssertEqual(split.train.count + split.test.count, data.count)
        for r in split.test {
            let u = data.users[r]
            let rows = (0..<data.count).filter { data.users[$0] == u }
            let latest = rows.map { data.timestamps[$0] }.max()!
            // The test row is the last row (in file order) of the latest timestamp.
            XCTAssertEqual(r, rows.filter { data.timestamps[$0] == latest }.last)
        }
        // 99 distinct candidates per user, none rated by that user.
        let candidates = try XCTUnwrap(split.candidates)
        for (u, c) in candidates.enumerated() {
            XCTAssertEqual(Set(c).count, 99)
            let rated = Set((0..<data.count).filter { Int(data.users[$0]) == u }.map { data.items[$0] })
            XCTAssertTrue(rated.isDisjoint(with: c))
        }
    }

    func testHoldoutTakesTwentyPercentPerUser() throws {
        let split = try Split.make(data, protocol: .holdout20, seed: 7)
        var perUser = [Int](repeating: 0, count: data.userCount)
        for r in split.test { perUser[Int(data.users[r])] += 1 }
        XCTAssertEqual(Set(perUser), [5])  // floor(0.2 * 25 + 0.5)
        XCTAssertEqual(Set(split.train).intersection(split.test), [])
    }

    func testSplitsAreSeededAndDeterministic() throws {
        for p in EvaluationProtocol.allCases {
            let a = try Split.make(data, protocol: p, seed: 3), b = try Split.make(data, protocol: p, seed: 3)
            XCTAssertEqual(a.test, b.test, p.rawValue)
            XCTAssertEqual(a.candidates, b.candidates, p.rawValue)
            XCTAssertEqual(a.train.count + a.test.count, data.count, p.rawValue)
        }
        XCTAssertNotEqual(
            try Split.make(data, protocol: .holdout20, seed: 3).test,
            try Split.make(data, protocol: .holdout20, seed: 4).test)
    }

    func testRatingsSplitsAndValidation() throws {
        let split = try Split.make(data, protocol: .ratings9010, seed: 1, validation: true)
        XCTAssertEqual(split.test.count, 75)  // round(0.1 * 750)
        XCTAssertEqual(split.validation.count, 68)  // round(0.1 * 675)
        XCTAssertEqual(Set(split.train + split.validation + split.test).count, data.count)
    }

    func testTemporalSplitTestIsLatest() throws {
        let split = try Split.make(data, protocol: .temporal, seed: 1)
        XCTAssertGreaterThanOrEqual(
            split.test.map { data.timestamps[$0] }.min()!, split.train.map { data.timestamps[$0] }.max()!)
    }

    func testFilters() {
        let liked = data.withMinimumRating(4)
        XCTAssertTrue(liked.ratings.allSatisfy { $0 >= 4 })
        let core = data.kCore(userMinimum: 3, itemMinimum: 5)
        var itemCounts = [Int](repeating: 0, count: core.itemCount)
        for i in core.items { itemCounts[Int(i)] += 1 }
        XCTAssertTrue(itemCounts.allSatisfy { $0 >= 5 })
    }

    func testNegativeSamplerNeverReturnsAPositive() throws {
        let split = try Split.make(data, protocol: .holdout20, seed: 1)
        let train = InteractionMatrix(data, rows: split.train)
        let rng = RandomGenerator(seed: 1)
        for distribution in [NegativeSampler.Distribution.uniform, .popularity(exponent: 0.75)] {
            let sampler = NegativeSampler(train: train, distribution: distribution)
            for u in 0..<train.userCount {
                for _ in 0..<50 { XCTAssertFalse(train.contains(u, sampler.sample(user: u, rng: rng))) }
            }
        }
        let epoch = PointwiseEpoch(train: train, negativeCount: 4, sampler: NegativeSampler(train: train), rng: rng)
        XCTAssertEqual(epoch.count, train.nonZeroCount * 5)
        XCTAssertEqual(epoch.labels.filter { $0 == 1 }.count, train.nonZeroCount)
    }

    func testAliasTableMatchesWeights() {
        let table = AliasTable(weights: [1, 2, 7])
        let rng = RandomGenerator(seed: 2)
        var counts = [0, 0, 0]
        for _ in 0..<100_000 { counts[Int(table.sample(rng))] += 1 }
        XCTAssertEqual(Double(counts[2]) / 100_000, 0.7, accuracy: 0.01)
        XCTAssertEqual(Double(counts[0]) / 100_000, 0.1, accuracy: 0.01)
    }
}

final class EvaluatorTests: XCTestCase {
    /// A model that scores item i as i (so the top items are the highest indices).
    final class Ascending: Recommender {
        let name = "ascending", itemCount: Int
        init(_ n: Int) { itemCount = n }
        func scores(users: [Int32]) -> [Float] { users.flatMap { _ in (0..<itemCount).map(Float.init) } }
    }

    func testFullRankingExcludesTrainingItemsByHand() {
        // 1 user, 6 items; train {5}, test {4, 1}. Ranking without 5: 4, 3, 2, 1, 0.
        let data = RatingsData(
            name: "t", rawUsers: [1, 1, 1], rawItems: [5, 4, 1], ratings: [1, 1, 1], timestamps: [1, 2, 3])
        // Items present: 1, 4, 5 -> dense 0, 1, 2. Pad the catalogue with unrated items via scores only.
        let train = InteractionMatrix(data, rows: [0]), test = InteractionMatrix(data, rows: [1, 2])
        let e = FullRankingEvaluator(train: train, test: test).evaluate(Ascending(3), ks: [1, 2])
        // Dense: train {2}; ranking of {1, 0}: [1, 0]; test {1, 0}.
        XCTAssertEqual(e.metrics["Recall@1"], 0.5)
        XCTAssertEqual(e.metrics["Recall@2"], 1)
        XCTAssertEqual(e.metrics["NDCG@2"], 1)
        XCTAssertEqual(e.metrics["Precision@1"], 1)
        XCTAssertEqual(e.metrics["Coverage@1"], 1.0 / 3.0)
        XCTAssertEqual(e.evaluatedUsers, 1)
    }

    func testSampledRankCountsHigherAndTiedLowerIndexCandidates() throws {
        let data = toyData(users: 40, items: 300, perUser: 20)
        let split = try Split.make(data, protocol: .loo99, seed: 1)
        let model = Ascending(data.itemCount)
        let e = SampledEvaluator(split: split, data: data).evaluate(model, k: 10)
        // By hand: rank = 1 + candidates with a higher index.
        let tests = split.testItemPerUser(data)
        var hits = 0.0, ndcg = 0.0
        for u in 0..<data.userCount {
            let rank = 1 + split.candidates![u].filter { $0 > tests[u] }.count
            if rank <= 10 { hits += 1; ndcg += 1 / log2(Double(rank) + 1) }
        }
        XCTAssertEqual(e.metrics["HR@10"]!, hits / 40, accuracy: 1e-12)
        XCTAssertEqual(e.metrics["NDCG@10"]!, ndcg / 40, accuracy: 1e-12)
    }

    /// The same held-out items under other candidate counts: unrated items only, as many as asked (or all
    /// that are left), seeded; with every unrated item as a candidate the sampled HR@10 is full ranking's.
    func testCandidatesOfAnySizeAndAllOfThemIsFullRanking() throws {
        let data = toyData(users: 40, items: 300, perUser: 20)
        let split = try Split.make(data, protocol: .loo99, seed: 1)
        let ten = SampledEvaluator(split: split, data: data, negatives: 10, seed: 3)
        XCTAssertEqual(ten.testItems, split.testItemPerUser(data))
        for u in 0..<data.userCount {
            let rated = Set((0..<data.count).filter { Int(data.users[$0]) == u }.map { data.items[$0] })
            XCTAssertEqual(Set(ten.candidates[u]).count, 10)
            XCTAssertTrue(rated.isDisjoint(with: ten.candidates[u]))
        }
        XCTAssertEqual(ten.candidates, SampledEvaluator(split: split, data: data, negatives: 10, seed: 3).candidates)
        let all = SampledEvaluator(split: split, data: data, negatives: 10_000, seed: 3)
        for u in 0..<data.userCount {
            let rated = Set((0..<data.count).filter { Int(data.users[$0]) == u }.map { data.items[$0] })
            XCTAssertEqual(all.candidates[u].count, data.itemCount - rated.count, "every unrated item, once")
        }
        let model = Ascending(data.itemCount)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let full = FullRankingEvaluator(train: train, test: test).evaluate(model, ks: [10])
        XCTAssertEqual(all.evaluate(model, k: 10).metrics["HR@10"]!, full.metrics["HR@10"]!, accuracy: 1e-12)
        // Fewer candidates, an easier task: HR@10 can only rise.
        XCTAssertGreaterThanOrEqual(ten.evaluate(model, k: 10).metrics["HR@10"]!, full.metrics["HR@10"]!)
    }

    func testBaselinesOrderOnToyData() throws {
        let data = toyData(users: 60, items: 120, perUser: 30)
        let split = try Split.make(data, protocol: .holdout20, seed: 5)
        let train = InteractionMatrix(data, rows: split.train), test = InteractionMatrix(data, rows: split.test)
        let evaluator = FullRankingEvaluator(train: train, test: test)
        let random = evaluator.evaluate(RandomRecommender(itemCount: data.itemCount, seed: 1))
        XCTAssertEqual(random.metrics["Recall@20"]!, 20.0 / 90.0, accuracy: 0.06)  // ~ K / unseen items
        let knn = try ItemKNN(train: train, neighbourCount: 20)
        XCTAssertEqual(knn.scores(users: [0]).count, data.itemCount)
        XCTAssertEqual(knn.similarity[0], 0)  // no self-similarity
    }
}
