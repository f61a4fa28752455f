/// `torch.nn.LayerNorm(dim)` (eps 1e-5) over each row of frame-first input `(T, dim)`.
/// Weights: `weight (dim)`, `bias (dim)`.
struct LayerNorm: Sendable {
    let weight: [Float], bias: [Float]
    let eps: Float

    init(_ w: WeightScope, dim: Int, eps: Float = 1e-5) throws {
        weight = try w.tensor("weight", shape: [dim])
        bias = try w.tensor("bias", shape: [dim])
        self.eps = eps
    }

    func callAsFunction(_ x: Matrix) -> Matrix { Kernels.layerNormRows(x, weight: weight, bias: bias, eps: eps) }
}

/// sq-codec's and l3ac's `ChannelNorm` (either data format) on channel-first input `(C, T)`:
/// normalizes each frame over its channels with `eps` (float32 epsilon for sq-codec, 1e-8 for
/// l3ac). Weights: `weight (C)`, `bias (C)`.
struct ChannelNorm: Sendable {
    let weight: [Float], bias: [Float]
    let eps: Float

    init(_ w: WeightScope, channels: Int, eps: Float = Kernels.float32Epsilon) throws {
        weight = try w.tensor("weight", shape: [channels])
        bias = try w.tensor("bias", shape: [channels])
        self.eps = eps
    }

    func callAsFunction(_ x: Matrix) -> Matrix {
        Kernels.layerNormColumns(x, weight: weight, bias: bias, eps: eps)
    }
}

/// `torch.nn.InstanceNorm1d(C, affine=True)`, eps 1e-5, on `(C, T)`. Weights: `weight (C)`, `bias (C)`.
struct InstanceNorm: Sendable {
    let weight: [Float], bias: [Float]

    init(_ w: WeightScope, channels: Int) throws {
        weight = try w.tensor("weight", shape: [channels])
        bias = try w.tensor("bias", shape: [channels])
    }

    func callAsFunction(_ x: Matrix) -> Matrix { Kernels.instanceNorm(x, weight: weight, bias: bias) }
}

/// sq-codec's `GRN` (channels last): `y = γ · (x · ‖x‖/(‖x‖ + eps)) + β + x` with one norm over
/// the whole sequence (eps as for `ChannelNorm`). Weights: `gamma (1, C)`, `beta (1, C)`.
struct GlobalResponseNorm: Sendable {
    let gamma: [Float], beta: [Float]
    let eps: Float

    init(_ w: WeightScope, channels: Int, eps: Float = Kernels.float32Epsilon) throws {
        gamma = try w.tensor("gamma", shape: [1, channels])
        beta = try w.tensor("beta", shape: [1, channels])
        self.eps = eps
    }

    func callAsFunction(_ x: Matrix) -> Matrix { Kernels.globalResponseNorm(x, gamma: gamma, beta: beta, eps: eps) }

    /// With the sequence-wide factor `‖x‖/(‖x‖ + eps)` known.
    func callAsFunction(_ x: Matrix, factor: Float) -> Matrix {
        Kernels.globalResponseNorm(x, gamma: gamma, beta: beta, factor: factor)
    }
}

/// Snake activation `x + sin²(αx)/(α + eps)` with one α per channel (eps as for `ChannelNorm`).
/// Weight: `alpha`, shaped `(1, C, 1)` (channels first) or `(1, 1, C)` (channels last).
struct Snake: Sendable {
    let alpha: [Float]
    let eps: Float

    init(_ w: WeightScope, channels: Int, channelsLast: Bool = false, eps: Float = Kernels.float32Epsilon) throws {
        alpha = try w.tensor("alpha", shape: channelsLast ? [1, 1, channels] : [1, channels, 1])
        self.eps = eps
    }

    func callAsFunction(_ x: Matrix) -> Matrix { Kernels.snake(x, alpha: alpha, eps: eps) }
}
