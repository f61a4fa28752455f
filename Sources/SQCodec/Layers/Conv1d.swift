/// A 1-D convolution over channel-first features, `torch.nn.Conv1d` with weight norm folded.
///
/// `y = conv1d(x, w, b)` with `w: (out, in/groups, kernel)`, `b: (out)`; see `Kernels.conv1d`.
/// Ungrouped convolutions keep their weight packed for the matrix product (`Kernels.PackedMatrix`:
/// the `(out, in)` matrix of a 1×1 convolution, one per tap of a stride-1 convolution, the
/// `(out, in·kernel)` matrix of a strided one), packed once at load; the others keep `w`.
struct Conv1d: Sendable {
    enum Weight: Sendable {
        case pointwise(Kernels.PackedMatrix)
        case taps([Kernels.PackedMatrix])
        case strided(Kernels.PackedMatrix)
        case plain([Float])
    }
    let weight: Weight
    let bias: [Float]
    let inChannels: Int, outChannels: Int, kernelSize: Int
    let stride: Int, dilation: Int, padding: Int, groups: Int

    init(_ w: WeightScope, in inChannels: Int, out outChannels: Int, kernel: Int,
         stride: Int = 1, dilation: Int = 1, padding: Int = 0, groups: Int = 1) throws {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernel
        self.stride = stride; self.dilation = dilation; self.padding = padding; self.groups = groups
        let values = try w.weightNormed(shape: [outChannels, inChannels / groups, kernel])
        bias = try w.tensor("bias", shape: [outChannels])
        // The paths of Kernels.conv1d, chosen once.
        if kernel == 1 && stride == 1 && groups == 1 && padding == 0 {
            weight = .pointwise(Kernels.PackedMatrix(rows: outChannels, depth: inChannels, rowMajor: values))
        } else if groups == 1 && stride == 1 && inChannels > 1 {
            weight = .taps(Kernels.convolutionTaps(values, outChannels: outChannels, inChannels: inChannels, kernelSize: kernel))
        } else if groups == 1 && stride > 1 && inChannels * kernel > 1 {
            weight = .strided(Kernels.PackedMatrix(rows: outChannels, depth: inChannels * kernel, rowMajor: values))
        } else {
            weight = .plain(values)
        }
    }

    /// `x: (in, T)` → `(out, T')`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        precondition(x.rows == inChannels, "Conv1d: \(x.rows) channels in, expected \(inChannels)")
        if Kernels.convolutionFrames(x.cols, kernelSize: kernelSize, stride: stride, dilation: dilation, padding: padding) == 0 {
            return Matrix(rows: outChannels, cols: 0)
        }
        switch weight {
        case .pointwise(let w): return Kernels.pointwise(x, weight: w, bias: bias)
        case .taps(let taps): return Kernels.conv1d(x, taps: taps, bias: bias, dilation: dilation, padding: padding)
        case .strided(let w):
            return Kernels.stridedConv1d(x, weight: w, bias: bias, kernelSize: kernelSize, stride: stride, dilation: dilation,
                                         padding: padding)
        case .plain(let w):
            return Kernels.conv1d(x, weight: w, bias: bias, outChannels: outChannels, kernelSize: kernelSize,
                                  stride: stride, dilation: dilation, padding: padding, groups: groups)
        }
    }
}

/// `torch.nn.Linear` applied to every frame of a channel-first input (sq-codec's point-wise
/// convolutions `pw_conv1/2`, written as `Linear` on `(T, C)`): `y[o, t] = b[o] + Σ_i w[o, i] x[i, t]`.
/// `w: (out, in)`, `b: (out)`, weight norm folded.
struct PointwiseLinear: Sendable {
    let weight: Kernels.PackedMatrix
    let bias: [Float]

    init(_ w: WeightScope, in inFeatures: Int, out outFeatures: Int) throws {
        weight = Kernels.PackedMatrix(rows: outFeatures, depth: inFeatures,
                                      rowMajor: try w.weightNormed(shape: [outFeatures, inFeatures]))
        bias = try w.tensor("bias", shape: [outFeatures])
    }

    func callAsFunction(_ x: Matrix) -> Matrix { Kernels.pointwise(x, weight: weight, bias: bias) }
}

/// `torch.nn.Linear` on frame-first input: `y[t, o] = b[o] + Σ_i x[t, i] w[o, i]`,
/// `w: (out, in)` (stored transposed), `b: (out)` or none.
struct Linear: Sendable {
    let weightTransposed: Matrix
    let bias: [Float]?

    init(_ w: WeightScope, in inFeatures: Int, out outFeatures: Int, bias hasBias: Bool = true) throws {
        let wv = try w.weightNormed(shape: [outFeatures, inFeatures])
        weightTransposed = Matrix(rows: outFeatures, cols: inFeatures, data: wv).transposed()
        bias = hasBias ? try w.tensor("bias", shape: [outFeatures]) : nil
    }

    /// `x: (T, in)` → `(T, out)`.
    func callAsFunction(_ x: Matrix) -> Matrix { Kernels.linear(x, weightTransposed: weightTransposed, bias: bias) }
}
