import Foundation
import Testing
import TQAudio
import TQContainer
@testable import SQCodec

/// The .tqa codec around the model: streaming, packets, context, resampling.
@Suite struct StreamTests {
    func signal(frames: Int, channels: Int, seed: UInt64) -> AudioBuffer {
        var rng = Xoshiro(seed: seed)
        // A speech-like test signal: a few harmonics with a moving pitch and noise bursts.
        let planar = (0..<channels).flatMap { c in
            (0..<frames).map { i -> Float in
                let t = Double(i) / 16_000
                let f0 = 120 + 40 * sin(2 * Double.pi * 1.3 * t + Double(c))
                var v = 0.0
                for h in 1...5 { v += 0.1 / Double(h) * sin(2 * Double.pi * f0 * Double(h) * t) }
                return Float(v + 0.02 * rng.gaussian())
            }
        }
        return AudioBuffer(sampleRate: 16_000, channelCount: channels, planar: planar)
    }

    /// Streams `x` through encoder and decoder in chunks of random size; returns packets and audio.
    func roundTrip(_ model: SQCodecModel, _ x: AudioBuffer, blocksPerPacket: Int, seed: UInt64) throws -> ([Packet], AudioBuffer) {
        var x = x
        CodecInput.condition(&x)  // as TQAStreamEncoder does
        var enc = try SQCodecEncoder(model: model, sampleRate: x.sampleRate, channelCount: x.channelCount, blocksPerPacket: blocksPerPacket)
        var rng = Xoshiro(seed: seed)
        var packets: [Packet] = []
        var start = 0
        while start < x.frameCount {
            let n = min(x.frameCount - start, Int(rng.next() % 500) + 1)
            packets += try enc.encode(x.frames(start ..< start + n))
            start += n
        }
        packets += try enc.finish()
        let header = TQAHeader(codec: .sqcodec, sourceFormat: .s16, sampleRate: model.configuration.sampleRate,
                               channelCount: x.channelCount, frameCount: UInt64(packets.reduce(0) { $0 + Int($1.frameCount) }),
                               seed: 0, codecParameters: enc.codecParameters)
        var dec = try SQCodecDecoder(header: header, model: model)
        var out = AudioBuffer(sampleRate: model.configuration.sampleRate, channelCount: x.channelCount, frameCount: 0)
        for p in packets { for d in try dec.decode(p) { #expect(d.firstFrame == UInt64(out.frameCount)); out.append(d.buffer) } }
        for d in try dec.finish() { out.append(d.buffer) }
        return (packets, out)
    }

    @Test(arguments: Fixture.names)
    func streamingEqualsWholeFile(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let cfg = model.configuration
        let seed: UInt64 = 0x5C0DEC
        let x = signal(frames: cfg.fillLength * 23 + 17, channels: 2, seed: seed)
        let (packets, y) = try roundTrip(model, x, blocksPerPacket: 3, seed: seed)
        #expect(y.frameCount == x.frameCount && y.channelCount == 2)
        for c in 0..<2 {
            let whole = model.encode(Array(x.channel(c)))
            var streamed: [Int32] = []
            var dec = try SQCodecDecoder(header: TQAHeader(codec: .sqcodec, sourceFormat: .s16, sampleRate: cfg.sampleRate, channelCount: 2,
                                                           frameCount: 0, seed: 0, codecParameters: SQCodecParameters(model: cfg.name, sourceSampleRate: 16_000, blocksPerPacket: 3).encoded()), model: model)
            for p in packets { streamed += try dec.tokens(of: p)[c] }
            dec.reset()
            let same = zip(whole, streamed).filter { $0 == $1 }.count
            #expect(streamed.count == whole.count)
            #expect(Double(same) >= 0.999 * Double(whole.count), "\(name) ch\(c): \(same)/\(whole.count) tokens as whole-file encoding")
            let reference = try model.decode(whole)
            // Decoding in packets with a block of context on each side, as the reference's
            // decode_unit does in chunks, follows whole-sequence decoding but is not identical:
            // the decoder's sequence-wide norms see different spans (by far the most with these
            // small random-weight models).
            let snr = snrDB(reference: Array(reference.prefix(x.frameCount)), Array(y.channel(c)))
            print("\(name) ch\(c): packet-by-packet decode vs whole-sequence decode: \(snr) dB")
            #expect(snr > 5, "\(name) ch\(c): streamed decoding is \(snr) dB from whole-file decoding")
            // One packet: exactly the whole-sequence decoding.
            let (_, single) = try roundTrip(model, x, blocksPerPacket: 64, seed: seed)
            let diff = maxAbsDifference(Array(reference.prefix(x.frameCount)), Array(single.channel(c)))
            #expect(diff < 1e-5, "\(name) ch\(c): single-packet decoding differs by \(diff)")
        }
    }

    /// A lost packet costs only its own audio: the packet before it is still decoded (without
    /// right context), and decoding restarts at the packet after it.
    @Test func aLostPacketCostsOnlyItsAudio() throws {
        let f = try Fixture("small_local")
        let model = try f.model()
        let cfg = model.configuration
        let x = signal(frames: cfg.fillLength * 12, channels: 1, seed: 7)
        var enc = try SQCodecEncoder(model: model, sampleRate: 16_000, channelCount: 1, blocksPerPacket: 3)
        let packets = try enc.encode(x) + enc.finish()
        #expect(packets.count == 4)
        let header = TQAHeader(codec: .sqcodec, sourceFormat: .s16, sampleRate: cfg.sampleRate, channelCount: 1,
                               frameCount: UInt64(x.frameCount), seed: 0, codecParameters: enc.codecParameters)
        var dec = try SQCodecDecoder(header: header, model: model)
        var starts: [UInt64] = []
        for (i, p) in packets.enumerated() where i != 2 { starts += try dec.decode(p).map(\.firstFrame) }
        starts += try dec.finish().map(\.firstFrame)
        #expect(starts == [packets[0], packets[1], packets[3]].map(\.firstFrame), "decoded packets start at \(starts)")
    }

    /// Every published model's files cost its table bitrate within 1 % (packets of the default
    /// length, with their headers and CRCs), with packets of at most 54 s.
    @Test(arguments: SQCodecConfiguration.published.map(\.name))
    func bitrateIsTheInformationRate(model: String) throws {
        let cfg = try #require(SQCodecConfiguration.named(model))
        for channels in [1, 2] {
            let blocks = SQCodecEncoder.defaultBlocksPerPacket(cfg, channels: channels)
            let tokens = blocks * cfg.tokensPerBlock
            let packetBytes = 28 + channels * SQTokenPacking.byteCount(count: tokens, codebookSize: cfg.codebookSize)
            let seconds = Double(blocks * cfg.fillLength) / Double(cfg.sampleRate)
            let bitrate = Double(packetBytes) * 8 / seconds / Double(channels)
            #expect(abs(bitrate / cfg.bitrate - 1) < 0.01, "\(model), \(channels) ch: \(bitrate) bps against \(cfg.bitrate)")
            // Memory follows a packet's span: no more than 54 s of audio.
            #expect(seconds <= 54, "\(model), \(channels) ch: packets of \(seconds) s")
        }
    }

    @Test func resamplesFromTheSourceRate() throws {
        let f = try Fixture("small_local")
        let model = try f.model()
        var x = signal(frames: 44_100 / 2, channels: 1, seed: 9)
        x.sampleRate = 44_100
        let (packets, y) = try roundTrip(model, x, blocksPerPacket: 4, seed: 9)
        let expected = Resampler(inputRate: 44_100, outputRate: 16_000).outputFrameCount(forInput: x.frameCount)
        #expect(y.frameCount == expected)
        #expect(packets.allSatisfy { $0.firstFrame % UInt64(model.configuration.fillLength) == 0 })
    }

    @Test func nonFiniteInputIsCodedAsSilence() throws {
        let f = try Fixture("small_local")
        let model = try f.model()
        var x = signal(frames: 3000, channels: 1, seed: 5)
        x.withMutableSamples { $0[10] = .nan; $0[400] = .infinity; $0[2999] = -.infinity }
        x.sampleRate = 22_050
        let (_, y) = try roundTrip(model, x, blocksPerPacket: 4, seed: 5)
        #expect(y.samples.allSatisfy { $0.isFinite })
    }

    @Test func damagedPacketsAreErrors() throws {
        let f = try Fixture("small_local")
        let model = try f.model()
        let (packets, _) = try roundTrip(model, signal(frames: 2000, channels: 1, seed: 1), blocksPerPacket: 4, seed: 1)
        let header = TQAHeader(codec: .sqcodec, sourceFormat: .s16, sampleRate: 16_000, channelCount: 1, frameCount: 2000, seed: 0,
                               codecParameters: SQCodecParameters(model: "small_local", sourceSampleRate: 16_000, blocksPerPacket: 4).encoded())
        var dec = try SQCodecDecoder(header: header, model: model)
        var p = packets[0]
        let n = p.payload.count
        p.payload.removeLast()
        #expect(throws: SQCodecStreamError.tokenByteCount(packet: 0, bytes: n - 1, expected: n)) { try dec.decode(p) }
        p = packets[0]
        p.frameCount = 1 << 30
        #expect(throws: SQCodecStreamError.frameCountMismatch(packet: 0, frames: 1 << 30, firstFrame: 0,
                                                              blockLength: model.configuration.fillLength)) { try dec.decode(p) }
        p = packets[0]
        p.payload = p.payload.map { _ in 0xFF }
        #expect(throws: SQCodecStreamError.damagedTokens(packet: 0, .valueOutOfRange(group: 0))) { try dec.decode(p) }
        var wrong = header
        wrong.codecParameters = SQCodecParameters(model: "6kbps", sourceSampleRate: 16_000, blocksPerPacket: 4).encoded()
        #expect(throws: SQCodecStreamError.modelMismatch(file: "6kbps", loaded: "small_local")) { try SQCodecDecoder(header: wrong, model: model) }
        var rate = header
        rate.sampleRate = 22_050
        #expect(throws: SQCodecStreamError.sampleRateMismatch(fileRate: 22_050, model: "small_local", modelRate: 16_000)) {
            try SQCodecDecoder(header: rate, model: model)
        }
        var turbo = header
        turbo.codec = .turbo
        #expect(throws: SQCodecStreamError.notSQCodecStream(.turbo)) { try SQCodecDecoder(header: turbo, model: model) }
        #expect(throws: SQCodecStreamError.malformedParameters(byteCount: 2)) { try SQCodecParameters(decoding: [1, 40]) }
        #expect(throws: SQCodecStreamError.emptyParameters) { try SQCodecParameters(decoding: []) }
        #expect(throws: SQCodecStreamError.unsupportedParameterVersion(2, supported: 1)) { try SQCodecParameters(decoding: [2]) }
        var bad = SQCodecParameters(model: "small_local", sourceSampleRate: 0, blocksPerPacket: 4).encoded()
        #expect(throws: SQCodecStreamError.sampleRateOutOfRange(0)) { try SQCodecParameters(decoding: bad) }
        bad = SQCodecParameters(model: "small_local", sourceSampleRate: 16_000, blocksPerPacket: 0).encoded()
        #expect(throws: SQCodecStreamError.blocksPerPacketOutOfRange(0, range: 1...1024)) { try SQCodecParameters(decoding: bad) }
        #expect(throws: SQCodecStreamError.channelCountOutOfRange(0, range: 1...32)) {
            try SQCodecEncoder(model: model, sampleRate: 16_000, channelCount: 0)
        }
        #expect(throws: SQCodecStreamError.sampleRateOutOfRange(0)) { try SQCodecEncoder(model: model, sampleRate: 0, channelCount: 1) }
        #expect(throws: SQCodecStreamError.blocksPerPacketOutOfRange(1025, range: 1...1024)) {
            try SQCodecEncoder(model: model, sampleRate: 16_000, channelCount: 1, blocksPerPacket: 1025)
        }
    }
}
