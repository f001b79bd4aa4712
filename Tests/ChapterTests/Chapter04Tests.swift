import Chapter04Autoencoders
import Foundation
import Narrative
import RecKit
import TensorCore
import XCTest

final class AutoencoderModelTests: XCTestCase {
    func testAutoRecLossCountsObservedEntriesOnly() {
        let model = AutoRec(features: 3, hidden: 2, rng: RandomGenerator(seed: 1))
        let r = Tensor(rows: [[5, 0, 3]]), mask = Tensor(rows: [[1, 0, 1]])
        let prediction = Tensor.withoutGrad { model(r) }
        let expected = pow(prediction.data[0] - 5, 2) + pow(prediction.data[2] - 3, 2)
        XCTAssertEqual(Tensor.withoutGrad { model.loss(r, mask: mask, lambda: 0, share: 1) }.item, expected, accuracy: 1e-4)
    }

    func testMultVAEIsDeterministicInEvaluation() {
        let model = MultVAE(items: 6, hidden: 4, latent: 2, rng: RandomGenerator(seed: 2))
        model.setTraining(false)
        let x = Tensor(rows: [[1, 0, 1, 0, 0, 1]])
        let a = Tensor.withoutGrad { model(x).logits.data }, b = Tensor.withoutGrad { model(x).logits.data }
        XCTAssertEqual(a, b, "evaluation uses z = μ and no dropout")
        XCTAssertEqual(AutoencodersChapter.beta(step: 50, total: 100), 0.1, accuracy: 1e-12)
        XCTAssertEqual(AutoencodersChapter.beta(step: 500, total: 100), 0.2, accuracy: 1e-12)
    }

    func testCDAECorruptionDropsRoughlyQOfTheInput() {
        let model = CDAE(users: 1, items: 1000, hidden: 2, corruption: 0.5, rng: RandomGenerator(seed: 3))
        // With an identity-free check: the encoder input mask is applied only in training.
        model.setTraining(false)
        let x = Tensor.ones([1, 1000])
        let a = Tensor.withoutGrad { model(x, users: [0]).data }, b = Tensor.withoutGrad { model(x, users: [0]).data }
        XCTAssertEqual(a, b)
    }
}

final class Chapter04RunTests: XCTestCase {
    static let run = runQuick(AutoencodersChapter.self, plots: false)

    override class func tearDown() { try? FileManager.default.removeItem(at: run.directory.deletingLastPathComponent()) }

    override func setUpWithError() throws { try skipWithoutMovieLens() }

    func testChapterNumbers() throws {
        XCTAssertNil(Self.run.error)
        let r = try XCTUnwrap(Self.run.results)
        let autorec = try XCTUnwrap(r.results.first { $0.model == "I-AutoRec" })
        let mean = try XCTUnwrap(r.results.first { $0.model == "global mean" })
        XCTAssertEqual(autorec.protocol, "ratings-90-10")
        XCTAssertLessThan(autorec.metrics["RMSE"]!, mean.metrics["RMSE"]!, "three epochs of AutoRec beat the global mean")
        let vae = try XCTUnwrap(r.results.first { $0.model == "Mult-VAE" })
        let pop = try XCTUnwrap(r.results.first { $0.model.hasPrefix("CDAE (q = 0.0)") })
        XCTAssertGreaterThan(vae.metrics["Recall@20"]!, 0)
        XCTAssertGreaterThan(pop.metrics["Recall@20"]!, 0)
        XCTAssertNotNil(r.values["cdae_q0.5_rescaled_Recall@20"])
    }
}
