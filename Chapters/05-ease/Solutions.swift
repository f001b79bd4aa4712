// Reference solutions of chapter 5's exercises, checked by the same checks as your answers.

import Models
import TensorCore

enum Chapter5Solutions {
    static func easeWeights(gram: [Double], n: Int, lambda: Double) -> [Double]? {
        var g = gram
        for i in 0..<n { g[i * n + i] += lambda }
        guard let p = try? Linalg.inverseSPD(g, n: n) else { return nil }
        return (0..<(n * n)).map { k in k / n == k % n ? 0 : -p[k] / p[(k % n) * n + k % n] }
    }

    static func weights() -> [[Double]]? {
        // G + λI = [[4,1,0],[1,3,1],[0,1,3]]; its inverse by cofactors, det = 4(9-1) - 1(3-0) = 29.
        let p: [[Double]] = [[8, -3, 1], [-3, 12, -4], [1, -4, 11]].map { $0.map { $0 / 29 } }
        return (0..<3).map { i in (0..<3).map { j in i == j ? 0 : -p[i][j] / p[j][j] } }
    }

    static func unconstrainedDiagonalMean() -> Double? {
        // (G + I)⁻¹G = I - (G + I)⁻¹: diagonal 1 - P_ii.
        let p: [Double] = [8.0 / 29, 12.0 / 29, 11.0 / 29]
        return p.map { 1 - $0 }.reduce(0, +) / 3
    }

    static func negativeWeights() -> (Int, Int)? {
        func count(_ lambda: Double) -> Int? {
            guard let ease = try? EASE(train: EASEChapter.toyMatrix(), lambda: lambda) else { return nil }
            return (0..<5).flatMap { i in (0..<5).filter { $0 != i && ease.weight(i, $0) < 0 } }.count
        }
        guard let a = count(0.1), let b = count(100) else { return nil }
        return (a, b)
    }
}
