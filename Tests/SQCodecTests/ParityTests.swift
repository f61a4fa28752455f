import Foundation
import Testing
import TQAudio
@testable import SQCodec

/// Parity with the Python reference (sq-codec 0.0.1, vector-quantize-pytorch 1.20.11,
/// local-attention 1.11.x) on the small fixtures of `tools/reference/make_vectors.py --small`.
@Suite struct ParityTests {
    @Test(arguments: Fixture.names)
    func stagesMatchReference(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let c = f.configuration
        let input = f.vector("padded_input")
        let feature = model.encoder(Matrix(rows: 1, cols: input.count, data: input))
        let refFeature = f.vectors["encoder_feature"]!
        #expect(feature.rows == refFeature.shape[0] && feature.cols == refFeature.shape[1])
        let eFeature = maxAbsDifference(feature.data, refFeature.values)
        let trans = model.transformerEncoder(feature)
        let eTrans = maxAbsDifference(trans.data, f.vector("trans_feature"))
        let dec = model.transformerDecoder(model.quantizer.features(f.tokens))
        let eDec = maxAbsDifference(dec.data, f.vector("en_decoder_feature"))
        print("\(name): encoder \(eFeature), en_encoder \(eTrans), en_decoder \(eDec) (\(c.name))")
        #expect(eFeature < 1e-3)
        #expect(eTrans < 1e-3)
        #expect(eDec < 1e-4)
    }

    @Test(arguments: Fixture.names)
    func tokensMatchReference(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let tokens = model.encode(f.vector("input"))
        #expect(tokens.count == f.tokens.count)
        let same = zip(tokens, f.tokens).filter { $0 == $1 }.count
        let fraction = Double(same) / Double(max(1, f.tokens.count))
        print("\(name): \(same)/\(f.tokens.count) tokens identical")
        #expect(fraction >= 0.999, "\(name): only \(same) of \(f.tokens.count) tokens match")
    }

    @Test(arguments: Fixture.names)
    func decodingReferenceTokensMatchesReferenceAudio(name: String) throws {
        let f = try Fixture(name)
        let audio = try f.model().decode(f.tokens)
        let err = maxAbsDifference(audio, f.vector("decoded"))
        print("\(name): decode max abs error \(err)")
        #expect(err <= 1e-4)
    }

    @Test(arguments: Fixture.names)
    func encodeDecodeIsCloseToReference(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let audio = try model.decode(model.encode(f.vector("input")))
        let snr = snrDB(reference: f.vector("decoded"), audio)
        print("\(name): encode→decode SNR \(snr) dB")
        #expect(snr >= 40)
    }
}

@Suite struct ChunkingTests {
    @Test(arguments: Fixture.names)
    func chunkedEncodingGivesWholeInputTokens(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        // Three copies of the input: long enough for several chunks of one or two blocks.
        let input = f.vector("input") + f.vector("input").map { -0.7 * $0 } + f.vector("input")
        let whole = model.encode(input, chunkBlocks: 1000)
        for chunk in [1, 3] {
            let chunked = model.encode(input, chunkBlocks: chunk)
            #expect(chunked.count == whole.count)
            let same = zip(chunked, whole).filter { $0 == $1 }.count
            #expect(Double(same) >= 0.999 * Double(whole.count), "\(name), chunks of \(chunk) blocks: \(same)/\(whole.count)")
        }
    }

    /// Three copies of the fixture's input (the middle one scaled by −0.7), zero-padded to whole
    /// blocks, and their block count: several blocks, no two alike.
    static func threeCopies(_ f: Fixture) -> (padded: [Float], blocks: Int) {
        let fill = f.configuration.fillLength
        let input = f.vector("input") + f.vector("input").map { -0.7 * $0 } + f.vector("input")
        let blocks = (input.count + fill - 1) / fill
        return (input + [Float](repeating: 0, count: blocks * fill - input.count), blocks)
    }

    /// The transformer encoder run a few blocks at a time, carrying each layer's last window,
    /// gives exactly the frames of one run over the whole sequence (before quantization, where
    /// a difference could hide).
    @Test(arguments: Fixture.names)
    func transformerRunsCarryTheirHistoryExactly(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let (padded, blocks) = Self.threeCopies(f)
        let feature = model.encoder(Matrix(rows: 1, cols: padded.count, data: padded))
        let whole = model.transformerEncoder(feature)
        let perBlock = feature.cols / blocks
        for runs in [[1], [2, 1], [3]] {
            var history: [[Matrix]] = []
            var rows: [Float] = []
            var block = 0, i = 0
            while block < blocks {
                let n = min(runs[i % runs.count], blocks - block)
                rows += model.transformerEncoder(feature.columns(block * perBlock ..< (block + n) * perBlock), history: &history).data
                block += n
                i += 1
            }
            #expect(rows == whole.data, "\(name), runs of \(runs) blocks (\(blocks) blocks)")
        }
    }

    /// The convolutional encoder on a block with `encoderContextSamples` of audio either side gives
    /// that block's features of the whole input bit for bit, and with two frames less of context it
    /// does not: the context is the encoder's reach, not more; the encoder's own tiles (which use
    /// that context) give the whole input's features. Published shapes (three strides), seeded
    /// random weights, a loud input (GRN's factor 1).
    @Test(arguments: [("6kbps", UInt64(21)), ("0k75bps", 22), ("24kbps_24khz", 23)])
    func encoderContextIsTheEncodersReach(model name: String, seed: UInt64) throws {
        let model = try RandomWeights.model(SQCodecConfiguration.named(name)!, seed: seed)
        let fill = model.configuration.fillLength, frame = model.configuration.compressRates.reduce(1, *)
        var g = SplitMix64(seed: seed)
        // Noise on a V rising away from the middle block, so that the trend pooling's maxima
        // come from the farthest samples and the reach is used to its end.
        let audio = (0..<(3 * fill)).map { i in
            Float(abs(i - 3 * fill / 2)) / Float(2 * fill) + Float.random(in: -0.05...0.05, using: &g)
        }
        let whole = model.encoder.whole(Matrix(rows: 1, cols: audio.count, data: audio))
        let core = fill / frame ..< 2 * fill / frame
        func features(context: Int) -> Matrix {
            let lo = fill - context, hi = 2 * fill + context
            return model.encoder.whole(Matrix(rows: 1, cols: hi - lo, data: Array(audio[lo..<hi])))
                .columns(context / frame ..< context / frame + core.count)
        }
        // The encoder's own tiles (2 to 4 of them here), on one and two threads.
        #expect(whole.cols > model.encoder.tileFrames, "\(name): one tile only")
        for threads in [1, 2] {
            let tiled = Kernels.$threads.withValue(threads) { model.encoder(Matrix(rows: 1, cols: audio.count, data: audio)) }
            let same = tiled.data == whole.data
            #expect(same, "seed \(seed), \(name), \(threads) threads: the encoder's tiles differ from the whole input")
        }
        let context = model.encoderContextSamples
        #expect(context % frame == 0 && context < fill, "seed \(seed), \(name): context \(context)")
        let enough = features(context: context).data == whole.columns(core).data
        #expect(enough, "seed \(seed), \(name): \(context) samples of context are not enough")
        // Whether the farthest samples change a frame depends on the input and the weights: two
        // frames less must (6kbps needs exactly its 405 samples here, 24kbps_24khz one frame less).
        let short = features(context: context - 2 * frame)
        let edges = [0, core.count - 1].map { short.columns($0 ..< $0 + 1).data == whole.columns(core.lowerBound + $0 ..< core.lowerBound + $0 + 1).data }
        #expect(edges == [false, false], "seed \(seed), \(name): \(context - 2 * frame) samples of context are enough at an edge; the reach is overestimated")
    }

    /// Encoding in packets through `encodeBlocks` (`encoderContextSamples` of audio either side)
    /// gives the tokens of `encodeWhole`.
    @Test(arguments: Fixture.names)
    func blockRunsGiveWholeInputTokens(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let fill = f.configuration.fillLength
        let (padded, blocks) = Self.threeCopies(f)
        let whole = model.encodeWhole(padded[...])
        var state = SQCodecModel.EncodingState()
        var tokens: [Int32] = []
        for core in 0..<blocks {
            let span = model.convolutionSpan(core: core ..< core + 1, samples: blocks * fill)
            tokens += model.encodeBlocks(padded[span], firstSample: span.lowerBound, core: core ..< core + 1, state: &state)
        }
        #expect(tokens == whole, "\(name): \(zip(tokens, whole).filter { $0 != $1 }.count) of \(whole.count) tokens differ")
    }
}
