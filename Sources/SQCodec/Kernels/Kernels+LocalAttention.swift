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
        let ld = qkv.cols, maxKeys = 2 * windowSize
        let nr = gemmTileColumns, mr = gemmTileRows
        // Key panels of 16 (zero-padded), the scores' row stride, value panels per head.
        let keyPanels = (maxKeys + nr - 1) / nr, ldS = keyPanels * nr, valuePanels = (headDim + nr - 1) / nr
        // Each head's bias by distance, reversed: a query `base` keys after the first key of its
        // range finds key j's bias hb[base − j] at reversed[L − 1 − base + j], L = 2·windowSize,
        // so a row of biases is one contiguous copy; the zeros after it stand for masked keys.
        let padding = nr + mr, table = maxKeys + padding
        var reversed = [Float](repeating: 0, count: heads * table)
        for h in 0..<heads { for x in 0..<maxKeys { reversed[h * table + x] = bias[h, maxKeys - 1 - x] } }
        qkv.data.withUnsafeBufferPointer { xp in
            reversed.withUnsafeBufferPointer { bp in
                out.data.withUnsafeMutableBufferPointer { op in
                    let x = UncheckedBox(xp.baseAddress!), rev = UncheckedBox(bp.baseAddress!), o = UncheckedBox(op.baseAddress!)
                    // One window of one head at a time: S = (scale·Q) Kᵀ + bias, causal mask, softmax, O = S V,
                    // in strips of 6 queries that compute only the keys their last query sees.
                    parallel(count: heads * windows) { job in
                        let h = job / windows, w = job % windows
                        let i0 = w * windowSize, i1 = min(t, i0 + windowSize)
                        let j0 = max(0, i0 - windowSize), keys = i1 - j0, queries = i1 - i0
                        let capacity = windowSize * headDim + keyPanels * headDim * nr + valuePanels * maxKeys * nr
                            + windowSize * ldS + mr * nr
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { scratch in
                            let q = scratch.baseAddress!, kPack = q + windowSize * headDim
                            let vPack = kPack + keyPanels * headDim * nr, s = vPack + valuePanels * maxKeys * nr
                            let tile = s + windowSize * ldS
                            let qOff = h * headDim, kOff = inner + h * headDim, vOff = 2 * inner + h * headDim
                            for r in 0..<queries {
                                scaledCopy(x.value + (i0 + r) * ld + qOff, into: q + r * headDim, count: headDim, scale: scale)
                            }
                            // Kᵀ as GEMM panels: panel p holds keys 16p ..< 16p + 16, a row of 16 per feature.
                            let usedKeyPanels = (keys + nr - 1) / nr
                            if keys % nr != 0 { (kPack + (usedKeyPanels - 1) * headDim * nr).initialize(repeating: 0, count: headDim * nr) }
                            for j in 0..<keys {
                                strideCopy(x.value + (j0 + j) * ld + kOff, into: kPack + (j / nr) * headDim * nr + j % nr,
                                           count: headDim, stride: nr)
                            }
                            // V as panels of 16 features (zero-padded), a row per key.
                            for p in 0..<valuePanels {
                                let cols = min(nr, headDim - p * nr), dst = vPack + p * maxKeys * nr
                                for j in 0..<keys {
                                    let src = x.value + (j0 + j) * ld + vOff + p * nr, row = dst + j * nr
                                    if cols == nr {
                                        copy16(src, row)
                                    } else {
                                        for c in 0..<nr { row[c] = c < cols ? src[c] : 0 }
                                    }
                                }
                            }
                            let hb = rev.value + h * table
                            var r0 = 0
                            while r0 < queries {
                                let rows = min(mr, queries - r0)
                                // Keys the strip's last query sees; scores are computed over whole panels.
                                let need = i0 + r0 + rows - j0, width = (need + nr - 1) / nr * nr
                                for r in r0 ..< r0 + rows {
                                    (s + r * ldS).update(from: hb + (maxKeys - 1 - (i0 + r - j0)), count: width)
                                }
                                for panel in 0 ..< width / nr {
                                    let bp = kPack + panel * headDim * nr
                                    if rows == mr {
                                        microKernel6x16(headDim, q + r0 * headDim, headDim, bp, s + r0 * ldS + panel * nr, ldS)
                                    } else {
                                        for r in r0 ..< r0 + rows { microKernel1x16(headDim, q + r * headDim, bp, s + r * ldS + panel * nr) }
                                    }
                                }
                                for r in r0 ..< r0 + rows {
                                    let row = s + r * ldS, visible = i0 + r - j0 + 1
                                    softmax(row, count: visible)
                                    (row + visible).update(repeating: 0, count: need - visible)
                                }
                                // O[strip] += S[strip, 0..<need] · V[0..<need]: the keys after `need` have weight 0.
                                for p in 0..<valuePanels {
                                    let cols = min(nr, headDim - p * nr), bp = vPack + p * maxKeys * nr
                                    let dst = o.value + (i0 + r0) * inner + qOff + p * nr
                                    let (c, ldc) = cols == nr ? (dst, inner) : (tile, nr)
                                    if cols < nr {
                                        for r in 0..<rows { for col in 0..<nr { tile[r * nr + col] = col < cols ? dst[r * inner + col] : 0 } }
                                    }
                                    if rows == mr {
                                        microKernel6x16(need, s + r0 * ldS, ldS, bp, c, ldc)
                                    } else {
                                        for r in 0..<rows { microKernel1x16(need, s + (r0 + r) * ldS, bp, c + r * ldc) }
                                    }
                                    if cols < nr {
                                        for r in 0..<rows { for col in 0..<cols { dst[r * inner + col] = tile[r * nr + col] } }
                                    }
                                }
                                r0 += rows
                            }
                        }
                    }
                }
            }
        }
        return out
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
