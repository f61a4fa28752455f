/// The transformer stage between the convolutional encoder and the quantizer (sq-codec's
/// `en_encoder`): `(featureDim, T)` → `(T', featureDim)`.
enum TransformerEncoder: Sendable {
    /// `LocalEncoder`: a `LocalTransformer` at the encoder's frame rate, `T' = T`.
    /// Weight keys `local_trans…`.
    case local(LocalTransformer)
    /// `CompressedLocalEncoderWithCache`: frames are cut into blocks of `window·rate`, each
    /// preceded by `cache·rate` learned cache frames; a `LocalTransformer` (window
    /// `(window+cache)·rate`, depth 2) runs over that, a strided `Conv1d(dim, dim, rate, rate)`
    /// shortens it by `rate`, and a second `LocalTransformer` (window `window+cache`, depth − 2)
    /// follows: `T' = (T/rate) + cache · T/(window·rate)`.
    /// Weight keys `cache_token (1, cache·rate, dim)`, `down_trans.trans…`, `down_trans.down_layer…`,
    /// `local_trans…`.
    case compressed(CompressedTransformerEncoder)

    /// With the family's depths (`SQCodecConfiguration.transformerEncoderDepths`); L3AC's
    /// compressed encoder has no `cache_token` (docs/L3AC.md, 3 and 4).
    init(_ w: WeightScope, configuration c: SQCodecConfiguration) throws {
        if c.usesCompressedTransformer {
            self = .compressed(try CompressedTransformerEncoder(w, configuration: c))
        } else {
            self = .local(try LocalTransformer(w.child("local_trans"), dim: c.featureDim, depth: c.transformerEncoderDepths.before,
                                               windowSize: c.enCoderWindowSize))
        }
    }

    func callAsFunction(_ x: Matrix) -> Matrix {
        var history: [[Matrix]] = []
        return self(x, history: &history)
    }

    /// The blocks `x: (featureDim, frames)` of a longer input, after those already run (whose last
    /// window per transformer layer `history` holds; empty at the start). `x` is a whole number
    /// of blocks (each one window of every transformer), so the output equals those frames of
    /// a run over the whole input.
    func callAsFunction(_ x: Matrix, history: inout [[Matrix]]) -> Matrix {
        while history.count < 2 { history.append([]) }
        switch self {
        case .local(let t): return t(x.transposed(), history: &history[0])
        case .compressed(let e): return e(x, history: &history)
        }
    }
}

/// The transformer stage between the quantizer and the convolutional decoder (sq-codec's
/// `en_decoder`): `(T', featureDim)` → `(featureDim, T)`; the inverse layout of `TransformerEncoder`.
enum TransformerDecoder: Sendable {
    /// `LocalDecoder`. Weight keys `local_trans…`.
    case local(LocalTransformer)
    /// `CompressedLocalDecoderWithCache`: a `LocalTransformer` (window `window+cache`,
    /// depth − 2), linear upsampling × rate, a `LocalTransformer` (window `(window+cache)·rate`,
    /// depth 2), then the cache frames at the head of each block are dropped.
    /// Weight keys `local_trans…`, `up_trans.trans…`.
    case compressed(CompressedTransformerDecoder)

    init(_ w: WeightScope, configuration c: SQCodecConfiguration) throws {
        if c.usesCompressedTransformer {
            self = .compressed(try CompressedTransformerDecoder(w, configuration: c))
        } else {
            self = .local(try LocalTransformer(w.child("local_trans"), dim: c.featureDim, depth: c.transformerDecoderDepths.before,
                                               windowSize: c.enCoderWindowSize))
        }
    }

    func callAsFunction(_ x: Matrix) -> Matrix {
        switch self {
        case .local(let t): t(x).transposed()
        case .compressed(let d): d(x)
        }
    }

    /// What a run over a few blocks leaves for the next: the transformers' last window per
    /// layer; for the compressed decoder, also its local transformer's last output frame and the
    /// count of its output frames so far (the upsampling between its transformers reads one
    /// frame across each block boundary, at positions counted from the sequence's start).
    struct Carry: Sendable {
        var history: [[Matrix]] = [[], []]
        var lastRow: Matrix?
        var rows = 0
    }

    /// Token features `core: (T, featureDim)` of whole blocks following those already run with
    /// `carry`, and `after`, those of the block after them (no rows at the sequence's end) →
    /// channel-first features of both. The core's equal those of one run over the whole
    /// sequence; the after block's are its context only (computed as if the sequence ended
    /// there); `carry` advances past the core.
    func callAsFunction(core: Matrix, after: Matrix, carry: inout Carry) -> (core: Matrix, after: Matrix) {
        switch self {
        case .local(let t):
            let c = t(core, history: &carry.history[0])
            var rest = carry.history[0]
            let a = after.rows > 0 ? t(after, history: &rest) : Matrix(rows: 0, cols: core.cols)
            return (c.transposed(), a.transposed())
        case .compressed(let d):
            return d(core: core, after: after, carry: &carry)
        }
    }
}

struct CompressedTransformerEncoder: Sendable {
    let cacheToken: Matrix
    let downTrans: LocalTransformer
    let downConv: Conv1d
    let localTrans: LocalTransformer
    let window: Int, cache: Int, rate: Int

    init(_ w: WeightScope, configuration c: SQCodecConfiguration) throws {
        try self.init(w, dim: c.featureDim, window: c.enCoderWindowSize, rate: c.enCoderCompressRate,
                      depths: c.transformerEncoderDepths, cache: c.hasCacheToken ? c.enCoderCacheSize : nil)
    }

    /// `depths`: of the transformers before and after the down-convolution (sq-codec: 2 and
    /// `en_coder_depth − 2`; l3ac: 1 and 2). `cache: nil` for a checkpoint without `cache_token`
    /// (l3ac, which has no cache), else the cache tokens per block, read from `cache_token`.
    init(_ w: WeightScope, dim: Int, window: Int, rate: Int, depths: (before: Int, after: Int), cache: Int?) throws {
        self.window = window; self.cache = cache ?? 0; self.rate = rate
        cacheToken = try cache.map { cache in
            Matrix(rows: cache * rate, cols: dim, data: try w.tensor("cache_token", shape: [1, cache * rate, dim]))
        } ?? Matrix(rows: 0, cols: dim)
        let cache = self.cache
        downTrans = try LocalTransformer(w.child("down_trans").child("trans"), dim: dim, depth: depths.before,
                                         windowSize: (window + cache) * rate)
        downConv = try Conv1d(w.child("down_trans").child("down_layer"), in: dim, out: dim, kernel: rate, stride: rate)
        localTrans = try LocalTransformer(w.child("local_trans"), dim: dim, depth: depths.after,
                                          windowSize: window + cache)
    }

    /// `x: (dim, T)` → `(T', dim)`.
    /// `history[0]`, `history[1]`: the last windows of `downTrans` and `localTrans` (see
    /// `LocalTransformer.callAsFunction(_:history:)`); each block of `x` is one window of both.
    func callAsFunction(_ x: Matrix, history: inout [[Matrix]]) -> Matrix {
        let frames = x.transposed()
        let block = window * rate
        var withCache: [Float] = []
        var rows = 0
        var start = 0
        while start < frames.rows {
            let end = min(start + block, frames.rows)
            withCache += cacheToken.data
            withCache += frames.data[start * frames.cols ..< end * frames.cols]
            rows += cacheToken.rows + end - start
            start = end
        }
        var h = downTrans(Matrix(rows: rows, cols: frames.cols, data: withCache), history: &history[0])
        h = downConv(h.transposed()).transposed()
        return localTrans(h, history: &history[1])
    }
}

struct CompressedTransformerDecoder: Sendable {
    let localTrans: LocalTransformer
    let upTrans: LocalTransformer
    let window: Int, cache: Int, rate: Int

    init(_ w: WeightScope, configuration c: SQCodecConfiguration) throws {
        window = c.enCoderWindowSize; cache = c.enCoderCacheSize; rate = c.enCoderCompressRate
        let dim = c.featureDim
        localTrans = try LocalTransformer(w.child("local_trans"), dim: dim, depth: c.transformerDecoderDepths.before,
                                          windowSize: window + cache)
        upTrans = try LocalTransformer(w.child("up_trans").child("trans"), dim: dim, depth: c.transformerDecoderDepths.after,
                                       windowSize: (window + cache) * rate)
    }

    /// `x: (T', dim)`, `T'` a multiple of `window + cache` → `(dim, T)`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var h = localTrans(x)
        h = Kernels.upsampleLinear(h.transposed(), factor: rate).transposed()
        return withoutCacheFrames(upTrans(h)).transposed()
    }

    /// The streaming form (see `TransformerDecoder.callAsFunction(core:after:carry:)`).
    func callAsFunction(core: Matrix, after: Matrix, carry: inout TransformerDecoder.Carry) -> (core: Matrix, after: Matrix) {
        let c = localTrans(core, history: &carry.history[0])
        var rest = carry.history[0]
        let a = after.rows > 0 ? localTrans(after, history: &rest) : Matrix(rows: 0, cols: core.cols)
        // Upsampling reads the frame before the core and the after block's first frame.
        let first = carry.rows, end = first + c.rows + a.rows
        var source = c.stacked(above: a)
        if let last = carry.lastRow { source = last.stacked(above: source) }
        let columns = source.transposed(), sourceFirst = first - (carry.lastRow == nil ? 0 : 1)
        let upCore = Kernels.upsampleLinear(columns, factor: rate, frames: first * rate ..< (first + c.rows) * rate,
                                            sourceStart: sourceFirst, sourceLength: end).transposed()
        let upAfter = Kernels.upsampleLinear(columns, factor: rate, frames: (first + c.rows) * rate ..< end * rate,
                                             sourceStart: sourceFirst, sourceLength: end).transposed()
        let outCore = upTrans(upCore, history: &carry.history[1])
        var restUp = carry.history[1]
        let outAfter = a.rows > 0 ? upTrans(upAfter, history: &restUp) : upAfter
        carry.lastRow = c.rows > 0 ? c.rows(c.rows - 1 ..< c.rows) : carry.lastRow
        carry.rows += c.rows
        return (withoutCacheFrames(outCore).transposed(), withoutCacheFrames(outAfter).transposed())
    }

    /// `h: (frames, dim)` without each block's leading `cache · rate` frames.
    private func withoutCacheFrames(_ h: Matrix) -> Matrix {
        let block = (window + cache) * rate, skip = cache * rate
        if skip == 0 { return h }
        precondition(h.rows % block == 0, "CompressedTransformerDecoder: \(h.rows) frames is not a multiple of \(block)")
        var kept: [Float] = []
        kept.reserveCapacity((h.rows / block) * (block - skip) * h.cols)
        for b in 0..<(h.rows / block) {
            kept += h.data[(b * block + skip) * h.cols ..< (b + 1) * block * h.cols]
        }
        return Matrix(rows: (h.rows / block) * (block - skip), cols: h.cols, data: kept)
    }
}
