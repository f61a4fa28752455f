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
        precondition(x.rows % groups == 0 && outChannels % groups == 0, "conv1d: channels not divisible by groups")
        let expected = outChannels * x.rows / groups * kernelSize
        precondition(weight.count == expected, "conv1d: weight has \(weight.count) values, expected \(expected)")
        let form = ConvolutionWeight(weight, outChannels: outChannels, inChannels: x.rows, kernelSize: kernelSize,
                                     stride: stride, padding: padding, groups: groups)
        return conv1d(x, weight: form, bias: bias, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                      dilation: dilation, padding: padding, groups: groups)
    }

    /// A convolution's weight in the form its product takes, chosen from its shape once (a layer
    /// keeps it from load on): the packed `(Cout, Cin)` matrix of a 1×1 convolution, one packed
    /// matrix per tap of a stride-1 convolution, the packed `(Cout, Cin·K)` matrix of a strided
    /// one (all ungrouped), the `(C, 1, K)` values of a stride-1 depth-wise one (one input
    /// channel per output channel, single-channel included), or the `(Cout, Cin/groups, K)`
    /// values for the direct loop.
    public enum ConvolutionWeight: Sendable {
        case pointwise(PackedMatrix)
        case taps([PackedMatrix])
        case strided(PackedMatrix)
        case depthwise([Float])
        case plain([Float])

        /// `weight`: `(Cout, Cin/groups, K)` row-major.
        public init(_ weight: [Float], outChannels cout: Int, inChannels cin: Int, kernelSize k: Int,
                    stride: Int, padding: Int, groups: Int) {
            if k == 1 && stride == 1 && groups == 1 && padding == 0 {
                self = .pointwise(PackedMatrix(rows: cout, depth: cin, rowMajor: weight))
            } else if groups == 1 && stride == 1 && cin > 1 {
                self = .taps(convolutionTaps(weight, outChannels: cout, inChannels: cin, kernelSize: k))
            } else if groups == 1 && stride > 1 && cin * k > 1 {
                self = .strided(PackedMatrix(rows: cout, depth: cin * k, rowMajor: weight))
            } else if stride == 1 && groups == cin && groups == cout {
                self = .depthwise(weight)
            } else {
                self = .plain(weight)
            }
        }
    }

    /// `conv1d` with the weight in the form `ConvolutionWeight` chose for these parameters.
    static func conv1d(
        _ x: Matrix, weight: ConvolutionWeight, bias: [Float]?, outChannels: Int, kernelSize: Int,
        stride: Int, dilation: Int, padding: Int, groups: Int
    ) -> Matrix {
        if convolutionFrames(x.cols, kernelSize: kernelSize, stride: stride, dilation: dilation, padding: padding) == 0 {
            return Matrix(rows: outChannels, cols: 0)
        }
        switch weight {
        case .pointwise(let w): return pointwise(x, weight: w, bias: bias)
        case .taps(let taps): return conv1d(x, taps: taps, bias: bias, dilation: dilation, padding: padding)
        case .strided(let w):
            return stridedConv1d(x, weight: w, bias: bias, kernelSize: kernelSize, stride: stride, dilation: dilation, padding: padding)
        case .depthwise(let w):
            let tOut = convolutionFrames(x.cols, kernelSize: kernelSize, stride: 1, dilation: dilation, padding: padding)
            return depthwiseConv1d(x, weight: w, bias: bias, kernelSize: kernelSize, dilation: dilation, padding: padding, frames: 0..<tOut)
        case .plain(let w):
            return directConv1d(x, weight: w, bias: bias, outChannels: outChannels, kernelSize: kernelSize,
                                stride: stride, dilation: dilation, padding: padding, groups: groups)
        }
    }

    /// Output frames `frames` of `conv1d` with the weight in the form `ConvolutionWeight` chose:
    /// a depth-wise convolution computes those frames only, any other the whole output and then
    /// keeps them. `(Cout, frames.count)`.
    static func conv1d(
        _ x: Matrix, weight: ConvolutionWeight, bias: [Float]?, outChannels: Int, kernelSize: Int,
        stride: Int, dilation: Int, padding: Int, groups: Int, frames: Range<Int>
    ) -> Matrix {
        let tOut = convolutionFrames(x.cols, kernelSize: kernelSize, stride: stride, dilation: dilation, padding: padding)
        precondition(frames.lowerBound >= 0 && frames.upperBound <= tOut, "conv1d: frames \(frames) beyond the \(tOut) output frames")
        if case .depthwise(let w) = weight, !frames.isEmpty {
            return depthwiseConv1d(x, weight: w, bias: bias, kernelSize: kernelSize, dilation: dilation, padding: padding, frames: frames)
        }
        let y = conv1d(x, weight: weight, bias: bias, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                       dilation: dilation, padding: padding, groups: groups)
        return frames == 0..<tOut ? y : y.columns(frames)
    }

    /// `conv1d` as loops over output channels, input channels and taps (grouped convolutions
    /// other than depth-wise ones, where a product has nothing to share).
    private static func directConv1d(
        _ x: Matrix, weight: [Float], bias: [Float]?, outChannels: Int, kernelSize: Int,
        stride: Int, dilation: Int, padding: Int, groups: Int
    ) -> Matrix {
        let cin = x.rows, t = x.cols, cout = outChannels, k = kernelSize
        precondition(cin % groups == 0 && cout % groups == 0, "conv1d: channels not divisible by groups")
        let cinG = cin / groups, coutG = cout / groups
        precondition(weight.count == cout * cinG * k, "conv1d: weight has \(weight.count) values, expected \(cout * cinG * k)")
        let tOut = convolutionFrames(t, kernelSize: k, stride: stride, dilation: dilation, padding: padding)
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

    /// Output frames of a convolution of `t` frames: `(t + 2·padding − span)/stride + 1` with
    /// `span = dilation·(kernelSize − 1) + 1`, or 0 when the padded input is shorter than the span.
    static func convolutionFrames(_ t: Int, kernelSize: Int, stride: Int, dilation: Int, padding: Int) -> Int {
        let padded = t + 2 * padding, span = dilation * (kernelSize - 1) + 1
        return padded < span ? 0 : (padded - span) / stride + 1
    }

    /// Strided, ungrouped convolution as one GEMM over gathered columns (im2col):
    /// `y = W · X` with `W = w` as a packed `(Cout, Cin·K)` matrix and
    /// `X[i·K + k, j] = x[i, j·stride + k·dilation − padding]` (zero outside the input). `X` has
    /// `Cin·K/stride` values per input frame, about as many as `x` for the down-sampling layers
    /// (kernel = stride). Same shapes and result as `conv1d` with `groups` 1.
    static func stridedConv1d(_ x: Matrix, weight: PackedMatrix, bias: [Float]?, kernelSize k: Int, stride: Int,
                              dilation: Int, padding: Int) -> Matrix {
        let cin = x.rows, t = x.cols, cout = weight.rows
        precondition(weight.depth == cin * k, "stridedConv1d: weight depth \(weight.depth), expected \(cin * k)")
        let tOut = convolutionFrames(t, kernelSize: k, stride: stride, dilation: dilation, padding: padding)
        if tOut == 0 { return Matrix(rows: cout, cols: 0) }
        var out = Matrix(rows: cout, cols: tOut, rowValues: bias)
        var columns = [Float](repeating: 0, count: cin * k * tOut)
        x.data.withUnsafeBufferPointer { xp in
            columns.withUnsafeMutableBufferPointer { cp in
                for i in 0..<cin {
                    let xr = xp.baseAddress! + i * t
                    for kk in 0..<k {
                        let row = cp.baseAddress! + (i * k + kk) * tOut, offset = kk * dilation - padding
                        for j in 0..<tOut {
                            let pos = j * stride + offset
                            if pos >= 0 && pos < t { row[j] = xr[pos] }
                        }
                    }
                }
            }
        }
        columns.withUnsafeBufferPointer { cp in
            out.data.withUnsafeMutableBufferPointer { yp in
                gemm(n: tOut, a: weight, b: cp.baseAddress!, ldb: tOut, c: yp.baseAddress!, ldc: tOut)
            }
        }
        return out
    }

    /// The taps `W_k = w[:, :, k]` of a `(Cout, Cin, K)` weight, each a packed `(Cout, Cin)` matrix.
    static func convolutionTaps(_ weight: [Float], outChannels cout: Int, inChannels cin: Int, kernelSize k: Int) -> [PackedMatrix] {
        precondition(weight.count == cout * cin * k, "convolutionTaps: \(weight.count) values for \(cout)x\(cin)x\(k)")
        return (0..<k).map { kk in
            PackedMatrix(rows: cout, depth: cin, rowMajor: (0..<(cout * cin)).map { weight[$0 * k + kk] })
        }
    }

    /// Stride-1, ungrouped convolution as one GEMM per tap: `y += W_k · shift(x, k·dilation − padding)`
    /// over the frames where the shifted input exists, `taps` from `convolutionTaps`. Same shapes
    /// and result as `conv1d` with stride and groups 1.
    static func conv1d(_ x: Matrix, taps: [PackedMatrix], bias: [Float]?, dilation: Int, padding: Int) -> Matrix {
        let cin = x.rows, t = x.cols, k = taps.count, cout = taps.first?.rows ?? 0
        precondition(taps.allSatisfy { $0.rows == cout && $0.depth == cin }, "conv1d: taps of another shape than \(cout)x\(cin)")
        let tOut = convolutionFrames(t, kernelSize: k, stride: 1, dilation: dilation, padding: padding)
        if tOut == 0 { return Matrix(rows: cout, cols: 0) }
        var out = Matrix(rows: cout, cols: tOut, rowValues: bias)
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { yp in
                for (kk, tap) in taps.enumerated() {
                    let offset = kk * dilation - padding
                    let lo = max(0, -offset), hi = min(tOut, t - offset)
                    if lo >= hi { continue }
                    gemm(n: hi - lo, a: tap, b: xp.baseAddress! + lo + offset, ldb: t, c: yp.baseAddress! + lo, ldc: tOut)
                }
            }
        }
        return out
    }

    /// Frame-first linear map, as `torch.nn.functional.linear`: `y[t, o] = b[o] + Σ_i x[t, i] · w[o, i]`.
    /// - Parameters:
    ///   - x: `(T, in)`.
    ///   - weightTransposed: `w` transposed, `(in, out)` row-major.
    ///   - bias: `out` values or nil.
    /// - Returns: `(T, out)`.
    public static func linear(_ x: Matrix, weightTransposed wt: Matrix, bias: [Float]?) -> Matrix {
        precondition(x.cols == wt.rows, "linear: input has \(x.cols) features, weight expects \(wt.rows)")
        // The product adds to the bias (or zeros) in every row.
        var out = Matrix(rows: x.rows, cols: wt.cols, repeatingRow: bias)
        x.data.withUnsafeBufferPointer { xp in
            wt.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { yp in
                    gemm(m: x.rows, n: wt.cols, k: x.cols, a: xp.baseAddress!, b: wp.baseAddress!, c: yp.baseAddress!)
                }
            }
        }
        return out
    }

    /// `pointwise` with the weight packed (`PackedMatrix`, `(out, in)`), bit for bit the same.
    static func pointwise(_ x: Matrix, weight: PackedMatrix, bias: [Float]?) -> Matrix {
        precondition(x.rows == weight.depth, "pointwise: input has \(x.rows) channels, weight expects \(weight.depth)")
        var out = Matrix(rows: weight.rows, cols: x.cols, rowValues: bias)
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { yp in
                gemm(n: x.cols, a: weight, b: xp.baseAddress!, ldb: x.cols, c: yp.baseAddress!, ldc: x.cols)
            }
        }
        return out
    }

    /// Channel-first point-wise map (a 1×1 convolution): `y[o, t] = b[o] + Σ_i w[o, i] · x[i, t]`.
    /// - Parameters: `x: (in, T)`, `weight: (out, in)`, `bias: out` values or nil.
    /// - Returns: `(out, T)`.
    public static func pointwise(_ x: Matrix, weight: Matrix, bias: [Float]?) -> Matrix {
        precondition(x.rows == weight.cols, "pointwise: input has \(x.rows) channels, weight expects \(weight.cols)")
        var out = Matrix(rows: weight.rows, cols: x.cols, rowValues: bias)
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
