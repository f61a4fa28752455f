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

    init(_ w: WeightScope, configuration c: SQCodecConfiguration) throws {
        if c.usesCompressedTransformer {
            self = .compressed(try CompressedTransformerEncoder(w, configuration: c))
        } else {
            self = .local(try LocalTransformer(w.child("local_trans"), dim: c.featureDim, depth: c.enCoderDepth,
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
            self = .local(try LocalTransformer(w.child("local_trans"), dim: c.featureDim, depth: c.enCoderDepth,
                                               windowSize: c.enCoderWindowSize))
        }
    }

    func callAsFunction(_ x: Matrix) -> Matrix {
        switch self {
        case .local(let t): t(x).transposed()
        case .compressed(let d): d(x)
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
        window = c.enCoderWindowSize; cache = c.enCoderCacheSize; rate = c.enCoderCompressRate
        let dim = c.featureDim
        cacheToken = Matrix(rows: cache * rate, cols: dim,
                            data: try w.tensor("cache_token", shape: [1, cache * rate, dim]))
        downTrans = try LocalTransformer(w.child("down_trans").child("trans"), dim: dim, depth: 2,
                                         windowSize: (window + cache) * rate)
        downConv = try Conv1d(w.child("down_trans").child("down_layer"), in: dim, out: dim, kernel: rate, stride: rate)
        localTrans = try LocalTransformer(w.child("local_trans"), dim: dim, depth: c.enCoderDepth - 2,
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
        localTrans = try LocalTransformer(w.child("local_trans"), dim: dim, depth: c.enCoderDepth - 2,
                                          windowSize: window + cache)
        upTrans = try LocalTransformer(w.child("up_trans").child("trans"), dim: dim, depth: 2,
                                       windowSize: (window + cache) * rate)
    }

    /// `x: (T', dim)`, `T'` a multiple of `window + cache` → `(dim, T)`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var h = localTrans(x)
        h = Kernels.upsampleLinear(h.transposed(), factor: rate).transposed()
        h = upTrans(h)
        let block = (window + cache) * rate, skip = cache * rate
        if skip == 0 { return h.transposed() }
        precondition(h.rows % block == 0, "CompressedTransformerDecoder: \(h.rows) frames is not a multiple of \(block)")
        var kept: [Float] = []
        kept.reserveCapacity((h.rows / block) * (block - skip) * h.cols)
        for b in 0..<(h.rows / block) {
            kept += h.data[(b * block + skip) * h.cols ..< (b + 1) * block * h.cols]
        }
        return Matrix(rows: (h.rows / block) * (block - skip), cols: h.cols, data: kept).transposed()
    }
}
