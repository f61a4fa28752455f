/// sq-codec's convolutional `Decoder` with the `legacy` last layer: features
/// `(featureDim, T)` → waveform `(1, T · Π rates)`.
///
///     Conv1d(featureDim, dims[0], 3, padding 1)
///     for each stage i: ConvUnit(dims[i]) × depths[i]; EnhanceBlock(dims[i]);
///                       Conv1d(dims[i], dims[i+1], 1); linear upsampling × rates[i]; ChannelNorm
///     LegacyUnit(dims.last, dilation 1, 3, 9); Snake; Conv1d(dims.last, 1, 7, padding 3); tanh
///
/// Weight keys `blocks.{n}…` in that order; the last block's under `blocks.{n}.block.`.
struct Decoder: Sendable {
    struct Stage: Sendable {
        let units: [ConvUnit]
        let enhance: EnhanceBlock
        let proj: Conv1d
        let rate: Int
        let norm: ChannelNorm?
    }
    let input: Conv1d
    let stages: [Stage]
    let legacyUnits: [LegacyUnit]
    let snake: Snake
    let out: Conv1d

    /// `eps`: of the norms and activations (float32 epsilon for sq-codec, 1e-8 for l3ac).
    init(_ w: WeightScope, configuration c: SQCodecConfiguration, eps: Float = Kernels.float32Epsilon) throws {
        let b = w.child("blocks")
        input = try Conv1d(b.child("0"), in: c.featureDim, out: c.decoderDims[0], kernel: 3, padding: 1)
        var stages: [Stage] = []
        var index = 1
        for i in 0..<c.decodeRates.count {
            let dim = c.decoderDims[i], next = c.decoderDims[i + 1]
            let units = try (0..<c.decoderDepths[i]).map {
                try ConvUnit(b.child("\(index)").child("\($0)"), dim: dim, useNorm: c.useNorm, eps: eps)
            }
            let enhance = try EnhanceBlock(b.child("\(index + 1)"), dim: dim)
            let up = b.child("\(index + 2)")
            let proj = try Conv1d(up.child("0"), in: dim, out: next, kernel: 1)
            let norm = c.useNorm ? try ChannelNorm(up.child("2"), channels: next, eps: eps) : nil
            stages.append(Stage(units: units, enhance: enhance, proj: proj, rate: c.decodeRates[i], norm: norm))
            index += 3
        }
        self.stages = stages
        let last = c.decoderDims[c.decoderDims.count - 1]
        let block = b.child("\(index)").child("block")
        legacyUnits = try [1, 3, 9].enumerated().map { i, d in
            try LegacyUnit(block.child("0").child("\(i)"), dim: last, dilation: d, eps: eps)
        }
        snake = try Snake(block.child("1"), channels: last, eps: eps)
        out = try Conv1d(block.child("2"), in: last, out: 1, kernel: 7, padding: 3)
    }

    /// `x: (featureDim, T)` → `(1, T · Π rates)`.
    ///
    /// Each stage's `proj`, upsampling and ChannelNorm run in tiles of frames
    /// (`mapUpsamplingTiles`), and so does the whole tail after the last stage's enhance block
    /// (`tail`): no matrix at the output rate is made but the waveform.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var h = input(x)
        for (i, stage) in stages.enumerated() {
            for unit in stage.units { unit.apply(&h) }
            stage.enhance.apply(&h)
            if i == stages.count - 1 { return tail(h, stage) }
            h = upsample(h, stage)
        }
        for unit in legacyUnits { h = unit(h) }
        return Kernels.tanh(out(snake(h)))
    }

    /// Input frames per tile of a stage's upsampling: about 256 KB of upsampled values.
    private static func tileWidth(_ stage: Stage) -> Int {
        max(16, (1 << 16) / (stage.proj.outChannels * stage.rate) / 16 * 16)
    }

    /// `ChannelNorm(upsample(proj(h)))` of a stage, `(dims[i], T)` → `(dims[i+1], T · rate)`, in
    /// tiles: `proj` and the norm are point-wise, the upsampling reads its two source frames.
    func upsample(_ h: Matrix, _ stage: Stage) -> Matrix {
        mapUpsamplingTiles(h, factor: stage.rate, reach: 0, width: Self.tileWidth(stage)) { s, start, frames in
            Self.upsampled(s, stage, frames: frames, sourceStart: start, sourceLength: h.cols)
        }
    }

    /// Frames `frames` of `ChannelNorm(upsample(proj(h)))` from the slice `s` of `h` at `sourceStart`.
    private static func upsampled(_ s: Matrix, _ stage: Stage, frames: Range<Int>, sourceStart: Int, sourceLength: Int) -> Matrix {
        var u = Kernels.upsampleLinear(stage.proj(s), factor: stage.rate, frames: frames, sourceStart: sourceStart,
                                       sourceLength: sourceLength)
        if let norm = stage.norm { u = norm(u) }
        return u
    }

    /// Frames the tail after the last upsampling reads either side of an output frame: the
    /// legacy units' dilated convolutions (3, 9 and 27) and the output convolution (3).
    var tailReach: Int { legacyUnits.map(\.conv1.padding).reduce(0, +) + out.padding }

    /// The decoder after the last stage's enhance block, in tiles of frames:
    /// `tanh(out(Snake(LegacyUnits(ChannelNorm(upsample(proj(h)))))))`, `(dims[n−1], T)` → `(1, T · rate)`.
    /// Every step is local in time; each tile runs them all on its frames and `tailReach` more
    /// either side.
    func tail(_ h: Matrix, _ stage: Stage) -> Matrix {
        mapUpsamplingTiles(h, factor: stage.rate, reach: tailReach, width: Self.tileWidth(stage)) { s, start, frames in
            var u = Self.upsampled(s, stage, frames: frames, sourceStart: start, sourceLength: h.cols)
            for unit in legacyUnits { u = unit.whole(u) }
            return Kernels.tanh(out(snake(u)))
        }
    }
}
