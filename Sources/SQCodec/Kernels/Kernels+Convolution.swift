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
        if groups == 1 && stride == 1 && cin > 1 {
            conv1dAsGEMM(x, weight: weight, bias: bias, kernelSize: k, dilation: dilation, padding: padding, into: &out)
            return out
        }
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

    /// Stride-1, ungrouped convolution as one GEMM per tap: `y += W_k · shift(x, k·dilation − padding)`,
    /// `W_k = w[:, :, k]` as a `(Cout, Cin)` matrix, over the frames where the shifted input exists.
    private static func conv1dAsGEMM(_ x: Matrix, weight: [Float], bias: [Float]?, kernelSize k: Int,
                                     dilation: Int, padding: Int, into out: inout Matrix) {
        let cin = x.rows, t = x.cols, cout = out.rows, tOut = out.cols
        var taps = [Float](repeating: 0, count: k * cout * cin)
        for o in 0..<cout { for i in 0..<cin { for kk in 0..<k { taps[(kk * cout + o) * cin + i] = weight[(o * cin + i) * k + kk] } } }
        if let bias { for o in 0..<cout { for j in 0..<tOut { out.data[o * tOut + j] = bias[o] } } }
        x.data.withUnsafeBufferPointer { xp in
            taps.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { yp in
                    for kk in 0..<k {
                        let offset = kk * dilation - padding
                        let lo = max(0, -offset), hi = min(tOut, t - offset)
                        if lo >= hi { continue }
                        gemm(m: cout, n: hi - lo, k: cin,
                             a: wp.baseAddress! + kk * cout * cin, lda: cin,
                             b: xp.baseAddress! + lo + offset, ldb: t,
                             c: yp.baseAddress! + lo, ldc: tOut)
                    }
                }
            }
        }
    }

    /// Row-major matrix product accumulated into `c`: `c[i, j] += Σ_p a[i, p] · b[p, j]`, with
    /// `a: (m, k)`, `b: (k, n)`, `c: (m, n)` and leading dimensions (row strides) `lda`, `ldb`, `ldc`.
    ///
    /// Blocks of 4 × 4 outputs are accumulated in scalar registers over the whole `p` range
    /// (each `c` element still sums its terms in order of `p`); edges fall back to plain loops.
    /// Scalar accumulators beat `SIMD8` here in release (LLVM vectorizes them) and are 100×
    /// faster in debug builds, where generic SIMD code is not specialized.
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let n4 = n - n % 4, m4 = m - m % 4
        var i = 0
        while i < m4 {
            let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
            let r0 = c + i * ldc, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc
            var j = 0
            while j < n4 {
                var c00 = r0[j], c01 = r0[j + 1], c02 = r0[j + 2], c03 = r0[j + 3]
                var c10 = r1[j], c11 = r1[j + 1], c12 = r1[j + 2], c13 = r1[j + 3]
                var c20 = r2[j], c21 = r2[j + 1], c22 = r2[j + 2], c23 = r2[j + 3]
                var c30 = r3[j], c31 = r3[j + 1], c32 = r3[j + 2], c33 = r3[j + 3]
                var bp = b + j
                for p in 0..<k {
                    let b0 = bp[0], b1 = bp[1], b2 = bp[2], b3 = bp[3]
                    let x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p]
                    c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3
                    c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3
                    c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3
                    c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3
                    bp += ldb
                }
                r0[j] = c00; r0[j + 1] = c01; r0[j + 2] = c02; r0[j + 3] = c03
                r1[j] = c10; r1[j + 1] = c11; r1[j + 2] = c12; r1[j + 3] = c13
                r2[j] = c20; r2[j + 1] = c21; r2[j + 2] = c22; r2[j + 3] = c23
                r3[j] = c30; r3[j + 1] = c31; r3[j + 2] = c32; r3[j + 3] = c33
                j += 4
            }
            if n4 < n {
                for r in 0..<4 { scalarRow(a + (i + r) * lda, b, ldb, c + (i + r) * ldc, k: k, columns: n4..<n) }
            }
            i += 4
        }
        while i < m {
            scalarRow(a + i * lda, b, ldb, c + i * ldc, k: k, columns: 0..<n)
            i += 1
        }
    }

    /// `c` and `b` rows are contiguous: the common case.
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    ) {
        gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c, ldc: n)
    }

    @inline(__always) private static func scalarRow(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>,
        k: Int, columns: Range<Int>
    ) {
        for j in columns {
            var s = c[j]
            for p in 0..<k { s += a[p] * b[p * ldb + j] }
            c[j] = s
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
