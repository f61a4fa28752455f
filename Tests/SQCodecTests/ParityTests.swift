import Foundation
import Testing
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

    /// Encoding in packets through `encodeBlocks` (one block of audio either side) gives the
    /// tokens of `encodeWhole`.
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
            let span = SQCodecModel.convolutionSpan(core: core ..< core + 1, blocks: blocks)
            tokens += model.encodeBlocks(padded[span.lowerBound * fill ..< span.upperBound * fill],
                                         firstBlock: span.lowerBound, core: core ..< core + 1, state: &state)
        }
        #expect(tokens == whole, "\(name): \(zip(tokens, whole).filter { $0 != $1 }.count) of \(whole.count) tokens differ")
    }
}
