import Foundation

/// Finite scalar quantization (Mentzer et al. 2023, arXiv 2309.15505) exactly as
/// `vector_quantize_pytorch.FSQ` 1.20.11 computes it at inference, for levels `L_i`:
///
///     half_l = (L − 1)(1 + 10⁻³)/2,   offset = ½ if L is even else 0,   shift = atanh(offset/half_l)
///     q      = round_half_even(tanh(z + shift) · half_l − offset) / ⌊L/2⌋            (the code)
///     index  = Σ_i (q_i · ⌊L_i/2⌋ + ⌊L_i/2⌋) · basis_i,   basis_i = Π_{k<i} L_k   (mixed radix)
///
/// All arithmetic is float32 as in the reference, the index sum truncated to an integer.
public struct FSQ: ScalarQuantizer {
    public let levels: [Int]
    let halfL: [Float], offset: [Float], shift: [Float], halfWidth: [Float], basis: [Int]

    public init(levels: [Int]) {
        precondition(!levels.isEmpty && levels.allSatisfy { $0 >= 2 }, "FSQ: every level must be at least 2")
        self.levels = levels
        halfL = levels.map { Float($0 - 1) * Float(1.001) / 2 }
        offset = levels.map { $0 % 2 == 0 ? 0.5 : 0 }
        shift = zip(offset, halfL).map { atanhf($0 / $1) }
        halfWidth = levels.map { Float($0 / 2) }
        basis = Self.mixedRadixBasis(levels)
    }

    /// The index of the code nearest to `z` (`levels.count` values); 0 when `z` holds NaN.
    public func index(of z: UnsafeBufferPointer<Float>) -> Int32 {
        var sum: Float = 0
        for i in 0..<levels.count {
            let bounded = tanhf(z[i] + shift[i]) * halfL[i] - offset[i]
            let code = bounded.rounded(.toNearestOrEven) / halfWidth[i]
            sum += (code * halfWidth[i] + halfWidth[i]) * Float(basis[i])
        }
        // NaN (from damaged weights) maps to 0 rather than trapping.
        guard sum.isFinite else { return 0 }
        return Int32(min(max(sum, 0), Float(codebookSize - 1)))
    }

    /// The code of `index` in `[−1, 1]^d`, written to `out` (`levels.count` values);
    /// `index` must be in `0 ..< codebookSize`.
    public func code(of index: Int32, into out: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<levels.count {
            let level = (Int(index) / basis[i]) % levels[i]
            out[i] = (Float(level) - halfWidth[i]) / halfWidth[i]
        }
    }
}

/// The `VQEmbed` of sq-codec and l3ac around a scalar quantizer (`FSQ` for SQCodec, `SuperFSQ`
/// for L3AC): `Linear(featureDim, d)` in, quantize, `Linear(d, featureDim)` out.
/// Weight keys `project_in.{weight,bias}` `(d, featureDim)`, `project_out.{weight,bias}` `(featureDim, d)`.
struct Quantizer<Q: ScalarQuantizer>: Sendable {
    let fsq: Q
    let projectIn: Linear, projectOut: Linear

    init(_ w: WeightScope, featureDim: Int, quantizer: Q) throws {
        fsq = quantizer
        let d = quantizer.levels.count
        projectIn = try Linear(w.child("project_in"), in: featureDim, out: d)
        projectOut = try Linear(w.child("project_out"), in: d, out: featureDim)
    }

    /// `x: (T, featureDim)` → `T` indices.
    func indices(_ x: Matrix) -> [Int32] {
        let z = projectIn(x)
        return z.data.withUnsafeBufferPointer { zp in
            (0..<z.rows).map { t in fsq.index(of: UnsafeBufferPointer(rebasing: zp[t * z.cols ..< (t + 1) * z.cols])) }
        }
    }

    /// Indices (each in `0 ..< codebookSize`) → `(T, featureDim)`.
    func features(_ indices: [Int32]) -> Matrix {
        let d = fsq.levels.count
        var codes = Matrix(rows: indices.count, cols: d)
        codes.data.withUnsafeMutableBufferPointer { cp in
            for (t, i) in indices.enumerated() {
                fsq.code(of: i, into: UnsafeMutableBufferPointer(rebasing: cp[t * d ..< (t + 1) * d]))
            }
        }
        return projectOut(codes)
    }
}
