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
}
