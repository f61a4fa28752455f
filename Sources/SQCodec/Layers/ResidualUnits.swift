import TQAudio

/// sq-codec's `ResidualUnit`: a ConvNeXt-style block with Snake and GRN, added to its input.
///
///     y = x + pw2(GRN(Snake(pw1(Norm(dwconv(x))))))
///
/// `dwconv`: depth-wise `Conv1d(dim, dim, 7, dilation, padding 3·dilation, groups dim)`;
/// `Norm`: `ChannelNorm(dim)` (when the model uses norms); `pw1`: `Linear(dim, 4·dim)`;
/// `Snake` and `GRN` on `4·dim` channels; `pw2`: `Linear(4·dim, dim)`. Weight keys under `module.`.
struct ConvUnit: Sendable {
    let dwConv: Conv1d
    let norm: ChannelNorm?
    let pwConv1: PointwiseLinear
    let act: Snake
    let grn: GlobalResponseNorm
    let pwConv2: PointwiseLinear

    /// `eps`: of ChannelNorm, Snake and GRN (float32 epsilon for sq-codec, 1e-8 for l3ac).
    init(_ w: WeightScope, dim: Int, useNorm: Bool, dilation: Int = 1, kernel: Int = 7,
         eps: Float = Kernels.float32Epsilon) throws {
        let m = w.child("module")
        dwConv = try Conv1d(m.child("dw_conv"), in: dim, out: dim, kernel: kernel, dilation: dilation,
                            padding: (kernel - 1) * dilation / 2, groups: dim)
        norm = useNorm ? try ChannelNorm(m.child("norm"), channels: dim, eps: eps) : nil
        pwConv1 = try PointwiseLinear(m.child("pw_conv1"), in: dim, out: 4 * dim)
        act = try Snake(m.child("act"), channels: 4 * dim, channelsLast: true, eps: eps)
        grn = try GlobalResponseNorm(m.child("grn"), channels: 4 * dim, eps: eps)
        pwConv2 = try PointwiseLinear(m.child("pw_conv2"), in: 4 * dim, out: dim)
    }

    /// `x: (dim, T)` → `(dim, T)`.
    ///
    /// Computed in tiles of frames (`mapTilesInPlace`), each through the whole unit while it is
    /// in cache: every step but GRN is local in time (the depth-wise convolution reads
    /// `3·dilation` frames either side; everything after it runs on the tile's own frames only),
    /// and GRN's sequence-wide factor `‖a‖/(‖a‖ + eps)` is exactly 1 once the activations of the
    /// first 16 frames, or else of the first tile, alone have a norm of 4 or more (they are a part
    /// of the sequence's). When neither does (near-silent input), the unit runs over the whole
    /// sequence at once, as PyTorch does.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var y = x
        apply(&y)
        return y
    }

    /// The unit applied to `x` in place (no second `(dim, T)` matrix when the tiles run),
    /// bit-identical to `whole`: each frame's values are computed by the same operations.
    func apply(_ x: inout Matrix) {
        let width = max(64, (1 << 17) / (4 * x.rows) / 16 * 16), reach = dwConv.padding
        guard x.cols > width else { x = whole(x); return }
        // A short probe first: it costs a sliver of the first tile, which the tiles then compute.
        let loud = [16, width].contains { frames in
            let head = activation(x.columns(0 ..< min(x.cols, frames + reach)), frames: 0..<frames)
            return Kernels.responseNormFactor(sumOfSquares: Kernels.sumOfSquares(head), eps: grn.eps) == 1
        }
        guard loud else { x = whole(x); return }
        mapTilesInPlace(&x, reach: reach, width: width) { s, kept in
            var a = projected(s, frames: kept)
            Kernels.snakeResponseNorm(&a, alpha: act.alpha, gamma: grn.gamma, beta: grn.beta, factor: 1, eps: act.eps)
            var y = pwConv2(a)
            y.addToEach(columnsOf: s, kept)
            return y
        }
    }

    /// The unit over the whole sequence in one pass.
    func whole(_ x: Matrix) -> Matrix { x + pwConv2(grn(activation(x, frames: 0..<x.cols))) }

    /// Frames `frames` of `Snake(pw1(Norm(dwconv(x))))`, `(4·dim, frames.count)`.
    private func activation(_ x: Matrix, frames: Range<Int>) -> Matrix { act(projected(x, frames: frames)) }

    /// Frames `frames` of `pw1(Norm(dwconv(x)))`, `(4·dim, frames.count)`: the depth-wise
    /// convolution reads its context from `x`; the rest is point-wise.
    private func projected(_ x: Matrix, frames: Range<Int>) -> Matrix {
        var h = dwConv(x, frames: frames)
        if let norm { h = norm(h) }
        return pwConv1(h)
    }
}

/// sq-codec's `ResidualLegacyUnit` (DAC's residual unit), added to its input:
///
///     y = x + Conv1d_1x1(Snake(Conv1d_7(Snake(x), dilation)))
///
/// Weight keys `module.block.{0,1,2,3}`: Snake `(1, dim, 1)`, `Conv1d(dim, dim, 7, dilation,
/// padding 3·dilation)`, Snake, `Conv1d(dim, dim, 1)`.
struct LegacyUnit: Sendable {
    let snake1: Snake, conv1: Conv1d, snake2: Snake, conv2: Conv1d

    init(_ w: WeightScope, dim: Int, dilation: Int, eps: Float = Kernels.float32Epsilon) throws {
        let b = w.child("module").child("block")
        snake1 = try Snake(b.child("0"), channels: dim, eps: eps)
        conv1 = try Conv1d(b.child("1"), in: dim, out: dim, kernel: 7, dilation: dilation, padding: 3 * dilation)
        snake2 = try Snake(b.child("2"), channels: dim, eps: eps)
        conv2 = try Conv1d(b.child("3"), in: dim, out: dim, kernel: 1)
    }

    /// Computed in tiles of frames (`mapTiles`): every step is local in time.
    func callAsFunction(_ x: Matrix) -> Matrix {
        mapTiles(x, reach: conv1.padding, width: max(64, (1 << 16) / x.rows / 16 * 16)) { whole($0) }
    }

    /// The unit over the whole sequence in one pass.
    func whole(_ x: Matrix) -> Matrix { x + conv2(snake2(conv1(snake1(x)))) }
}
