/// Convolution and matrix products.
extension Kernels {
    /// 1-D convolution of a channel-first input, as `torch.nn.functional.conv1d`.
    ///
    ///     y[o, t] = b[o] + Σ_{i < Cin/groups} Σ_{k < K} w[o, i, k] · x[g·Cin/groups + i, t·stride + k·dilation − padding]
    ///
    /// with `g = o / (Cout/groups)` and zeros outside the input.
    /// - Parameters:
    ///   - x: `(Cin, T)`.
    ///   - weight: `(Cout, Cin/groups, K)` row-major.
    ///   - bias: `Cout` values or nil.
    /// - Returns: `(Cout, (T + 2·padding − dilation·(K−1) − 1)/stride + 1)`; zero frames when that is negative.
    public static func conv1d(
        _ x: Matrix, weight: [Float], bias: [Float]?, outChannels: Int, kernelSize: Int,
        stride: Int = 1, dilation: Int = 1, padding: Int = 0, groups: Int = 1
    ) -> Matrix {
        let cin = x.rows, t = x.cols, cout = outChannels, k = kernelSize
        precondition(cin % groups == 0 && cout % groups == 0, "conv1d: channels not divisible by groups")
        let cinG = cin / groups, coutG = cout / groups
        precondition(weight.count == cout * cinG * k, "conv1d: weight has \(weight.count) values, expected \(cout * cinG * k)")
        let span = dilation * (k - 1) + 1
        let tOut = max(0, (t + 2 * padding - span) / stride + 1)
        var out = Matrix(rows: cout, cols: tOut)
        if tOut == 0 { return out }
        x.data.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { yp in
                    for o in 0..<cout {
                        let y = yp.baseAddress! + o * tOut
                        let b = bias?[o] ?? 0
                        for j in 0..<tOut { y[j] = b }
                        let g = o / coutG
                        for i in 0..<cinG {
                            let xr = xp.baseAddress! + (g * cinG + i) * t
                            for kk in 0..<k {
                                let w = wp[(o * cinG + i) * k + kk]
                                let offset = kk * dilation - padding
                                // frames j with 0 <= j*stride + offset < t
                                let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
                                let hiExclusive = t - offset <= 0 ? 0 : min(tOut, (t - 1 - offset) / stride + 1)
                                if lo >= hiExclusive { continue }
                                if stride == 1 {
                                    let src = xr + offset
                                    for j in lo..<hiExclusive { y[j] += w * src[j] }
                                } else {
                                    for j in lo..<hiExclusive { y[j] += w * xr[j * stride + offset] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Row-major matrix product `c = a · b (+ c)`, `a: (m, k)`, `b: (k, n)`, `c: (m, n)`;
    /// the inner loop is an axpy over a row of `b`.
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<m {
            let ci = c + i * n
            let ai = a + i * k
            for p in 0..<k {
                let av = ai[p]
                let bp = b + p * n
                for j in 0..<n { ci[j] += av * bp[j] }
            }
        }
    }

    /// Frame-first linear map, as `torch.nn.functional.linear`: `y[t, o] = b[o] + Σ_i x[t, i] · w[o, i]`.
    /// - Parameters:
    ///   - x: `(T, in)`.
    ///   - weightTransposed: `w` transposed, `(in, out)` row-major.
    ///   - bias: `out` values or nil.
    /// - Returns: `(T, out)`.
    public static func linear(_ x: Matrix, weightTransposed wt: Matrix, bias: [Float]?) -> Matrix {
        precondition(x.cols == wt.rows, "linear: input has \(x.cols) features, weight expects \(wt.rows)")
        var out = Matrix(rows: x.rows, cols: wt.cols)
        if let bias {
            for r in 0..<x.rows { for o in 0..<wt.cols { out.data[r * wt.cols + o] = bias[o] } }
        }
        x.data.withUnsafeBufferPointer { xp in
            wt.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { yp in
                    gemm(m: x.rows, n: wt.cols, k: x.cols, a: xp.baseAddress!, b: wp.baseAddress!, c: yp.baseAddress!)
                }
            }
        }
        return out
    }

    /// Channel-first point-wise map (a 1×1 convolution): `y[o, t] = b[o] + Σ_i w[o, i] · x[i, t]`.
    /// - Parameters: `x: (in, T)`, `weight: (out, in)`, `bias: out` values or nil.
    /// - Returns: `(out, T)`.
    public static func pointwise(_ x: Matrix, weight: Matrix, bias: [Float]?) -> Matrix {
        precondition(x.rows == weight.cols, "pointwise: input has \(x.rows) channels, weight expects \(weight.cols)")
        var out = Matrix(rows: weight.rows, cols: x.cols)
        if let bias {
            for o in 0..<weight.rows { for t in 0..<x.cols { out.data[o * x.cols + t] = bias[o] } }
        }
        x.data.withUnsafeBufferPointer { xp in
            weight.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { yp in
                    gemm(m: weight.rows, n: x.cols, k: x.rows, a: wp.baseAddress!, b: xp.baseAddress!, c: yp.baseAddress!)
                }
            }
        }
        return out
    }
}
