// Broadcasting as in NumPy: shapes are aligned on their last dimension; a dimension of 1
// (or a missing one) is repeated to match. A binary op expands both operands to the result
// shape, and its backward sums the gradient back down to each operand's own shape.

enum Broadcast {
    /// The shape two operands broadcast to, or a precondition failure naming both.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for k in 0..<rank {
            let da = k < rank - a.count ? 1 : a[k - (rank - a.count)]
            let db = k < rank - b.count ? 1 : b[k - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1, "cannot broadcast shapes \(a) and \(b)")
            out[k] = da == 1 ? db : da
        }
        return out
    }

    /// `data` (of `shape`) repeated to fill `target`.
    static func expand(_ data: [Float], from shape: [Int], to target: [Int]) -> [Float] {
        if shape == target { return data }
        let total = target.reduce(1, *)
        if data.count == 1 { return [Float](repeating: data[0], count: total) }
        let aligned = [Int](repeating: 1, count: target.count - shape.count) + shape
        // Fast path (a bias row, a [B, 1] column, a sum's gradient): one run of repeated dimensions.
        if let (outer, repeats, inner) = repeatedRun(aligned, target) {
            var out = [Float](); out.reserveCapacity(total)
            for o in 0..<outer {
                if inner == 1 { out.append(contentsOf: repeatElement(data[o], count: repeats)); continue }
                for _ in 0..<repeats { out.append(contentsOf: data[(o * inner)..<((o + 1) * inner)]) }
            }
            return out
        }
        let strides = inputStrides(aligned)
        var out = [Float](repeating: 0, count: total)
        var index = [Int](repeating: 0, count: target.count)
        for flat in 0..<total {
            var src = 0
            for k in 0..<target.count { src += index[k] * strides[k] }
            out[flat] = data[src]
            var k = target.count - 1
            while k >= 0 { index[k] += 1; if index[k] < target[k] { break }; index[k] = 0; k -= 1 }
        }
        return out
    }

    /// `grad` (of `target`) summed down to `shape`: the adjoint of `expand`.
    static func reduce(_ grad: [Float], from target: [Int], to shape: [Int]) -> [Float] {
        if shape == target { return grad }
        let count = shape.reduce(1, *)
        let aligned = [Int](repeating: 1, count: target.count - shape.count) + shape
        var out = [Float](repeating: 0, count: count)
        if let (outer, repeats, inner) = repeatedRun(aligned, target) {
            grad.withUnsafeBufferPointer { g in out.withUnsafeMutableBufferPointer { o in
                for p in 0..<outer {
                    let base = g.baseAddress! + p * repeats * inner
                    if inner == 1 {
                        o[p] = Float(Kernels.sum(UnsafeBufferPointer(start: base, count: repeats)))
                        continue
                    }
                    for r in 0..<repeats { Kernels.axpy(1, base + r * inner, o.baseAddress! + p * inner, inner) }
                }
            } }
            return out
        }
        let strides = inputStrides(aligned)
        var index = [Int](repeating: 0, count: target.count)
        for flat in 0..<grad.count {
            var dst = 0
            for k in 0..<target.count { dst += index[k] * strides[k] }
            out[dst] += grad[flat]
            var k = target.count - 1
            while k >= 0 { index[k] += 1; if index[k] < target[k] { break }; index[k] = 0; k -= 1 }
        }
        return out
    }

    /// Row-major strides of `shape`, with 0 for dimensions of size 1 (they broadcast).
    private static func inputStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: shape.count)
        var s = 1
        for k in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[k] = shape[k] == 1 ? 0 : s
            s *= shape[k]
        }
        return strides
    }

    /// If `shape` equals `target` except for one run of dimensions where it is 1, the target
    /// as [outer, repeats, inner] (the operand as [outer, 1, inner]); otherwise nil.
    private static func repeatedRun(_ shape: [Int], _ target: [Int]) -> (Int, Int, Int)? {
        let differs = shape.indices.filter { shape[$0] != target[$0] }
        guard let first = differs.first, let last = differs.last,
              (first...last).allSatisfy({ shape[$0] == 1 }) else { return nil }
        return (target[..<first].reduce(1, *), target[first...last].reduce(1, *), target[(last + 1)...].reduce(1, *))
    }
}
