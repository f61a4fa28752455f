import Testing
import SQCodec
import TQAudio
import TQContainer

/// The corruption suite for sqcodec and l3ac streams, with tiny random-weight models: damage is
/// an error in strict mode and costs only its packets in salvage mode.
@Suite struct SQCodecCorruptionTests {
    static let configuration = SQCodecConfiguration(
        name: "tiny", sampleRate: 16_000, featureDim: 24, compressRates: [2, 3], encoderDims: [8, 12, 16],
        encoderDepths: [1, 1, 2], decodeRates: [3, 2], decoderDims: [16, 12, 8], decoderDepths: [2, 1, 1],
        levels: [5, 4, 3], enCoderDepth: 2, enCoderWindowSize: 8, enCoderCompressRate: 1)
    /// L3AC's compressed transformers and super-FSQ; 2000 samples end in a short block.
    static let l3ac = L3ACConfiguration(
        name: "tiny-l3ac", featureDim: 24, compressRates: [2, 3], encoderDims: [8, 12, 16],
        encoderDepths: [1, 1, 2], decodeRates: [3, 2], decoderDims: [16, 12, 8], decoderDepths: [2, 1, 1],
        levels: [7, 6, 3], enCoderDepth: 3, enCoderWindowSize: 4, enCoderCompressRate: 2).backbone

    static func configuration(_ family: ModelFamily) -> SQCodecConfiguration { family == .l3ac ? l3ac : configuration }

    struct Stream {
        let model: SQCodecModel
        let bytes: [UInt8]
        let packetStarts: [Int]
        let clean: AudioBuffer
    }

    static func make(_ family: ModelFamily = .sqcodec) throws -> Stream {
        let model = try RandomWeights.model(configuration(family), seed: 5)
        var rng = SplitMix64(seed: 99)
        let x = AudioBuffer(sampleRate: 16_000, channels: [(0..<2000).map { _ in Float.random(in: -0.3...0.3, using: &rng) }])
        let sink = MemorySink()
        let per = family == .l3ac ? 8 : 4
        let enc = try TQAStreamEncoder(encoder: SQCodecEncoder(model: model, sampleRate: 16_000, channelCount: 1, blocksPerPacket: per),
                                       sink: sink, sampleRate: 16_000, channelCount: 1, sourceFormat: .s16)
        try enc.write(x)
        try enc.finish()
        let reader = try TQAReader(bytes: sink.bytes)
        var starts: [Int] = []
        var at = reader.headerSize
        while Array(sink.bytes[at ..< at + 4]) == [0x54, 0x51, 0x41, 0x50] {
            starts.append(at)
            var r = ByteReader(sink.bytes, offset: at + 4)
            at += 24 + Int(r.u32()!) + 4
        }
        starts.append(at)
        let clean = try decode(sink.bytes, model: model, salvage: false)
        return Stream(model: model, bytes: sink.bytes, packetStarts: starts, clean: clean.0!)
    }

    /// The audio (nil when strict decoding failed) and the salvage report.
    static func decode(_ bytes: [UInt8], model: SQCodecModel, salvage: Bool) throws -> (AudioBuffer?, SalvageReport) {
        let reader = try TQAReader(bytes: bytes)
        let stream = TQAStreamDecoder(reader: reader, decoder: try SQCodecDecoder(header: reader.header, model: model), salvage: salvage)
        var out = AudioBuffer(sampleRate: 16_000, channelCount: 1, frameCount: 0)
        do {
            while let b = try stream.next() { out.append(b) }
        } catch is ContainerError {
            return (nil, stream.report)
        }
        return (out, stream.report)
    }

    @Test(arguments: ModelFamily.allCases)
    func bitFlipsInEveryPacket(family: ModelFamily) throws {
        let s = try Self.make(family)
        #expect(try TQAReader(bytes: s.bytes).header.codec == family.codec)
        #expect(s.packetStarts.count >= 4, "several packets")
        var rng = SplitMix64(seed: 0x5C0)
        for k in 0 ..< s.packetStarts.count - 1 {
            var b = s.bytes
            let at = Int.random(in: s.packetStarts[k] ..< s.packetStarts[k + 1], using: &rng)
            b[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            let strict = try Self.decode(b, model: s.model, salvage: false)
            #expect(strict.0 == nil, "seed \(rng.seed): flip at \(at) in packet \(k) decoded without an error")
            let salvage = try Self.decode(b, model: s.model, salvage: true)
            let audio = try #require(salvage.0)
            #expect(audio.frameCount == s.clean.frameCount, "seed \(rng.seed)")
            #expect(audio.samples.allSatisfy { $0.isFinite })
            #expect(salvage.1.lostFrames > 0, "seed \(rng.seed): the damaged packet's frames are reported lost")
        }
    }

    @Test(arguments: ModelFamily.allCases)
    func truncationAndGarbage(family: ModelFamily) throws {
        let s = try Self.make(family)
        for k in 1 ..< s.packetStarts.count {
            let cut = Array(s.bytes[..<s.packetStarts[k]])
            #expect(try Self.decode(cut, model: s.model, salvage: false).0 == nil, "cut before packet \(k)")
            #expect(try Self.decode(cut, model: s.model, salvage: true).0?.frameCount == s.clean.frameCount)
        }
        #expect(try Self.decode(s.bytes + [1, 2, 3], model: s.model, salvage: false).0 == nil)
    }
}
