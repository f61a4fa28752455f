import Foundation
import TQAudio

/// Causal windowed softmax attention, as `local_attention.LocalAttention` computes it with
/// `causal=True`, `look_backward=1`, `look_forward=0`, `exact_windowsize=False`.
extension Kernels {
    /// Frames are cut into windows of `windowSize`; a query at frame `i` in window
    /// `w = i / windowSize` attends to the keys `j` with `max(0, (w−1)·windowSize) ≤ j ≤ i`:
    ///
    ///     out_h[i] = Σ_j softmax_j( (scale · q_h[i]) · k_h[j] + bias[h][i − j] ) · v_h[j]
    ///
    /// - Parameters:
    ///   - qkv: `(T, 3·heads·headDim)`: queries, keys, values side by side, each with the heads
    ///     side by side (`b n (h d)`).
    ///   - bias: `heads` rows of `2·windowSize` values, indexed by the distance `i − j`.
    ///   - scale: the query scale, `headDim^−½`.
    /// - Returns: `(T, heads·headDim)`, heads side by side.
    public static func localCausalAttention(
        qkv: Matrix, heads: Int, headDim: Int, windowSize: Int, bias: Matrix, scale: Float
    ) -> Matrix {
        let t = qkv.rows, inner = heads * headDim
        precondition(qkv.cols == 3 * inner, "localCausalAttention: qkv has \(qkv.cols) columns, expected \(3 * inner)")
        precondition(bias.rows == heads && bias.cols >= 2 * windowSize, "localCausalAttention: bias table too small")
        var out = Matrix(rows: t, cols: inner)
        let windows = (t + windowSize - 1) / windowSize
        let ld = qkv.cols, maxKeys = 2 * windowSize
        qkv.data.withUnsafeBufferPointer { xp in
            bias.data.withUnsafeBufferPointer { bp in
                out.data.withUnsafeMutableBufferPointer { op in
                    let x = UncheckedBox(xp.baseAddress!), table = UncheckedBox(bp.baseAddress!), o = UncheckedBox(op.baseAddress!)
                    // One window of one head at a time: S = (scale·Q) Kᵀ + bias, causal mask, softmax, O = S V.
                    parallel(count: heads * windows) { job in
                        let h = job / windows, w = job % windows
                        let i0 = w * windowSize, i1 = min(t, i0 + windowSize)
                        let j0 = max(0, i0 - windowSize), keys = i1 - j0, queries = i1 - i0
                        let capacity = windowSize * headDim + headDim * maxKeys + windowSize * maxKeys
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { scratch in
                            let q = scratch.baseAddress!, kT = q + windowSize * headDim, s = kT + headDim * maxKeys
                            let qOff = h * headDim, kOff = inner + h * headDim, vOff = 2 * inner + h * headDim
                            for r in 0..<queries {
                                let src = x.value + (i0 + r) * ld + qOff
                                for d in 0..<headDim { q[r * headDim + d] = src[d] * scale }
                            }
                            for j in 0..<keys {
                                let src = x.value + (j0 + j) * ld + kOff
                                for d in 0..<headDim { kT[d * keys + j] = src[d] }
                            }
                            let hb = table.value + h * bias.cols
                            for r in 0..<queries {
                                let row = s + r * keys, i = i0 + r
                                for j in 0..<keys { row[j] = hb[max(0, i - (j0 + j))] }
                            }
                            gemm(m: queries, n: keys, k: headDim, a: q, lda: headDim, b: kT, ldb: keys, c: s, ldc: keys, threads: 1)
                            for r in 0..<queries {
                                let row = s + r * keys, visible = i0 + r - j0 + 1
                                softmax(row, count: visible)
                                for j in visible..<keys { row[j] = 0 }
                            }
                            gemm(m: queries, n: headDim, k: keys, a: s, lda: keys, b: x.value + j0 * ld + vOff, ldb: ld,
                                 c: o.value + i0 * inner + qOff, ldc: inner, threads: 1)
                        }
                    }
                }
            }
        }
        return out
    }

    /// `row[0..<count] ← softmax(row[0..<count])`, eight lanes at a time with `exp8` (a tail
    /// padded with −∞, whose exponentials are 0).
    @inline(__always)
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var best = SIMD8<Float>(repeating: -.infinity)
        var j = 0
        while j + 8 <= count {
            best = lanesMax(best, UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self))
            j += 8
        }
        var m = best.max()
        for q in j..<count { m = max(m, row[q]) }
        let mv = SIMD8<Float>(repeating: m)
        var sum = SIMD8<Float>(repeating: 0)
        j = 0
        while j + 8 <= count {
            let e = exp8(UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self) - mv)
            UnsafeMutableRawPointer(row + j).storeBytes(of: e, as: SIMD8<Float>.self)
            sum += e
            j += 8
        }
        if j < count {
            var v = SIMD8<Float>(repeating: -.infinity)
            for q in 0..<(count - j) { v[q] = row[j + q] }
            let e = exp8(v - mv)
            for q in 0..<(count - j) { row[j + q] = e[q] }
            sum += e
        }
        let inv = SIMD8<Float>(repeating: 1 / sum.sum())
        j = 0
        while j + 8 <= count {
            let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(row + j).storeBytes(of: v * inv, as: SIMD8<Float>.self)
            j += 8
        }
        for q in j..<count { row[q] *= inv[0] }
    }
}
