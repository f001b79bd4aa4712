// EASE^R (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an
// item-item weight matrix B with a zero diagonal, in closed form.
//
// Shapes: U = users, I = items.

import Foundation
import RecKit
import TensorCore

// listing: ease
/// min_B ‖X - XB‖² + λ‖B‖²  subject to diag(B) = 0, solved in closed form:
///   G = XᵀX + λI,  P = G⁻¹,  B = I - P·diag(1/diag(P))   (so B_ij = -P_ij / P_jj, B_jj = 0)
/// and a user's scores are their interaction row times B.
public final class EASE: Recommender {
    public let name = "EASE"
    public let itemCount: Int
    public let lambda: Double
    /// B, [I, I] row-major: B[i][j] is how much having item i says about item j.
    public let weights: [Float]
    public let train: InteractionMatrix
    /// Seconds spent on the Gram matrix, on the inverse, and on B.
    public let timings: (gram: Double, inverse: Double, weights: Double)

    public init(train: InteractionMatrix, lambda: Double) throws {
        precondition(lambda > 0, "EASE: lambda must be positive")
        let n = train.itemCount
        self.train = train
        self.lambda = lambda
        itemCount = n
        var t = Date()
        var g = EASE.gram(train)                                    // XᵀX, [I, I]
        for i in 0..<n { g[i * n + i] += lambda }                   // + λI
        let gramSeconds = Date().timeIntervalSince(t)
        t = Date()
        try Linalg.invertSPD(&g, n: n)                              // P = G⁻¹ (Cholesky), in place
        let p = g
        let inverseSeconds = Date().timeIntervalSince(t)
        t = Date()
        var b = [Float](repeating: 0, count: n * n)
        p.withUnsafeBufferPointer { p in
            for i in 0..<n {
                for j in 0..<n where i != j { b[i * n + j] = Float(-p[i * n + j] / p[j * n + j]) }  // B_jj stays 0
            }
        }
        weights = b
        timings = (gramSeconds, inverseSeconds, Date().timeIntervalSince(t))
    }

    /// An EASE model from saved weights B ([I, I], row-major, zero diagonal).
    public init(train: InteractionMatrix, lambda: Double, weights: [Float]) {
        precondition(weights.count == train.itemCount * train.itemCount, "EASE: B must be [I, I]")
        self.train = train
        self.lambda = lambda
        itemCount = train.itemCount
        self.weights = weights
        timings = (0, 0, 0)
    }

    /// XᵀX from the sparse rows, without a dense X: every pair of items a user shares adds 1.
    public static func gram(_ train: InteractionMatrix) -> [Double] {
        let n = train.itemCount
        var g = [Double](repeating: 0, count: n * n)
        g.withUnsafeMutableBufferPointer { g in
            for u in 0..<train.userCount {
                let items = train.items(of: u)
                for a in items {
                    let row = Int(a) * n
                    for b in items { g[row + Int(b)] += 1 }
                }
            }
        }
        return g
    }

    /// Scores = X_users · B.
    public func scores(users: [Int32]) -> [Float] {
        let n = itemCount
        let x = Tensor.zeros([users.count, n])
        for (k, u) in users.enumerated() { for i in train.items(of: Int(u)) { x.data[k * n + Int(i)] = 1 } }
        return Tensor.withoutGrad { x.matmul(Tensor(weights, shape: [n, n])).data }
    }
}
// end listing

extension EASE {
    /// B's weight from item i to item j.
    public func weight(_ i: Int, _ j: Int) -> Float { weights[i * itemCount + j] }
}
