import Testing
import TQAudio
import TQContainer
import TurboQuant

/// Issue 17.3: a small valid file must not make decoding hold gigabytes. A turbo or spectral
/// packet decodes to at most `Packet.maxDecodedSamples` samples (checked against the header's
/// channel count before anything is decoded), and a decoding batch stops at that many.
@Suite struct PacketSizeLimitTests {
    /// The audit's file: 768 kHz, 32 channels, 8192-sample blocks, 1024 blocks per packet (one
    /// packet of 8 388 608 frames from 135 168 zero bytes had decoded at 1.07 GB).
    @Test func oversizedTurboPacketsAreRefusedAtTheHeader() throws {
        let params = TurboParameters(bits: 1, blockSize: 8192, residual: false, blocksPerPacket: 1024)
        let header = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 768_000, channelCount: 32,
                               frameCount: 8_388_608, seed: 1, codecParameters: params.encoded())
        #expect(throws: TurboError.packetTooLarge(blocksPerPacket: 1024, blockSize: 8192, channelCount: 32, limit: Packet.maxDecodedSamples)) {
            try TurboDecoder(header: header)
        }
        // The largest packet that fits is accepted: 8 blocks of 8192 frames × 32 channels = 2^21.
        var fits = header
        fits.codecParameters = TurboParameters(bits: 1, blockSize: 8192, residual: false, blocksPerPacket: 8).encoded()
        _ = try TurboDecoder(header: fits)
        fits.codecParameters = TurboParameters(bits: 1, blockSize: 8192, residual: false, blocksPerPacket: 9).encoded()
        #expect(throws: TurboError.packetTooLarge(blocksPerPacket: 9, blockSize: 8192, channelCount: 32, limit: Packet.maxDecodedSamples)) {
            try TurboDecoder(header: fits)
        }
        // And the encoder will not write what the decoder refuses.
        #expect(throws: TurboError.packetTooLarge(blocksPerPacket: 1024, blockSize: 8192, channelCount: 32, limit: Packet.maxDecodedSamples)) {
            try TurboEncoder(parameters: params, channelCount: 32, seed: 1)
        }
    }

    /// Every channel count with the CLI's defaults stays within the limit.
    @Test func defaultsFitEveryChannelCount() throws {
        for channels in AudioLimits.channelCounts {
            for block in [64, 512, 8192] {
                try TurboParameters(blockSize: block).validate(channelCount: channels)
            }
            for rate in [8000, 48000] {
                let e = try SpectralEncoder(sampleRate: rate, channelCount: channels, seed: 1)
                #expect(e.parameters == SpectralParameters(frameSize: SpectralParameters.recommendedFrameSize(sampleRate: rate)))
            }
        }
    }

    /// Spectral parameters that would exceed the limit: the decoder refuses them, the encoder
    /// lowers its frames per packet to fit, and what it writes decodes.
    @Test func spectralPacketsFitTheirChannels() throws {
        let big = SpectralParameters(frameSize: 8192, shortBlockCount: 8, framesPerPacket: 32)
        let header = TQAHeader(codec: .spectral, sourceFormat: .s16, sampleRate: 48000, channelCount: 32,
                               frameCount: 100, seed: 1, codecParameters: big.encoded)
        #expect(throws: SpectralError.packetTooLarge(framesPerPacket: 32, frameSize: 8192, channelCount: 32, limit: Packet.maxDecodedSamples)) {
            try SpectralDecoder(header: header)
        }
        let encoder = try SpectralEncoder(sampleRate: 48000, channelCount: 32, target: .bitsPerSample(1), seed: 1, parameters: big)
        #expect(encoder.parameters.framesPerPacket == 7)
        #expect(encoder.parameters.fits(channelCount: 32))
        var rng = SplitMix64(seed: 0x5A11)
        let x = AudioBuffer(sampleRate: 48000, channels: (0 ..< 32).map { _ in rng.noise(20_000, sigma: 0.1) })
        let out = try decode(try encode(x, encoder: encoder), salvage: false)
        #expect(out.error == nil, "seed \(rng.seed)")
        #expect(out.audio.frameCount == 20_000)
    }

    /// A decoder that records the batches it is given and decodes nothing.
    struct BatchRecorder: PacketDecoder {
        final class Log { var batches: [[Packet]] = [] }
        let log = Log()
        let channels: Int
        mutating func decode(_ packet: Packet) throws -> [DecodedAudio] {
            [DecodedAudio(firstFrame: packet.firstFrame, buffer: AudioBuffer(sampleRate: 8000, channelCount: channels, frameCount: Int(packet.frameCount)))]
        }
        mutating func decode(batch: [Packet], threads: Int) throws -> [DecodedAudio] {
            log.batches.append(batch)
            var out: [DecodedAudio] = []
            for p in batch { out += try decode(p) }
            return out
        }
        mutating func finish() throws -> [DecodedAudio] { [] }
        mutating func reset() {}
        func batchSize(threads: Int) -> Int { 4 * threads }
    }

    /// With 256 threads a batch would be 1024 packets; it stops once its packets hold
    /// `Packet.maxDecodedSamples` samples.
    @Test func batchesStopAtTheSampleLimit() throws {
        let channels = 8, framesPerPacket = 4096
        let packets = 300
        let sink = MemorySink()
        let header = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 8000, channelCount: channels,
                               frameCount: TQAHeader.unknownFrameCount, seed: 0, codecParameters: [])
        let writer = try TQAWriter(sink: sink, header: header)
        for k in 0 ..< packets {
            try writer.write(Packet(firstFrame: UInt64(k * framesPerPacket), frameCount: UInt32(framesPerPacket), payload: [1, 2, 3]))
        }
        try writer.finish(frameCount: UInt64(packets * framesPerPacket))
        let recorder = BatchRecorder(channels: channels)
        let stream = TQAStreamDecoder(reader: try TQAReader(bytes: sink.bytes), decoder: recorder, threads: 256)
        var frames = 0
        while let b = try stream.next() { frames += b.frameCount }
        #expect(frames == packets * framesPerPacket)
        let perBatch = Packet.maxDecodedSamples / (channels * framesPerPacket)
        #expect(recorder.log.batches.count >= packets / perBatch)
        for batch in recorder.log.batches {
            #expect(batch.count <= perBatch, "a batch of \(batch.count) packets")
        }
    }
}
