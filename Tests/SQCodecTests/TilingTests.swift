import Foundation
import Testing
import TQAudio
@testable import SQCodec

/// The residual units run tile by tile (`mapTiles`) and on several threads; both must give the
/// whole-sequence result, bit for bit where the arithmetic is the same.
@Suite struct TilingTests {
    static func input(rows: Int, cols: Int, seed: UInt64, scale: Float = 1) -> Matrix {
        var g = SplitMix64(seed: seed)
        return Matrix(rows: rows, cols: cols, data: (0..<(rows * cols)).map { _ in Float.random(in: -scale...scale, using: &g) })
    }

    @Test(arguments: [UInt64(3), 4])
    func residualUnitsInTilesEqualTheWholeSequence(seed: UInt64) throws {
        let model = try RandomWeights.model(SQCodecConfiguration.named("6kbps")!, seed: seed)
        // Stage 0: 384 channels, tiles of 80 frames; the last legacy unit: 48 channels, dilation 9.
        let unit = model.decoder.stages[0].units[0]
        let x = Self.input(rows: 384, cols: 333, seed: seed)
        let tiled = unit(x), whole = unit.whole(x)
        #expect(tiled.rows == whole.rows && tiled.cols == whole.cols)
        #expect(tiled.data == whole.data, "seed \(seed): ConvUnit tiles differ from the whole sequence")
        let threaded = Kernels.$threads.withValue(2) { unit(x) }
        #expect(threaded.data == tiled.data, "seed \(seed): two threads changed the ConvUnit")

        let legacy = model.decoder.legacyUnits[2]
        let y = Self.input(rows: 48, cols: 4000, seed: seed + 100)
        #expect(legacy(y).data == legacy.whole(y).data, "seed \(seed): LegacyUnit tiles differ from the whole sequence")
        #expect(Kernels.$threads.withValue(2) { legacy(y) }.data == legacy(y).data, "seed \(seed)")

        // The encoder's first block: trend pooling up to 45 frames wide, tiles of 4096.
        let first = model.encoder.first
        let w = Self.input(rows: 1, cols: 9000, seed: seed + 200, scale: 0.5)
        #expect(first(w).data == first.whole(w).data, "seed \(seed): FirstBlock tiles differ from the whole sequence")
    }

    /// The decoder's tail after the last enhance block, unfused: every step over the whole sequence.
    static func unfusedTail(_ d: Decoder, _ stage: Decoder.Stage, _ h: Matrix) -> Matrix {
        var u = Kernels.upsampleLinear(stage.proj(h), factor: stage.rate)
        if let norm = stage.norm { u = norm(u) }
        for unit in d.legacyUnits { u = unit.whole(u) }
        return Kernels.tanh(d.out(d.snake(u)))
    }

    @Test(arguments: [("0k75bps", UInt64(11)), ("6kbps", 12), ("0k75bps", 13)])
    func fusedTailEqualsTheWholeSequence(model name: String, seed: UInt64) throws {
        let model = try RandomWeights.model(SQCodecConfiguration.named(name)!, seed: seed)
        let d = model.decoder
        var g = SplitMix64(seed: seed + 1000)
        // The last stage: several tiles (0k75bps: 1360 input frames each, 6kbps: 448), a ragged end.
        let last = d.stages[d.stages.count - 1]
        let cols = 3 * 1360 + Int.random(in: 1...1000, using: &g)
        let h = Self.input(rows: last.proj.inChannels, cols: cols, seed: seed, scale: 2)
        let whole = Self.unfusedTail(d, last, h)
        for threads in [1, 2] {
            let fused = Kernels.$threads.withValue(threads) { d.tail(h, last) }
            #expect(fused.rows == 1 && fused.cols == cols * last.rate, "seed \(seed), \(name): tail shape")
            #expect(fused.data == whole.data, "seed \(seed), \(name), \(threads) threads: fused tail differs from the whole sequence")
        }
        // Every other stage's proj, upsampling and ChannelNorm.
        for (i, stage) in d.stages.dropLast().enumerated() {
            let x = Self.input(rows: stage.proj.inChannels, cols: 200 + Int.random(in: 1...300, using: &g), seed: seed + UInt64(i) + 1)
            var u = Kernels.upsampleLinear(stage.proj(x), factor: stage.rate)
            if let norm = stage.norm { u = norm(u) }
            for threads in [1, 2] {
                let fused = Kernels.$threads.withValue(threads) { d.upsample(x, stage) }
                #expect(fused.data == u.data && fused.cols == u.cols, "seed \(seed), \(name), stage \(i), \(threads) threads: fused upsampling differs")
            }
        }
        // The whole decoder equals the unfused computation.
        let features = Self.input(rows: model.configuration.featureDim, cols: 40, seed: seed + 50)
        var r = d.input(features)
        for (i, stage) in d.stages.enumerated() {
            for unit in stage.units { r = unit.whole(r) }
            r = stage.enhance(r)
            if i == d.stages.count - 1 { r = Self.unfusedTail(d, stage, r) } else {
                r = Kernels.upsampleLinear(stage.proj(r), factor: stage.rate)
                if let norm = stage.norm { r = norm(r) }
            }
        }
        #expect(Kernels.$threads.withValue(2) { d(features) }.data == r.data, "seed \(seed), \(name): decoder differs from the unfused one")
    }

    @Test(arguments: [UInt64(21), 22])
    func inPlaceEnhanceAndConvUnitEqualTheirCopies(seed: UInt64) throws {
        let model = try RandomWeights.model(SQCodecConfiguration.named("0k75bps")!, seed: seed)
        let stage = model.decoder.stages[3]
        let x = Self.input(rows: 48, cols: 5000, seed: seed, scale: 2)
        let enhanced = stage.enhance(x), unit = stage.units[0].whole(x)
        for threads in [1, 2] {
            var y = x
            Kernels.$threads.withValue(threads) { stage.enhance.apply(&y) }
            #expect(y.data == enhanced.data, "seed \(seed), \(threads) threads: in-place enhance block differs")
            var z = x
            Kernels.$threads.withValue(threads) { stage.units[0].apply(&z) }
            #expect(z.data == unit.data, "seed \(seed), \(threads) threads: in-place ConvUnit differs from the whole sequence")
        }
    }

    /// Near-silent activations (a first point-wise layer with gains of 1e-7): GRN's factor is not
    /// 1, so the unit must run over the whole sequence rather than in tiles, which assume it is
    /// (and would give other values here: checked).
    @Test func quietConvUnitRunsOverTheWholeSequence() throws {
        var g = SplitMix64(seed: 31)
        let store = TensorStore(module: "test", tensors: [:], synthesize: { name, shape in
            let scale: Float = name.contains("pw_conv1") ? 1e-7 : name.contains("gamma") ? 100 : name.contains("beta") ? 1e-7 : 0.3
            return (0..<shape.reduce(1, *)).map { _ in scale * Float.random(in: -1...1, using: &g) }
        })
        let unit = try ConvUnit(store.scope(""), dim: 24, useNorm: true)
        let x = Self.input(rows: 24, cols: 5000, seed: 31, scale: 1e-4)
        let a = unit.act(unit.pwConv1(unit.norm!(unit.dwConv(x))))
        #expect(Kernels.responseNormFactor(sumOfSquares: Kernels.sumOfSquares(a)) < 1, "seed 31: the activations are not quiet")
        let whole = unit.whole(x), asIfLoud = x + unit.pwConv2(unit.grn(a, factor: 1))
        #expect(asIfLoud.data != whole.data, "seed 31: GRN's factor makes no difference here, the test proves nothing")
        for threads in [1, 2] {
            let y = Kernels.$threads.withValue(threads) { unit(x) }
            #expect(y.data == whole.data, "seed 31, \(threads) threads: a quiet ConvUnit differs from the whole sequence")
        }
    }

    /// The transformers' feed-forward block in runs of `FeedForward.tileRows` frames gives the
    /// whole sequence's values (a partial last run included), on one thread or two.
    @Test func feedForwardInRowTilesEqualsTheWholeSequence() throws {
        var g = SplitMix64(seed: 32)
        let store = TensorStore(module: "test", tensors: [:], synthesize: { _, shape in
            (0..<shape.reduce(1, *)).map { _ in 0.2 * Float.random(in: -1...1, using: &g) }
        })
        let ff = try FeedForward(store.scope(""), dim: 48)
        let x = Self.input(rows: 2 * FeedForward.tileRows + 37, cols: 48, seed: 32)
        let whole = ff(x) + x
        for threads in [1, 2] {
            let y = Kernels.$threads.withValue(threads) { ff.residual(x) }
            let same = y.rows == x.rows && y.cols == x.cols && y.data == whole.data
            #expect(same, "seed 32, \(threads) threads: the feed-forward block in runs differs from the whole sequence")
        }
        // A map that changes the column count, stacked in order.
        let widened = mapRowTiles(x, rows: 50) { t in Matrix.sideBySide([t, t]) }
        let inOrder = widened.data == Matrix.sideBySide([x, x]).data
        #expect(inOrder, "seed 32: mapRowTiles stacks its runs out of order")
    }

    /// A 5-tap moving sum with zero padding: a local map of reach 2.
    static func movingSum5(_ m: Matrix) -> Matrix {
        var out = Matrix(rows: m.rows, cols: m.cols)
        for r in 0..<m.rows {
            for j in 0..<m.cols {
                var s: Float = 0
                for d in -2...2 where j + d >= 0 && j + d < m.cols { s += m[r, j + d] }
                out[r, j] = s
            }
        }
        return out
    }

    @Test func mapTilesInPlaceKeepsContext() {
        let x = Self.input(rows: 2, cols: 1003, seed: 10)
        for width in [3, 7, 16, 103, 2000] {
            for threads in [1, 2] {
                var y = x
                Kernels.$threads.withValue(threads) { mapTilesInPlace(&y, reach: 2, width: width) { Self.movingSum5($0).columns($1) } }
                #expect(y.data == Self.movingSum5(x).data, "width \(width), \(threads) threads (seed 10)")
            }
        }
    }

    @Test func upsamplingSlicesEqualTheWholeUpsampling() {
        var g = SplitMix64(seed: 77)
        for factor in [2, 3, 4, 5] {
            let t = Int.random(in: 50...3000, using: &g)
            let x = Self.input(rows: 3, cols: t, seed: UInt64(factor))
            let whole = Kernels.upsampleLinear(x, factor: factor)
            for _ in 0..<20 {
                let a = Int.random(in: 0..<(t * factor), using: &g), b = Int.random(in: a...(t * factor), using: &g)
                let sLo = max(0, a / factor - 2), sHi = min(t, max(sLo, (b - 1) / factor + 3))
                let part = Kernels.upsampleLinear(x.columns(sLo..<sHi), factor: factor, frames: a..<b, sourceStart: sLo, sourceLength: t)
                #expect(part.data == whole.columns(a..<b).data, "seed 77: factor \(factor), t \(t), frames \(a)..<\(b)")
            }
        }
    }

    @Test func mapTilesKeepsEdgesAndContext() {
        let x = Self.input(rows: 2, cols: 103, seed: 9)
        for width in [1, 7, 16, 103, 200] {
            #expect(mapTiles(x, reach: 2, width: width, Self.movingSum5).data == Self.movingSum5(x).data, "width \(width) (seed 9)")
        }
    }
}
