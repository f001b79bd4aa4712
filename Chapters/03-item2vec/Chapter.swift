// Chapter 3: Item2Vec: skip-gram with negative sampling on sessions, and its link to PMI.

import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum Item2VecChapter: Chapter {
    public static let number = 3
    public static let slug = "item2vec"
    public static let title = "Item2Vec: skip-gram with negative sampling, and PMI"
    public static let summary = "SGNS trained in Swift on liked-film sessions: neighbours, maps, PMI factorisation, next-item HR@10"

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static func listing(_ name: String, _ file: String) throws -> Listing {
        try Listing.region(name, file: directory.appendingPathComponent(file).path)
    }

    /// The document's configuration (train_item2vec's defaults), on one thread: Hogwild workers
    /// race on the shared tables, and the book's numbers must repeat for the same seed
    /// (`workbook bench item2vec` measures the multi-threaded speed, as gensim's workers).
    static func documentConfig() -> SGNSConfig { SGNSConfig.document }

    /// Epochs of the longer run that shows what more training buys (Item2Vec's own budget).
    static func longEpochs(_ mode: RunMode) -> Int { SGNSConfig(mode: mode).epochCount }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Chapter 3. \(title)", level: 1)
        try documentExample(context)
        guard let data = context.optionalData("MovieLens-100K", { try MovieLens.ml100k(dataDirectory: context.options.dataDirectory) { say.status($0) } }) else {
            return
        }
        let sessions = Sessions.liked(data)
        try negativesErrata(context, data: data, sessions: sessions)
        let cases = Sessions.holdOutLast(sessions)
        let (short, long) = try training(context, data: data, cases: cases)
        try neighbours(context, data: data, vectors: long)
        try pictures(context, data: data, vectors: long)
        try pmi(context, data: data, cases: cases, vectors: long)
        let next = try recommender(context, data: data, cases: cases, short: short, long: long)
        say.heading("Summary")
        say.bullets([
            "Item2Vec is word2vec on sessions: items liked by the same people in nearby positions get similar vectors, with no ratings, features or user ids.",
            String(format: "Training length matters more than anything else here: the document's 5 epochs give next-item HR@10 %.4f, %d epochs %.4f, against %.4f for most-popular and %.4f for ItemKNN.",
                   next.short, longEpochs(context.options.mode), next.long, next.popular, next.knn),
            "SGNS does implicitly factorise a shifted PMI matrix: its dot products track PMI - log k, and a truncated SVD of that matrix finds many of the same neighbours.",
            "As a recommender it is a session model: it needs enough training to beat popularity, and it knows nothing of items outside its vocabulary.",
        ])
    }

    // MARK: - The document's example

    static func documentExample(_ context: ChapterContext) throws {
        let say = context.narrator
        say.heading("Skip-gram pairs from a session")
        let session = ["Harry Potter (해리포터)", "Azkaban (아즈카반)", "Chamber of Secrets (비밀의방)", "Philosopher's Stone (마법사의돌)"]
        say.prose("Word2vec's idea applied to items: items that appear near each other in sessions are similar. The document's session of one user's films, and its two helpers:")
        say.listing(try listing("document-skipgram", "Sessions.swift"))
        let pairs = DocumentSkipGram.skipgramPairs(session, window: 2)
        context.record("document_session_pairs_window2", Double(pairs.count))
        say.table(Table(headers: ["centre", "context", "label"], rows: pairs.map { [$0.0, $0.1, "\($0.2)"] }),
                  caption: "create_skipgram_data(session, window_size=2): \(pairs.count) positive pairs (the document prints the first 3)")
    }

    static func negativesErrata(_ context: ChapterContext, data: RatingsData, sessions: [[Int32]]) throws {
        let say = context.narrator
        let rng = context.rng("document-negatives")
        let catalogue = (0..<Int32(data.itemCount)).map { $0 }
        var negatives = 0, consumed = 0
        for s in sessions where s.count >= 2 {
            let liked = Set(s)
            let sample = DocumentSkipGram.addNegatives(DocumentSkipGram.skipgramPairs(Array(s.prefix(12)), window: 2), allItems: catalogue, count: 5, rng: rng)
            for (_, item, label) in sample where label == 0 {
                negatives += 1
                if liked.contains(item) { consumed += 1 }
            }
        }
        let share = Double(consumed) / Double(max(negatives, 1))
        context.record("document_negatives_consumed_share", share)
        say.errata(String(format: "add_negative_samples only rejects the pair's own two items, so a \"negative\" can be any other film of the same user's session. Run on MovieLens' liked-film sessions (the first 12 films of each, window 2, 5 negatives per pair, drawn from all %d films), %.1f%% of %d negatives are films the user actually liked. Word2vec and gensim draw noise from the whole vocabulary too, but treat it as noise (and weight it by unigram^0.75); a pairwise recommender that excludes the user's positives, as RecKit's NegativeSampler does, is the fix when negatives are meant literally.",
                            data.itemCount, 100 * share, negatives))
    }

    // MARK: - Training

    static func training(_ context: ChapterContext, data: RatingsData, cases: [(user: Int, context: [Int32], heldOut: Int32)]) throws -> (ItemVectors, ItemVectors) {
        let say = context.narrator
        say.heading("Sessions from MovieLens, and SGNS in Swift")
        let tokens = cases.reduce(0) { $0 + $1.context.count }
        say.prose("As the document builds them: each user's films rated 4 or more, in time order (ties keep the file's order). \(cases.count) users have at least two; each user's last liked film is held out for the next-item evaluation below, leaving \(tokens.formatted()) items in \(cases.count) sessions to train on.")
        say.listing(try Listing.region("sgns", file: ModelsSource.file("Item2Vec/SGNS.swift")))
        var config = documentConfig()
        let epochs = longEpochs(context.options.mode)
        say.prose("Configuration (the document's train_item2vec): \(config). The noise distribution is unigram^0.75 (an alias table), frequent items are subsampled, and the learning rate falls linearly; the book trains on one thread so that the same seed always gives the same vectors (with several threads the workers update the shared tables without locks, as word2vec and gensim do, and runs stop being bit-reproducible; `workbook bench item2vec` measures that Hogwild speed).")
        let short = try trainSGNS(sessions: cases.map(\.context), itemCount: data.itemCount, config: config,
                                  seed: context.options.seed, progress: context.progress).vectors
        config.training = .fixed(epochs)
        let long = try trainSGNS(sessions: cases.map(\.context), itemCount: data.itemCount, config: config,
                                 seed: context.options.seed &+ 1, progress: context.progress).vectors
        for (name, v) in [("5 epochs", short), ("\(epochs) epochs", long)] {
            context.record("sgns_\(name.replacingOccurrences(of: " ", with: "_"))_items_per_second", Double(v.trainedWords) / v.trainSeconds)
        }
        say.table(Table(headers: ["run", "vocabulary", "items trained", "seconds", "items / s"], rows: [short, long].enumerated().map { k, v in
            [k == 0 ? "document (5 epochs)" : "\(epochs) epochs", "\(v.count)", v.trainedWords.formatted(), String(format: "%.2f", v.trainSeconds),
             String(format: "%.0f", Double(v.trainedWords) / v.trainSeconds)]
        }), caption: "Training runs (min_count 10 keeps \(short.count) of \(data.itemCount) films)")
        return (short, long)
    }

    // MARK: - Neighbours

    static func neighbours(_ context: ChapterContext, data: RatingsData, vectors: ItemVectors) throws {
        let say = context.narrator
        say.heading("Films similar to Toy Story, and a few others")
        for title in ["Toy Story (1995)", "Star Wars (1977)", "Fargo (1996)", "Scream (1996)"] {
            guard let item = data.catalogue.firstIndex(where: { $0.displayTitle == title }), vectors.index[item] >= 0 else { continue }
            let v = Int(vectors.index[item])
            let near = vectors.nearest(to: vectors.normalized(v), k: 8, excluding: [v])
            say.table(Table(headers: ["film", "cosine", "genres"], rows: near.map { n in
                let entry = data.catalogue[Int(vectors.items[n.v])]
                return [entry.displayTitle, String(format: "%.3f", n.cosine), entry.genres.joined(separator: ", ")]
            }), caption: "Nearest to \(title)")
            if title.hasPrefix("Toy Story") { context.record("toy_story_top_cosine", Double(near.first?.cosine ?? 0)) }
        }
        // An analogy, by vector arithmetic: b - a + c.
        let names = ["Toy Story (1995)", "Aladdin (1992)", "Star Wars (1977)"]
        let ids = names.compactMap { n in data.catalogue.firstIndex { $0.displayTitle == n }.flatMap { vectors.index[$0] >= 0 ? Int(vectors.index[$0]) : nil } }
        if ids.count == 3 {
            let (a, b, c) = (vectors.normalized(ids[0]), vectors.normalized(ids[1]), vectors.normalized(ids[2]))
            let query = (0..<vectors.dimension).map { b[$0] - a[$0] + c[$0] }
            let answer = vectors.nearest(to: query, k: 3, excluding: Set(ids))
            say.prose("An analogy, as word2vec does them (Aladdin - Toy Story + Star Wars): " + answer.map { data.catalogue[Int(vectors.items[$0.v])].displayTitle + String(format: " (%.2f)", $0.cosine) }.joined(separator: ", ")
                      + ". Analogies between films are looser than between words: read these as \"like Star Wars, in the way Aladdin differs from Toy Story\", not as an exact relation.")
        }
    }

    static func pictures(_ context: ChapterContext, data: RatingsData, vectors: ItemVectors) throws {
        let say = context.narrator
        say.heading("A map of the vectors")
        let unit = vectors.normalizedMatrix()
        let (projection, explained) = try Linalg.pca(unit, rows: vectors.count, columns: vectors.dimension, components: 2)
        let genres = ["Comedy", "Action", "Drama", "Horror", "Children's", "Romance"]
        var groups: [Series] = []
        for g in genres {
            let points = (0..<vectors.count).filter { v in
                let entry = data.catalogue[Int(vectors.items[v])]
                return entry.genres.first(where: { genres.contains($0) }) == g
            }.map { (x: Double(projection[$0 * 2]), y: Double(projection[$0 * 2 + 1])) }
            groups.append(Series(g, points, style: .points))
        }
        let famous = ["Toy Story (1995)", "Fargo (1996)", "Pulp Fiction (1994)", "Schindler's List (1993)", "Aladdin (1992)",
                      "Independence Day (ID4) (1996)", "Sense and Sensibility (1995)", "English Patient, The (1996)",
                      "Nightmare on Elm Street, A (1984)", "Lion King, The (1994)"]
        let labels = famous.compactMap { title -> PointLabel? in
            guard let item = data.catalogue.firstIndex(where: { $0.displayTitle == title }), vectors.index[item] >= 0 else { return nil }
            let v = Int(vectors.index[item])
            return PointLabel(title, x: Double(projection[v * 2]), y: Double(projection[v * 2 + 1]))
        }
        var figure = Figure(name: "item-map", title: "Item2Vec vectors projected on their first two principal axes",
                            xLabel: String(format: "PC 1 (%.1f%% of variance)", 100 * explained[0]), yLabel: String(format: "PC 2 (%.1f%% of variance)", 100 * explained[1]),
                            kind: .scatter(groups, labels: labels))
        figure.keyPosition = "below"
        figure.size = (width: 1200, height: 900)
        try context.figure(figure, caption: "Each film coloured by its first listed genre among six; labels mark well-known titles.")
        let popular = (0..<min(20, vectors.count)).map { $0 }  // the vocabulary is sorted by frequency
        let titles = popular.map { data.catalogue[Int(vectors.items[$0])].displayTitle }
        let sims = Linalg.cosineSimilarities(Array(vectors.input[0..<(popular.count * vectors.dimension)]), count: popular.count, dimension: vectors.dimension)
        let matrix = popular.map { a in popular.map { b in Double(sims[a * popular.count + b]) } }
        var heat = Figure(name: "similarity-heatmap", title: "Cosine similarity of the 20 most liked films", xLabel: "film", yLabel: "film",
                          kind: .heatmap(values: matrix, rowLabels: titles, columnLabels: titles, diverging: true))
        heat.size = (width: 1200, height: 1100)
        try context.figure(heat)
    }

    // MARK: - PMI

    static func pmi(_ context: ChapterContext, data: RatingsData, cases: [(user: Int, context: [Int32], heldOut: Int32)], vectors: ItemVectors) throws {
        let say = context.narrator
        say.heading("SGNS and PMI")
        say.prose("Levy & Goldberg (2014) showed that SGNS with k negatives is, at its optimum, a factorisation of the pointwise mutual information matrix shifted by log k: input_i · output_j ≈ PMI(i, j) - log k. The document's PMI function:")
        say.listing(try listing("document-pmi", "Sessions.swift"))
        let n = vectors.count
        let c = PMI.cooccurrence(cases.map(\.context), index: vectors.index, size: n, window: 20)
        let onVocabulary = PMI.documentPMI(c, n: n)
        // The same function on every film (no min_count): films that never co-occur give 0/0.
        let all = PMI.cooccurrence(cases.map(\.context), index: (0..<Int32(data.itemCount)).map { $0 }, size: data.itemCount, window: 20)
        let onCatalogue = PMI.documentPMI(all, n: data.itemCount)
        let nan = onCatalogue.pmi.filter { $0.isNaN }.count
        let emptyRows = (0..<data.itemCount).filter { i in (0..<data.itemCount).allSatisfy { all[i * data.itemCount + $0] == 0 } }.count
        context.record("document_pmi_minus_infinity", Double(onVocabulary.minusInfinity))
        context.record("document_pmi_nan_all_films", Double(nan))
        say.errata("compute_pmi_matrix takes log(0) for every pair never seen together and divides 0 by 0 for every film that co-occurs with nothing. On the co-occurrence matrix of these sessions (window 20, the \(n) films of the vocabulary) \(onVocabulary.minusInfinity.formatted()) of \((n * n).formatted()) cells are -inf; NumPy warns, and `pmi[pmi < 0] = 0` silently turns them into 0. Over all \(data.itemCount) films (no min_count), \(emptyRows) films co-occur with nothing and the function leaves \(nan.formatted()) cells NaN: `pmi < 0` is false for NaN, so the clip does not catch them, and any factorisation of that matrix fails. The right handling: compute PMI only where the count is positive and define (shifted) PPMI as 0 elsewhere:")
        say.listing(try listing("shifted-ppmi", "Sessions.swift"))
        let k = Double(SGNSConfig.document.negativeCount)
        let sppmi = PMI.shiftedPPMI(c, n: n, shift: k)
        let rank = min(vectors.dimension, n - 1)
        let (u, s, _) = try Linalg.truncatedSVD(sppmi.map(Float.init), rows: n, columns: n, rank: rank)
        var svdVectors = [Float](repeating: 0, count: n * rank)
        for i in 0..<n { for j in 0..<rank { svdVectors[i * rank + j] = u[i * rank + j] * s[j].squareRoot() } }
        // Overlap of the 10 nearest neighbours under both embeddings.
        func neighbours(_ m: [Float], _ d: Int) -> [[Int]] {
            var sims = Linalg.cosineSimilarities(m, count: n, dimension: d)
            return (0..<n).map { i in
                sims[i * n + i] = -.infinity  // not its own neighbour
                return sims.withUnsafeBufferPointer { topK(UnsafeBufferPointer(rebasing: $0[(i * n)..<((i + 1) * n)]), k: 10) }.map(Int.init)
            }
        }
        let sgnsNeighbours = neighbours(vectors.input, vectors.dimension), svdNeighbours = neighbours(svdVectors, rank)
        let overlap = (0..<n).map { Double(Set(sgnsNeighbours[$0]).intersection(svdNeighbours[$0]).count) / 10 }.reduce(0, +) / Double(n)
        let chance = 10.0 / Double(n - 1)
        // Dot products against shifted PMI on the pairs that co-occur.
        var xs: [Double] = [], ys: [Double] = []
        let total = c.reduce(0, +)
        let rowSums = (0..<n).map { i in (0..<n).map { c[i * n + $0] }.reduce(0, +) }
        let colSums = (0..<n).map { j in (0..<n).map { c[$0 * n + j] }.reduce(0, +) }
        let d = vectors.dimension
        for i in 0..<n {
            for j in 0..<n where c[i * n + j] > 0 && i != j {
                xs.append(Double((0..<d).map { vectors.input[i * d + $0] * vectors.output[j * d + $0] }.reduce(0, +)))
                ys.append(Foundation.log(c[i * n + j] * total / (rowSums[i] * colSums[j])) - Foundation.log(k))
            }
        }
        let correlation = pearson(xs, ys)
        context.record("pmi_svd_sgns_neighbour_overlap", overlap)
        context.record("pmi_svd_sgns_neighbour_overlap_chance", chance)
        context.record("sgns_dot_vs_shifted_pmi_correlation", correlation)
        say.prose(String(format: "Shifted PPMI (k = %.0f) factorised by a rank-%d SVD (vectors U·sqrt(S)) and the SGNS vectors agree on %.1f%% of each film's 10 nearest neighbours, against %.1f%% by chance. Over the %d co-occurring pairs, SGNS's dot products input_i · output_j correlate with PMI(i, j) - log k at r = %.2f. That is the evidence for \"SGNS implicitly factorises a shifted PMI matrix\": not equal (SGNS weights frequent pairs more, and stops before its optimum), but the same structure.",
                              k, rank, 100 * overlap, 100 * chance, xs.count, correlation))
        let stride = max(1, xs.count / 4000)
        var figure = Figure(name: "sgns-vs-pmi", title: "SGNS dot products against shifted PMI (co-occurring pairs)", xLabel: "PMI(i, j) - log k",
                            yLabel: "input_i · output_j (SGNS)",
                            kind: .scatter([Series("film pairs (every \(stride)th)", Swift.stride(from: 0, to: xs.count, by: stride).map { (x: ys[$0], y: xs[$0]) }, style: .points),
                                            Series("y = x (the optimum of SGNS)", [(x: -4, y: -4), (x: 2, y: 2)], style: .dashed)], labels: []))
        figure.keyPosition = "top left"
        try context.figure(figure)
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +), syy = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        return sxy / max((sxx * syy).squareRoot(), 1e-12)
    }

    // MARK: - Recommending

    /// Returns next-item HR@10 of the short and long runs, most-popular and ItemKNN.
    static func recommender(_ context: ChapterContext, data: RatingsData, cases: [(user: Int, context: [Int32], heldOut: Int32)],
                            short: ItemVectors, long: ItemVectors) throws -> (short: Double, long: Double, popular: Double, knn: Double) {
        let say = context.narrator
        say.heading("Item2Vec as a recommender")
        say.prose("A user's score for a film is its cosine with the mean of the user's liked films' unit vectors. Next-item protocol (the peers' gensim script uses the same): each user's last liked film is the one test item, ranked among all films except the user's other liked ones; HR@10 and NDCG@10.")
        // One evaluator for every model: contexts as training rows, the held-out film as test.
        var u: [Int] = [], i: [Int] = []
        var tu: [Int] = [], ti: [Int] = []
        for c in cases {
            for item in c.context { u.append(c.user); i.append(Int(item)) }
            tu.append(c.user); ti.append(Int(c.heldOut))
        }
        let train = matrix(users: u, items: i, data: data), test = matrix(users: tu, items: ti, data: data)
        let evaluator = FullRankingEvaluator(train: train, test: test, protocolName: "next-item")
        var rows: [[String]] = []
        var hr: [Double] = []
        for (name, model) in [("Item2Vec, 5 epochs (the document's)", Item2Vec(vectors: short, train: train) as any Recommender),
                              ("Item2Vec, \(longEpochs(context.options.mode)) epochs", Item2Vec(vectors: long, train: train)),
                              ("ItemKNN", try ItemKNN(train: train)), ("MostPopular", MostPopular(train: train))] {
            let m = evaluator.evaluate(model, ks: [10]).metrics
            rows.append([name, f4((m["HR@10"] ?? .nan)), f4((m["NDCG@10"] ?? .nan))])
            hr.append((m["HR@10"] ?? .nan))
            context.record(ResultEntry(model: name, protocol: "next-item", dataset: data.name, metrics: ["HR@10": (m["HR@10"] ?? .nan), "NDCG@10": (m["NDCG@10"] ?? .nan)]))
        }
        say.table(Table(headers: ["model", "HR@10", "NDCG@10"], rows: rows), caption: "Next liked film, \(cases.count) users")
        // holdout-20 with the same models (Item2Vec trained on the training part's liked sessions).
        let split = try Split.make(data, protocol: .holdout20, seed: context.options.seed)
        let holdTrain = InteractionMatrix(data, rows: split.train), holdTest = InteractionMatrix(data, rows: split.test)
        let trainSet = Set(split.train)
        let trainSessions = Split.rowsByUser(split.train, data: data).map { $0.filter { data.ratings[$0] >= 4 && trainSet.contains($0) }.map { data.items[$0] } }
        var config = documentConfig()
        config.training = .fixed(longEpochs(context.options.mode))
        let vectors = try trainSGNS(sessions: trainSessions, itemCount: data.itemCount, config: config,
                                    seed: context.options.seed &+ 2).vectors
        let full = FullRankingEvaluator(train: holdTrain, test: holdTest)
        var holdRows: [[String]] = []
        for (name, model) in [("Item2Vec (\(config.epochCount) epochs)", Item2Vec(vectors: vectors, train: holdTrain) as any Recommender),
                              ("ItemKNN", try ItemKNN(train: holdTrain)), ("MostPopular", MostPopular(train: holdTrain))] {
            let m = full.evaluate(model, ks: [20]).metrics
            holdRows.append([name, f4((m["Recall@20"] ?? .nan)), f4((m["NDCG@20"] ?? .nan))])
            context.record(ResultEntry(model: name, protocol: "holdout-20", dataset: data.name, metrics: m, trainSeconds: name.hasPrefix("Item2Vec") ? vectors.trainSeconds : nil))
        }
        say.table(Table(headers: ["model", "Recall@20", "NDCG@20"], rows: holdRows), caption: "holdout-20 (Item2Vec sees only the liked films of each user's training part)")
        return (hr[0], hr[1], hr[3], hr[2])
    }

    static func matrix(users: [Int], items: [Int], data: RatingsData) -> InteractionMatrix {
        InteractionMatrix(userCount: data.userCount, itemCount: data.itemCount, users: users.map(Int32.init), items: items.map(Int32.init))
    }

    // MARK: - Exercises

    public static let exercises: [Exercise] = [
        Exercise(id: "3.1", title: "Counting skip-gram pairs",
                 prompt: "Write pairCount(length:window:): how many (centre, context) pairs create_skipgram_data makes for a session of `length` items.",
                 hint: "each position pairs with the positions within `window` on either side that exist",
                 answerIn: "Chapter3Exercises.pairCount(length:window:)",
                 checkAnswer: { checkPairs(Chapter3Exercises.pairCount) }, checkReference: { checkPairs(Chapter3Solutions.pairCount) }),
        Exercise(id: "3.2", title: "One PMI cell",
                 prompt: "Items i and j co-occur 30 times; i's row sums to 300, j's column to 200; all counts sum to 60,000. PMI(i, j) = log(P(i,j) / (P(i) P(j)))?",
                 hint: "P(i,j) = 30/60000, P(i) = 300/60000, P(j) = 200/60000; natural log",
                 answerIn: "Chapter3Exercises.pmiCell()",
                 checkAnswer: { checkPMI(Chapter3Exercises.pmiCell()) }, checkReference: { checkPMI(Chapter3Solutions.pmiCell()) }),
        Exercise(id: "3.3", title: "Cosine similarity",
                 prompt: "Write cosine(_:_:) for two vectors (0 if either is all zeros).",
                 hint: "dot product over the product of the lengths",
                 answerIn: "Chapter3Exercises.cosine(_:_:)",
                 checkAnswer: { checkCosine(Chapter3Exercises.cosine) }, checkReference: { checkCosine(Chapter3Solutions.cosine) }),
        Exercise(id: "3.4", title: "Why subsample?",
                 prompt: "With sample = 1e-3 on 54,433 training items, word2vec keeps an item seen c times with probability min(1, (sqrt(c/t) + 1) t/c), t = 1e-3 · 54,433. What share of the most liked film's 383 occurrences does an epoch keep?",
                 hint: "t = 54.433; plug in c = 383",
                 answerIn: "Chapter3Exercises.keepProbability()",
                 checkAnswer: { checkKeep(Chapter3Exercises.keepProbability()) }, checkReference: { checkKeep(Chapter3Solutions.keepProbability()) }),
    ]

    static func checkPairs(_ answer: (Int, Int) -> Int?) -> ExerciseVerdict {
        Check.function(cases: [(4, 2), (1, 3), (10, 1), (7, 20), (30, 5)], answer: { answer($0.0, $0.1) },
                       reference: { DocumentSkipGram.skipgramPairs(Array(0..<$0.0), window: $0.1).count },
                       matches: { $0 == $1 }, describe: { "length \($0.0), window \($0.1)" })
    }

    static func checkPMI(_ answer: Double?) -> ExerciseVerdict {
        // The same cell through the chapter's own shifted PPMI with k = 1: a 2 x 2 table with
        // those margins (30 | 270 / 170 | 59,530).
        let c: [Double] = [30, 270, 170, 59_530]
        let expected = PMI.shiftedPPMI(c, n: 2, shift: 1)[0]
        return Check.number(answer, expected: expected, tolerance: 1e-4, explain: "PMI = log(30 · 60000 / (300 · 200)) = log 30.")
    }

    static func checkCosine(_ answer: ([Float], [Float]) -> Float?) -> ExerciseVerdict {
        let cases: [([Float], [Float])] = [([1, 0], [0, 1]), ([1, 2, 3], [2, 4, 6]), ([1, -1], [-1, 1]), ([0, 0], [1, 1]), ([0.5, 0.2, -0.3], [0.1, 0.9, 0.4])]
        return Check.function(cases: cases, answer: { answer($0.0, $0.1) }, reference: { c in
            let v = ItemVectors.cosine(c.0, c.1); return v
        }, matches: { abs($0 - $1) < 1e-5 }, describe: { "\($0.0) and \($0.1)" })
    }

    static func checkKeep(_ answer: Double?) -> ExerciseVerdict {
        let t = 1e-3 * 54_433.0, c = 383.0
        return Check.number(answer, expected: min(1, ((c / t).squareRoot() + 1) * t / c), tolerance: 1e-4,
                            explain: "frequent films are kept less often, so rarer ones get a larger share of the updates (and the window reaches further).")
    }
}

extension ItemVectors {
    /// Cosine of two vectors (0 if either is zero).
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let dot = zip(a, b).map(*).reduce(0, +)
        let na = a.map { $0 * $0 }.reduce(0, +).squareRoot(), nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
        return na == 0 || nb == 0 ? 0 : dot / (na * nb)
    }
}
