// The computations of chapter 1: Jaccard similarity, matrix factorisation (exact by SVD
// through LAPACK, and by gradient descent on the tensor core), folding a new user into a
// fixed item space, and the sweep over every direction a new user could take.
//
// Shapes: U = users, I = items, K = latent dimension.

import Foundation
import Models
import TensorCore

public enum LatentSpace {
    // listing: jaccard
    /// |a ∩ b| / |a ∪ b| for two 0/1 interaction rows (0 when both are empty).
    public static func jaccard(_ a: [Int], _ b: [Int]) -> Double {
        precondition(a.count == b.count, "jaccard: rows of different lengths")
        let both = zip(a, b).filter { $0 != 0 && $1 != 0 }.count
        let either = zip(a, b).filter { $0 != 0 || $1 != 0 }.count
        return either == 0 ? 0 : Double(both) / Double(either)
    }
    // end listing

    /// Cosine of the angle between two vectors (0 if either is zero).
    public static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).map(*).reduce(0, +)
        let na = a.map { $0 * $0 }.reduce(0, +).squareRoot(), nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
        return na == 0 || nb == 0 ? 0 : dot / (na * nb)
    }

    /// A factorisation R ≈ P Qᵀ: user vectors P [U][K] and item vectors Q [I][K].
    public struct Factors: Sendable {
        public var users: [[Double]]
        public var items: [[Double]]

        /// Σ (R - P Qᵀ)² over every cell.
        public func squaredError(_ r: [[Int]]) -> Double {
            var e = 0.0
            for (u, row) in r.enumerated() {
                for (i, x) in row.enumerated() {
                    let p = zip(users[u], items[i]).map(*).reduce(0, +)
                    e += (Double(x) - p) * (Double(x) - p)
                }
            }
            return e
        }
    }

    // listing: svd-factors
    /// The best rank-K factorisation in squared error (Eckart-Young), split evenly:
    /// R = U Σ Vᵀ, P = U_K Σ_K^½, Q = V_K Σ_K^½. The even split is the one an L2-regularised
    /// MF converges to (up to a rotation, which leaves every cosine unchanged).
    public static func exactFactors(_ r: [[Int]], k: Int) throws -> Factors {
        let (m, n) = (r.count, r[0].count)
        let (u, s, vt) = try Linalg.truncatedSVD(r.flatMap { $0.map(Float.init) }, rows: m, columns: n, rank: k)
        let root = s.map { Double($0).squareRoot() }
        let users = (0..<m).map { i in (0..<k).map { j in Double(u[i * k + j]) * root[j] } }
        let items = (0..<n).map { c in (0..<k).map { j in Double(vt[j * n + c]) * root[j] } }
        return Factors(users: users, items: items)
    }
    // end listing

    // listing: gradient-mf
    /// MF trained by gradient descent on the tensor core: minimise
    /// Σ (R - P Qᵀ)² + λ (‖P‖² + ‖Q‖²) with Adam, full batch.
    public static func trainedFactors(
        _ r: [[Int]], k: Int, steps: Int, lambda: Float = 1e-3,
        rng: RandomGenerator
    ) throws -> (factors: Factors, losses: [Double]) {
        let (m, n) = (r.count, r[0].count)
        let target = Tensor(r.flatMap { $0.map(Float.init) }, shape: [m, n])  // [U, I]
        let p = Tensor.randomNormal([m, k], std: 0.1, rng: rng, requiresGrad: true)  // [U, K]
        let q = Tensor.randomNormal([n, k], std: 0.1, rng: rng, requiresGrad: true)  // [I, K]
        var losses: [Double] = []
        var strategy = FullBatchStrategy {
            let error = (p.matmul(q.transposed()) - target).sumOfSquares()  // scalar
            losses.append(Double(error.item))
            return error + lambda * (p.sumOfSquares() + q.sumOfSquares())
        }
        _ = try Trainer("MF", settings: .fixed(steps))
            .fit(&strategy, model: ParameterList([p, q]), optimizer: Adam([p, q]), learningRate: 0.02)
        func rows(_ t: Tensor, _ count: Int) -> [[Double]] { (0..<count).map { t.row($0).map(Double.init) } }
        return (Factors(users: rows(p, m), items: rows(q, n)), losses)
    }
    // end listing

    // listing: fold-in
    /// Places a new user in a fixed item space the way MF does: the vector p that best
    /// reconstructs the user's row, argmin_p ‖r - Q p‖², i.e. (QᵀQ) p = Qᵀ r.
    public static func foldIn(_ row: [Int], items q: [[Double]]) throws -> [Double] {
        let k = q[0].count
        var gram = [Double](repeating: 0, count: k * k), rhs = [Double](repeating: 0, count: k)
        for (i, qi) in q.enumerated() {
            for a in 0..<k {
                rhs[a] += qi[a] * Double(row[i])
                for b in 0..<k { gram[a * k + b] += qi[a] * qi[b] }
            }
        }
        let inverse = try Linalg.inverseSPD(gram, n: k)
        return (0..<k).map { a in (0..<k).map { b in inverse[a * k + b] * rhs[b] }.reduce(0, +) }
    }
    // end listing

    /// ‖r - Q p‖²: how well a user vector p reconstructs the row r.
    public static func squaredError(_ row: [Int], user p: [Double], items q: [[Double]]) -> Double {
        var e = 0.0
        for (r, qi) in zip(row, q) {
            let x = zip(p, qi).map(*).reduce(0, +)
            e += (Double(r) - x) * (Double(r) - x)
        }
        return e
    }

    /// The cosine of each existing user's vector with a new user's vector.
    public static func similarities(of p: [Double], to users: [[Double]]) -> [Double] {
        users.map { cosine(p, $0) }
    }

    /// Users ranked by similarity, most similar first (ties: lower index first).
    public static func ranking(_ similarities: [Double]) -> [Int] {
        similarities.indices.sorted { (similarities[$0], -$0) > (similarities[$1], -$1) }
    }

    /// One direction of a 2-D latent space, and what a user placed along it would get.
    public struct Direction: Sendable {
        public let degrees: Double
        /// Cosine with each existing user.
        public let similarities: [Double]
        /// ‖r - s Q d‖² at the best non-negative scale s: how well the row is reconstructed.
        public let squaredError: Double
    }

    // listing: sweep
    /// Every direction d(θ) = (cos θ, sin θ) of a 2-D space, θ in steps of 360°/count: the new
    /// user's cosine with each existing user, and the best reconstruction of its row along d.
    public static func sweep(_ row: [Int], factors: Factors, count: Int = 3600) -> [Direction] {
        precondition(factors.items[0].count == 2, "the sweep is over a 2-D latent space")
        return (0..<count).map { step in
            let theta = 2 * Double.pi * Double(step) / Double(count)
            let d = [Foundation.cos(theta), Foundation.sin(theta)]
            let x = factors.items.map { $0[0] * d[0] + $0[1] * d[1] }  // Q d, [I]
            let xx = x.map { $0 * $0 }.reduce(0, +)
            let xr = zip(x, row).map { $0 * Double($1) }.reduce(0, +)
            let scale = max(0, xr / xx)
            let error = zip(x, row).map { (Double($1) - scale * $0) * (Double($1) - scale * $0) }.reduce(0, +)
            return Direction(
                degrees: theta * 180 / .pi, similarities: similarities(of: d, to: factors.users),
                squaredError: error)
        }
    }
    // end listing
}
