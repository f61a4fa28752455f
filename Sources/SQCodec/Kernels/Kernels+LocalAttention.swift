import Foundation

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
        let maxKeys = 2 * windowSize
        var q = [Float](repeating: 0, count: headDim)
        var scores = [Float](repeating: 0, count: maxKeys)
        var acc = [Float](repeating: 0, count: headDim)
        qkv.data.withUnsafeBufferPointer { xp in
            bias.data.withUnsafeBufferPointer { bp in
                out.data.withUnsafeMutableBufferPointer { op in
                    for h in 0..<heads {
                        let qOff = h * headDim, kOff = inner + h * headDim, vOff = 2 * inner + h * headDim
                        let hb = bp.baseAddress! + h * bias.cols
                        for i in 0..<t {
                            let w = i / windowSize
                            let j0 = max(0, (w - 1) * windowSize)
                            let qi = xp.baseAddress! + i * qkv.cols + qOff
                            for d in 0..<headDim { q[d] = qi[d] * scale }
                            var best = -Float.infinity
                            for j in j0...i {
                                let kj = xp.baseAddress! + j * qkv.cols + kOff
                                var s: Float = 0
                                for d in 0..<headDim { s += q[d] * kj[d] }
                                s += hb[i - j]
                                scores[j - j0] = s
                                best = max(best, s)
                            }
                            var sum: Float = 0
                            for n in 0...(i - j0) { let e = expf(scores[n] - best); scores[n] = e; sum += e }
                            for d in 0..<headDim { acc[d] = 0 }
                            for j in j0...i {
                                let p = scores[j - j0] / sum
                                let vj = xp.baseAddress! + j * qkv.cols + vOff
                                for d in 0..<headDim { acc[d] += p * vj[d] }
                            }
                            let o = op.baseAddress! + i * inner + qOff
                            for d in 0..<headDim { o[d] = acc[d] }
                        }
                    }
                }
            }
        }
        return out
    }
}
