// swift-tools-version:6.0
//
// Fuzz targets for what reads untrusted files: the MovieLens loaders (every layout), the
// model-file reader and the zip reader. A package of its own, so that the main package builds as usual: this
// one only links with -sanitize=fuzzer (libFuzzer). Build and run with `Fuzz/run.sh SECONDS`.
import PackageDescription

/// The main package, by path; its identity is the name of the folder it is in.
let workbook = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "workbook"

let package = Package(
    name: "WorkbookFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "WorkbookFuzz",
                          dependencies: ["CFuzzerDriver", .product(name: "RecKit", package: workbook),
                                         .product(name: "DataFetch", package: workbook),
                                         .product(name: "Models", package: workbook)]),
        .target(name: "CFuzzerDriver"),
    ]
)
