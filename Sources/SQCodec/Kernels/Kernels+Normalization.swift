import TQAudio
/// Normalizations. Variances are biased (divide by n), as in PyTorch. Sums are accumulated in
/// double precision: instance norm over thousands of frames of a nearly constant signal loses
/// too much to float32 round-off otherwise (PyTorch sums pairwise).
extension Kernels {
    /// Layer norm over each row, as `torch.nn.functional.layer_norm` on the last dimension:
    /// `y[r, c] = (x[r, c] − μ_r) / sqrt(σ²_r + eps) · w[c] + b[c]`. `x: (R, C)`.
    public static func layerNormRows(_ x: Matrix, weight: [Float], bias: [Float], eps: Float) -> Matrix {
        let n = x.cols
        precondition(weight.count == n && bias.count == n, "layerNormRows: affine size mismatch")
        var out = x
        out.data.withUnsafeMutableBufferPointer { p in
            let base = UncheckedBox(p.baseAddress!)
            // Rows are independent: runs of them shared over the threads.
            let run = max(1, (1 << 14) / max(1, n))
            parallel(count: (x.rows + run - 1) / run, threads: x.rows * n < 1 << 15 ? 1 : Kernels.threads) { job in
                weight.withUnsafeBufferPointer { w in
                    bias.withUnsafeBufferPointer { b in
                        for r in job * run ..< min(x.rows, (job + 1) * run) {
                            let row = base.value + r * n
                            let (mean, inv) = meanAndInverseDeviation(row, count: n, eps: eps)
                            for c in 0..<n { row[c] = (row[c] - mean) * inv * w[c] + b[c] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Normalization over the channels of each frame of a channel-first input (sq-codec's
    /// `ChannelNorm`, in either data format): `y[c, t] = w[c] · (x[c, t] − μ_t) / sqrt(σ²_t + eps) + b[c]`.
    /// `x: (C, T)`.
    public static func layerNormColumns(_ x: Matrix, weight: [Float], bias: [Float], eps: Float) -> Matrix {
        let c = x.rows, t = x.cols
        precondition(weight.count == c && bias.count == c, "layerNormColumns: affine size mismatch")
        // Columns are independent: runs of 256 of them shared over the threads, each with its
        // own sums (every column's sums run over the channels in order, whatever the split).
        // Every output value is written.
        let run = 256
        return Matrix(rows: c, cols: t) { yp in
            x.data.withUnsafeBufferPointer { xp in
                let src = UncheckedBox(xp.baseAddress!), dst = UncheckedBox(yp)
                parallel(count: (t + run - 1) / run, threads: c * t < 1 << 15 ? 1 : Kernels.threads) { job in
                    let j0 = job * run, n = min(run, t - j0)
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * run) { acc in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * run) { stats in
                            let m = acc.baseAddress!, v = m + run, meanF = stats.baseAddress!, invStd = meanF + run
                            m.initialize(repeating: 0, count: 2 * run)
                            for r in 0..<c { let row = src.value + r * t + j0; for j in 0..<n { m[j] += Double(row[j]) } }
                            for j in 0..<n { meanF[j] = Float(m[j] / Double(c)) }
                            for r in 0..<c {
                                let row = src.value + r * t + j0
                                for j in 0..<n { let d = Double(row[j] - meanF[j]); v[j] += d * d }
                            }
                            for j in 0..<n { invStd[j] = 1 / (Float(v[j] / Double(c)) + eps).squareRoot() }
                            for r in 0..<c {
                                let row = src.value + r * t + j0, y = dst.value + r * t + j0
                                let w = weight[r], b = bias[r]
                                for j in 0..<n { y[j] = w * ((row[j] - meanF[j]) * invStd[j]) + b }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Instance norm with affine parameters over the frames of each channel, as
    /// `torch.nn.InstanceNorm1d(affine=True)` in eval mode without running statistics:
    /// `y[c, t] = (x[c, t] − μ_c) / sqrt(σ²_c + eps) · w[c] + b[c]`. `x: (C, T)`.
    public static func instanceNorm(_ x: Matrix, weight: [Float], bias: [Float], eps: Float = 1e-5) -> Matrix {
        precondition(weight.count == x.rows && bias.count == x.rows, "instanceNorm: affine size mismatch")
        var out = x
        let t = x.cols
        out.data.withUnsafeMutableBufferPointer { p in
            for c in 0..<x.rows {
                let row = p.baseAddress! + c * t
                let (mean, inv) = meanAndInverseDeviation(row, count: t, eps: eps)
                let w = weight[c], b = bias[c]
                for j in 0..<t { row[j] = (row[j] - mean) * inv * w + b }
            }
        }
        return out
    }

    /// The mean of `x[0..<count]` and `1/sqrt(σ² + eps)` (biased variance), summed in double.
    @inline(__always)
    static func meanAndInverseDeviation(_ x: UnsafePointer<Float>, count n: Int, eps: Float) -> (mean: Float, inverse: Float) {
        var sum: Double = 0
        for i in 0..<n { sum += Double(x[i]) }
        let mean = Float(sum / Double(n))
        var squares: Double = 0
        for i in 0..<n { let d = Double(x[i] - mean); squares += d * d }
        return (mean, 1 / (Float(squares / Double(n)) + eps).squareRoot())
    }

    /// Global response normalization as sq-codec's `GRN` computes it: one norm over the whole
    /// sequence and all channels, `g = ‖x‖₂`, `n = g / (g + eps)`, `y = γ[c] · (x · n) + β[c] + x`.
    /// `x: (C, T)`; `gamma`, `beta`: `C` values.
    public static func globalResponseNorm(_ x: Matrix, gamma: [Float], beta: [Float], eps: Float = float32Epsilon) -> Matrix {
        precondition(gamma.count == x.rows && beta.count == x.rows, "globalResponseNorm: size mismatch")
        let n = responseNormFactor(sumOfSquares: sumOfSquares(x), eps: eps)
        return globalResponseNorm(x, gamma: gamma, beta: beta, factor: n)
    }

    /// `Σ x²` over all values, in double precision.
    public static func sumOfSquares(_ x: Matrix) -> Double {
        var sum: Double = 0
        for v in x.data { sum += Double(v) * Double(v) }
        return sum
    }

    /// GRN's factor `g / (g + eps)` for `g = sqrt(sumOfSquares)`, in float32 as PyTorch computes
    /// it. It is exactly 1 once `g ≥ 4`: `eps` is then below half a unit in the last place of `g`.
    public static func responseNormFactor(sumOfSquares: Double, eps: Float = float32Epsilon) -> Float {
        let g = Float(sumOfSquares.squareRoot())
        return g / (g + eps)
    }

    /// GRN with its factor `n` given: `y = γ[c] · (x · n) + β[c] + x`.
    public static func globalResponseNorm(_ x: Matrix, gamma: [Float], beta: [Float], factor n: Float) -> Matrix {
        precondition(gamma.count == x.rows && beta.count == x.rows, "globalResponseNorm: size mismatch")
        var out = x
        out.data.withUnsafeMutableBufferPointer { p in
            for c in 0..<x.rows {
                let row = p.baseAddress! + c * x.cols
                let gc = gamma[c], bc = beta[c]
                for j in 0..<x.cols { let v = row[j]; row[j] = gc * (v * n) + bc + v }
            }
        }
        return out
    }
}
