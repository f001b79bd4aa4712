// Item2Vec (Barkan & Koenigstein 2016): word2vec's skip-gram with negative sampling (SGNS,
// Mikolov et al. 2013) trained on sessions of items instead of sentences of words.
//
// Shapes: V = vocabulary (items kept after min_count), d = vector size.

import Dispatch
import Foundation
import RecKit
import TensorCore

public struct SGNSConfig: Sendable, CustomStringConvertible {
    /// d: the vector size (gensim's vector_size; the document uses 100).
    public var dimension = 100
    /// The largest distance between a centre and a context item (the document: 20).
    public var window = 20
    /// Noise items per positive pair (the document: 5).
    public var negativeCount = 5
    public var epochCount = 5
    /// Items seen fewer times are dropped (gensim's min_count; the document: 10).
    public var minimumCount = 10
    /// Frequent-item subsampling threshold (word2vec's sample, 1e-3); 0 turns it off.
    public var sample = 1e-3
    /// The learning rate falls linearly from `learningRate` to `minimumLearningRate`.
    public var learningRate: Float = 0.025
    public var minimumLearningRate: Float = 1e-4
    /// Item2Vec's variant: every other item of the session is context (no window).
    public var wholeSession = false
    /// Worker threads (Hogwild: lock-free updates, as word2vec and gensim do). 1 is deterministic.
    public var threads = 1
    /// The noise distribution's exponent: unigram^0.75.
    public var noiseExponent = 0.75

    public init() {}

    public var description: String {
        "d = \(dimension), window \(wholeSession ? "whole session" : "\(window) (dynamic)"), \(negativeCount) negatives, \(epochCount) epochs, min_count \(minimumCount), sample \(sample), lr \(learningRate) -> \(minimumLearningRate), \(threads) thread\(threads == 1 ? "" : "s")"
    }
}

/// Trained item vectors and the vocabulary they belong to.
public final class ItemVectors: @unchecked Sendable {
    /// Vocabulary index -> item (dense item index of the data set).
    public let items: [Int32]
    /// Item -> vocabulary index, or -1 when the item is not in the vocabulary.
    public let index: [Int32]
    public let counts: [Int]
    public let dimension: Int
    /// Input vectors ("syn0"), [V, d]: the item embeddings.
    public var input: [Float]
    /// Output vectors ("syn1neg"), [V, d].
    public var output: [Float]
    /// Training statistics.
    public var trainedWords = 0, trainSeconds = 0.0

    /// Vectors from input vectors ([V, d], row v for `items[v]`, e.g. saved ones); output
    /// vectors start at zero.
    public init(items: [Int32], itemCount: Int, counts: [Int]? = nil, dimension: Int, input: [Float]) {
        precondition(input.count == items.count * dimension, "ItemVectors: input must be [V, d]")
        self.items = items
        self.counts = counts ?? [Int](repeating: 0, count: items.count)
        self.dimension = dimension
        var index = [Int32](repeating: -1, count: itemCount)
        for (v, item) in items.enumerated() { index[Int(item)] = Int32(v) }
        self.index = index
        self.input = input
        output = [Float](repeating: 0, count: input.count)
    }

    /// word2vec's initialisation: input uniform in ±0.5/d, output zeros.
    convenience init(items: [Int32], itemCount: Int, counts: [Int], dimension: Int, rng: RandomGenerator) {
        self.init(items: items, itemCount: itemCount, counts: counts, dimension: dimension,
                  input: (0..<(items.count * dimension)).map { _ in (rng.nextFloat() - 0.5) / Float(dimension) })
    }

    public var count: Int { items.count }

    /// The unit-length input vector of vocabulary entry v.
    public func normalized(_ v: Int) -> [Float] {
        let row = Array(input[(v * dimension)..<((v + 1) * dimension)])
        let norm = max(row.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-12)
        return row.map { $0 / norm }
    }

    /// All unit-length vectors, [V, d].
    public func normalizedMatrix() -> [Float] { (0..<count).flatMap { normalized($0) } }

    /// The `k` vocabulary entries most similar (cosine) to the vector `query`, skipping `exclude`.
    public func nearest(to query: [Float], k: Int, excluding exclude: Set<Int> = []) -> [(v: Int, cosine: Float)] {
        let unit = normalizedMatrix()
        let norm = max(query.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-12)
        var scored: [(v: Int, cosine: Float)] = []
        for v in 0..<count where !exclude.contains(v) {
            var dot: Float = 0
            for j in 0..<dimension { dot += unit[v * dimension + j] * query[j] }
            scored.append((v, dot / norm))
        }
        return Array(scored.sorted { ($0.cosine, -$0.v) > ($1.cosine, -$1.v) }.prefix(k))
    }
}

// listing: sgns
/// Trains SGNS on sessions of dense item indices. For each (centre, context) pair within the
/// (randomly shrunk) window, the context's input vector is pulled towards the centre's output
/// vector and pushed away from `negativeCount` noise items drawn from unigram^0.75:
///   g = lr (label - sigmoid(input_c · output_t));  output_t += g input_c;  input_c += Σ g output_t
public func trainSGNS(sessions: [[Int32]], itemCount: Int, config: SGNSConfig, seed: UInt64,
                      progress: ((Double) -> Void)? = nil) -> ItemVectors {
    // Vocabulary: items seen at least minimumCount times, most frequent first.
    var counts = [Int](repeating: 0, count: itemCount)
    for s in sessions { for i in s { counts[Int(i)] += 1 } }
    let vocab = (0..<itemCount).filter { counts[$0] >= config.minimumCount }
        .sorted { (counts[$0], -$0) > (counts[$1], -$1) }.map { Int32($0) }
    let rng = RandomGenerator(seed: seed)
    let model = ItemVectors(items: vocab, itemCount: itemCount, counts: vocab.map { counts[Int($0)] },
                            dimension: config.dimension, rng: rng)
    let corpus = sessions.map { $0.compactMap { model.index[Int($0)] >= 0 ? model.index[Int($0)] : nil } }.filter { $0.count > 1 }
    let total = corpus.reduce(0) { $0 + $1.count }
    guard total > 0 else { return model }
    // word2vec's subsampling: keep an item of frequency f with probability (sqrt(f/t) + 1) t/f, t = sample * total.
    let threshold = config.sample * Double(total)
    let keep = model.counts.map { c in config.sample > 0 ? min(1, ((Double(c) / threshold).squareRoot() + 1) * threshold / Double(c)) : 1 }
    let noise = AliasTable(weights: model.counts.map { pow(Double($0), config.noiseExponent) })
    let d = config.dimension, planned = Double(config.epochCount * total)
    let start = Date()
    let threads = max(1, config.threads)
    // One generator per worker, each used by its worker only.
    let generators = UncheckedSendable((0..<threads).map { _ in rng.split() })
    model.input.withUnsafeMutableBufferPointer { syn0 in model.output.withUnsafeMutableBufferPointer { syn1 in
        let shared = SharedTables(syn0: syn0.baseAddress!, syn1: syn1.baseAddress!)
        for epoch in 0..<config.epochCount {
            // Each thread takes every threads-th session (Hogwild: no locks on the tables).
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let rng = generators.value[t]
                var scratch = [Float](repeating: 0, count: d)
                var targets = [Int32](repeating: 0, count: config.negativeCount + 1)
                var sentence: [Int32] = []
                var mine = 0  // this thread's words this epoch; the others progress at the same pace
                for s in stride(from: t, to: corpus.count, by: threads) {
                    let done = epoch * total + mine * threads
                    let lr = max(config.minimumLearningRate,
                                 config.learningRate - (config.learningRate - config.minimumLearningRate) * Float(Double(done) / planned))
                    sentence.removeAll(keepingCapacity: true)
                    for v in corpus[s] where keep[Int(v)] >= 1 || rng.nextDouble() < keep[Int(v)] { sentence.append(v) }
                    mine += corpus[s].count
                    for (i, centre) in sentence.enumerated() {
                        let reach = config.wholeSession ? sentence.count : config.window - rng.nextInt(below: config.window)
                        for j in max(0, i - reach)..<min(sentence.count, i + reach + 1) where j != i {
                            // The positive (the centre) first, then the noise items.
                            targets[0] = centre
                            var count = 1
                            for _ in 0..<config.negativeCount {
                                let noiseItem = noise.sample(rng)
                                if noiseItem != centre { targets[count] = noiseItem; count += 1 }
                            }
                            targets.withUnsafeBufferPointer { t in scratch.withUnsafeMutableBufferPointer { e in
                                Kernels.skipGramUpdate(input: shared.syn0 + Int(sentence[j]) * d, outputs: shared.syn1, targets: t.baseAddress!,
                                                       count: count, learningRate: lr, dimension: d, scratch: e.baseAddress!)
                            } }
                        }
                    }
                }
            }
            progress?(Double(epoch + 1) / Double(config.epochCount))
        }
    } }
    model.trainedWords = config.epochCount * total
    model.trainSeconds = Date().timeIntervalSince(start)
    return model
}
// end listing

struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The two tables, shared by the Hogwild workers.
struct SharedTables: @unchecked Sendable {
    let syn0: UnsafeMutablePointer<Float>
    let syn1: UnsafeMutablePointer<Float>
}
