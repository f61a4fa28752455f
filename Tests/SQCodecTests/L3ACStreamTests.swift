import Foundation
import Testing
import TQAudio
import TQContainer
@testable import SQCodec

/// L3AC through the backbone's chunked encoder and packet streams (codec `l3ac`), on the small
/// reference fixtures' models: tokens equal whole-input encoding however the input is cut, the
/// last block may be short (L3AC pads to one hop), resampling and channel counts.
@Suite struct L3ACStreamTests {
    let streams = StreamTests()

    /// Streams `x` through an L3AC encoder in chunks of seeded random sizes; returns the packets,
    /// the header and each channel's tokens read back from the packets.
    func encodeInPackets(_ model: SQCodecModel, _ x: AudioBuffer, blocksPerPacket: Int, seed: UInt64) throws
        -> (packets: [Packet], header: TQAHeader, tokens: [[Int32]]) {
        var x = x
        CodecInput.condition(&x)
        var enc = try SQCodecEncoder(model: model, sampleRate: x.sampleRate, channelCount: x.channelCount, blocksPerPacket: blocksPerPacket)
        #expect(enc.codec == .l3ac)
        var rng = Xoshiro(seed: seed)
        var packets: [Packet] = []
        var start = 0
        while start < x.frameCount {
            let n = min(x.frameCount - start, Int(rng.next() % 700) + 1)
            packets += try enc.encode(x.frames(start ..< start + n))
            start += n
        }
        packets += try enc.finish()
        let header = TQAHeader(codec: .l3ac, sourceFormat: .s16, sampleRate: model.configuration.sampleRate,
                               channelCount: x.channelCount, frameCount: UInt64(packets.reduce(0) { $0 + Int($1.frameCount) }),
                               seed: 0, codecParameters: enc.codecParameters)
        let dec = try SQCodecDecoder(header: header, model: model)
        var tokens = [[Int32]](repeating: [], count: x.channelCount)
        for p in packets { for (c, t) in try dec.tokens(of: p).enumerated() { tokens[c] += t } }
        return (packets, header, tokens)
    }

    func decodeAll(_ model: SQCodecModel, header: TQAHeader, packets: [Packet]) throws -> AudioBuffer {
        var dec = try SQCodecDecoder(header: header, model: model)
        var out = AudioBuffer(sampleRate: model.configuration.sampleRate, channelCount: header.channelCount, frameCount: 0)
        for p in packets { for d in try dec.decode(p) { #expect(d.firstFrame == UInt64(out.frameCount)); out.append(d.buffer) } }
        for d in try dec.finish() { out.append(d.buffer) }
        return out
    }

    /// A multi-packet encode gives exactly the tokens of `L3ACModel.encode` on the whole input,
    /// for lengths ending inside a block (L3AC's short last block) and on a block boundary.
    @Test(arguments: L3ACFixture.names)
    func multiPacketTokensEqualWholeInput(name: String) throws {
        let l3ac = try L3ACFixture(name).model()
        let model = l3ac.backbone, cfg = model.configuration
        #expect(cfg.family == .l3ac && cfg.fillLength == cfg.hopLength)
        for (i, frames) in [cfg.blockLength * 11 + 2 * cfg.hopLength + 5, cfg.blockLength * 9, cfg.hopLength - 1].enumerated() {
            let seed = 0x13AC + UInt64(i)
            let x = streams.signal(frames: frames, channels: 2, seed: seed)
            let (packets, _, tokens) = try encodeInPackets(model, x, blocksPerPacket: 2, seed: seed)
            #expect(packets.count == (frames + 2 * cfg.blockLength - 1) / (2 * cfg.blockLength), "\(name), seed \(seed)")
            for c in 0..<2 {
                let whole = l3ac.encode(Array(x.channel(c)), chunkBlocks: 1 << 20)
                #expect(whole.count == (frames + cfg.hopLength - 1) / cfg.hopLength)
                #expect(tokens[c] == whole, "\(name) ch\(c), \(frames) frames, seed \(seed): streamed tokens differ from whole-input encoding")
            }
        }
    }

    /// `encode` in chunks of a few blocks (memory bounded) gives the whole-input tokens.
    @Test(arguments: L3ACFixture.names)
    func chunkedEncodeEqualsWholeInput(name: String) throws {
        let l3ac = try L3ACFixture(name).model()
        let cfg = l3ac.configuration
        let x = Array(streams.signal(frames: cfg.blockLength * 7 + cfg.hopLength * 3 + 1, channels: 1, seed: 21).channel(0))
        let whole = l3ac.encode(x, chunkBlocks: 1 << 20)
        for chunk in [1, 2, 3] {
            #expect(l3ac.encode(x, chunkBlocks: chunk) == whole, "\(name): chunks of \(chunk) blocks (seed 21)")
        }
    }

    /// One packet decodes exactly as the whole token sequence; several follow it (the decoder's
    /// norms see their own spans), with every frame in place.
    @Test(arguments: L3ACFixture.names)
    func decodingFollowsWholeSequence(name: String) throws {
        let l3ac = try L3ACFixture(name).model()
        let model = l3ac.backbone, cfg = model.configuration
        let x = streams.signal(frames: cfg.blockLength * 10 + cfg.hopLength * 2 + 3, channels: 1, seed: 33)
        let reference = try l3ac.decode(l3ac.encode(Array(x.channel(0))))
        let single = try encodeInPackets(model, x, blocksPerPacket: 64, seed: 33)
        let one = try decodeAll(model, header: single.header, packets: single.packets)
        #expect(one.frameCount == x.frameCount)
        let diff = maxAbsDifference(Array(reference.prefix(x.frameCount)), Array(one.channel(0)))
        #expect(diff < 1e-5, "\(name): single-packet decoding differs by \(diff) (seed 33)")
        let multi = try encodeInPackets(model, x, blocksPerPacket: 3, seed: 33)
        let y = try decodeAll(model, header: multi.header, packets: multi.packets)
        #expect(y.frameCount == x.frameCount)
        let snr = snrDB(reference: Array(reference.prefix(x.frameCount)), Array(y.channel(0)))
        print("\(name): packet-by-packet decode vs whole-sequence decode: \(snr) dB")
        #expect(snr > 5, "\(name): streamed decoding is \(snr) dB from whole-sequence decoding (seed 33)")
    }

    /// Any source rate is resampled to the model's; any channel count is coded channel by channel.
    @Test func resamplesAndCodesEveryChannel() throws {
        let l3ac = try L3ACFixture("l3ac_small_compressed").model()
        let model = l3ac.backbone
        var x = streams.signal(frames: 22_050 / 3, channels: 3, seed: 44)
        x.sampleRate = 22_050
        let (packets, header, tokens) = try encodeInPackets(model, x, blocksPerPacket: 4, seed: 44)
        let resampled = Resampler(inputRate: 22_050, outputRate: 16_000).outputFrameCount(forInput: x.frameCount)
        #expect(tokens.count == 3 && tokens.allSatisfy { $0.count == model.configuration.tokenCount(samples: resampled) })
        #expect(try L3ACParameters(decoding: header.codecParameters).stream.sourceSampleRate == 22_050)
        let y = try decodeAll(model, header: header, packets: packets)
        #expect(y.frameCount == resampled && y.channelCount == 3)
        #expect(y.samples.allSatisfy { $0.isFinite })
    }

    /// Tokens are packed at the information rate: a packet holds ⌈tokens · log2(codebook) / 8⌉
    /// bytes per channel (`SQTokenPacking`), and the header's codec is `l3ac`.
    @Test(arguments: L3ACConfiguration.published.map(\.name))
    func bitrateIsTheInformationRate(model: String) throws {
        let cfg = try #require(ModelFamily.l3ac.named(model))
        for channels in [1, 2] {
            let blocks = SQCodecEncoder.defaultBlocksPerPacket(cfg, channels: channels)
            let tokens = blocks * cfg.tokensPerBlock
            let packetBytes = 28 + channels * SQTokenPacking.byteCount(count: tokens, codebookSize: cfg.codebookSize)
            let seconds = Double(blocks * cfg.blockLength) / Double(cfg.sampleRate)
            let bitrate = Double(packetBytes) * 8 / seconds / Double(channels)
            #expect(abs(bitrate / cfg.bitrate - 1) < 0.01, "\(model), \(channels) ch: \(bitrate) bps against \(cfg.bitrate)")
            #expect(seconds <= 54, "\(model), \(channels) ch: packets of \(seconds) s")
        }
    }

    /// A packet that ends in a short block before the file's end (damage, or a spliced file)
    /// ends its run instead of tripping the block decoder; a file of another codec is refused.
    @Test func shortPacketInTheMiddleEndsItsRun() throws {
        let l3ac = try L3ACFixture("l3ac_small_local").model()
        let model = l3ac.backbone, cfg = model.configuration
        let x = streams.signal(frames: cfg.blockLength * 6, channels: 1, seed: 55)
        var (packets, header, _) = try encodeInPackets(model, x, blocksPerPacket: 2, seed: 55)
        #expect(packets.count == 3)
        packets[1].frameCount -= UInt32(cfg.hopLength)
        // A consistent payload for the shortened packet: one token fewer, packed.
        let t = try SQCodecDecoder(header: header, model: model).tokens(of: packets[0])[0]
        packets[1].payload = SQTokenPacking.pack(Array(t.prefix(2 * cfg.tokensPerBlock - 1)), codebookSize: cfg.codebookSize)
        let y = try decodeAllLenient(model, header: header, packets: packets)
        #expect(y.allSatisfy { $0.isFinite })
        var other = header
        other.codec = .sqcodec
        #expect(throws: SQCodecStreamError.notSQCodecStream(.sqcodec)) { try SQCodecDecoder(header: other, model: model) }
    }

    func decodeAllLenient(_ model: SQCodecModel, header: TQAHeader, packets: [Packet]) throws -> [Float] {
        var dec = try SQCodecDecoder(header: header, model: model)
        var out: [Float] = []
        for p in packets { for d in try dec.decode(p) { out += d.buffer.channel(0) } }
        for d in try dec.finish() { out += d.buffer.channel(0) }
        return out
    }
}
