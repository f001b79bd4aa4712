import TensorCore
import XCTest

final class LinalgTests: XCTestCase {
    func testInverseSPD() throws {
        let a: [Double] = [4, 2, 0, 2, 5, 1, 0, 1, 3]
        let inv = try Linalg.inverseSPD(a, n: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                let p = (0..<3).map { a[i * 3 + $0] * inv[$0 * 3 + j] }.reduce(0, +)
                XCTAssertEqual(p, i == j ? 1 : 0, accuracy: 1e-12)
            }
        }
    }

    func testInverseSPDRejectsIndefinite() {
        XCTAssertThrowsError(try Linalg.inverseSPD([1, 2, 2, 1], n: 2)) { error in
            XCTAssertTrue("\(error)".contains("not positive definite"))
        }
    }

    func testSymmetricEigen() throws {
        // [[2, 1], [1, 2]] has eigenvalues 3 (vector (1,1)/sqrt2) and 1.
        let (values, vectors) = try Linalg.symmetricEigen([2, 1, 1, 2], n: 2, largest: 1)
        XCTAssertEqual(values[0], 3, accuracy: 1e-5)
        XCTAssertEqual(vectors, [Float(0.5).squareRoot(), Float(0.5).squareRoot()], accuracy: 1e-5)
    }

    func testSVDReconstructs() throws {
        let a: [Float] = [3, 1, 1, -1, 3, 1]
        let (u, s, vt) = try Linalg.svd(a, rows: 2, columns: 3)
        XCTAssertEqual(s, [Float(12).squareRoot(), Float(10).squareRoot()], accuracy: 1e-5)
        for i in 0..<2 {
            for j in 0..<3 {
                let v = (0..<2).map { u[i * 2 + $0] * s[$0] * vt[$0 * 3 + j] }.reduce(0, +)
                XCTAssertEqual(v, a[i * 3 + j], accuracy: 1e-5)
            }
        }
    }

    func testCosineSimilarities() {
        // Rows (1, 0), (1, 1), (0, 0): cos = 1/sqrt(2) between the first two; a zero row gives 0.
        let s = Linalg.cosineSimilarities([1, 0, 1, 1, 0, 0], count: 3, dimension: 2)
        XCTAssertEqual(s, [1, Float(0.5).squareRoot(), 0, Float(0.5).squareRoot(), 1, 0, 0, 0, 0], accuracy: 1e-6)
    }

    func testPCAFindsTheLongAxis() throws {
        // Points along y = 2x with a little noise: the first axis explains almost everything.
        let rng = RandomGenerator(seed: 1)
        var points: [Float] = []
        for _ in 0..<100 { let t = rng.nextNormal(); points += [t, 2 * t + 0.01 * rng.nextNormal()] }
        let (projection, explained) = try Linalg.pca(points, rows: 100, columns: 2, components: 1)
        XCTAssertEqual(projection.count, 100)
        XCTAssertGreaterThan(explained[0], 0.999)
    }
}
