// Item2Vec's learner (Barkan & Koenigstein 2016): word2vec's skip-gram with negative sampling
// (SGNS, Mikolov et al. 2013) on sessions of items instead of sentences of words.
//
// Shapes: V = vocabulary (items kept after min_count), d = vector size.

import _SGNSKernels
import _WorkbookSupport
import Dispatch
import Foundation
import RecKit
import TensorCore

public struct SGNSConfig: TrainableConfig, CustomStringConvertible {
    /// d: the vector size (gensim's vector_size; the document uses 100).
    public var dimension = 100
    /// The largest distance between a centre and a context item (the document: 20).
    public var window = 20
    /// Noise items per positive pair (the document: 5).
    public var negativeCount = 5
    /// Items seen fewer times are dropped (gensim's min_count; the document: 10).
    public var minimumCount = 10
    /// Frequent-item subsampling threshold (word2vec's sample, 1e-3); 0 turns it off.
    public var sample = 1e-3
    /// The learning rate falls linearly from `learningRate` to `minimumLearningRate` per session.
    public var learningRate: Float = 0.025
    public var minimumLearningRate: Float = 1e-4
    /// Item2Vec's variant: every other item of the session is context (no window).
    public var wholeSession = false
    /// Worker threads (Hogwild: lock-free updates, as word2vec and gensim do). 1 is deterministic,
    /// which the book's numbers need.
    public var threads = 1
    /// pWord2Vec's update: a centre's context words share its negatives, and the updates become
    /// small matrix products (Ji et al. 2016); false is word2vec's update, pair by pair.
    public var sharedNegatives = false
    /// The noise distribution's exponent: unigram^0.75.
    public var noiseExponent = 0.75
    /// Sessions are the user's films rated at least this (the document's 4).
    public var likedThreshold: Float = 4
    /// Epochs: the document's 5 to smoke-test and for chapter 3's first run, 50 by default, 100 in full.
    public var training: TrainerSettings

    public init(mode: RunMode) {
        switch mode {
        case .quick: training = .fixed(10)
        case .standard: training = TrainerSettings(maxEpochs: 100, evaluateEvery: 5, patience: 3)
        case .full: training = .fixed(100)
        }
    }

    /// The document's train_item2vec settings (5 epochs).
    public static var document: SGNSConfig {
        var c = SGNSConfig(mode: .standard)
        c.training = .fixed(5)
        return c
    }

    public var epochCount: Int { training.maxEpochs }

    public var description: String {
        LibraryWords.say(
            "settings.sgns",
            [
                "d": dimension, "negatives": negativeCount, "epochs": epochCount, "count": minimumCount,
                "window": wholeSession
                    ? LibraryWords.say("settings.sgns.whole-session")
                    : LibraryWords.say("settings.sgns.window", ["window": window]),
                "sample": short(sample), "lr": short(learningRate), "last": short(minimumLearningRate),
                "threads": threads == 1
                    ? LibraryWords.say("settings.sgns.thread")
                    : LibraryWords.say("settings.sgns.threads", ["count": threads]),
            ])
    }

    public var summary: String { description + (training.patience == nil ? "" : ", " + training.summary) }

    public var rules: [SettingRule] {
        [
            .atLeast("dimension", dimension), .atLeast("window", window), .atLeast("negativeCount", negativeCount),
            .atLeast("minimumCount", minimumCount), .positive("sample", sample, orZero: true),
            .positive("learningRate", learningRate),
            .positive("minimumLearningRate", minimumLearningRate, orZero: true), .atLeast("threads", threads),
        ]
    }
}

/// Trained item vectors and the vocabulary they belong to.
public final class ItemVectors: Module, @unchecked Sendable {
    /// Vocabulary index -> item (dense item index of the data set).
    public let items: [Int32]
    /// Item -> vocabulary index, or -1 when the item is not in the vocabulary.
    public let index: [Int32]
    public let counts: [Int]
    public let dimension: Int
    /// Input vectors ("syn0"), [V, d]: the item embeddings.
    public let inputTable: Tensor
    /// Output vectors ("syn1neg"), [V, d].
    public let outputTable: Tensor
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
        inputTable = Tensor(input, shape: [items.count, dimension])
        outputTable = Tensor.zeros([items.count, dimension])
    }

    /// word2vec's initialisation: input uniform in ±0.5/d, output zeros.
    convenience init(items: [Int32], itemCount: Int, counts: [Int], dimension: Int, rng: RandomGenerator) {
        self.init(
            items: items, itemCount: itemCount, counts: counts, dimension: dimension,
            input: (0..<(items.count * dimension)).map { _ in (rng.nextFloat() - 0.5) / Float(dimension) })
    }

    public var input: [Float] { inputTable.data }
    public var output: [Float] { outputTable.data }
    public var count: Int { items.count }
    public var parameters: [Tensor] { [inputTable, outputTable] }
    public func setTraining(_ training: Bool) {}

    /// The unit-length input vector of vocabulary entry v.
    public func normalized(_ v: Int) -> [Float] {
        let row = Array(inputTable.data[(v * dimension)..<((v + 1) * dimension)])
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
public func trainSGNS(
    sessions: [[Int32]], itemCount: Int, config: SGNSConfig, seed: UInt64,
    progress: ProgressFactory? = nil, validation: ((ItemVectors) -> ValidationHook?)? = nil,
    afterEpoch: ((Int, ItemVectors) throws -> Void)? = nil
) throws
    -> (vectors: ItemVectors, record: TrainingRecord)
{
    // Vocabulary: items seen at least minimumCount times, most frequent first.
    var counts = [Int](repeating: 0, count: itemCount)
    for s in sessions { for i in s { counts[Int(i)] += 1 } }
    let vocab = (0..<itemCount).filter { counts[$0] >= config.minimumCount }
        .sorted { (counts[$0], -$0) > (counts[$1], -$1) }.map { Int32($0) }
    let rng = RandomGenerator(seed: seed)
    let model = ItemVectors(
        items: vocab, itemCount: itemCount, counts: vocab.map { counts[Int($0)] },
        dimension: config.dimension, rng: rng)
    var strategy = SGNSStrategy(model, sessions: sessions, config: config, rng: rng)
    guard strategy.total > 0 else { return (model, TrainingRecord()) }
    let record = try Trainer("SGNS", settings: config.training, progress: progress)
        .fit(
            &strategy, model: model, optimizer: nil, learningRate: config.learningRate,
            validation: validation?(model)
        ) { try afterEpoch?($0, model) }
    model.trainedWords = record.epochs * strategy.total
    model.trainSeconds = record.seconds
    return (model, record)
}
// end listing

/// One epoch of SGNS in steps of a few hundred sessions, each step on `threads` Hogwild workers.
/// The rate falls linearly per session with the words seen (word2vec's schedule), so the
/// trainer's own schedule is constant.
struct SGNSStrategy: TrainingStrategy {
    let model: ItemVectors
    let config: SGNSConfig
    let corpus: [[Int32]]
    let keep: [Double]
    let noise: AliasTable?
    /// Words per epoch, and words the workers have seen so far.
    let total: Int
    private var seen: [Int]
    private let generators: UncheckedSendable<[RandomGenerator]>
    private var epoch = 0
    static let sessionsPerStep = 256

    init(_ model: ItemVectors, sessions: [[Int32]], config: SGNSConfig, rng: RandomGenerator) {
        self.model = model
        self.config = config
        corpus = sessions.map { $0.compactMap { model.index[Int($0)] >= 0 ? model.index[Int($0)] : nil } }
            .filter { $0.count > 1 }
        total = corpus.reduce(0) { $0 + $1.count }
        // word2vec's subsampling: keep an item of frequency f with probability (sqrt(f/t) + 1) t/f, t = sample * total.
        let threshold = config.sample * Double(total)
        keep = model.counts.map { c in
            config.sample > 0 ? min(1, ((Double(c) / threshold).squareRoot() + 1) * threshold / Double(c)) : 1
        }
        noise = model.count > 0 ? AliasTable(weights: model.counts.map { pow(Double($0), config.noiseExponent) }) : nil
        let threads = max(1, config.threads)
        // One generator per worker, each used by its worker only.
        generators = UncheckedSendable((0..<threads).map { _ in rng.split() })
        seen = [Int](repeating: 0, count: threads)
    }

    mutating func beginEpoch(_ epoch: Int) -> Int {
        self.epoch = epoch - 1
        seen = seen.map { _ in 0 }
        return (corpus.count + Self.sessionsPerStep - 1) / Self.sessionsPerStep
    }

    mutating func step(_ k: Int, learningRate: Float) throws -> StepOutput {
        guard let noise else { return .applied(loss: nil, examples: 0) }
        let threads = max(1, config.threads), config = self.config
        let range = (k * Self.sessionsPerStep)..<min(corpus.count, (k + 1) * Self.sessionsPerStep)
        let planned = Double(config.epochCount * total), done = epoch * total
        let (corpus, keep, generators) = (self.corpus, self.keep, self.generators)
        // Per worker: words seen (for the rate), summed loss and pairs (pWord2Vec's kernel reports them).
        let counters = UncheckedSendable(UnsafeMutableBufferPointer<Double>.allocate(capacity: 3 * threads))
        defer { counters.value.deallocate() }
        for t in 0..<threads {
            (counters.value[3 * t], counters.value[3 * t + 1], counters.value[3 * t + 2]) = (Double(seen[t]), 0, 0)
        }
        model.inputTable.data.withUnsafeMutableBufferPointer { syn0 in
            model.outputTable.data.withUnsafeMutableBufferPointer { syn1 in
                let shared = SharedTables(syn0: syn0.baseAddress!, syn1: syn1.baseAddress!)
                // Each worker takes every threads-th session (Hogwild: no locks on the tables).
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    var worker = SGNSWorker(config: config, noise: noise, rng: generators.value[t], tables: shared)
                    for s in stride(from: range.lowerBound + t, to: range.upperBound, by: threads) {
                        // This worker's words so far; the others progress at the same pace.
                        let progress = (Double(done) + counters.value[3 * t] * Double(threads)) / planned
                        let lr = max(
                            config.minimumLearningRate,
                            config.learningRate - (config.learningRate - config.minimumLearningRate) * Float(progress))
                        worker.subsample(corpus[s], keep: keep)
                        counters.value[3 * t] += Double(corpus[s].count)
                        let (loss, pairs) = worker.train(learningRate: lr)
                        counters.value[3 * t + 1] += loss
                        counters.value[3 * t + 2] += Double(pairs)
                    }
                }
            }
        }
        for t in 0..<threads { seen[t] = Int(counters.value[3 * t]) }
        let loss = (0..<threads).reduce(0.0) { $0 + counters.value[3 * $1 + 1] }
        let pairs = (0..<threads).reduce(0.0) { $0 + counters.value[3 * $1 + 2] }
        guard config.sharedNegatives, pairs > 0 else { return .applied(loss: nil, examples: 0) }
        return .applied(loss: loss / pairs, examples: Int(pairs))
    }
}

/// One Hogwild worker's pass over a session: word2vec's per-pair update, or pWord2Vec's, in which
/// every context word of a centre shares its negatives (two small matrix products instead of a
/// vector update per pair; Ji et al. 2016).
struct SGNSWorker {
    let config: SGNSConfig
    let noise: AliasTable
    let rng: RandomGenerator
    let tables: SharedTables
    var sentence: [Int32] = []
    var contexts: [Int32] = []
    var targets: [Int32]
    var work: [Float]

    init(config: SGNSConfig, noise: AliasTable, rng: RandomGenerator, tables: SharedTables) {
        self.config = config
        self.noise = noise
        self.rng = rng
        self.tables = tables
        targets = [Int32](repeating: 0, count: config.negativeCount + 1)
        let reach = config.wholeSession ? 4096 : 2 * config.window
        work = [Float](
            repeating: 0, count: max(config.dimension, reach * (config.negativeCount + 1 + config.dimension)))
    }

    /// word2vec's subsampling of frequent items: the session this worker trains on next.
    mutating func subsample(_ session: [Int32], keep: [Double]) {
        sentence.removeAll(keepingCapacity: true)
        for v in session where keep[Int(v)] >= 1 || rng.nextDouble() < keep[Int(v)] { sentence.append(v) }
    }

    /// The centre first, then `negativeCount` noise items that are not the centre.
    mutating func drawTargets(_ centre: Int32) -> Int32 {
        targets[0] = centre
        var count: Int32 = 1
        for _ in 0..<config.negativeCount {
            let noiseItem = noise.sample(rng)
            if noiseItem != centre {
                targets[Int(count)] = noiseItem
                count += 1
            }
        }
        return count
    }

    /// Trains on the current session; returns the summed loss and the (input, target) pairs
    /// (pWord2Vec's kernel computes them; the per-pair update reports none).
    mutating func train(learningRate lr: Float) -> (loss: Double, pairs: Int) {
        let d = config.dimension
        var loss = 0.0, pairs = 0
        for (i, centre) in sentence.enumerated() {
            let reach = config.wholeSession ? sentence.count : config.window - rng.nextInt(below: config.window)
            let window = max(0, i - reach)..<min(sentence.count, i + reach + 1)
            if config.sharedNegatives {
                contexts.removeAll(keepingCapacity: true)
                for j in window where j != i { contexts.append(sentence[j]) }
                guard !contexts.isEmpty else { continue }
                let m = drawTargets(centre)
                if work.count < contexts.count * (Int(m) + d) {
                    work += [Float](repeating: 0, count: contexts.count * (Int(m) + d))
                }
                let batch = contexts.withUnsafeBufferPointer { c in
                    targets.withUnsafeBufferPointer { t in
                        work.withUnsafeMutableBufferPointer { w in
                            wb_sgns_window(
                                tables.syn0, tables.syn1, c.baseAddress!, Int32(c.count), t.baseAddress!, m, lr, d,
                                w.baseAddress!)
                        }
                    }
                }
                loss += Double(batch)
                pairs += contexts.count * Int(m)
            } else {
                for j in window where j != i {
                    let m = drawTargets(centre)
                    targets.withUnsafeBufferPointer { t in
                        work.withUnsafeMutableBufferPointer { e in
                            wb_sgns_update(
                                tables.syn0 + Int(sentence[j]) * d, tables.syn1, t.baseAddress!, m, lr, d,
                                e.baseAddress!)
                        }
                    }
                }
            }
        }
        return (loss, pairs)
    }
}

struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The two tables, shared by the Hogwild workers.
struct SharedTables: @unchecked Sendable {
    let syn0: UnsafeMutablePointer<Float>
    let syn1: UnsafeMutablePointer<Float>
}
