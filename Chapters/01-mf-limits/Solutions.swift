// Reference solutions of chapter 1's exercises. `swift test` checks these with the same
// checks as your answers, so they are known to pass.

import Foundation

enum Chapter1Solutions {
    static func jaccardOfUsers1And4() -> Double? {
        // Both: items 1 and 4; either: items 1, 2, 3, 4.
        2.0 / 4.0
    }

    static func jaccard(_ a: [Int], _ b: [Int]) -> Double? {
        let both = zip(a, b).filter { $0 == 1 && $1 == 1 }.count
        let either = zip(a, b).filter { $0 == 1 || $1 == 1 }.count
        return either == 0 ? 0 : Double(both) / Double(either)
    }

    static func foldInGapK2() -> Double? {
        guard let factors = try? LatentSpace.exactFactors(Array(MFLimitsChapter.paperMatrix.prefix(3)), k: 2),
            let p4 = try? LatentSpace.foldIn(MFLimitsChapter.paperMatrix[3], items: factors.items)
        else { return nil }
        return LatentSpace.cosine(p4, factors.users[1]) - LatentSpace.cosine(p4, factors.users[2])
    }

    static func bestErrorWithJaccardOrder() -> Double? {
        guard let factors = try? LatentSpace.exactFactors(Array(MFLimitsChapter.paperMatrix.prefix(3)), k: 2) else {
            return nil
        }
        // Every such direction points away from all three users: the best scale is 0, and the
        // error is that of predicting nothing, ‖r4‖² = 4.
        return LatentSpace.sweep(MFLimitsChapter.paperMatrix[3], factors: factors)
            .filter { $0.similarities[0] > $0.similarities[2] && $0.similarities[2] > $0.similarities[1] }
            .map(\.squaredError).min()
    }
}
