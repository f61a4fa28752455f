/// sq-codec's convolutional `Encoder`: waveform `(1, T)` → features `(featureDim, T / Π strides)`.
///
///     FirstBlock(dims[0])
///     for each stage i: ConvUnit(dims[i]) × depths[i];
///                       Conv1d(dims[i], dims[i+1], kernel = stride = strides[i]); ChannelNorm
///     ConvUnit(dims.last) × depths.last; Conv1d(dims.last, featureDim, 3, padding 1)
///
/// Weight keys `blocks.{n}…` in that order (a stage's units and its down-sampling are one index each).
struct Encoder: Sendable {
    struct Stage: Sendable {
        let units: [ConvUnit]
        let down: Conv1d
        let norm: ChannelNorm?
    }
    let first: FirstBlock
    let stages: [Stage]
    let lastUnits: [ConvUnit]
    let out: Conv1d

    /// `eps`: of the norms and activations (float32 epsilon for sq-codec, 1e-8 for l3ac).
    init(_ w: WeightScope, configuration c: SQCodecConfiguration, eps: Float = Kernels.float32Epsilon) throws {
        let b = w.child("blocks")
        first = try FirstBlock(b.child("0"), dim: c.encoderDims[0])
        var stages: [Stage] = []
        var index = 1
        for i in 0..<c.compressRates.count {
            let dim = c.encoderDims[i], next = c.encoderDims[i + 1], s = c.compressRates[i]
            let units = try (0..<c.encoderDepths[i]).map {
                try ConvUnit(b.child("\(index)").child("\($0)"), dim: dim, useNorm: c.useNorm, eps: eps)
            }
            let downScope = b.child("\(index + 1)")
            let down = try Conv1d(downScope.child("0"), in: dim, out: next, kernel: s, stride: s)
            let norm = c.useNorm ? try ChannelNorm(downScope.child("1"), channels: next, eps: eps) : nil
            stages.append(Stage(units: units, down: down, norm: norm))
            index += 2
        }
        self.stages = stages
        let last = c.encoderDims[c.encoderDims.count - 1]
        lastUnits = try (0..<c.encoderDepths[c.encoderDepths.count - 1]).map {
            try ConvUnit(b.child("\(index)").child("\($0)"), dim: last, useNorm: c.useNorm, eps: eps)
        }
        out = try Conv1d(b.child("\(index + 1)"), in: last, out: c.featureDim, kernel: 3, padding: 1)
    }

    /// Samples the encoder reads beyond the samples of an output frame, on either side: the
    /// first block's trend branches, each stage's residual units (at that stage's rate), the last
    /// units and the output convolution's padding (at the output rate). A down-sampling frame
    /// reads just the samples it covers; everything else is point-wise, and GRN's sequence-wide
    /// factor is 1 but on near-silent input (`ConvUnit`).
    var reach: Int {
        var samples = first.branches.reach, rate = 1
        for stage in stages {
            samples += stage.units.map(\.dwConv.padding).reduce(0, +) * rate
            rate *= stage.down.stride
        }
        return samples + (lastUnits.map(\.dwConv.padding).reduce(0, +) + out.padding) * rate
    }

    /// Samples per output frame, the strides' product.
    var frameLength: Int { stages.map(\.down.stride).reduce(1, *) }

    /// `reach` rounded up to whole output frames: the context a span of input needs on each side
    /// for its frames to be those of a longer input.
    var contextSamples: Int { (reach + frameLength - 1) / frameLength * frameLength }

    /// Output frames per tile in `callAsFunction`: 50 contexts' worth, so that 4 % of the work is
    /// the tiles' context.
    var tileFrames: Int { 50 * contextSamples / frameLength }

    /// `x: (1, T)`, `T` a multiple of the strides' product → `(featureDim, T / Π strides)`.
    ///
    /// Inputs longer than a tile run in tiles of `tileFrames` output frames, each computed from
    /// its samples and `contextSamples` either side (fewer at the input's ends), so that every
    /// frame reads the samples it reads in `whole`: bit for bit the same features (GRN's factor
    /// aside, on near-silent input). The tiles stay in cache and run on `Kernels.threads`
    /// threads, each a tile at a time.
    func callAsFunction(_ x: Matrix) -> Matrix {
        let frame = frameLength, context = contextSamples, frames = x.cols / frame, width = tileFrames
        guard frames > width else { return whole(x) }
        return assembleTiles(frames: frames, width: width, rows: out.outChannels) { lower, upper in
            let lo = max(0, lower * frame - context), hi = min(x.cols, upper * frame + context)
            let skip = (lower * frame - lo) / frame
            return whole(x.columns(lo..<hi)).columns(skip ..< skip + upper - lower)
        }
    }

    /// The encoder over the whole input in one pass (its layers tile and share threads themselves).
    func whole(_ x: Matrix) -> Matrix {
        var h = first(x)
        for stage in stages {
            for unit in stage.units { h = unit(h) }
            h = stage.down(h)
            if let norm = stage.norm { h = norm(h) }
        }
        for unit in lastUnits { h = unit(h) }
        return out(h)
    }
}
