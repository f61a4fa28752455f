import Testing
import SQCodec
import TQCodecs
import TQContainer
import TurboQuant

/// The one codec table (`Codecs.all`) and what its descriptions say about a header.
@Suite struct CodecTableTests {
    private func header(_ codec: CodecID, rate: Int = 16_000, frames: UInt64 = 16_000, parameters: [UInt8]) -> TQAHeader {
        TQAHeader(codec: codec, sourceFormat: .s16, sampleRate: rate, channelCount: 1, frameCount: frames, seed: 1,
                  codecParameters: parameters)
    }

    @Test func everyCodecIdHasOneDescription() throws {
        #expect(Codecs.all.codecs.map { $0.codec } == CodecID.allCases)
        for id in CodecID.allCases { #expect(try Codecs.all.description(of: id).codec == id) }
    }

    @Test func parametersDecodeThroughTheTable() throws {
        let turbo = TurboParameters(bits: 3, blockSize: 256, residual: false)
        #expect(try Codecs.all.parameters(of: header(.turbo, parameters: turbo.encoded())) as? TurboParameters == turbo)
        let spectral = SpectralParameters(frameSize: 1024, shortBlockCount: 4, framesPerPacket: 2, window: .sine)
        #expect(try Codecs.all.parameters(of: header(.spectral, parameters: spectral.encoded)) as? SpectralParameters == spectral)
        let sq = SQCodecParameters(model: "6kbps", sourceSampleRate: 44_100, blocksPerPacket: 4)
        #expect(try Codecs.all.parameters(of: header(.sqcodec, parameters: sq.encoded())) as? SQCodecParameters == sq)
        let l3ac = SQCodecParameters(model: "1kbps", sourceSampleRate: 48_000, blocksPerPacket: 12)
        #expect(try Codecs.all.parameters(of: header(.l3ac, parameters: l3ac.encoded())) as? L3ACParameters == L3ACParameters(l3ac))
    }

    /// l3ac: the sqcodec layout under codec id 4, its model and rates listed, its source rate kept.
    @Test func l3acParameters() throws {
        let bytes = SQCodecParameters(model: "3kbps", sourceSampleRate: 44_100, blocksPerPacket: 22).encoded()
        let summary = Codecs.all.summary(of: header(.l3ac, parameters: bytes))
        #expect(summary["model"] as? String == "3kbps" && summary["source_sample_rate"] as? Int == 44_100
                && summary["blocks_per_packet"] as? Int == 22)
        let h = header(.l3ac, rate: 16_000, frames: 16_000, parameters: bytes)
        let p = try Codecs.all.parameters(of: h)
        #expect(p.sourceSampleRate(of: h) == 44_100 && p.sourceFrameCount(of: h) == 44_100)
        #expect(Codecs.all.summary(of: header(.l3ac, parameters: [1, 0]))["error"] as? String == "malformed")
        #expect(L3ACParameters.needsAVX2AndFMA == SQCodecModel.needsAVX2AndFMA)
        #expect(CodecID(rawValue: 4) == .l3ac && "\(CodecID.l3ac)" == "l3ac")
    }

    /// What `tqa info` lists as `parameters`, per codec, and for bytes that do not decode.
    @Test func summaries() {
        let t = Codecs.all.summary(of: header(.turbo, parameters: TurboParameters(bits: 3, blockSize: 256, residual: false).encoded()))
        #expect(t["bits"] as? Int == 3 && t["block"] as? Int == 256 && t["residual"] as? Bool == false && t.count == 4)
        let s = Codecs.all.summary(of: header(.spectral, parameters: SpectralParameters(window: .sine).encoded))
        #expect(s["window"] as? String == "sine" && s["frame"] as? Int == 2048 && s["version"] as? Int == 2 && s.count == 5)
        let p = Codecs.all.summary(of: header(.spectral, parameters: SpectralParameters(formatVersion: SpectralParameters.perceptualVersion).encoded))
        #expect(p["tune"] as? String == "perceptual" && p["version"] as? Int == 4 && p.count == 6)
        let sq = SQCodecParameters(model: "6kbps", sourceSampleRate: 44_100, blocksPerPacket: 4).encoded()
        #expect(Codecs.all.summary(of: header(.sqcodec, parameters: sq))["bytes"] as? Int == sq.count)
        #expect(Codecs.all.summary(of: header(.turbo, parameters: [0xFF]))["error"] as? String == "malformed")
        #expect(Codecs.all.summary(of: header(.spectral, parameters: []))["error"] as? String == "malformed")
        #expect(TQAFile.codecs.summary(of: header(.sqcodec, parameters: sq))["bytes"] as? Int == sq.count)
    }

    /// sqcodec holds audio at its model's rate and records the source's; the others keep it.
    @Test func sourceRateAndLength() throws {
        let sq = SQCodecParameters(model: "6kbps", sourceSampleRate: 44_100, blocksPerPacket: 4).encoded()
        let h = header(.sqcodec, rate: 16_000, frames: 16_000, parameters: sq)
        let p = try Codecs.all.parameters(of: h)
        #expect(p.sourceSampleRate(of: h) == 44_100)
        #expect(p.sourceFrameCount(of: h) == 44_100)
        #expect(p.sourceFrameCount(of: header(.sqcodec, frames: TQAHeader.unknownFrameCount, parameters: sq)) == nil)
        let t = header(.turbo, rate: 8_000, frames: 123, parameters: TurboParameters().encoded())
        let tp = try Codecs.all.parameters(of: t)
        #expect(tp.sourceSampleRate(of: t) == 8_000)
        #expect(tp.sourceFrameCount(of: t) == 123)
        #expect(!TurboParameters.needsAVX2AndFMA && !SpectralParameters.needsAVX2AndFMA)
        #expect(SQCodecParameters.needsAVX2AndFMA == SQCodecModel.needsAVX2AndFMA)
    }

    @Test func aTableDecodesOnlyItsCodecs() throws {
        let sq = header(.sqcodec, parameters: SQCodecParameters(model: "6kbps", sourceSampleRate: 16_000, blocksPerPacket: 4).encoded())
        #expect(throws: CodecTableError.notIncluded(.sqcodec)) { try TQAFile.decoder(for: sq) }
        #expect(throws: CodecTableError.notIncluded(.sqcodec)) { try Codecs.all.excluding(.sqcodec).decoder(for: sq) }
        #expect(Codecs.all.excluding(.sqcodec).codecs.map { $0.codec } == [.turbo, .spectral, .l3ac])
        #expect(Codecs.all.excluding(.sqcodec, .l3ac).codecs.map { $0.codec } == [.turbo, .spectral])
        let turbo = try Codecs.all.decoder(for: header(.turbo, parameters: TurboParameters().encoded()))
        #expect(turbo is TurboDecoder)
        let spectral = try TQAFile.decoder(for: header(.spectral, parameters: SpectralParameters().encoded))
        #expect(spectral is SpectralDecoder)
    }
}
