import Foundation
import Testing
import TQAudio
import TQContainer
@testable import SQCodec

/// `tqa decode --whole`: packets gathered and each channel's tokens decoded as one sequence.
@Suite struct WholeSequenceDecodeTests {
    /// Seeded noise with a slow envelope, at the model's rate.
    func signal(frames: Int, channels: Int, seed: UInt64) -> AudioBuffer {
        var rng = SplitMix64(seed: seed)
        let planar = (0..<channels * frames).map { i -> Float in
            let t = Double(i % frames) / 16_000
            let u = Double(rng.next() >> 11) / Double(1 << 53) - 0.5
            return Float(0.3 * u * (1.2 + sin(2 * Double.pi * 0.7 * t)))
        }
        return AudioBuffer(sampleRate: 16_000, channelCount: channels, planar: planar)
    }

    func header(_ cfg: SQCodecConfiguration, channels: Int, frames: Int, blocksPerPacket: Int) -> TQAHeader {
        TQAHeader(codec: .sqcodec, sourceFormat: .s16, sampleRate: cfg.sampleRate, channelCount: channels, frameCount: UInt64(frames),
                  seed: 0, codecParameters: SQCodecParameters(model: cfg.name, sourceSampleRate: cfg.sampleRate,
                                                              blocksPerPacket: blocksPerPacket).encoded())
    }

    func packets(_ model: SQCodecModel, _ x: AudioBuffer, blocksPerPacket: Int) throws -> [Packet] {
        var enc = try SQCodecEncoder(model: model, sampleRate: x.sampleRate, channelCount: x.channelCount, blocksPerPacket: blocksPerPacket)
        return try enc.encode(x) + enc.finish()
    }

    @Test(arguments: Fixture.names)
    func multiPacketFileDecodesAsOneSequence(name: String) throws {
        let seed: UInt64 = 0x3140_1E
        let model = try Fixture(name).model(), cfg = model.configuration
        let x = signal(frames: cfg.fillLength * 11 + 5, channels: 2, seed: seed)
        let packets = try packets(model, x, blocksPerPacket: 2)
        #expect(packets.count == 6, "seed \(seed)")
        var dec = try SQCodecDecoder.whole(header: header(cfg, channels: 2, frames: x.frameCount, blocksPerPacket: 2), model: model, threads: 2)
        var out: [DecodedAudio] = []
        for p in packets { out += try dec.decode(p) }
        #expect(out.isEmpty, "\(name): audio before the last packet")
        out += try dec.finish()
        #expect(out.count == 1 && out[0].firstFrame == 0 && out[0].buffer.frameCount == x.frameCount)
        let tokenReader = try SQCodecDecoder(header: header(cfg, channels: 2, frames: x.frameCount, blocksPerPacket: 2), model: model)
        for c in 0..<2 {
            let tokens = try packets.flatMap { try tokenReader.tokens(of: $0)[c] }
            let reference = try model.decode(tokens)
            let diff = maxAbsDifference(Array(reference.prefix(x.frameCount)), Array(out[0].buffer.channel(c)))
            #expect(diff <= 1e-5, "\(name) ch\(c): whole-sequence decode differs by \(diff) from the model's (seed \(seed))")
        }
    }

    /// A gap (a packet lost) ends a run: each run is one sequence, placed at its own frames.
    @Test func gapStartsANewSequence() throws {
        let seed: UInt64 = 0x6A9
        let model = try Fixture(Fixture.names[0]).model(), cfg = model.configuration
        let x = signal(frames: cfg.fillLength * 8, channels: 1, seed: seed)
        let packets = try packets(model, x, blocksPerPacket: 2)
        let h = header(cfg, channels: 1, frames: x.frameCount, blocksPerPacket: 2)
        var dec = try SQCodecDecoder.whole(header: h, model: model)
        let kept = [packets[0], packets[2], packets[3]]
        var out: [DecodedAudio] = []
        for p in kept { out += try dec.decode(p) }
        out += try dec.finish()
        #expect(out.map(\.firstFrame) == [0, UInt64(4 * cfg.fillLength)], "seed \(seed)")
        let reader = try SQCodecDecoder(header: h, model: model)
        let second = try model.decode(try reader.tokens(of: packets[2])[0] + reader.tokens(of: packets[3])[0])
        let diff = maxAbsDifference(second, Array(out[1].buffer.channel(0)))
        #expect(diff <= 1e-5, "second run differs by \(diff) (seed \(seed))")
    }

    /// Past the memory limit the decoder refuses, saying how long and how much.
    @Test func refusesBeyondTheMemoryLimit() throws {
        let model = try Fixture(Fixture.names[0]).model(), cfg = model.configuration
        let x = signal(frames: cfg.fillLength * 6, channels: 1, seed: 7)
        let packets = try packets(model, x, blocksPerPacket: 2)
        let limit = model.wholeDecodeBytesPerToken * cfg.tokensPerBlock * 3
        var dec = try SQCodecDecoder.whole(header: header(cfg, channels: 1, frames: x.frameCount, blocksPerPacket: 2), model: model,
                                           memoryLimit: limit)
        #expect(dec.maximumTokens == 3 * cfg.tokensPerBlock)
        _ = try dec.decode(packets[0])
        #expect(throws: WholeSequenceError.self) { _ = try dec.decode(packets[1]) }
    }
}
