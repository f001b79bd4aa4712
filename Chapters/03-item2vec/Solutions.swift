// Reference solutions of chapter 3's exercises, checked by the same checks as your answers.

import Foundation

enum Chapter3Solutions {
    static func pairCount(length: Int, window: Int) -> Int? {
        (0..<length).map { i in min(length - 1, i + window) - max(0, i - window) }.reduce(0, +)
    }

    static func pmiCell() -> Double? { log((30.0 / 60_000) / ((300.0 / 60_000) * (200.0 / 60_000))) }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float? {
        let dot = zip(a, b).map(*).reduce(0, +)
        let norms = (a.map { $0 * $0 }.reduce(0, +) * b.map { $0 * $0 }.reduce(0, +)).squareRoot()
        return norms == 0 ? 0 : dot / norms
    }

    static func keepProbability() -> Double? {
        let t = 1e-3 * 54_433.0
        return min(1, ((383 / t).squareRoot() + 1) * t / 383)
    }

    static func sgnsUpdate(
        input: [Float], output: [Float], label: Float, learningRate: Float
    ) -> (input: [Float], output: [Float])? {
        let dot = zip(input, output).map(*).reduce(0, +)
        let g = learningRate * (label - 1 / (1 + exp(-dot)))
        return (zip(input, output).map { $0 + g * $1 }, zip(output, input).map { $0 + g * $1 })
    }
}
