// EASE^R (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an
// item-item weight matrix B with a zero diagonal, in closed form on LAPACK.
//
// Shapes: U = users, I = items.

import _WorkbookSupport
import Foundation
import RecKit
import TensorCore

/// min_B ‖X - XB‖² + λ‖B‖²  subject to diag(B) = 0, solved in closed form (chapter 5 derives it);
/// a user's scores are their interaction row times B.
public final class EASE: RecommenderModel {
    public let name = "EASE"
    public let itemCount: Int
    public let lambda: Double
    /// B, [I, I] row-major: B[i][j] is how much having item i says about item j.
    public let weights: [Float]
    public let train: InteractionMatrix
    /// Seconds spent on the Gram matrix, on the inverse, and on B.
    public let timings: (gram: Double, inverse: Double, weights: Double)

    public init(train: InteractionMatrix, lambda: Double) throws {
        guard lambda.isFinite, lambda > 0 else {
            throw WorkbookError("EASE's λ must be a positive number, not \(lambda)", fix: "pass e.g. 500")
        }
        let n = train.itemCount
        self.train = train
        self.lambda = lambda
        itemCount = n
        let start = Date()
        let g = EASE.gram(train)
        let gramSeconds = Date().timeIntervalSince(start)
        var inverted = start
        weights = try EASE.weights(gram: g, n: n, lambda: lambda) { inverted = Date() }
        timings = (gramSeconds, inverted.timeIntervalSince(start) - gramSeconds, Date().timeIntervalSince(inverted))
        config = Config(lambda: lambda)
        record.seconds = timings.gram + timings.inverse + timings.weights
    }

    // listing: ease
    /// XᵀX from the sparse rows, without a dense X: every pair of items a user shares adds 1.
    public static func gram(_ train: InteractionMatrix) -> [Double] {
        let n = train.itemCount
        var g = [Double](repeating: 0, count: n * n)
        for u in 0..<train.userCount {
            let items = train.items(of: u)
            for a in items { for b in items { g[Int(a) * n + Int(b)] += 1 } }
        }
        return g
    }

    /// B from the Gram matrix G = XᵀX ([I, I], row-major): P = (G + λI)⁻¹, B = I - P·diagMat(1 ⊘ diag(P)),
    /// that is B_ij = -P_ij / P_jj and B_jj = 0. `inverted` runs once P is known (for the timings).
    static func weights(gram: [Double], n: Int, lambda: Double, inverted: () -> Void = {}) throws -> [Float] {
        var p = gram
        for i in 0..<n { p[i * n + i] += lambda }  // G + λI
        try Linalg.invertSPD(&p, n: n)  // P, by Cholesky (LAPACK dpotrf + dpotri), in place
        inverted()
        var b = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where i != j { b[i * n + j] = Float(-p[i * n + j] / p[j * n + j]) }  // B_jj stays 0
        }
        return b
    }

    /// Scores = X_users · B.
    public func scores(users: [Int32]) -> [Float] {
        let n = itemCount
        let x = Tensor.zeros([users.count, n])
        for (k, u) in users.enumerated() { for i in train.items(of: Int(u)) { x.data[k * n + Int(i)] = 1 } }
        return Tensor.withoutGrad { x.matmul(Tensor(weights, shape: [n, n])).data }
    }
    // end listing

    public static let info = ModelInfo(
        key: "ease", name: "EASE", chapter: 5,
        paper: "Steck, Embarrassingly Shallow Autoencoders for Sparse Data, WWW 2019", explainable: true)

    public struct Config: ModelConfig {
        /// λ without a validation set: chapter 5's sweep finds the optimum near 500 on MovieLens-100K.
        public var lambda: Double = 500
        /// The λ tried on validation: Steck tunes λ on a log scale; 50-2,500 brackets this data's optimum.
        public var lambdaGrid: [Double] = [50, 100, 250, 500, 1000, 2500]

        public init(mode: RunMode) {}
        init(lambda: Double) { self.lambda = lambda; lambdaGrid = [lambda] }

        public var summary: String { "λ = \(short(lambda))" }
        public var searchesOnValidation: Bool { lambdaGrid.count > 1 }
    }

    public private(set) var config: Config
    public internal(set) var record = TrainingRecord()

    /// An EASE model from saved weights B ([I, I], row-major, zero diagonal).
    init(train: InteractionMatrix, weights: [Float], config: Config, record: TrainingRecord) {
        self.train = train
        lambda = config.lambda
        itemCount = train.itemCount
        self.weights = weights
        timings = (0, 0, 0)
        self.config = config
        self.record = record
    }

    public static func fit(_ input: FitInput, config: Config) throws -> EASE {
        let (model, lambda, record) = try chooseOnValidation(
            input, grid: config.lambdaGrid, fallback: config.lambda,
            name: "λ", describe: { short($0) }
        ) {
            try EASE(train: input.train, lambda: $0)
        }
        var chosen = config
        chosen.lambda = lambda
        model.config = chosen
        model.record = record
        return model
    }

    /// The chosen λ, without a grid to search again.
    public var refitConfig: Config {
        var c = config
        c.lambdaGrid = [config.lambda]
        return c
    }

    public var state: [NamedTensor] { [NamedTensor("B", shape: [itemCount, itemCount], values: weights)] }

    public convenience init(
        restoring state: [NamedTensor], config: Config, input: FitInput, record: TrainingRecord
    ) throws {
        let n = input.data.itemCount
        let b = try state.tensor("B", shape: [n, n], model: Self.info.name)
        self.init(train: input.train, weights: b.values, config: config, record: record)
    }

    /// B's weight from item i to item j.
    public func weight(_ i: Int, _ j: Int) -> Float { weights[i * itemCount + j] }
}
