// The tensor core's one data type: a dense row-major Float32 array with a shape, and, when it
// takes part in a computation that needs gradients, a node of the autograd graph.
//
// Three layers, as in tinygrad: storage (plain loops over contiguous buffers, Kernels.swift)
// -> primitive ops, each with its forward and backward side by side (Ops+*.swift) -> the
// composed API (Losses.swift, Layers.swift), which needs no gradient code of its own.

import Foundation

/// A dense, row-major Float32 tensor that can record the operations applied to it.
///
/// `backward()` on a scalar result walks the recorded graph in reverse topological order
/// and accumulates (`+=`) each input's gradient into `grad`. Gradients accumulate across
/// calls until `zeroGrad()` is called (usually through an optimiser).
public final class Tensor {
    /// The extent of each dimension, outermost first. `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order (`count == shape.product`).
    public var data: [Float]
    /// The accumulated gradient of the last `backward()` with respect to this tensor, or nil.
    public var grad: [Float]?
    /// Row-sparse gradient contributions from `gather` (embedding look-ups), kept apart so
    /// that an optimiser can update only the rows a batch touched. See `sparseGradients`.
    public internal(set) var rowGrads = RowGradients()
    /// Whether gradients are computed for this tensor (a parameter or a result of one).
    public var requiresGrad: Bool
    /// When true, `gather` sends this tensor's gradient to `rowGrads` instead of a dense
    /// `grad` the size of the whole table (set by `Embedding(sparse: true)`).
    public var sparseGradients = false
    /// A name for error messages and parameter listings.
    public var name: String?

    // The autograd node: the tensors this one was computed from, and how to send its
    // gradient back to them. The closure receives the output, so it never captures it
    // (no reference cycles, the graph is freed with the loss).
    var inputs: [Tensor] = []
    var backwardFunction: ((Tensor) -> Void)?

    // MARK: - Creation

    /// A tensor with the given elements and shape. `data.count` must match the shape.
    public init(_ data: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(data.count == shape.reduce(1, *),
                     "Tensor: \(data.count) elements do not fill shape \(shape)")
        self.data = data
        self.shape = shape
        self.requiresGrad = requiresGrad
    }

    /// A rank-1 tensor of the given elements.
    public convenience init(_ data: [Float], requiresGrad: Bool = false) {
        self.init(data, shape: [data.count], requiresGrad: requiresGrad)
    }

    /// A rank-2 tensor from rows of equal length.
    public convenience init(rows: [[Float]], requiresGrad: Bool = false) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Tensor(rows:): rows of different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, width], requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init([scalar], shape: [], requiresGrad: requiresGrad)
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor([Float](repeating: 0, count: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor([Float](repeating: value, count: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    /// Elements drawn from N(mean, std^2) with the given generator.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                    rng: RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        Tensor(rng.normals(shape.reduce(1, *), mean: mean, std: std), shape: shape, requiresGrad: requiresGrad)
    }

    // MARK: - Properties

    /// The number of elements.
    @inlinable public var count: Int { data.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The value of a one-element tensor.
    public var item: Float {
        precondition(data.count == 1, "Tensor.item: tensor of shape \(shape) is not a single value")
        return data[0]
    }
    /// The element at a multi-dimensional index.
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == shape.count, "Tensor subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "Tensor subscript: index \(index) out of shape \(shape)")
            flat = flat * d + i
        }
        return data[flat]
    }

    /// Row `i` of a rank-2 tensor, as an array.
    public func row(_ i: Int) -> [Float] {
        precondition(rank == 2 && i >= 0 && i < shape[0], "Tensor.row: row \(i) of shape \(shape)")
        let w = shape[1]
        return Array(data[(i * w)..<((i + 1) * w)])
    }

    /// Changes the values in place (outside the graph), keeping the shape: for initialisers
    /// and optimisers.
    public func assign(_ values: [Float]) {
        precondition(values.count == data.count, "Tensor.assign: \(values.count) values for \(data.count) elements")
        data = values
    }

    // MARK: - Autograd

    /// Whether operations record gradients right now. False inside `Tensor.withoutGrad`.
    @TaskLocal public static var isGradEnabled = true

    /// Runs `body` without recording the graph: the evaluation mode of every chapter.
    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        try $isGradEnabled.withValue(false) { try body() }
    }

    /// Makes `out` a node of the graph with the given inputs, if any input needs a gradient.
    @inline(__always)
    static func record(_ out: Tensor, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> Void) -> Tensor {
        guard isGradEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
        out.requiresGrad = true
        out.inputs = inputs
        out.backwardFunction = backward
        return out
    }

    /// Back-propagates from this scalar: every tensor it was computed from that requires a
    /// gradient gets d(self)/d(tensor) added to its `grad` (or `rowGrads`).
    ///
    /// The graph is released afterwards unless `retainGraph` is true.
    public func backward(retainGraph: Bool = false) {
        precondition(data.count == 1, "backward(): the loss must be a single value, got shape \(shape)")
        // Reverse topological order by an iterative depth-first search (graphs can be deep).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            if !visited.insert(ObjectIdentifier(node)).inserted { continue }
            stack.append((node, true))
            for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        accumulateGrad([1])
        for node in order.reversed() {
            guard let backwardFunction = node.backwardFunction, node.grad != nil else { continue }
            backwardFunction(node)
            if !retainGraph {
                node.backwardFunction = nil
                node.inputs = []
                // Intermediate results do not keep their gradient (as in PyTorch).
                node.grad = nil
            }
        }
    }

    /// Clears `grad` and `rowGrads`.
    public func zeroGrad() {
        grad = nil
        rowGrads.removeAll()
    }

    /// Adds `g` (same element count) into `grad`.
    @inline(__always)
    func accumulateGrad(_ g: [Float]) {
        precondition(g.count == data.count, "gradient of \(g.count) elements for tensor of shape \(shape)")
        if grad == nil { grad = g; return }
        grad!.withUnsafeMutableBufferPointer { dst in
            g.withUnsafeBufferPointer { src in Kernels.addInPlace(dst, src) }
        }
    }

    /// The BLAS beta for adding into `grad`: 1, or 0 with a new buffer left unwritten (for a
    /// product that then overwrites it) when there is no gradient yet.
    func gradBeta() -> Float {
        guard grad == nil else { return 1 }
        grad = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        return 0
    }

    /// Gives the body a writable gradient buffer (allocated as zeros if needed).
    @inline(__always)
    func withGradBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
        if grad == nil { grad = [Float](repeating: 0, count: data.count) }
        return grad!.withUnsafeMutableBufferPointer { body($0) }
    }
}

/// Row-sparse gradient of an embedding table: the rows a batch gathered and their gradients.
public struct RowGradients {
    /// Row indices, possibly repeated.
    public internal(set) var indices: [Int32] = []
    /// `indices.count * rowWidth` values, row after row.
    public internal(set) var values: [Float] = []

    public var isEmpty: Bool { indices.isEmpty }

    mutating func append(indices new: [Int32], values newValues: UnsafeBufferPointer<Float>) {
        indices.append(contentsOf: new)
        values.append(contentsOf: newValues)
    }

    mutating func removeAll() {
        indices.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// Sums the gradients of repeated rows: unique rows in ascending order, one gradient each.
    public func coalesced(rowWidth: Int) -> (rows: [Int32], values: [Float]) {
        guard !indices.isEmpty else { return ([], []) }
        // Sort (row, position) pairs packed in one integer: no comparison closure.
        let order = indices.enumerated().map { UInt64(UInt32(bitPattern: $0.element)) << 32 | UInt64($0.offset) }
            .sorted().map { Int($0 & 0xFFFF_FFFF) }
        var rows: [Int32] = []
        var out: [Float] = []
        rows.reserveCapacity(order.count)
        out.reserveCapacity(order.count * rowWidth)
        values.withUnsafeBufferPointer { v in
            for k in order {
                let r = indices[k]
                if rows.last != r {
                    rows.append(r)
                    out.append(contentsOf: v[(k * rowWidth)..<((k + 1) * rowWidth)])
                } else {
                    let base = out.count - rowWidth
                    for j in 0..<rowWidth { out[base + j] += v[k * rowWidth + j] }
                }
            }
        }
        return (rows, out)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = data.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(data.count > 8 ? ", ..." : "")])"
    }
}
