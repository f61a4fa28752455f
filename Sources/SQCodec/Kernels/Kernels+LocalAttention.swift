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
        var out = Matrix(rows: t, cols: inner, rowValues: nil)
        let windows = (t + windowSize - 1) / windowSize
        let shape = AttentionWindow.Shape(frames: t, heads: heads, headDim: headDim, windowSize: windowSize, scale: scale)
        // Each head's bias by distance, reversed: a query `base` keys after the first key of its
        // range finds key j's bias hb[base − j] at reversed[L − 1 − base + j], L = 2·windowSize,
        // so a row of biases is one contiguous copy; the zeros after it stand for masked keys.
        let maxKeys = 2 * windowSize, table = shape.biasRow
        var reversed = [Float](repeating: 0, count: heads * table)
        for h in 0..<heads { for x in 0..<maxKeys { reversed[h * table + x] = bias[h, maxKeys - 1 - x] } }
        qkv.data.withUnsafeBufferPointer { xp in
            reversed.withUnsafeBufferPointer { bp in
                out.data.withUnsafeMutableBufferPointer { op in
                    let x = UncheckedBox(xp.baseAddress!), rev = UncheckedBox(bp.baseAddress!), o = UncheckedBox(op.baseAddress!)
                    // One window of one head at a time.
                    parallel(count: heads * windows) { job in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: shape.scratchCount) { scratch in
                            let w = AttentionWindow(shape, head: job / windows, window: job % windows, qkv: x.value,
                                                    reversedBias: rev.value + (job / windows) * table, out: o.value,
                                                    scratch: scratch.baseAddress!)
                            w.run()
                        }
                    }
                }
            }
        }
        return out
    }

    /// One window of one head of `localCausalAttention`: `S = (scale·Q) Kᵀ + bias`, the causal
    /// mask, softmax, `O = S V`, with the product's micro-kernels on panels packed here, in strips
    /// of 6 queries that compute only the keys their last query sees.
    private struct AttentionWindow {
        struct Shape {
            let frames: Int, heads: Int, headDim: Int, windowSize: Int, scale: Float
            let nr = Kernels.gemmTileColumns, mr = Kernels.gemmTileRows
            /// Key panels of 16 (zero-padded), value panels per head, the scores' row stride.
            var keyPanels: Int { (2 * windowSize + nr - 1) / nr }
            var valuePanels: Int { (headDim + nr - 1) / nr }
            var ldS: Int { keyPanels * nr }
            /// A head's reversed bias table: its `2·windowSize` values and zeros for a strip's overhang.
            var biasRow: Int { 2 * windowSize + nr + mr }
            var scratchCount: Int {
                windowSize * headDim + keyPanels * headDim * nr + valuePanels * 2 * windowSize * nr + windowSize * ldS + mr * nr
            }
        }
        let s: Shape
        let qkv: UnsafePointer<Float>, reversedBias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
        /// Queries `i0 ..< i1`, keys `j0 ..< i1`; the head's columns in `qkv`.
        let i0: Int, j0: Int, queries: Int, keys: Int, qOff: Int, kOff: Int, vOff: Int
        /// Scaled queries, packed keys and values, scores, a tile for a partial value panel.
        let q: UnsafeMutablePointer<Float>, kPack: UnsafeMutablePointer<Float>, vPack: UnsafeMutablePointer<Float>
        let scores: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>

        init(_ s: Shape, head h: Int, window w: Int, qkv: UnsafePointer<Float>, reversedBias: UnsafePointer<Float>,
             out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
            self.s = s; self.qkv = qkv; self.reversedBias = reversedBias; self.out = out
            i0 = w * s.windowSize
            let i1 = min(s.frames, i0 + s.windowSize)
            j0 = max(0, i0 - s.windowSize); queries = i1 - i0; keys = i1 - j0
            let inner = s.heads * s.headDim
            qOff = h * s.headDim; kOff = inner + h * s.headDim; vOff = 2 * inner + h * s.headDim
            q = scratch; kPack = q + s.windowSize * s.headDim
            vPack = kPack + s.keyPanels * s.headDim * s.nr
            scores = vPack + s.valuePanels * 2 * s.windowSize * s.nr
            tile = scores + s.windowSize * s.ldS
        }

        var ld: Int { 3 * s.heads * s.headDim }

        func run() {
            for r in 0..<queries {
                Kernels.scaledCopy(qkv + (i0 + r) * ld + qOff, into: q + r * s.headDim, count: s.headDim, scale: s.scale)
            }
            packKeys()
            packValues()
            var r0 = 0
            while r0 < queries {
                let rows = min(s.mr, queries - r0)
                strip(r0, rows: rows)
                r0 += rows
            }
        }

        /// Kᵀ as the product's panels: panel p holds keys 16p ..< 16p + 16, a row of 16 per feature.
        func packKeys() {
            let nr = s.nr, d = s.headDim, used = (keys + nr - 1) / nr
            if keys % nr != 0 { (kPack + (used - 1) * d * nr).initialize(repeating: 0, count: d * nr) }
            for j in 0..<keys {
                Kernels.strideCopy(qkv + (j0 + j) * ld + kOff, into: kPack + (j / nr) * d * nr + j % nr, count: d, stride: nr)
            }
        }

        /// V as panels of 16 features (zero-padded), a row per key.
        func packValues() {
            let nr = s.nr
            for p in 0..<s.valuePanels {
                let cols = min(nr, s.headDim - p * nr), dst = vPack + p * 2 * s.windowSize * nr
                for j in 0..<keys {
                    let src = qkv + (j0 + j) * ld + vOff + p * nr, row = dst + j * nr
                    if cols == nr {
                        Kernels.copy16(src, row)
                    } else {
                        for c in 0..<nr { row[c] = c < cols ? src[c] : 0 }
                    }
                }
            }
        }

        /// Queries `r0 ..< r0 + rows` of the window (6, or the last few): their scores over the
        /// keys the last of them sees, in whole panels, then softmax and their share of `O`.
        func strip(_ r0: Int, rows: Int) {
            let nr = s.nr, mr = s.mr, ldS = s.ldS, d = s.headDim, inner = s.heads * s.headDim
            let need = i0 + r0 + rows - j0, width = (need + nr - 1) / nr * nr
            for r in r0 ..< r0 + rows {
                (scores + r * ldS).update(from: reversedBias + (2 * s.windowSize - 1 - (i0 + r - j0)), count: width)
            }
            for panel in 0 ..< width / nr {
                let bp = kPack + panel * d * nr
                if rows == mr {
                    Kernels.microKernel6x16(d, q + r0 * d, d, bp, nr, scores + r0 * ldS + panel * nr, ldS)
                } else {
                    for r in r0 ..< r0 + rows { Kernels.microKernel1x16(d, q + r * d, bp, nr, scores + r * ldS + panel * nr) }
                }
            }
            for r in r0 ..< r0 + rows {
                let row = scores + r * ldS, visible = i0 + r - j0 + 1
                Kernels.softmax(row, count: visible)
                (row + visible).update(repeating: 0, count: need - visible)
            }
            // O[strip] += S[strip, 0..<need] · V[0..<need]: the keys after `need` have weight 0.
            for p in 0..<s.valuePanels {
                let cols = min(nr, d - p * nr), bp = vPack + p * 2 * s.windowSize * nr
                let dst = out + (i0 + r0) * inner + qOff + p * nr
                let (c, ldc) = cols == nr ? (dst, inner) : (tile, nr)
                if cols < nr {
                    for r in 0..<rows { for col in 0..<nr { tile[r * nr + col] = col < cols ? dst[r * inner + col] : 0 } }
                }
                if rows == mr {
                    Kernels.microKernel6x16(need, scores + r0 * ldS, ldS, bp, nr, c, ldc)
                } else {
                    for r in 0..<rows { Kernels.microKernel1x16(need, scores + (r0 + r) * ldS, bp, nr, c + r * ldc) }
                }
                if cols < nr {
                    for r in 0..<rows { for col in 0..<cols { dst[r * inner + col] = tile[r * nr + col] } }
                }
            }
        }
    }

    /// `dst[0..<count] = scale · src[0..<count]`.
    @inline(__always)
    private static func scaledCopy(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int, scale: Float) {
        var s = src, d = dst
        for _ in 0..<count {
            d.pointee = s.pointee * scale
            s += 1; d += 1
        }
    }

    /// `dst[0..<16] = src[0..<16]`, two vector moves (a `memmove` call costs more than the copy).
    @inline(__always)
    private static func copy16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
        d.storeBytes(of: s.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), toByteOffset: 32, as: SIMD8<Float>.self)
    }

    /// `dst[stride · i] = src[i]` for `i < count`.
    @inline(__always)
    private static func strideCopy(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int, stride: Int) {
        var s = src, d = dst
        for _ in 0..<count {
            d.pointee = s.pointee
            s += 1; d += stride
        }
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
