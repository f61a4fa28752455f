import Testing
import TQAudio
import TQContainer

/// Issue 17.5: decoded audio that is NaN or infinite (a damaged checkpoint, a forged packet) is
/// written as silence and counted, never passed on silently.
@Suite struct NonFiniteOutputTests {
    /// Decodes every packet to `frameCount` frames of `value` at index `at`, 0 elsewhere.
    struct Poisoned: PacketDecoder {
        let channels: Int
        let value: Float
        let at: Int
        mutating func decode(_ packet: Packet) throws -> [DecodedAudio] {
            var b = AudioBuffer(sampleRate: 8000, channelCount: channels, frameCount: Int(packet.frameCount))
            b.withMutableSamples { $0[at] = value; $0[$0.count - 1] = 0.5 }
            return [DecodedAudio(firstFrame: packet.firstFrame, buffer: b)]
        }
        mutating func finish() throws -> [DecodedAudio] { [] }
        mutating func reset() {}
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity, .signalingNaN], [0, 7, 13])
    func nonFiniteSamplesBecomeSilenceAndAreCounted(value: Float, at: Int) throws {
        let sink = MemorySink()
        let header = TQAHeader(codec: .turbo, sourceFormat: .f32, sampleRate: 8000, channelCount: 2,
                               frameCount: TQAHeader.unknownFrameCount, seed: 0, codecParameters: [])
        let writer = try TQAWriter(sink: sink, header: header)
        for k in 0 ..< 3 { try writer.write(Packet(firstFrame: UInt64(k * 10), frameCount: 10, payload: [0])) }
        try writer.finish(frameCount: 30)
        let stream = TQAStreamDecoder(reader: try TQAReader(bytes: sink.bytes), decoder: Poisoned(channels: 2, value: value, at: at))
        var samples: [Float] = []
        while let b = try stream.next() { samples += b.samples }
        #expect(samples.count == 60)
        #expect(samples.allSatisfy { $0.isFinite })
        #expect(stream.nonFiniteSamples == 3)
        #expect(samples.filter { $0 == 0.5 }.count == 3)
    }

    @Test func finiteAudioIsUntouched() throws {
        let sink = MemorySink()
        let header = TQAHeader(codec: .turbo, sourceFormat: .f32, sampleRate: 8000, channelCount: 1,
                               frameCount: TQAHeader.unknownFrameCount, seed: 0, codecParameters: [])
        let writer = try TQAWriter(sink: sink, header: header)
        try writer.write(Packet(firstFrame: 0, frameCount: 22, payload: [0]))
        try writer.finish(frameCount: 22)
        let stream = TQAStreamDecoder(reader: try TQAReader(bytes: sink.bytes), decoder: Poisoned(channels: 1, value: Float.greatestFiniteMagnitude, at: 20))
        let b = try #require(try stream.next())
        #expect(b.samples[20] == Float.greatestFiniteMagnitude)
        #expect(stream.nonFiniteSamples == 0)
    }
}
