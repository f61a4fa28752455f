/// A 1-D convolution over channel-first features, `torch.nn.Conv1d` with weight norm folded.
///
/// `y = conv1d(x, w, b)` with `w: (out, in/groups, kernel)`, `b: (out)`; see `Kernels.conv1d`.
/// The weight is kept in the form its product takes (`Kernels.ConvolutionWeight`), chosen and
/// packed once at load.
struct Conv1d: Sendable {
    let weight: Kernels.ConvolutionWeight
    let bias: [Float]
    let inChannels: Int, outChannels: Int, kernelSize: Int
    let stride: Int, dilation: Int, padding: Int, groups: Int

    init(_ w: WeightScope, in inChannels: Int, out outChannels: Int, kernel: Int,
         stride: Int = 1, dilation: Int = 1, padding: Int = 0, groups: Int = 1) throws {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernel
        self.stride = stride; self.dilation = dilation; self.padding = padding; self.groups = groups
        let values = try w.weightNormed(shape: [outChannels, inChannels / groups, kernel])
        bias = try w.tensor("bias", shape: [outChannels])
        weight = Kernels.ConvolutionWeight(values, outChannels: outChannels, inChannels: inChannels, kernelSize: kernel,
                                           stride: stride, padding: padding, groups: groups)
    }

    /// `x: (in, T)` → `(out, T')`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        precondition(x.rows == inChannels, "Conv1d: \(x.rows) channels in, expected \(inChannels)")
        return Kernels.conv1d(x, weight: weight, bias: bias, outChannels: outChannels, kernelSize: kernelSize,
                              stride: stride, dilation: dilation, padding: padding, groups: groups)
    }

    /// Output frames `frames` of `callAsFunction(x)` (a depth-wise convolution computes only those).
    func callAsFunction(_ x: Matrix, frames: Range<Int>) -> Matrix {
        precondition(x.rows == inChannels, "Conv1d: \(x.rows) channels in, expected \(inChannels)")
        return Kernels.conv1d(x, weight: weight, bias: bias, outChannels: outChannels, kernelSize: kernelSize,
                              stride: stride, dilation: dilation, padding: padding, groups: groups, frames: frames)
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
