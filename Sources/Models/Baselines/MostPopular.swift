// The floors every model must clear: most-popular (the same list for everyone) and random.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// Most popular: each item's number of training interactions, for every user.
public final class MostPopular: RecommenderModel {
    public static let info = ModelInfo(
        key: "most-popular", name: "MostPopular", chapter: 2,
        paper: "the popularity baseline (e.g. Cremonesi, Koren & Turrin, RecSys 2010)", aliases: ["pop", "popular"])

    public struct Config: ModelConfig {
        public init(mode: RunMode) {}
        public var summary: String { LibraryWords.say("settings.most-popular") }
    }

    public let name = "MostPopular"
    public let itemCount: Int
    public let popularity: [Float]
    public let config: Config
    public internal(set) var record: TrainingRecord

    public init(
        train: InteractionMatrix, config: Config = Config(mode: .standard), record: TrainingRecord = TrainingRecord()
    ) {
        itemCount = train.itemCount
        popularity = train.itemPopularity.map(Float.init)
        self.config = config
        self.record = record
    }

    public static func fit(_ input: FitInput, config: Config) throws -> MostPopular {
        let (model, seconds) = timed { MostPopular(train: input.train, config: config) }
        model.record.seconds = seconds
        return model
    }

    public var state: [NamedTensor] { [] }

    public convenience init(
        restoring state: [NamedTensor], config: Config, input: FitInput, record: TrainingRecord
    ) throws {
        self.init(train: input.train, config: config, record: record)
    }

    public func scores(users: [Int32]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(users.count * itemCount)
        for _ in users { out.append(contentsOf: popularity) }
        return out
    }
}

/// Random scores, seeded per user (the floor below every model).
public final class RandomRecommender: RecommenderModel {
    public static let info = ModelInfo(key: "random", name: "Random", chapter: 2, paper: "a uniformly random ranking")

    public struct Config: ModelConfig {
        public init(mode: RunMode) {}
        public var summary: String { LibraryWords.say("settings.random") }
    }

    public let name = "Random"
    public let itemCount: Int
    public let config: Config
    public let record = TrainingRecord()
    let seed: UInt64

    public init(itemCount: Int, seed: UInt64, config: Config = Config(mode: .standard)) {
        self.itemCount = itemCount
        self.seed = seed
        self.config = config
    }

    public static func fit(_ input: FitInput, config: Config) throws -> RandomRecommender {
        RandomRecommender(itemCount: input.data.itemCount, seed: input.seed, config: config)
    }

    public var state: [NamedTensor] { [] }

    public convenience init(
        restoring state: [NamedTensor], config: Config, input: FitInput, record: TrainingRecord
    ) throws {
        self.init(itemCount: input.data.itemCount, seed: input.seed, config: config)
    }

    public func scores(users: [Int32]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(users.count * itemCount)
        for u in users {
            let rng = RandomGenerator(seed: seed ^ (UInt64(bitPattern: Int64(u)) &* 0x9E37_79B9_7F4A_7C15))
            for _ in 0..<itemCount { out.append(rng.nextFloat()) }
        }
        return out
    }
}
