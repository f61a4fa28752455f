import Foundation

/// L3AC's finite scalar quantizer (`l3ac` 1.0 `SuperFSQ` with its defaults: tanh activation,
/// "special edge" levels, no inverse activation) as it computes at inference, for levels `L_i`:
///
///     a_i   = (tanh(z_i) + 1) / 2                       ∈ [0, 1]
///     l_i   = round_half_even(a_i · (L_i − 1))          ∈ 0 … L_i − 1
///     index = Σ_i l_i · basis_i                          (mixed radix, `ScalarQuantizer`)
///     code  = l_i / (L_i − 1) · 2 − 1                    ∈ [−1, 1], both edges reached
///
/// All arithmetic is float32 in the reference's order. Unlike `FSQ` there is no 1.001 widening
/// and no half-step offset for even levels (docs/L3AC.md, difference 1); for odd levels the codes
/// are the same, the rounding thresholds are not.
public struct SuperFSQ: ScalarQuantizer {
    public let levels: [Int]
    let steps: [Float], basis: [Int]

    public init(levels: [Int]) {
        precondition(!levels.isEmpty && levels.allSatisfy { $0 >= 2 }, "SuperFSQ: every level must be at least 2")
        self.levels = levels
        steps = levels.map { Float($0 - 1) }
        basis = Self.mixedRadixBasis(levels)
    }

    public func index(of z: UnsafeBufferPointer<Float>) -> Int32 {
        var sum = 0
        for i in 0..<levels.count {
            let a = (tanhf(z[i]) + 1) / 2
            let level = (a * steps[i]).rounded(.toNearestOrEven)
            // NaN (from damaged weights) maps to 0 rather than trapping.
            guard level.isFinite else { return 0 }
            sum += Int(min(max(level, 0), steps[i])) * basis[i]
        }
        return Int32(sum)
    }

    public func code(of index: Int32, into out: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<levels.count {
            let level = (Int(index) / basis[i]) % levels[i]
            out[i] = Float(level) / steps[i] * 2 - 1
        }
    }
}
