import TQAudio

/// Trend pooling of sq-codec's `tconv`: `avgpool_k(maxpool_k(|x|))` (stride 1, padding k/2),
/// or `x` itself when `k = 1`.
func trendPool(_ x: Matrix, kernel: Int) -> Matrix {
    guard kernel > 1 else { return x }
    var a = x
    for i in 0..<a.data.count { a.data[i] = abs(a.data[i]) }
    return Kernels.averagePool(Kernels.maxPool(a, kernel: kernel), kernel: kernel)
}

/// Parallel branches `Conv1d(1, each, 7, dilation d_i, padding 3·d_i)(trendPool(x, p_i))` over
/// one input channel, concatenated along channels (sq-codec's `tconv.base.FirstBlock`).
/// Branch `i` pools with `p_i` and dilates by `d_i = p_i / dilationRate + 1`. Weight keys
/// `blocks.{i}.1`.
struct TrendBranches: Sendable {
    let pools: [Int]
    let convs: [Conv1d]

    init(_ w: WeightScope, outChannels: Int, pools: [Int], dilationRate: Int) throws {
        precondition(outChannels % pools.count == 0, "TrendBranches: channels not divisible by branches")
        let each = outChannels / pools.count
        self.pools = pools
        convs = try pools.enumerated().map { i, p in
            let d = p / dilationRate + 1
            return try Conv1d(w.child("blocks").child("\(i)").child("1"), in: 1, out: each, kernel: 7,
                              dilation: d, padding: 6 * d / 2)
        }
    }

    /// Frames read either side of an output frame: pooling `p/2` twice, then the convolution.
    var reach: Int { zip(pools, convs).map { p, conv in 2 * (p / 2) + conv.padding }.max() ?? 0 }

    /// `x: (1, T)` → `(outChannels, T)`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var out: [Float] = []
        var rows = 0
        for (p, conv) in zip(pools, convs) {
            let y = conv(trendPool(x, kernel: p))
            out += y.data
            rows += y.rows
        }
        return Matrix(rows: rows, cols: x.cols, data: out)
    }
}

/// The encoder's first block (sq-codec `tconv.t_first.V3FirstBlock`, pools 1, 5, 11, 21, 45):
///
///     h = GELU(Conv1d_1x1(TrendBranches(x)))        20 → 80 channels
///     y = Conv1d_1x1([h; x])                          81 → dim
struct FirstBlock: Sendable {
    let branches: TrendBranches
    let conv1: Conv1d, conv2: Conv1d

    init(_ w: WeightScope, dim: Int) throws {
        let pools = [1, 5, 11, 21, 45]
        let h = pools.count * 4
        branches = try TrendBranches(w, outChannels: h, pools: pools, dilationRate: 99)
        conv1 = try Conv1d(w.child("conv_1"), in: h, out: 4 * h, kernel: 1)
        conv2 = try Conv1d(w.child("conv_2"), in: 4 * h + 1, out: dim, kernel: 1)
    }

    /// `x: (1, T)` → `(dim, T)`, in tiles of 4096 frames (`mapTiles`): the widest branch reads
    /// 22 + 22 frames of pooling and 3 of convolution either side.
    func callAsFunction(_ x: Matrix) -> Matrix {
        mapTiles(x, reach: branches.reach, width: 4096) { whole($0) }
    }

    /// The block over the whole sequence in one pass.
    func whole(_ x: Matrix) -> Matrix {
        let h = Kernels.gelu(conv1(branches(x)))
        return conv2(Matrix(rows: h.rows + 1, cols: x.cols, data: h.data + x.data))
    }
}

/// The decoder's enhance block (sq-codec `tconv.base.SimpleEnhanceBlock`): trend branches over
/// the first channel (pools 1, 3, 5, 9, dilations 1, 2, 3, 5), merged by
/// `InstanceNorm1d(4, affine)` and a plain `Conv1d(4, dim, 1)`, then `y = x + m ⊙ x`.
/// Weight keys `blocks.{i}.1`, `merge_layer.0`, `merge_layer.1` (no weight norm).
struct EnhanceBlock: Sendable {
    let branches: TrendBranches
    let norm: InstanceNorm
    let merge: Conv1d

    init(_ w: WeightScope, dim: Int) throws {
        branches = try TrendBranches(w, outChannels: 4, pools: [1, 3, 5, 9], dilationRate: 2)
        norm = try InstanceNorm(w.child("merge_layer").child("0"), channels: 4)
        merge = try Conv1d(w.child("merge_layer").child("1"), in: 4, out: dim, kernel: 1)
    }

    /// `x: (dim, T)` → `(dim, T)`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var m = merge(norm(branches(x.rows(0..<1))))
        Kernels.modulate(&m, x)
        return m
    }

    /// The block applied to `x` in place, `x ← x + merge(n) ⊙ x` with `n` the normalized
    /// branches (4 channels, over the whole sequence): the 1×1 merge and the modulation run in
    /// tiles of frames on `Kernels.threads` threads, so no second `(dim, T)` matrix is made.
    /// Bit-identical to `callAsFunction` (each value's product and sum are the same).
    func apply(_ x: inout Matrix) {
        let n = norm(branches(x.rows(0..<1)))
        let rows = x.rows, t = x.cols, width = max(64, (1 << 15) / rows / 16 * 16)
        let tiles = (t + width - 1) / width
        x.data.withUnsafeMutableBufferPointer { xp in
            let dst = UncheckedBox(xp.baseAddress!)
            Kernels.parallel(count: tiles) { i in
                let lo = i * width, hi = min(t, lo + width), w = hi - lo
                let m = merge(tiles == 1 ? n : n.columns(lo..<hi))
                m.data.withUnsafeBufferPointer { mp in
                    for c in 0..<rows {
                        let xr = dst.value + c * t + lo, mr = mp.baseAddress! + c * w
                        for j in 0..<w { xr[j] = xr[j] + mr[j] * xr[j] }
                    }
                }
            }
        }
    }
}
