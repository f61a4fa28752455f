/// The dynamic position bias MLP of `local_attention` (`DynamicPositionBias(dim, heads)`):
/// `bias[h][d] = MLP(d)[h]` for distances `d = 0 ..< 2·window`, with
/// `MLP = Linear(1, dim) → SiLU → Linear(dim, dim) → SiLU → Linear(dim, heads)`.
/// Weight keys `mlp.{0,2,4}.{weight,bias}`.
struct DynamicPositionBias: Sendable {
    let l0: Linear, l2: Linear, l4: Linear

    init(_ w: WeightScope, dim: Int, heads: Int) throws {
        let m = w.child("mlp")
        l0 = try Linear(m.child("0"), in: 1, out: dim)
        l2 = try Linear(m.child("2"), in: dim, out: dim)
        l4 = try Linear(m.child("4"), in: dim, out: heads)
    }

    /// The `(heads, distances)` bias table.
    func table(distances: Int) -> Matrix {
        let d = Matrix(rows: distances, cols: 1, data: (0..<distances).map { Float($0) })
        var h = l0(d)
        for i in 0..<h.data.count { h.data[i] = Kernels.silu(h.data[i]) }
        h = l2(h)
        for i in 0..<h.data.count { h.data[i] = Kernels.silu(h.data[i]) }
        return l4(h).transposed()
    }
}

/// One pre-norm causal local attention block (`local_attention.LocalMHA` with `prenorm`,
/// `causal`, one window of look-back, no rotary embedding), without its residual:
///
///     q, k, v = split(LayerNorm(x) · W_qkvᵀ);  o = LocalAttention(q, k, v, bias);  y = o · W_outᵀ
///
/// `W_qkv: (3·heads·headDim, dim)`, `W_out: (dim, heads·headDim)`, no biases.
struct LocalSelfAttention: Sendable {
    let norm: LayerNorm
    let toQKV: Linear, toOut: Linear
    let heads: Int, headDim: Int, windowSize: Int

    init(_ w: WeightScope, dim: Int, heads: Int, headDim: Int, windowSize: Int) throws {
        norm = try LayerNorm(w.child("norm"), dim: dim)
        toQKV = try Linear(w.child("to_qkv"), in: dim, out: 3 * heads * headDim, bias: false)
        toOut = try Linear(w.child("to_out"), in: heads * headDim, out: dim, bias: false)
        self.heads = heads; self.headDim = headDim; self.windowSize = windowSize
    }

    /// `x: (T, dim)` → rows `fromRow ..< T` of the output, `(T − fromRow, dim)`; `bias`: the
    /// `(heads, 2·windowSize)` position bias table.
    func callAsFunction(_ x: Matrix, bias: Matrix, fromRow: Int = 0) -> Matrix {
        let qkv = toQKV(norm(x))
        let o = Kernels.localCausalAttention(qkv: qkv, heads: heads, headDim: headDim, windowSize: windowSize,
                                             bias: bias, scale: 1 / Float(headDim).squareRoot())
        return toOut(fromRow == 0 ? o : o.rows(fromRow ..< o.rows))
    }
}

/// `local_attention`'s `FeedForward(dim, mult 4)` without its residual:
/// `y = W₂ (a ⊙ GELU(g))` with `[a; g] = W₁ LayerNorm(x)`, `W₁: (2·inner, dim)`,
/// `W₂: (dim, inner)`, `inner = ⌊dim · 4 · 2/3⌋`, no biases. Weight keys `0` (norm), `1`, `4`.
struct FeedForward: Sendable {
    let norm: LayerNorm
    let w1: Linear, w2: Linear
    let inner: Int

    init(_ w: WeightScope, dim: Int, mult: Int = 4) throws {
        inner = Int(Double(dim * mult * 2) / 3)
        norm = try LayerNorm(w.child("0"), dim: dim)
        w1 = try Linear(w.child("1"), in: dim, out: 2 * inner, bias: false)
        w2 = try Linear(w.child("4"), in: inner, out: dim, bias: false)
    }

    func callAsFunction(_ x: Matrix) -> Matrix {
        let h = w1(norm(x))
        return w2(Kernels.gatedGELU(h))
    }

    /// `x + self(x)`, the block with its residual, in runs of frames (`mapRowTiles`): every step
    /// works frame by frame, so the runs give the whole sequence's values, and the `(T, 2·inner)`
    /// intermediate stays in cache.
    func residual(_ x: Matrix) -> Matrix {
        mapRowTiles(x, rows: Self.tileRows) { t in self(t) + t }
    }

    /// Frames per run in `residual`: a run's `(rows, 2·inner)` intermediate is about 700 KB.
    static let tileRows = 128
}

/// sq-codec's `LocalTrans` as built by `LocalTrans.builder`: `depth` blocks of
///
///     x = LocalSelfAttention(x) + x;  x = FeedForward(x) + x
///
/// with 6 heads of `dim/4`, causal windows of `windowSize` frames and a dynamic position bias
/// shared by all blocks. Weight keys `layers.{i}.0…`, `layers.{i}.1…`, `dynamic_pos_bias…`.
struct LocalTransformer: Sendable {
    static let heads = 6
    let blocks: [(LocalSelfAttention, FeedForward)]
    let bias: Matrix
    let windowSize: Int

    init(_ w: WeightScope, dim: Int, depth: Int, windowSize: Int) throws {
        let heads = Self.heads
        let pos = try DynamicPositionBias(w.child("dynamic_pos_bias"), dim: dim / 2, heads: heads)
        bias = pos.table(distances: 2 * windowSize)
        blocks = try (0..<depth).map { i in
            let l = w.child("layers").child("\(i)")
            return (try LocalSelfAttention(l.child("0"), dim: dim, heads: heads, headDim: dim / 4, windowSize: windowSize),
                    try FeedForward(l.child("1"), dim: dim))
        }
        self.windowSize = windowSize
    }

    /// `x: (T, dim)` → `(T, dim)`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var history: [Matrix] = []
        return self(x, history: &history)
    }

    /// The frames `x: (T, dim)` of a longer sequence, after those already run: `history` holds,
    /// for each layer, that layer's input over the window before `x` (empty at the sequence's
    /// start), and is left holding it for the window ending `x`. `x` starts on a window boundary
    /// and, unless it ends the sequence, is a whole number of windows; then the output equals
    /// the rows of `x` in a run over the whole sequence: a query looks back one window, which
    /// the history supplies, and every other step works frame by frame.
    func callAsFunction(_ x: Matrix, history: inout [Matrix]) -> Matrix {
        var x = x
        for (l, (attn, ff)) in blocks.enumerated() {
            let past = l < history.count ? history[l] : Matrix(rows: 0, cols: x.cols)
            let input = x
            let a = attn(past.rows > 0 ? past.stacked(above: x) : x, bias: bias, fromRow: past.rows)
            x = ff.residual(a + x)
            let kept = input.rows(max(0, input.rows - windowSize) ..< input.rows)
            if l < history.count { history[l] = kept } else { history.append(kept) }
        }
        return x
    }
}
