import Foundation
import Models
import RecKit
import TensorCore
import XCTest

final class Item2VecModelTests: XCTestCase {
    /// Two disjoint "genres" of items: sessions never mix them.
    func sessions() -> [[Int32]] {
        let rng = RandomGenerator(seed: 4)
        return (0..<300).map { s in
            let base: Int32 = s % 2 == 0 ? 0 : 10
            return (0..<8).map { _ in base + Int32(rng.nextInt(below: 10)) }
        }
    }

    func testSingleThreadTrainingIsDeterministicAndLearnsTheGroups() throws {
        try checkLearnsTheGroups(sharedNegatives: false)
    }

    /// pWord2Vec's update (a centre's context shares its negatives) learns the same structure.
    func testSharedNegativesLearnTheGroupsToo() throws {
        try checkLearnsTheGroups(sharedNegatives: true)
    }

    func checkLearnsTheGroups(sharedNegatives: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        var config = SGNSConfig(mode: .standard)
        config.sharedNegatives = sharedNegatives
        config.dimension = 16
        config.window = 3
        config.minimumCount = 1
        config.training = .fixed(20)
        config.sample = 0
        let a = try trainSGNS(sessions: sessions(), itemCount: 20, config: config, seed: 7).vectors
        let b = try trainSGNS(sessions: sessions(), itemCount: 20, config: config, seed: 7).vectors
        XCTAssertEqual(a.input, b.input, "one thread: the same seed gives the same vectors", file: file, line: line)
        // Items of the same group are closer than items of different groups.
        func cos(_ i: Int, _ j: Int) -> Float {
            zip(a.normalized(Int(a.index[i])), a.normalized(Int(a.index[j]))).map(*).reduce(0, +)
        }
        let within = (1..<10).map { cos(0, $0) }.reduce(0, +) / 9,
            across = (10..<20).map { cos(0, $0) }.reduce(0, +) / 10
        XCTAssertGreaterThan(within, across + 0.3, file: file, line: line)
    }
}
