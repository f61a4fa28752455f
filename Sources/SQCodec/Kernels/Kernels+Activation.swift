import Foundation
import TQAudio

/// Element-wise activations.
extension Kernels {
    /// Snake (Ziyin et al. 2020, as in DAC and sq-codec), one α per row of a channel-first input:
    /// `y = x + 1/(α + eps) · sin²(α · x)`, `eps` float32 epsilon for sq-codec, 1e-8 for l3ac.
    /// `x: (C, T)`, `alpha: C` values. The sine is `sine8`, eight lanes at a time.
    public static func snake(_ x: Matrix, alpha: [Float], eps: Float = float32Epsilon) -> Matrix {
        precondition(alpha.count == x.rows, "snake: \(alpha.count) alphas for \(x.rows) channels")
        let t = x.cols
        // Every output value is written.
        return Matrix(rows: x.rows, cols: t) { out in
            x.data.withUnsafeBufferPointer { xp in
                let src = UncheckedBox(xp.baseAddress!), dst = UncheckedBox(out)
                // Rows shared over the threads (one thread inside a parallel tile).
                parallel(count: x.rows, threads: t * x.rows < 1 << 15 ? 1 : Kernels.threads) { c in
                    let a = alpha[c], inv = SIMD8<Float>(repeating: 1 / (a + eps))
                    let row = src.value + c * t, y = dst.value + c * t
                    var j = 0
                    while j + 8 <= t {
                        let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                        let s = sine8(a * v)
                        UnsafeMutableRawPointer(y + j).storeBytes(of: fma(v, inv, s * s), as: SIMD8<Float>.self)
                        j += 8
                    }
                    if j < t {
                        var v = SIMD8<Float>(repeating: 0)
                        for q in 0..<(t - j) { v[q] = row[j + q] }
                        let s = sine8(a * v), r = fma(v, inv, s * s)
                        for q in 0..<(t - j) { y[j + q] = r[q] }
                    }
                }
            }
        }
    }

    /// `snake` and then `globalResponseNorm(_:gamma:beta:factor:)` in one pass over `x`, in place:
    /// `s = x + 1/(α[c] + eps) · sin²(α[c] · x)`, `x ← γ[c] · (s · n) + β[c] + s` (a residual
    /// unit's activation with GRN's sequence-wide factor `n` known), bit for bit the two calls.
    static func snakeResponseNorm(_ x: inout Matrix, alpha: [Float], gamma: [Float], beta: [Float], factor n: Float,
                                  eps: Float = float32Epsilon) {
        precondition(alpha.count == x.rows && gamma.count == x.rows && beta.count == x.rows, "snakeResponseNorm: size mismatch")
        let t = x.cols, rows = x.rows
        x.data.withUnsafeMutableBufferPointer { xp in
            let base = UncheckedBox(xp.baseAddress!)
            parallel(count: rows, threads: t * rows < 1 << 15 ? 1 : Kernels.threads) { c in
                let a = alpha[c], inv = SIMD8<Float>(repeating: 1 / (a + eps))
                let g = SIMD8<Float>(repeating: gamma[c]), b = SIMD8<Float>(repeating: beta[c]), nv = SIMD8<Float>(repeating: n)
                let row = base.value + c * t
                var j = 0
                while j + 8 <= t {
                    let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                    let sv = sine8(a * v), y = fma(v, inv, sv * sv)
                    UnsafeMutableRawPointer(row + j).storeBytes(of: g * (y * nv) + b + y, as: SIMD8<Float>.self)
                    j += 8
                }
                if j < t {
                    var v = SIMD8<Float>(repeating: 0)
                    for q in 0..<(t - j) { v[q] = row[j + q] }
                    let sv = sine8(a * v), y = fma(v, inv, sv * sv), r = g * (y * nv) + b + y
                    for q in 0..<(t - j) { row[j + q] = r[q] }
                }
            }
        }
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
        var r = fma(x, k, SIMD8(repeating: -3.140625))
        r = fma(r, k, SIMD8(repeating: -9.67502593994140625e-4))
        r = fma(r, k, SIMD8(repeating: -1.509957990978376432e-7))
        let z = r * r
        var poly = SIMD8<Float>(repeating: 2.6052878183691064e-06)
        poly = fma(SIMD8(repeating: -0.00019809349032584578), poly, z)
        poly = fma(SIMD8(repeating: 0.008333061821758747), poly, z)
        poly = fma(SIMD8(repeating: -0.16666659712791443), poly, z)
        let s = fma(r, r * z, poly)
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

    /// Exact GELU, `x/2 · (1 + erf(x/√2))` (PyTorch's default `approximate='none'`), with libm's
    /// `erff`: the reference for `gelu8` in the tests.
    @inline(__always) public static func gelu(_ x: Float) -> Float {
        0.5 * x * (1 + erff(x * 0.70710678118654752))
    }

    /// Exact GELU of eight values, with `erf8`.
    @_transparent
    static func gelu8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        0.5 * x * (1 + erf8(x * 0.70710678118654752))
    }

    /// `e^x` of eight values (Cephes' `expf`): `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2` (ln 2 in two
    /// parts), `e^r` by a degree-7 polynomial, `2^n` as two powers of two built in the exponent
    /// bits (each product exact, so `n = 128` still gives the largest floats). At most one unit
    /// in the last place from the true value (tests); 0 below −87.3 (where `expf` gives
    /// subnormals), infinity above 88.72, NaN for NaN.
    @_transparent
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let xc = lanesClamp(x, -87.33654, 89)
        // Round to nearest by adding 1.5·2²³: the sum's low bits then hold n.
        let shifted = fma(SIMD8(repeating: 12_582_912), xc, SIMD8(repeating: 1.44269504088896341))
        let n = shifted - 12_582_912
        var r = fma(xc, n, SIMD8(repeating: -0.693359375))
        r = fma(r, n, SIMD8(repeating: 2.12194440e-4))
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = fma(SIMD8(repeating: 1.3981999507e-3), p, r)
        p = fma(SIMD8(repeating: 8.3334519073e-3), p, r)
        p = fma(SIMD8(repeating: 4.1665795894e-2), p, r)
        p = fma(SIMD8(repeating: 1.6666665459e-1), p, r)
        p = fma(SIMD8(repeating: 5.0000001201e-1), p, r)
        let y = fma(r + 1, p, r * r)
        let k = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000  // n, −126…128
        let k1 = k &>> 1, k2 = k &- k1
        let s1 = unsafeBitCast((k1 &+ 127) &<< 23, to: SIMD8<Float>.self)
        let s2 = unsafeBitCast((k2 &+ 127) &<< 23, to: SIMD8<Float>.self)
        return ((y * s1) * s2).replacing(with: 0, where: x .< -87.33654).replacing(with: x, where: x .!= x)
    }

    /// `erf` of eight values, within 1.2 units in the last place of the true value (tests:
    /// against double precision). For `|x| ≤ 0.921875`, `x + x·P(x²)`; above, `1 − e^Q(|x|)` with
    /// the sign of `x` (1 from |x| = 4 on, where erf rounds to 1). P (degree 6) and Q (degree 9)
    /// are near-minimax fits made for this port by `tools/fit_erf.py`: `P(s) ≈ erf(√s)/√s − 1`,
    /// `Q(t) ≈ ln erfc(t)`, Q's error weighted by erfc(t)/ulp(erf(t)), the error it causes in erf.
    @_transparent
    static func erf8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let signMask = SIMD8<UInt32>(repeating: 0x8000_0000)
        let xb = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        let a = unsafeBitCast(xb & ~signMask, to: SIMD8<Float>.self)
        let s = a * a
        var p = SIMD8<Float>(repeating: 8.3981002e-05)
        p = fma(SIMD8(repeating: -0.00081498892), p, s)
        p = fma(SIMD8(repeating: 0.0052017248), p, s)
        p = fma(SIMD8(repeating: -0.026859706), p, s)
        p = fma(SIMD8(repeating: 0.11283702), p, s)
        p = fma(SIMD8(repeating: -0.37612635), p, s)
        p = fma(SIMD8(repeating: 0.12837917), p, s)
        let small = fma(a, a, p)
        let t = lanesClamp(a, 0.921875, 4)
        var q = SIMD8<Float>(repeating: 1.0328476e-06)
        q = fma(SIMD8(repeating: -1.6590777e-05), q, t)
        q = fma(SIMD8(repeating: 9.4379277e-05), q, t)
        q = fma(SIMD8(repeating: -2.2930068e-05), q, t)
        q = fma(SIMD8(repeating: -0.0030339954), q, t)
        q = fma(SIMD8(repeating: 0.023278235), q, t)
        q = fma(SIMD8(repeating: -0.10633663), q, t)
        q = fma(SIMD8(repeating: -0.63463748), q, t)
        q = fma(SIMD8(repeating: -1.1290252), q, t)
        q = fma(SIMD8(repeating: 9.3727431e-05), q, t)
        let large = (1 - exp8(q)).replacing(with: 1, where: a .>= 4)
        let r = small.replacing(with: large, where: a .> 0.921875)
        return unsafeBitCast(unsafeBitCast(r, to: SIMD8<UInt32>.self) | (xb & signMask), to: SIMD8<Float>.self)
    }

    /// Lane-wise maximum as one compare and blend (the standard library's generic `pointwiseMax`
    /// is not inlined here and costs a call per use). NaN in `b` is not taken.
    @inline(__always)
    static func lanesMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: a .< b) }

    /// `x` clamped to `[lo, hi]` lane by lane; NaN stays NaN.
    @inline(__always)
    static func lanesClamp(_ x: SIMD8<Float>, _ lo: Float, _ hi: Float) -> SIMD8<Float> {
        x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
    }

    /// The feed-forward block's gated GELU: `h: (T, 2·inner)` → `(T, inner)`,
    /// `g[t, i] = h[t, i] · GELU(h[t, inner + i])`, rows shared over the threads.
    static func gatedGELU(_ h: Matrix) -> Matrix {
        let inner = h.cols / 2
        // Every output value is written.
        return Matrix(rows: h.rows, cols: inner) { gp in
            h.data.withUnsafeBufferPointer { hp in
                let src = UncheckedBox(hp.baseAddress!), dst = UncheckedBox(gp)
                let rowsPerJob = max(1, (1 << 14) / max(1, inner))
                parallel(count: (h.rows + rowsPerJob - 1) / rowsPerJob) { job in
                    for t in job * rowsPerJob ..< min(h.rows, (job + 1) * rowsPerJob) {
                        geluProducts(src.value + t * 2 * inner, src.value + t * 2 * inner + inner, dst.value + t * inner, count: inner)
                    }
                }
            }
        }
    }

    /// `out[i] = a[i] · GELU(x[i])` for `i < count`; with `a` nil, `out[i] = GELU(x[i])`.
    @inline(__always)
    static func geluProducts(_ a: UnsafePointer<Float>?, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            var y = gelu8(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
            if let a { y *= UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self) }
            UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: SIMD8<Float>.self)
            i += 8
        }
        if i < count {
            var v = SIMD8<Float>(repeating: 0)
            for q in 0..<(count - i) { v[q] = x[i + q] }
            let y = gelu8(v)
            for q in 0..<(count - i) { out[i + q] = a.map { $0[i + q] * y[q] } ?? y[q] }
        }
    }

    /// `m ← x + m ⊙ x` (the enhance block's modulation), eight lanes at a time, in runs of 16K
    /// values shared over the threads.
    static func modulate(_ m: inout Matrix, _ x: Matrix) {
        precondition(m.rows == x.rows && m.cols == x.cols, "modulate: shapes differ")
        let n = x.data.count, run = 1 << 14
        x.data.withUnsafeBufferPointer { xp in
            m.data.withUnsafeMutableBufferPointer { mp in
                let src = UncheckedBox(xp.baseAddress!), dst = UncheckedBox(mp.baseAddress!)
                parallel(count: (n + run - 1) / run) { job in
                    let lo = job * run, hi = min(n, lo + run)
                    var i = lo
                    while i + 8 <= hi {
                        let xv = UnsafeRawPointer(src.value + i).loadUnaligned(as: SIMD8<Float>.self)
                        let mv = UnsafeRawPointer(dst.value + i).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(dst.value + i).storeBytes(of: xv + mv * xv, as: SIMD8<Float>.self)
                        i += 8
                    }
                    while i < hi { dst.value[i] = src.value[i] + dst.value[i] * src.value[i]; i += 1 }
                }
            }
        }
    }

    /// GELU applied to every value, in runs of 16K values shared over the threads.
    public static func gelu(_ x: Matrix) -> Matrix {
        let n = x.data.count, run = 1 << 14
        return Matrix(rows: x.rows, cols: x.cols) { out in
            x.data.withUnsafeBufferPointer { xp in
                let src = UncheckedBox(xp.baseAddress!), dst = UncheckedBox(out)
                parallel(count: (n + run - 1) / run) { i in
                    geluProducts(nil, src.value + i * run, dst.value + i * run, count: min(run, n - i * run))
                }
            }
        }
    }

    /// SiLU, `x · σ(x) = x / (1 + e^−x)`.
    @inline(__always) public static func silu(_ x: Float) -> Float {
        x / (1 + expf(-x))
    }

}
