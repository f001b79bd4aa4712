import Foundation
import Models
import RecKit
import TensorCore
import XCTest

final class EASEModelTests: XCTestCase {
    func testClosedFormSatisfiesItsConditions() throws {
        let train = ToyData.ncfMatrix()
        let ease = try EASE(train: train, lambda: 2)
        let n = 5
        // diag(B) = 0, and for every off-diagonal entry B = (G+λI)⁻¹ applied as -P_ij/P_jj:
        // equivalently (G + λI)(I - B) is diagonal (the KKT condition of the constrained problem).
        var g = EASE.gram(train)
        for i in 0..<n {
            XCTAssertEqual(ease.weight(i, i), 0)
            g[i * n + i] += 2
        }
        for i in 0..<n {
            for j in 0..<n where i != j {
                let value = (0..<n).map { k in g[i * n + k] * ((k == j ? 1 : 0) - Double(ease.weight(k, j))) }.reduce(
                    0, +)
                XCTAssertEqual(value, 0, accuracy: 1e-5, "(G + λI)(I - B) must be diagonal: entry \(i),\(j)")
            }
        }
    }

    func testGramCountsSharedUsers() {
        let g = EASE.gram(ToyData.ncfMatrix())
        // Items 2 and 3 (indices 1, 2) are shared by users 1, 2 and 3.
        XCTAssertEqual(g[1 * 5 + 2], 3)
        XCTAssertEqual(g[2 * 5 + 2], 4)  // item 3's popularity
    }
}
