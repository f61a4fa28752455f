import Testing
import TQAudio
import TQContainer
import TurboQuant

/// encode∘decode keeps the shape of the audio for any shape, through the container and back.
@Suite struct RoundTripPropertyTests {
    func roundTrip(_ x: AudioBuffer, parameters p: TurboParameters = TurboParameters(), seed: UInt64 = 5) throws -> (AudioBuffer, TQAHeader) {
        let bytes = try encode(x, encoder: TurboEncoder(parameters: p, channelCount: x.channelCount, seed: seed), sourceFormat: .s24)
        let out = try decode(bytes, salvage: false)
        if let e = out.error { throw e }
        return (out.audio, try TQAReader(bytes: bytes).header)
    }

    @Test func randomShapesKeepFramesChannelsAndRate() throws {
        var rng = SplitMix64(seed: 0x5A9E)
        let rates = [8000, 11025, 16000, 22050, 44100, 48000, 96000, 192_000]
        for trial in 0..<24 {
            let channels = Int.random(in: 1...8, using: &rng)
            let rate = rates.randomElement(using: &rng)!
            // Mostly short, some around packet and block edges; the sample budget keeps debug runs fast.
            let frames = [1, 2, 63, 64, 65, 511, 512, 513, 4095, 4096, 4097, Int.random(in: 1...60_000, using: &rng)]
                .randomElement(using: &rng)!
            let p = TurboParameters(bits: Int.random(in: 1...8, using: &rng), blockSize: 64 << Int.random(in: 0...4, using: &rng),
                                    residual: Bool.random(using: &rng))
            let x = AudioBuffer(sampleRate: rate, channels: (0..<channels).map { _ in rng.noise(frames, sigma: 0.2) })
            let (y, h) = try roundTrip(x, parameters: p)
            let context = "seed \(rng.seed) trial \(trial): \(channels) ch, \(frames) frames, \(rate) Hz, \(p)"
            #expect(y.frameCount == frames, "\(context)")
            #expect(y.channelCount == channels, "\(context)")
            #expect(y.sampleRate == rate && h.sampleRate == rate, "\(context)")
            #expect(h.frameCount == UInt64(frames) && h.channelCount == channels && h.sourceFormat == .s24, "\(context)")
            #expect(y.samples.allSatisfy { $0.isFinite }, "\(context)")
        }
    }

    @Test func oneMinuteAtTheLowestRate() throws {
        let frames = 60 * 8000
        var rng = SplitMix64(seed: 60)
        let x = AudioBuffer(sampleRate: 8000, channels: [rng.noise(frames, sigma: 0.1)])
        let (y, _) = try roundTrip(x)
        #expect(y.frameCount == frames && y.channelCount == 1)
        #expect(FidelityMetrics.compare(x, y).snrDB > 30)
    }

    @Test func highestRateManyChannels() throws {
        let x = AudioBuffer(sampleRate: 192_000, channelCount: 8, frameCount: 9_000)
        let (y, h) = try roundTrip(x)
        #expect(y.frameCount == 9_000 && y.channelCount == 8 && h.sampleRate == 192_000)
    }

    @Test func allZeroDecodesToExactSilence() throws {
        for frames in [1, 100, 5000] {
            let x = AudioBuffer(sampleRate: 44100, channelCount: 2, frameCount: frames)
            let (y, _) = try roundTrip(x)
            #expect(y == x, "\(frames) frames")
        }
    }

    @Test func fullScaleSquare() throws {
        let frames = 10_000
        let square = (0..<frames).map { i -> Float in (i / 50) % 2 == 0 ? 1 : -1 }
        let x = AudioBuffer(sampleRate: 48000, channels: [square, square.map { -$0 }])
        let (y, _) = try roundTrip(x)
        #expect(y.frameCount == frames && y.channelCount == 2)
        #expect(y.samples.allSatisfy { $0.isFinite && abs($0) < 2 })
        #expect(FidelityMetrics.compare(x, y).snrDB > 20)
    }

    @Test func dcOfEitherSign() throws {
        for level: Float in [1, 0.5, -0.25, 1e-3, -1] {
            let x = AudioBuffer(sampleRate: 16000, channels: [[Float](repeating: level, count: 3000)])
            let (y, _) = try roundTrip(x)
            #expect(y.frameCount == 3000)
            // The rotation spreads DC over the block like any other signal: the same SNR as noise.
            let snr = FidelityMetrics.compare(x, y).snrDB
            #expect(snr > 30, "DC \(level): SNR \(snr) dB")
        }
    }

    /// Float WAVs may hold any finite value; beyond ±64 it is clipped, so that the side
    /// information stays finite (before, 1e30 decoded to NaN everywhere).
    @Test func hugeFiniteSamplesDecodeFinite() throws {
        for block in [64, 8192] {
            var s = [Float](repeating: 0.3, count: 3 * block)
            for i in stride(from: 0, to: s.count, by: 7) { s[i] = i % 2 == 0 ? 3e38 : -1e30 }
            let dc = [Float](repeating: 1000, count: block)
            let x = AudioBuffer(sampleRate: 8000, channels: [s, dc + dc + dc])
            let (y, _) = try roundTrip(x, parameters: TurboParameters(blockSize: block))
            #expect(y.frameCount == x.frameCount && y.samples.allSatisfy { $0.isFinite }, "block \(block)")
            #expect(y.channel(1).allSatisfy { abs($0 - 64) < 10 }, "block \(block): DC 1000 should come back clipped to about 64")
        }
        let sink = MemorySink()
        let enc = try TQAStreamEncoder(encoder: TurboEncoder(parameters: TurboParameters(), channelCount: 1, seed: 1), sink: sink,
                                       sampleRate: 8000, channelCount: 1, sourceFormat: .f32)
        try enc.write(AudioBuffer(sampleRate: 8000, channels: [[1e9, -1e9, .nan, .infinity, 0.5, 64, -64.5]]))
        #expect(enc.clippedSamples == 3 && enc.nonFiniteSamples == 2)
    }

    @Test func nonFiniteSamplesAreCodedAsSilence() throws {
        var s = [Float](repeating: 0.25, count: 1024)
        s[3] = .nan; s[100] = .infinity; s[700] = -.infinity
        let (y, _) = try roundTrip(AudioBuffer(sampleRate: 8000, channels: [s]))
        #expect(y.samples.allSatisfy { $0.isFinite })
    }
}
