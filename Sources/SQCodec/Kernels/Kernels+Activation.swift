import Foundation

/// Element-wise activations.
extension Kernels {
    /// Snake (Ziyin et al. 2020, as in DAC and sq-codec), one α per row of a channel-first input:
    /// `y = x + 1/(α + eps) · sin²(α · x)`, `eps` = float32 epsilon. `x: (C, T)`, `alpha: C` values.
    /// The sine is `sine8`, eight lanes at a time.
    public static func snake(_ x: Matrix, alpha: [Float]) -> Matrix {
        precondition(alpha.count == x.rows, "snake: \(alpha.count) alphas for \(x.rows) channels")
        var out = x
        let t = x.cols
        out.data.withUnsafeMutableBufferPointer { p in
            for c in 0..<x.rows {
                let a = alpha[c]
                let inv = 1 / (a + float32Epsilon)
                let row = p.baseAddress! + c * t
                var j = 0
                while j + 8 <= t {
                    let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                    let s = sine8(a * v)
                    UnsafeMutableRawPointer(row + j).storeBytes(of: v + inv * (s * s), as: SIMD8<Float>.self)
                    j += 8
                }
                if j < t {
                    var v = SIMD8<Float>(repeating: 0)
                    for q in 0..<(t - j) { v[q] = row[j + q] }
                    let s = sine8(a * v), y = v + inv * (s * s)
                    for q in 0..<(t - j) { row[j + q] = y[q] }
                }
            }
        }
        return out
    }

    /// `sin` of eight values: `x = kπ + r` with `|r| ≤ π/2` (π in three parts, the first
    /// two short enough that their multiples are exact for `|x| < 2¹²·π`), then an odd
    /// polynomial in `r` fitted for relative error (at most 1.2e-7 on [−π/2, π/2], about one
    /// unit in the last place), and the sign of `(−1)^k`. Larger arguments use `sinf`.
    @inline(__always)
    static func sine8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Round to nearest by adding 1.5·2²³: the sum's last bits then hold k.
        let shifted = x * (1 / Float.pi) + 12_582_912
        let k = shifted - 12_582_912
        // Beyond |k| = 2¹² (or for NaN and infinities) the reduction is not exact: use sinf.
        if !((k * k).sum() <= 4096 * 4096) {
            var y = x
            for i in 0..<8 { y[i] = sinf(x[i]) }
            return y
        }
        // k·π₁ and k·π₂ are exact (π₁, π₂ have 8 and 11 significant bits, |k| ≤ 2¹²).
        var r = x - k * 3.140625
        r -= k * 9.67502593994140625e-4
        r -= k * 1.509957990978376432e-7
        let z = r * r
        var poly = SIMD8<Float>(repeating: 2.6052878183691064e-06)
        poly = poly * z + -0.00019809349032584578
        poly = poly * z + 0.008333061821758747
        poly = poly * z + -0.16666659712791443
        let s = r + (r * z) * poly
        // (−1)^k: flip the sign bit of odd multiples.
        let odd = unsafeBitCast(shifted, to: SIMD8<UInt32>.self) & 1
        return unsafeBitCast(unsafeBitCast(s, to: SIMD8<UInt32>.self) ^ (odd &<< 31), to: SIMD8<Float>.self)
    }

    /// `tanh`, element-wise.
    public static func tanh(_ x: Matrix) -> Matrix {
        var out = x
        for i in 0..<out.data.count { out.data[i] = tanhf(out.data[i]) }
        return out
    }

    /// Exact GELU, `x/2 · (1 + erf(x/√2))` (PyTorch's default `approximate='none'`).
    @inline(__always) public static func gelu(_ x: Float) -> Float {
        0.5 * x * (1 + erff(x * 0.70710678118654752))
    }

    /// SiLU, `x · σ(x) = x / (1 + e^−x)`.
    @inline(__always) public static func silu(_ x: Float) -> Float {
        x / (1 + expf(-x))
    }

    /// GELU applied to every value.
    public static func gelu(_ x: Matrix) -> Matrix {
        var out = x
        for i in 0..<out.data.count { out.data[i] = gelu(out.data[i]) }
        return out
    }
}
