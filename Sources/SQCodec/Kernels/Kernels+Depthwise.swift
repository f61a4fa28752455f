import TQAudio

/// The depth-wise convolution (one input channel per output channel, stride 1) of the
/// ConvNeXt-style residual units.
extension Kernels {
    /// Output frames `frames` of the stride-1 depth-wise convolution of `x: (C, T)` with
    /// `weight: (C, 1, K)`: `y[c, j] = b[c] + Σ_k w[c, k] · x[c, j + k·dilation − padding]`, the taps
    /// added one after the other in order, each as a product and then a sum, and only where the
    /// input frame exists (zeros outside are skipped, not added). Bit for bit `conv1d` with
    /// `groups = C`; the frames where every tap exists run eight lanes at a time, the rest tap by
    /// tap. Channels are shared over the threads when large. Returns `(C, frames.count)`.
    static func depthwiseConv1d(_ x: Matrix, weight: [Float], bias: [Float]?, kernelSize k: Int, dilation: Int,
                                padding: Int, frames: Range<Int>) -> Matrix {
        let c = x.rows, t = x.cols, n = frames.count, j0 = frames.lowerBound
        precondition(weight.count == c * k && (bias?.count ?? c) == c, "depthwiseConv1d: weight or bias of another shape")
        precondition(j0 >= 0 && frames.upperBound <= t + 2 * padding - dilation * (k - 1), "depthwiseConv1d: frames beyond the output")
        // Frames whose every tap reads inside the input: j − padding ≥ 0 and j + (K−1)·dilation − padding < t.
        let innerLo = min(max(j0, padding), frames.upperBound)
        let innerHi = max(innerLo, min(frames.upperBound, t - (k - 1) * dilation + padding))
        // Every output value is written.
        return Matrix(rows: c, cols: n) { yp in
            x.data.withUnsafeBufferPointer { xp in
                weight.withUnsafeBufferPointer { wp in
                    let src = UncheckedBox(xp.baseAddress!), dst = UncheckedBox(yp), wb = UncheckedBox(wp.baseAddress!)
                    parallel(count: c, threads: c * n < 1 << 15 ? 1 : Kernels.threads) { o in
                        let xr = src.value + o * t, y = dst.value + o * n, w = wb.value + o * k
                        let b = bias?[o] ?? 0
                        /// Frame `j` tap by tap, skipping the taps outside the input.
                        func edge(_ j: Int) {
                            var s = b
                            for kk in 0..<k {
                                let pos = j + kk * dilation - padding
                                if pos >= 0 && pos < t { s += w[kk] * xr[pos] }
                            }
                            y[j - j0] = s
                        }
                        for j in j0..<innerLo { edge(j) }
                        var j = innerLo
                        // Four vectors at a time (independent sums), then one, then single frames.
                        while j + 32 <= innerHi {
                            let bv = SIMD8<Float>(repeating: b)
                            var s0 = bv, s1 = bv, s2 = bv, s3 = bv
                            var p = UnsafeRawPointer(xr + j - padding)
                            for kk in 0..<k {
                                let wv = SIMD8<Float>(repeating: w[kk])
                                s0 += wv * p.loadUnaligned(as: SIMD8<Float>.self)
                                s1 += wv * p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                                s2 += wv * p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                                s3 += wv * p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                                p += dilation * MemoryLayout<Float>.stride
                            }
                            let out = UnsafeMutableRawPointer(y + j - j0)
                            out.storeBytes(of: s0, as: SIMD8<Float>.self)
                            out.storeBytes(of: s1, toByteOffset: 32, as: SIMD8<Float>.self)
                            out.storeBytes(of: s2, toByteOffset: 64, as: SIMD8<Float>.self)
                            out.storeBytes(of: s3, toByteOffset: 96, as: SIMD8<Float>.self)
                            j += 32
                        }
                        while j + 8 <= innerHi {
                            var s = SIMD8<Float>(repeating: b)
                            var p = UnsafeRawPointer(xr + j - padding)
                            for kk in 0..<k {
                                s += SIMD8<Float>(repeating: w[kk]) * p.loadUnaligned(as: SIMD8<Float>.self)
                                p += dilation * MemoryLayout<Float>.stride
                            }
                            UnsafeMutableRawPointer(y + j - j0).storeBytes(of: s, as: SIMD8<Float>.self)
                            j += 8
                        }
                        while j < innerHi {
                            var s = b
                            for kk in 0..<k { s += w[kk] * xr[j + kk * dilation - padding] }
                            y[j - j0] = s
                            j += 1
                        }
                        for j in innerHi..<frames.upperBound { edge(j) }
                    }
                }
            }
        }
    }
}
