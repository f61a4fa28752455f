import TQAudio
/// Upsampling and pooling along frames.
extension Kernels {
    /// Linear upsampling by an integer factor, as `nn.Upsample(scale_factor: s, mode: 'linear',
    /// align_corners: False)`: output frame `j` reads source position `max(0, (j + ½)/s − ½)`,
    /// blending its two neighbours (the last frame repeats at the right edge).
    /// `x: (C, T)` → `(C, T·s)`.
    ///
    /// The position is `scale · (j + ½) − ½` with one rounding (a fused multiply-add,
    /// `scale = Float(1/s)`), as PyTorch's CPU kernel computes it: rounding the product first
    /// moves it by one ulp on a few frames per call, which at 25 s of audio (positions near 10⁵)
    /// changes their weights by up to 4e-3. Checked against torch 2.13 for 3600…216000 output
    /// frames and factors 2–5.
    public static func upsampleLinear(_ x: Matrix, factor: Int) -> Matrix {
        upsampleLinear(x, factor: factor, frames: 0 ..< x.cols * factor, sourceStart: 0, sourceLength: x.cols)
    }

    /// Output frames `frames` of the linear upsampling of a sequence of `sourceLength` frames
    /// of which `x` holds frames `sourceStart ..< sourceStart + x.cols` (a tile and its context):
    /// each output frame's position and weights come from its global index `j` and the whole
    /// sequence's length, exactly as in the whole-sequence call, and then read the local slice.
    /// `x` must hold every source frame those outputs read (`j/factor − 1 … j/factor + 1`,
    /// clamped to the sequence). `x: (C, n)` → `(C, frames.count)`.
    public static func upsampleLinear(_ x: Matrix, factor: Int, frames: Range<Int>, sourceStart: Int,
                                      sourceLength: Int) -> Matrix {
        let t = sourceLength, n = x.cols, j0 = frames.lowerBound, tOut = frames.count
        precondition(frames.lowerBound >= 0 && frames.upperBound <= t * factor, "upsampleLinear: frames beyond the output")
        guard t > 0, tOut > 0 else { return Matrix(rows: x.rows, cols: tOut) }
        let scale = Float(1.0 / Double(factor))
        var i0 = [Int](repeating: 0, count: tOut), i1 = i0
        var l1 = [Float](repeating: 0, count: tOut)
        for q in 0..<tOut {
            let j = j0 + q
            let src = max(0, (-0.5 as Float).addingProduct(scale, Float(j) + 0.5))
            let a = min(Int(src), t - 1)
            let b = a < t - 1 ? a + 1 : a
            precondition(a >= sourceStart && b < sourceStart + n, "upsampleLinear: frame \(j) reads outside the slice")
            i0[q] = a - sourceStart
            i1[q] = b - sourceStart
            l1[q] = min(max(src - Float(a), 0), 1)
        }
        // Every output value is written below.
        return Matrix(rows: x.rows, cols: tOut) { yp in
            x.data.withUnsafeBufferPointer { xp in
                i0.withUnsafeBufferPointer { i0p in
                    i1.withUnsafeBufferPointer { i1p in
                        l1.withUnsafeBufferPointer { l1p in
                            let src = UncheckedBox(xp.baseAddress!), dst = UncheckedBox(yp)
                            let a = UncheckedBox(i0p.baseAddress!), b = UncheckedBox(i1p.baseAddress!), w = UncheckedBox(l1p.baseAddress!)
                            parallel(count: x.rows, threads: x.rows * tOut < 1 << 15 ? 1 : Kernels.threads) { c in
                                let xr = src.value + c * n, y = dst.value + c * tOut
                                for j in 0..<tOut {
                                    let w1 = w.value[j]
                                    y[j] = (1 - w1) * xr[a.value[j]] + w1 * xr[b.value[j]]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Max pooling with stride 1 and padding `kernel/2` (padding never wins), as
    /// `F.max_pool1d(x, kernel, 1, kernel/2)`, for odd `kernel`. Same shape as `x: (C, T)`.
    public static func maxPool(_ x: Matrix, kernel: Int) -> Matrix {
        pool(x, kernel: kernel) { window in
            var m = -Float.infinity
            for v in window { m = max(m, v) }
            return m
        }
    }

    /// Average pooling with stride 1 and zero padding `kernel/2` counted in the mean, as
    /// `F.avg_pool1d(x, kernel, 1, kernel/2)` (`count_include_pad=True`), for odd `kernel`.
    public static func averagePool(_ x: Matrix, kernel: Int) -> Matrix {
        let inv = 1 / Float(kernel)
        return pool(x, kernel: kernel) { window in
            var s: Float = 0
            for v in window { s += v }
            return s * inv
        }
    }

    private static func pool(_ x: Matrix, kernel: Int, _ reduce: (ArraySlice<Float>) -> Float) -> Matrix {
        precondition(kernel % 2 == 1, "pool: odd kernel sizes only")
        let half = kernel / 2, t = x.cols
        var out = Matrix(rows: x.rows, cols: t)
        for c in 0..<x.rows {
            let base = c * t
            for j in 0..<t {
                let lo = max(0, j - half), hi = min(t, j + half + 1)
                out.data[base + j] = reduce(x.data[base + lo ..< base + hi])
            }
        }
        return out
    }
}
