// Dense linear algebra through LAPACK (OpenBLAS's LAPACKE): the inverse of a symmetric
// positive-definite matrix (EASE), eigen- and singular value decompositions (PPMI
// factorisation, 2-D projections). Matrices are row-major arrays.

import COpenBLAS

public enum LinalgError: Error, CustomStringConvertible, Sendable {
    case notPositiveDefinite(order: Int)
    case didNotConverge(routine: String, info: Int)
    case invalidArgument(routine: String, info: Int)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let k):
            return "the matrix is not positive definite (leading minor of order \(k) is not positive): "
                + "add more to the diagonal (a larger lambda)"
        case .didNotConverge(let r, let info): return "LAPACK \(r) did not converge (info \(info))"
        case .invalidArgument(let r, let info): return "LAPACK \(r): argument \(-info) is invalid"
        }
    }
}

public enum Linalg {
    /// The inverse of a symmetric positive-definite n x n matrix, by Cholesky factorisation
    /// (dpotrf) and inversion from the factor (dpotri). Double precision: EASE's Gram matrix
    /// has a condition number that single precision would feel.
    public static func inverseSPD(_ a: [Double], n: Int) throws -> [Double] {
        var m = a
        try invertSPD(&m, n: n)
        return m
    }

    /// `inverseSPD` in place: no second n x n copy (EASE at 20,000 items: 3.2 GB saved).
    public static func invertSPD(_ m: inout [Double], n: Int) throws {
        precondition(m.count == n * n, "inverseSPD: \(m.count) values for a \(n) x \(n) matrix")
        var info = Kernels.withBLASThreads { m.withUnsafeMutableBufferPointer {
            LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), $0.baseAddress, Int32(n))
        } }
        if info > 0 { throw LinalgError.notPositiveDefinite(order: Int(info)) }
        if info < 0 { throw LinalgError.invalidArgument(routine: "dpotrf", info: Int(info)) }
        info = Kernels.withBLASThreads { m.withUnsafeMutableBufferPointer {
            LAPACKE_dpotri(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), $0.baseAddress, Int32(n))
        } }
        if info != 0 { throw LinalgError.invalidArgument(routine: "dpotri", info: Int(info)) }
        // dpotri fills the lower triangle only: mirror it.
        m.withUnsafeMutableBufferPointer { m in
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { m[i * n + j] = m[j * n + i] } }
        }
    }

    /// The `count` largest eigenvalues (descending) of a symmetric n x n matrix and their
    /// unit eigenvectors, as an n x count row-major matrix (column j is vector j). Each
    /// vector's sign is fixed so that its largest-magnitude entry is positive.
    public static func symmetricEigen(_ a: [Float], n: Int, largest count: Int) throws
        -> (values: [Float], vectors: [Float]) {
        precondition(a.count == n * n && count >= 1 && count <= n, "symmetricEigen: bad sizes")
        var m = a
        var found: Int32 = 0
        var w = [Float](repeating: 0, count: n)
        var z = [Float](repeating: 0, count: n * count)
        var support = [Int32](repeating: 0, count: 2 * count)
        let info = Kernels.withBLASThreads {
            LAPACKE_ssyevr(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "I")),
                           Int8(UInt8(ascii: "L")), Int32(n), &m, Int32(n), 0, 0,
                           Int32(n - count + 1), Int32(n), 0, &found, &w, &z,
                           Int32(count), &support)
        }
        if info > 0 { throw LinalgError.didNotConverge(routine: "ssyevr", info: Int(info)) }
        if info < 0 { throw LinalgError.invalidArgument(routine: "ssyevr", info: Int(info)) }
        // LAPACK returns ascending order; reverse to descending.
        var values = [Float](), vectors = [Float](repeating: 0, count: n * count)
        for j in 0..<count {
            let src = count - 1 - j
            values.append(w[src])
            for i in 0..<n { vectors[i * count + j] = z[i * count + src] }
        }
        fixSigns(&vectors, rows: n, columns: count)
        return (values, vectors)
    }

    /// The thin singular value decomposition A = U diag(S) Vt of an m x n matrix (sgesdd):
    /// U is m x r, S has r values (descending), Vt is r x n, with r = min(m, n).
    public static func svd(_ a: [Float], rows m: Int, columns n: Int) throws -> (u: [Float], s: [Float], vt: [Float]) {
        precondition(a.count == m * n, "svd: \(a.count) values for a \(m) x \(n) matrix")
        let r = min(m, n)
        var x = a
        var s = [Float](repeating: 0, count: r)
        var u = [Float](repeating: 0, count: m * r)
        var vt = [Float](repeating: 0, count: r * n)
        let info = Kernels.withBLASThreads {
            LAPACKE_sgesdd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n), &x,
                           Int32(n), &s, &u, Int32(r), &vt, Int32(n))
        }
        if info > 0 { throw LinalgError.didNotConverge(routine: "sgesdd", info: Int(info)) }
        if info < 0 { throw LinalgError.invalidArgument(routine: "sgesdd", info: Int(info)) }
        return (u, s, vt)
    }

    /// The first `k` components of the SVD: U_k (m x k), S_k, Vt_k (k x n), with signs fixed
    /// so that each column of U_k has its largest-magnitude entry positive.
    public static func truncatedSVD(_ a: [Float], rows m: Int, columns n: Int, rank k: Int) throws
        -> (u: [Float], s: [Float], vt: [Float]) {
        let (u, s, vt) = try svd(a, rows: m, columns: n)
        let r = min(m, n)
        precondition(k >= 1 && k <= r, "truncatedSVD: rank \(k) out of 1...\(r)")
        var uk = [Float](repeating: 0, count: m * k), vk = Array(vt[0..<(k * n)])
        for i in 0..<m { for j in 0..<k { uk[i * k + j] = u[i * r + j] } }
        for j in 0..<k {
            var best: Float = 0
            for i in 0..<m where abs(uk[i * k + j]) > abs(best) { best = uk[i * k + j] }
            if best < 0 {
                for i in 0..<m { uk[i * k + j] = -uk[i * k + j] }
                for c in 0..<n { vk[j * n + c] = -vk[j * n + c] }
            }
        }
        return (uk, Array(s[0..<k]), vk)
    }

    /// Principal component analysis: the rows of an m x n matrix projected on its first `k`
    /// principal axes (after centring the columns): an m x k matrix, and the share of the
    /// variance each axis explains.
    public static func pca(_ a: [Float], rows m: Int, columns n: Int, components k: Int = 2) throws
        -> (projection: [Float], explainedVariance: [Float]) {
        var x = a
        for c in 0..<n {
            var mean: Float = 0
            for i in 0..<m { mean += x[i * n + c] }
            mean /= Float(m)
            for i in 0..<m { x[i * n + c] -= mean }
        }
        let (u, s, _) = try truncatedSVD(x, rows: m, columns: n, rank: k)
        let full = try svd(x, rows: m, columns: n).s
        let total = full.reduce(0) { $0 + $1 * $1 }
        var projection = u
        for i in 0..<m { for j in 0..<k { projection[i * k + j] *= s[j] } }
        return (projection, s.map { $0 * $0 / max(total, .leastNonzeroMagnitude) })
    }

    /// The cosine similarity of every pair of rows of an n x d row-major matrix, as an n x n
    /// matrix (one GEMM of the unit rows; a row of zeros has similarity 0 with everything).
    public static func cosineSimilarities(_ rows: [Float], count n: Int, dimension d: Int) -> [Float] {
        precondition(rows.count == n * d, "cosineSimilarities: \(rows.count) values for \(n) rows of \(d)")
        var unit = rows
        for i in 0..<n {
            var norm: Float = 0
            for j in 0..<d { norm += unit[i * d + j] * unit[i * d + j] }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            for j in 0..<d { unit[i * d + j] *= scale }
        }
        var out = [Float](repeating: 0, count: n * n)
        guard n > 0 && d > 0 else { return out }
        unit.withUnsafeBufferPointer { u in out.withUnsafeMutableBufferPointer { o in
            Kernels.gemm(transA: false, transB: true, m: n, n: n, k: d, alpha: 1, a: u.baseAddress!, lda: d,
                         b: u.baseAddress!, ldb: d, beta: 0, c: o.baseAddress!, ldc: n)
        } }
        return out
    }

    private static func fixSigns(_ v: inout [Float], rows: Int, columns: Int) {
        for j in 0..<columns {
            var best: Float = 0
            for i in 0..<rows where abs(v[i * columns + j]) > abs(best) { best = v[i * columns + j] }
            if best < 0 { for i in 0..<rows { v[i * columns + j] = -v[i * columns + j] } }
        }
    }
}
