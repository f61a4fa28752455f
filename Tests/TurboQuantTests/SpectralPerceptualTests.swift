import Foundation
import Testing
import TQAudio
import TQContainer
@testable import TurboQuant

/// The perceptual tuning (parameter version 4; version 3 decodes): rate in bits per second,
/// energy kept in every band below the low-pass, every shape round-trips, damage is an error,
/// version 2 untouched.
@Suite struct SpectralPerceptualTests {
    typealias S = SpectralTestSupport

    static func roundTrip(_ x: AudioBuffer, bitrate: Double, seed: UInt64 = 7, tuning: SpectralTuning = .perceptual) throws -> S.RoundTrip {
        try S.roundTrip(x, target: .bitsPerSecond(bitrate),
                        frameSize: SpectralParameters.recommendedFrameSize(sampleRate: x.sampleRate), seed: seed, tuning: tuning)
    }

    /// White (flat) or pink (−3 dB per octave, Kellet's filter) seeded noise.
    static func noise(pink: Bool, sampleRate: Int, channels: Int, seconds: Double, seed: UInt64) -> AudioBuffer {
        var rng = SplitMix64(seed: seed)
        let n = Int(seconds * Double(sampleRate))
        return AudioBuffer(sampleRate: sampleRate, channels: (0 ..< channels).map { _ in
            var b = [Float](repeating: 0, count: 7)
            return (0 ..< n).map { _ -> Float in
                let w = Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1)
                guard pink else { return 0.2 * w }
                b[0] = 0.99886 * b[0] + w * 0.0555179; b[1] = 0.99332 * b[1] + w * 0.0750759
                b[2] = 0.96900 * b[2] + w * 0.1538520; b[3] = 0.86650 * b[3] + w * 0.3104856
                b[4] = 0.55000 * b[4] + w * 0.5329522; b[5] = -0.7616 * b[5] - w * 0.0168980
                let p = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362
                b[6] = w * 0.115926
                return 0.05 * p
            }
        })
    }

    /// Energy in dB of channel 0 in the codec's bands of a 2048-coefficient block (the bands
    /// whose energy the format keeps; 172–689 Hz wide at 44.1 kHz) up to `upTo` Hz (Welch: Hann
    /// windows of 4096 samples, half overlapping, whose bins are the MDCT's spacing).
    static func bandEnergies(_ x: AudioBuffer, upTo: Double) -> [(hz: Double, db: Double)] {
        let size = 4096, fft = RealFFT(size: size)
        let window = (0 ..< size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size))) }
        let c = x.channel(0)
        var power = [Double](repeating: 0, count: size / 2 + 1)
        var at = 0
        while at + size <= c.count {
            let p = fft.powerSpectrum((0 ..< size).map { c[at + $0] * window[$0] })
            for k in power.indices { power[k] += Double(p[k]) }
            at += size / 2
        }
        var out: [(Double, Double)] = []
        let edges = BandLayout(blockSize: size / 2, seed: 0).edges
        for b in 0 ..< edges.count - 1 where Double(edges[b + 1]) * Double(x.sampleRate) / Double(size) <= upTo {
            let e = (edges[b] ..< edges[b + 1]).reduce(0.0) { $0 + power[$1] }
            out.append((Double(edges[b]) * Double(x.sampleRate) / Double(size), 10 * log10(max(e, 1e-30))))
        }
        return out
    }

    @Test func writesVersion4AndVersion2StaysTheDefault() throws {
        let mse = try SpectralEncoder(sampleRate: 44100, channelCount: 2, seed: 1)
        let perceptual = try SpectralEncoder(sampleRate: 44100, channelCount: 2, seed: 1, tuning: .perceptual)
        #expect(mse.codecParameters[0] == 2 && mse.codecParameters == SpectralParameters().encoded)
        #expect(perceptual.codecParameters[0] == 4 && Array(perceptual.codecParameters.dropFirst()) == Array(mse.codecParameters.dropFirst()))
        let decoded = try SpectralParameters(decoding: perceptual.codecParameters)
        #expect(decoded.fillsNoise && !decoded.rotatesBands && decoded.predictsSideInformation)
        let mseParameters = SpectralParameters()
        #expect(!mseParameters.fillsNoise && mseParameters.rotatesBands && !mseParameters.predictsSideInformation)
        // Version 3 still reads: noise filling with rotated bands and raw side information.
        var v3 = perceptual.codecParameters
        v3[0] = 3
        let old = try SpectralParameters(decoding: v3)
        #expect(old.fillsNoise && old.rotatesBands && !old.predictsSideInformation)
    }

    /// Version 4's packets decode alone: the side-information predictions start afresh at every
    /// packet, so a decoder that starts at packet k gives, after that packet's first N samples
    /// (which lack the previous frame's overlap), exactly what the whole decode gives.
    @Test(arguments: [(16000, 1, 24_000.0), (48000, 2, 96_000.0)])
    func packetsDecodeAlone(_ rate: Int, _ channels: Int, _ bitrate: Double) throws {
        let x = S.music(sampleRate: rate, channels: channels, frames: 3 * rate / 2, seed: 23)
        let r = try Self.roundTrip(x, bitrate: bitrate)
        try #require(r.packets.count >= 3, "\(r.packets.count) packets")
        let n = try SpectralParameters(decoding: r.header.codecParameters).frameSize
        for k in 1 ..< r.packets.count {
            var dec = try SpectralDecoder(header: r.header)
            var got: [DecodedAudio] = []
            for p in r.packets[k...] { got += try dec.decode(p) }
            let first = Int(got[0].buffer.frameCount) > 0 ? Int(got[0].firstFrame) : 0
            for c in 0 ..< channels {
                let alone = got.flatMap { Array($0.buffer.channel(c)) }
                let whole = Array(r.decoded.channel(c))
                for i in n ..< min(alone.count, whole.count - first) {
                    guard alone[i] == whole[first + i] else {
                        Issue.record("packet \(k), channel \(c), sample \(first + i): \(alone[i]) against \(whole[first + i])")
                        return
                    }
                }
            }
        }
    }

    /// Below 32 kHz the perceptual tuning writes frames of 512 (256 with 4 short blocks from
    /// 20 kbit/s per channel) and low-passes at 7 kHz under 20 kbit/s per channel (none from
    /// there); the MSE tuning keeps 1024 and no cut-off, and from 32 kHz up both keep 2048.
    @Test func speechRatesUseShortFramesAndALowPass() throws {
        for (rate, bps, mseSize, size, shorts) in [(16000, 16000.0, 1024, 512, 8), (16000, 24000.0, 1024, 256, 4), (22050, 32000.0, 1024, 256, 4),
                                                  (32000, 24000.0, 2048, 2048, 8), (48000, 64000.0, 2048, 2048, 8)] {
            let mse = try SpectralEncoder(sampleRate: rate, channelCount: 1, target: .bitsPerSecond(bps), seed: 1)
            let perceptual = try SpectralEncoder(sampleRate: rate, channelCount: 1, target: .bitsPerSecond(bps), seed: 1, tuning: .perceptual)
            #expect(mse.parameters.frameSize == mseSize && mse.parameters.shortBlockCount == 8, "rate \(rate), \(bps) bit/s")
            #expect(perceptual.parameters.frameSize == size && perceptual.parameters.shortBlockCount == shorts, "rate \(rate), \(bps) bit/s")
        }
        let cut = { (bps: Double) in SpectralEncoder.Perceptual.cutoffHz(target: .bitsPerSecond(bps), sampleRate: 16000, channelCount: 1) }
        #expect(cut(16000) == 7000 && cut(24000) == .infinity && cut(32000) == .infinity)
        let layout = BandLayout(blockSize: 256, seed: 0)
        #expect(SpectralEncoder.Perceptual.bandLimit(layout, sampleRate: 16000, hz: cut(24000)) == layout.bandCount)
        #expect(SpectralEncoder.Perceptual.bandLimit(layout, sampleRate: 16000, hz: cut(16000)) == layout.bandCount - 2)
        #expect(SpectralEncoder.Perceptual.cutoffHz(target: .bitsPerSecond(64000), sampleRate: 48000, channelCount: 2) == 20000)
    }

    /// Below 32 kHz the perceptual tuning writes packets of about a second (at least the default
    /// 8 frames, at most version 4's 62) and gives attack blocks no pre-echo guard; from 32 kHz
    /// up, and in the MSE tuning everywhere, 8 frames and the guard.
    @Test func speechPacketsAreLongerAndUnguarded() throws {
        for (rate, bps, frames, guards) in [(16000, 16000.0, 31, false), (16000, 24000.0, 62, false), (22050, 32000.0, 62, false),
                                            (8000, 12000.0, 16, false), (4000, 6000.0, 8, false), (32000, 24000.0, 8, true),
                                            (48000, 64000.0, 8, true)] {
            let perceptual = try SpectralEncoder(sampleRate: rate, channelCount: 1, target: .bitsPerSecond(bps), seed: 1, tuning: .perceptual)
            let mse = try SpectralEncoder(sampleRate: rate, channelCount: 1, target: .bitsPerSecond(bps), seed: 1)
            #expect(perceptual.parameters.framesPerPacket == frames && perceptual.guardsPreEcho == guards, "rate \(rate), \(bps) bit/s")
            #expect(mse.parameters.framesPerPacket == SpectralParameters().framesPerPacket && mse.guardsPreEcho, "rate \(rate), \(bps) bit/s")
        }
        // A frame size of the caller's own (short blocks of 256 at 16 kHz, 16 ms) keeps the guard.
        let own = try SpectralEncoder(sampleRate: 16000, channelCount: 1, target: .bitsPerSecond(24000), seed: 1, frameSize: 2048, tuning: .perceptual)
        #expect(own.guardsPreEcho && own.parameters.framesPerPacket == SpectralParameters().framesPerPacket)
    }

    /// Without the guard, a 16 kHz click train's pre-echo stays within reach of the 4 ms short
    /// blocks: the error from 20 to 8 ms before each click stays far below the click.
    @Test func unguardedPreEchoStaysNearTheClick() throws {
        let seed: UInt64 = 5
        let (x, clicks, length) = SpectralPreEchoTests.clickTrain(sampleRate: 16000, seconds: 3, seed: seed)
        let r = try Self.roundTrip(x, bitrate: 24000)
        let xs = x.samples, ys = r.decoded.samples
        var worst = Double.infinity
        for c in clicks {
            var click = 0.0, err = 0.0
            for i in c ..< c + length { click += Double(xs[i] * xs[i]) }
            for i in c - 320 ..< c - 128 { let d = Double(xs[i] - ys[i]); err += d * d }
            worst = min(worst, 10 * log10(click / max(err, 1e-30)))
        }
        print("16 kHz clicks at 24 kbit/s, perceptual: error 20–8 ms before a click at least \(worst) dB under it")
        #expect(worst >= 30, "seed \(seed): \(worst) dB")
    }

    /// The file (header, packets' container overhead and end marker included) lands within 2 %
    /// of the rate asked for, for 10 s and longer inputs.
    @Test(arguments: [(44100, 2, 64_000.0), (48000, 2, 128_000.0), (16000, 1, 16_000.0), (16000, 1, 32_000.0)])
    func rateWithinTwoPercent(rate: Int, channels: Int, bitrate: Double) throws {
        let seed = UInt64(rate + channels + Int(bitrate))
        let x = S.music(sampleRate: rate, channels: channels, frames: rate * 10 + 123, seed: seed)
        let r = try Self.roundTrip(x, bitrate: bitrate)
        let reached = Double(r.fileBits) / (Double(x.frameCount) / Double(rate))
        #expect(abs(reached / bitrate - 1) < 0.02, "seed \(seed): \(reached) bit/s for \(bitrate)")
        let mse = try Self.roundTrip(x, bitrate: bitrate, tuning: .mse)
        let reachedMSE = Double(mse.fileBits) / (Double(x.frameCount) / Double(rate))
        #expect(abs(reachedMSE / bitrate - 1) < 0.02, "seed \(seed): MSE tuning \(reachedMSE) bit/s for \(bitrate)")
    }

    /// Decoded white and pink noise keep every third-octave band's energy within 1 dB below the
    /// low-pass, at a rate where most bands are noise bands (the MSE tuning loses them).
    @Test(arguments: [false, true])
    func noiseKeepsBandEnergies(pink: Bool) throws {
        let seed: UInt64 = pink ? 71 : 70
        let x = Self.noise(pink: pink, sampleRate: 44100, channels: 1, seconds: 6, seed: seed)
        let bitrate = 32_000.0
        let r = try Self.roundTrip(x, bitrate: bitrate)
        let cutoff = SpectralEncoder.Perceptual.cutoffHz(target: .bitsPerSecond(bitrate), sampleRate: 44100, channelCount: 1)!
        let input = Self.bandEnergies(x, upTo: cutoff * 0.95)
        let output = Self.bandEnergies(r.decoded, upTo: cutoff * 0.95)
        #expect(input.count >= 40)
        var worst = 0.0
        for (a, b) in zip(input, output) {
            worst = max(worst, abs(b.db - a.db))
            #expect(abs(b.db - a.db) < 1, "seed \(seed): \(Int(a.hz)) Hz band \(b.db - a.db) dB")
        }
        // The MSE tuning at the same rate loses at least one band by more than 1 dB (what the
        // perceptual tuning is for).
        let mse = Self.bandEnergies(try Self.roundTrip(x, bitrate: bitrate, tuning: .mse).decoded, upTo: cutoff * 0.95)
        let mseWorst = zip(input, mse).map { abs($1.db - $0.db) }.max() ?? 0
        print("\(pink ? "pink" : "white") noise at \(Int(bitrate)) bit/s: worst band \(worst) dB (MSE tuning \(mseWorst) dB)")
        #expect(mseWorst > 1, "seed \(seed)")
    }

    /// The frames' step offsets follow their energies: g_f = g − 16·γ·(log2 E_f − mean), bounded,
    /// energies counted from 60 dB under the loudest frame, none for silence.
    @Test func stepOffsetsFollowFrameEnergies() {
        let gamma = SpectralEncoder.Perceptual.loudnessExponent
        let pair = SpectralChunk.stepOffsets(frameEnergies: [1024, 1], loudness: gamma)
        #expect(abs(pair[0] + 16 * gamma * 5) < 1e-9 && abs(pair[1] - 16 * gamma * 5) < 1e-9, "\(pair)")
        #expect(SpectralChunk.stepOffsets(frameEnergies: [0, 0, 0], loudness: gamma) == [0, 0, 0])
        // A silent frame beside a loud one counts from 60 dB under it, and no offset passes the bound.
        let silent = SpectralChunk.stepOffsets(frameEnergies: [1, 0], loudness: gamma)
        #expect(abs(silent[1] - min(16 * gamma * log2(1e6) / 2, SpectralChunk.maxStepOffset)) < 1e-9, "\(silent)")
        let wide = SpectralChunk.stepOffsets(frameEnergies: [1, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6], loudness: 4)
        #expect(wide.allSatisfy { abs($0) <= SpectralChunk.maxStepOffset } && wide[0] == -SpectralChunk.maxStepOffset, "\(wide)")
    }

    /// A quiet passage after a loud one keeps more of its own SNR than under one water level:
    /// the noise follows the frames' loudness (the MSE tuning's noise is flat over the chunk).
    @Test func quietPassagesGetLessNoise() throws {
        let seed: UInt64 = 91, rate = 16000
        var x = S.music(sampleRate: rate, channels: 1, frames: 4 * rate, seed: seed)
        let quiet: Float = 0.01  // −40 dB
        var c = Array(x.channel(0))
        for t in 2 * rate ..< 4 * rate { c[t] *= quiet }
        x = AudioBuffer(sampleRate: rate, channels: [c])
        func gap(_ tuning: SpectralTuning) throws -> Double {
            let d = Array(try Self.roundTrip(x, bitrate: 32_000, seed: seed, tuning: tuning).decoded.channel(0))
            func snr(_ r: Range<Int>) -> Double {
                let s = r.reduce(0.0) { $0 + Double(c[$1] * c[$1]) }, n = r.reduce(0.0) { $0 + Double((d[$1] - c[$1]) * (d[$1] - c[$1])) }
                return 10 * log10(s / max(n, 1e-30))
            }
            // Skip the frames around the step, where the windows overlap both passages.
            return snr(rate / 4 ..< 7 * rate / 4) - snr(9 * rate / 4 ..< 15 * rate / 4)
        }
        let perceptual = try gap(.perceptual), mse = try gap(.mse)
        print("SNR of the loud passage minus the quiet one: perceptual \(perceptual) dB, MSE \(mse) dB")
        #expect(perceptual < mse - 8, "seed \(seed): perceptual \(perceptual) dB, MSE \(mse) dB")
    }

    /// Sample rates 8–96 kHz, 1–8 channels, odd lengths and shorter than a frame.
    @Test(arguments: [(8000, 1, 7001), (16000, 2, 300), (22050, 3, 20000), (44100, 4, 30011), (48000, 5, 9000),
                      (96000, 6, 50000), (32000, 7, 12345), (44100, 8, 25000)])
    func roundTripShapes(rate: Int, channels: Int, frames: Int) throws {
        let seed = UInt64(rate + channels * 7 + frames)
        let x = S.music(sampleRate: rate, channels: channels, frames: frames, seed: seed)
        let r = try Self.roundTrip(x, bitrate: Double(channels) * 48_000, seed: seed)
        #expect(r.header.codecParameters[0] == SpectralParameters.perceptualVersion)
        #expect(r.decoded.frameCount == frames && r.decoded.channelCount == channels, "seed \(seed)")
        #expect(r.decoded.samples.allSatisfy { $0.isFinite }, "seed \(seed)")
        // Far from silence and from blowing up: the energy comes back within 2 dB.
        let e = x.samples.reduce(0.0) { $0 + Double($1 * $1) }, d = r.decoded.samples.reduce(0.0) { $0 + Double($1 * $1) }
        #expect(abs(10 * log10(d / e)) < 2, "seed \(seed): energy \(10 * log10(d / e)) dB")
    }

    /// Decoding is deterministic: the noise is the stream's own (seeded by the header seed).
    @Test func noiseIsSeededByTheStream() throws {
        let x = Self.noise(pink: true, sampleRate: 48000, channels: 2, seconds: 1, seed: 5)
        let a = try Self.roundTrip(x, bitrate: 48_000, seed: 3), b = try Self.roundTrip(x, bitrate: 48_000, seed: 3)
        let c = try Self.roundTrip(x, bitrate: 48_000, seed: 4)
        #expect(a.decoded == b.decoded)
        #expect(a.decoded != c.decoded)
    }

    /// Damaged version-4 payloads throw a `SpectralError` or decode to finite audio; never trap.
    @Test func damagedVersion4PacketsAreErrors() throws {
        let x = S.music(sampleRate: 44100, channels: 2, frames: 44100, seed: 19)
        let r = try Self.roundTrip(x, bitrate: 64_000)
        var rng = SplitMix64(seed: 19)
        var thrown = 0
        for trial in 0 ..< 300 {
            var p = r.packets[Int(rng.next() % UInt64(r.packets.count))]
            switch trial % 3 {
            case 0: for _ in 0 ..< 1 + Int(rng.next() % 8) { let i = Int(rng.next() % UInt64(p.payload.count)); p.payload[i] ^= UInt8(1 << (rng.next() % 8)) }
            case 1: p.payload = Array(p.payload.prefix(Int(rng.next() % UInt64(p.payload.count))))
            default: p.payload = (0 ..< Int(rng.next() % 4000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            var dec = try SpectralDecoder(header: r.header)
            do {
                for out in try dec.decode(p) { #expect(out.buffer.samples.allSatisfy { $0.isFinite }, "seed 19 trial \(trial)") }
            } catch let e as SpectralError {
                thrown += 1
                #expect(e.description.hasPrefix("spectral: "), "\(e)")
            }
        }
        #expect(thrown > 100, "seed 19: only \(thrown) of 300 damaged packets rejected")
        // A truncated packet is the clear error it names.
        var cut = r.packets[1]
        cut.payload = Array(cut.payload.prefix(cut.payload.count / 2))
        var dec = try SpectralDecoder(header: r.header)
        #expect(throws: SpectralError.self) { _ = try dec.decode(cut) }
    }

    /// The masking offsets: none at strength 0, within 0…K + the high-frequency term otherwise,
    /// largest around the loudest band, and level-invariant (a common shift of the scales).
    @Test func maskingOffsets() {
        let layout = BandLayout(blockSize: 2048, seed: 0)
        let model = SpectralMasking(layout: layout, sampleRate: 48000)
        let nb = layout.bandCount
        var rng = SplitMix64(seed: 44)
        for trial in 0 ..< 50 {
            var scales = (0 ..< nb).map { _ in Int32(Int(rng.next() % 60) - 20) }
            let loud = Int(rng.next() % UInt64(nb))
            scales[loud] = 60
            for strength in 0 ... 3 {
                var k = [Int32](repeating: -1, count: nb), shifted = k
                model.offsets(scales: scales, bandCount: nb, strength: strength, into: &k)
                model.offsets(scales: scales.map { $0 + 9 }, bandCount: nb, strength: strength, into: &shifted)
                let range = SpectralMasking.ranges[strength]
                #expect(k == shifted, "seed 44 trial \(trial)")
                if strength == 0 { #expect(k.allSatisfy { $0 == 0 }) }
                for b in 0 ..< nb { #expect(k[b] >= 0 && k[b] <= range + SpectralMasking.hfMax, "seed 44 trial \(trial) band \(b)") }
                #expect(k[loud] >= range, "seed 44 trial \(trial): the loudest band's own offset \(k[loud])")
            }
        }
    }
}
