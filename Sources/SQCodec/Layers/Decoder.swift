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

    init(_ w: WeightScope, configuration c: SQCodecConfiguration) throws {
        let b = w.child("blocks")
        input = try Conv1d(b.child("0"), in: c.featureDim, out: c.decoderDims[0], kernel: 3, padding: 1)
        var stages: [Stage] = []
        var index = 1
        for i in 0..<c.decodeRates.count {
            let dim = c.decoderDims[i], next = c.decoderDims[i + 1]
            let units = try (0..<c.decoderDepths[i]).map {
                try ConvUnit(b.child("\(index)").child("\($0)"), dim: dim, useNorm: c.useNorm)
            }
            let enhance = try EnhanceBlock(b.child("\(index + 1)"), dim: dim)
            let up = b.child("\(index + 2)")
            let proj = try Conv1d(up.child("0"), in: dim, out: next, kernel: 1)
            let norm = c.useNorm ? try ChannelNorm(up.child("2"), channels: next) : nil
            stages.append(Stage(units: units, enhance: enhance, proj: proj, rate: c.decodeRates[i], norm: norm))
            index += 3
        }
        self.stages = stages
        let last = c.decoderDims[c.decoderDims.count - 1]
        let block = b.child("\(index)").child("block")
        legacyUnits = try [1, 3, 9].enumerated().map { i, d in
            try LegacyUnit(block.child("0").child("\(i)"), dim: last, dilation: d)
        }
        snake = try Snake(block.child("1"), channels: last)
        out = try Conv1d(block.child("2"), in: last, out: 1, kernel: 7, padding: 3)
    }

    /// `x: (featureDim, T)` → `(1, T · Π rates)`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        var h = input(x)
        for stage in stages {
            for unit in stage.units { h = unit(h) }
            h = stage.enhance(h)
            h = Kernels.upsampleLinear(stage.proj(h), factor: stage.rate)
            if let norm = stage.norm { h = norm(h) }
        }
        for unit in legacyUnits { h = unit(h) }
        return Kernels.tanh(out(snake(h)))
    }
}
