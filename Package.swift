// swift-tools-version:6.0
//
// The workbook: deep-learning recommender systems, one runnable chapter per section.
//
// Layers (an arrow points at what a layer may import):
//   workbook (CLI) -> Chapters/* -> Narrative, Plotting, Models, DataFetch -> RecKit -> TensorCore -> COpenBLAS
// A chapter imports no other chapter: what two chapters share lives below them (Models, RecKit).
import PackageDescription

/// The numeric targets are compiled with optimisation even in debug builds: a debug-built
/// tensor core is 20-50x slower, which would make `swift test` (and a learner's first
/// `swift run`) crawl. Plain `-O` (not `-Ounchecked`) keeps the shape preconditions that turn
/// a learner's mistake into a message instead of garbage.
let numericFlags: [SwiftSetting] = [.unsafeFlags(["-O"])]

let chapters: [(name: String, path: String)] = [
    ("Chapter01MFLimits", "Chapters/01-mf-limits"),
    ("Chapter02NCF", "Chapters/02-ncf"),
    ("Chapter03Item2Vec", "Chapters/03-item2vec"),
    ("Chapter04Autoencoders", "Chapters/04-autoencoders"),
    ("Chapter05EASE", "Chapters/05-ease"),
    ("Chapter06GNN", "Chapters/06-gnn"),
    ("Chapter07Practice", "Chapters/07-practice"),
    ("Chapter08Capstone", "Chapters/08-capstone"),
]

let package = Package(
    name: "workbook",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "workbook", targets: ["workbook"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "RecKit", targets: ["RecKit"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "DataFetch", targets: ["DataFetch"]),
    ],
    dependencies: [
        // The command tree, its options and their help (the CLI only).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SHA-256 for download checks and model-file checksums: a maintained, tested digest.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // ZIP reading (the GroupLens zip, the RecBole wheel), streamed entry by entry over zlib.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: - Public API
        .target(name: "TensorCore", dependencies: ["COpenBLAS", "_TensorKernels"], swiftSettings: numericFlags),
        .target(
            name: "RecKit",
            dependencies: ["TensorCore", "_WorkbookSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: numericFlags),
        // Every model of the book, its one trainer, its registry and its file format.
        .target(
            name: "Models", dependencies: ["RecKit", "TensorCore", "_SGNSKernels", "_WorkbookSupport"],
            swiftSettings: numericFlags),
        // Getting MovieLens onto the machine: downloads, the wheel, zip reading, checksums.
        .target(
            name: "DataFetch",
            dependencies: ["RecKit", "_WorkbookSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "Plotting", dependencies: ["_GnuplotBridge", "_WorkbookSupport"]),
        // The book's words live in text/<language>.txt files (read at run time, like the listings).
        .target(name: "Narrative", dependencies: ["Plotting", "TensorCore", "_WorkbookSupport"], exclude: ["text"]),
        .executableTarget(
            name: "workbook",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "TensorCore", "RecKit", "Models", "DataFetch", "Narrative", "Plotting", "_WorkbookSupport",
            ] + chapters.map { .target(name: $0.name) },
            swiftSettings: numericFlags),

        // MARK: - Implementation
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .target(
            name: "_GnuplotBridge",
            linkerSettings: [
                .linkedLibrary("boost_iostreams"), .linkedLibrary("boost_filesystem"),
                .linkedLibrary("boost_system"),
            ]),
        .target(name: "_WorkbookSupport"),
        // Vectorised C loops with per-CPU clones; no FMA contraction, so results match Swift's.
        .target(name: "_TensorKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-math-errno"])]),
        // Item2Vec's skip-gram update, beside the model rather than in the tensor core.
        .target(name: "_SGNSKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-math-errno"])]),

        // MARK: - Tests
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], swiftSettings: numericFlags),
        .testTarget(
            name: "RecKitTests", dependencies: ["RecKit", "DataFetch", "TensorCore", "Models"],
            exclude: ["reference_metrics.py"], swiftSettings: numericFlags),
        .testTarget(
            name: "ModelsTests", dependencies: ["Models", "RecKit", "TensorCore", "_WorkbookSupport"],
            swiftSettings: numericFlags),
        .testTarget(
            name: "DataFetchTests",
            dependencies: ["DataFetch", "RecKit", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "NarrativeTests", dependencies: ["Narrative", "Plotting", "_WorkbookSupport"]),
        .testTarget(
            name: "ChapterTests",
            dependencies: ["Narrative", "RecKit", "DataFetch", "TensorCore", "Models", "_WorkbookSupport"]
                + chapters.map { .target(name: $0.name) }),
        .testTarget(name: "ExerciseTests", dependencies: chapters.map { .target(name: $0.name) }),
    ] + chapters.map {
        .target(
            name: $0.name,
            dependencies: ["TensorCore", "RecKit", "Models", "DataFetch", "Narrative", "Plotting", "_WorkbookSupport"],
            path: $0.path, exclude: ["text"], swiftSettings: numericFlags)
    },
    cxxLanguageStandard: .cxx17
)
