// `workbook bench ...`: performance measured as JSON on stdout (progress on stderr), with an
// optional reference run of NumPy/PyTorch side by side on the same machine, because
// machines here are shared and noisy: compare ratios, not absolute numbers.

import ArgumentParser
import Foundation
import TensorCore
import _WorkbookSupport

/// A command whose output programs read (JSON), so its words stay English (`Workbook.main`).
protocol EnglishOnlyCommand: ParsableCommand {}

extension CoreBench: EnglishOnlyCommand {}
extension DataBench: EnglishOnlyCommand {}
extension NCFBench: EnglishOnlyCommand {}
extension EASEBench: EnglishOnlyCommand {}
extension Item2VecBench: EnglishOnlyCommand {}
extension GNNBench: EnglishOnlyCommand {}
extension AutoencodersBench: EnglishOnlyCommand {}
extension TimeToQualityBench: EnglishOnlyCommand {}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, printed as JSON.",
        subcommands: [
            CoreBench.self, DataBench.self, NCFBench.self, EASEBench.self, Item2VecBench.self, GNNBench.self,
            AutoencodersBench.self, TimeToQualityBench.self,
        ])
}

/// Median seconds of `body` over at least `minimumRuns` runs and `minimumSeconds` in total.
func measure(minimumRuns: Int = 3, minimumSeconds: Double = 0.5, _ body: () -> Void) -> Double {
    body()  // warm up (caches, lazy allocations, OpenBLAS threads)
    var times: [Double] = []
    let start = Date()
    while times.count < minimumRuns || Date().timeIntervalSince(start) < minimumSeconds {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        if times.count >= 10_000 { break }
    }
    times.sort()
    return times[times.count / 2]
}

func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// The repository's root, found from this source file (benchmark scripts live there).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardized

/// Runs `python script arguments` (in `directory` if given) and returns the JSON object on
/// the last line of its standard output; a failure is one clear error naming the command.
func runReferenceScript(
    python: String, script: String, arguments: [String], directory: String? = nil
) throws -> [String: Any] {
    log("reference: \(URL(fileURLWithPath: script).lastPathComponent) \(arguments.joined(separator: " "))...")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else {
        throw WorkbookError(
            "the reference \(script) failed (exit \(process.terminationStatus))",
            fix: "run `\(python) \(script) \(arguments.joined(separator: " "))` to see why")
    }
    return object
}

/// The core bench's reference: Benchmarks/core_reference.py with the given Python.
func runReference(_ script: String, python: String, arguments: [String]) throws -> [String: Any] {
    guard let executable = findExecutable(python) else {
        throw WorkbookError(
            "cannot find '\(python)' for the reference run",
            fix: "pass --python PATH (a Python with numpy, and torch for the MLP step)")
    }
    return try runReferenceScript(
        python: executable, script: benchmarkScript(script), arguments: arguments)
}

/// The path of this repository's Benchmarks/`script`.
func benchmarkScript(_ script: String) -> String { repositoryRoot.appendingPathComponent("Benchmarks/\(script)").path }

/// A bench's result: one JSON object with `--json` (what other tools read), else every value
/// on its own line under its dotted key.
func printResult(_ object: [String: Any], json: Bool) throws {
    // JSON has no NaN: a figure a side could not give (a missing key, a reference that failed) is null.
    func finite(_ value: Any) -> Any {
        if let dict = value as? [String: Any] { return dict.mapValues(finite) }
        if let numbers = value as? [Double] { return numbers.map { $0.isFinite ? $0 as Any : NSNull() } }
        if let list = value as? [Any] { return list.map(finite) }
        if let x = value as? Double, !x.isFinite { return NSNull() }
        return value
    }
    guard !json else {
        let data = try JSONSerialization.data(withJSONObject: finite(object), options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        return
    }
    func lines(_ value: Any, _ key: String) -> [String] {
        if let dict = value as? [String: Any] {
            return dict.keys.sorted().flatMap { lines(dict[$0] ?? "", key.isEmpty ? $0 : "\(key).\($0)") }
        }
        if let numbers = value as? [Double] {
            return ["\(key): " + numbers.map { String(format: "%.4g", $0) }.joined(separator: ", ")]
        }
        if let x = value as? Double { return ["\(key): " + String(format: "%.6g", x)] }
        return ["\(key): \(value)"]
    }
    print(lines(object, "").joined(separator: "\n"))
}

struct CoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core", abstract: "The tensor core: GEMM, element-wise ops, embeddings, Adam, an MLP step.")
    @Flag(help: "Print one JSON object (default: one value per line).")
    var json = false
    @Flag(help: "Also run Benchmarks/core_reference.py (NumPy, and PyTorch if installed) side by side.")
    var reference = false
    @Option(help: "The Python that runs the reference.")
    var python = "python3"

    func run() throws {
        let threads = Kernels.threadCount
        var timings: [String: Double] = [:]
        let rng = RandomGenerator(seed: 1)

        for n in [256, 1024, 2048] {
            let a = Tensor.randomNormal([n, n], rng: rng), b = Tensor.randomNormal([n, n], rng: rng)
            let t = measure(minimumSeconds: n >= 2048 ? 2 : 0.5) { _ = a.matmul(b) }
            timings["sgemm_\(n)_seconds"] = t
            timings["sgemm_\(n)_gflop_per_second"] = 2 * pow(Double(n), 3) / t / 1e9
            log("sgemm \(n): \(String(format: "%.1f", 2 * pow(Double(n), 3) / t / 1e9)) GFLOP/s")
        }

        let n = 10_000_000
        let x = Tensor.randomNormal([n], rng: rng), y = Tensor.randomNormal([n], rng: rng)
        let add = measure { _ = x + y }
        timings["add_1e7_seconds"] = add
        timings["add_1e7_gb_per_second"] = 12 * Double(n) / add / 1e9
        timings["mul_1e7_seconds"] = measure { _ = x * y }
        timings["relu_1e7_seconds"] = measure { _ = x.relu() }
        timings["exp_1e7_seconds"] = measure { _ = x.exp() }
        timings["sum_1e7_seconds"] = measure { _ = x.sum() }
        log("elementwise 1e7: add \(String(format: "%.2f", add * 1e3)) ms")

        let table = Tensor.randomNormal([100_000, 32], std: 0.01, rng: rng, requiresGrad: true)
        table.sparseGradients = true
        let indices = (0..<256).map { _ in Int32(rng.nextInt(below: 100_000)) }
        let gather = measure {
            table.gather(indices).sum().backward()
            table.zeroGrad()
        }
        timings["gather_scatter_256x32_seconds"] = gather
        timings["gather_scatter_rows_per_second"] = 256 / gather

        let big = Embedding(count: 1_000_000, dimension: 32, rng: rng)
        let adam = Adam(big.parameters)
        var sparseStep: [Double] = []
        for _ in 0..<200 {
            adam.zeroGrad()
            big((0..<256).map { _ in Int32(rng.nextInt(below: 1_000_000)) }).sum().backward()
            let t0 = DispatchTime.now().uptimeNanoseconds
            adam.step()
            sparseStep.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        sparseStep.sort()
        timings["adam_sparse_1e6x32_touch256_seconds"] = sparseStep[sparseStep.count / 2]
        big.table.zeroGrad()
        big.table.grad = [Float](repeating: 1e-3, count: big.table.count)
        timings["adam_dense_1e6x32_seconds"] = measure(minimumRuns: 5) { adam.step() }
        log(
            """
            adam 1e6x32: sparse \(String(format: "%.1f", sparseStep[sparseStep.count / 2] * 1e6)) us, dense \
            \(String(format: "%.1f", timings["adam_dense_1e6x32_seconds"]! * 1e3)) ms
            """)

        let mlp = Sequential([Linear(64, 128, rng: rng), Activation.relu, Linear(128, 1, rng: rng)])
        let mlpAdam = Adam(mlp.parameters)
        let inputs = Tensor.randomNormal([256, 64], rng: rng)
        let labels = Tensor((0..<256).map { _ in Float(rng.nextInt(below: 2)) }, shape: [256, 1])
        timings["mlp_64_128_1_batch256_step_seconds"] = measure(minimumRuns: 200, minimumSeconds: 1) {
            mlpAdam.zeroGrad()
            Loss.bceWithLogits(mlp(inputs), labels).backward()
            mlpAdam.step()
        }
        log("mlp step: \(String(format: "%.1f", timings["mlp_64_128_1_batch256_step_seconds"]! * 1e6)) us")

        var result: [String: Any] = [
            "bench": "core", "threads": threads,
            "config": [
                "elementwise_size": n, "gather_table": [100_000, 32], "adam_table": [1_000_000, 32],
                "adam_rows_touched": 256, "mlp": [64, 128, 1], "batch_size": 256,
            ],
            "timings": timings,
        ]
        if reference {
            log("reference run (\(python) Benchmarks/core_reference.py)...")
            let ref = try runReference("core_reference.py", python: python, arguments: ["--threads", "\(threads)"])
            result["reference"] = ref
            if let refTimings = ref["timings"] as? [String: Double] {
                var ratios: [String: Double] = [:]
                for (key, ours) in timings {
                    guard let theirs = refTimings[key], theirs > 0 else { continue }
                    // > 1 means the workbook is faster (seconds: theirs/ours; rates: ours/theirs).
                    ratios[key] = key.hasSuffix("_per_second") ? ours / theirs : theirs / ours
                }
                result["speedup_vs_reference"] = ratios
            }
        }
        try printResult(result, json: json)
    }
}
