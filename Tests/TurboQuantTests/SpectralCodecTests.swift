import Foundation
import Testing
import TQAudio
import TQContainer
@testable import TurboQuant

@Suite struct SpectralCodecTests {
    typealias S = SpectralTestSupport

    @Test func stereoMusicAtFourBits() throws {
        let x = S.music(sampleRate: 44100, channels: 2, frames: 44100 * 3, seed: 1)
        let r = try S.roundTrip(x, target: .bitsPerSample(4))
        let bps = Double(r.fileBits) / Double(x.samples.count)
        let snr = S.snr(x, r.decoded)
        print("stereo music 4 b/s: \(bps) bits/sample, SNR \(snr) dB")
        #expect(r.decoded.frameCount == x.frameCount)
        #expect(snr > 30, "seed 1")
    }

    /// Sample rates 8–96 kHz, 1–6 channels, odd lengths, a single frame, shorter than a frame.
    @Test(arguments: [
        (8000, 1, 12345), (16000, 2, 16001), (22050, 1, 2048), (44100, 3, 30001),
        (48000, 6, 9999), (96000, 2, 50000), (44100, 1, 1), (44100, 2, 700), (32000, 4, 4097),
    ])
    func roundTripShapes(rate: Int, channels: Int, frames: Int) throws {
        let seed = UInt64(rate + channels * 7 + frames)
        let x = S.music(sampleRate: rate, channels: channels, frames: frames, seed: seed)
        for target in [SpectralTarget.bitsPerSample(2), .bitsPerSample(6), .snr(35)] {
            let r = try S.roundTrip(x, target: target, piece: 1000)
            #expect(r.decoded.frameCount == x.frameCount, "seed \(seed)")
            #expect(r.packets.reduce(0) { $0 + Int($1.frameCount) } == x.frameCount, "packets must cover the input exactly, seed \(seed)")
            let snr = S.snr(x, r.decoded)
            if frames >= 4096 {
                switch target {
                case .bitsPerSample(let b): #expect(snr > (b < 3 ? 12 : 28), "\(target) seed \(seed): SNR \(snr)")
                case .snr(let db): #expect(snr >= db - 0.5, "\(target) seed \(seed): SNR \(snr)")
                case .bitsPerSecond: Issue.record("not used here")
                }
            }
            #expect(r.decoded.samples.allSatisfy { $0.isFinite })
        }
    }

    /// Higher rates give higher SNR; each step of 1 bit buys several dB.
    @Test func snrGrowsWithRate() throws {
        let x = S.music(sampleRate: 48000, channels: 2, frames: 48000 * 2, seed: 9)
        var last = -Double.infinity
        for bits in [2.0, 3.0, 4.0, 6.0] {
            let snr = S.snr(x, try S.roundTrip(x, target: .bitsPerSample(bits)).decoded)
            #expect(snr > last + 3, "seed 9: \(bits) b/s gives \(snr) dB after \(last)")
            last = snr
        }
    }

    /// Rate control: for a file longer than 10 s the whole file lands within 2% of the request.
    @Test(arguments: [2.0, 4.0, 6.0])
    func rateControlAccuracy(bits: Double) throws {
        let x = S.music(sampleRate: 16000, channels: 2, frames: 16000 * 12, seed: 21)
        let r = try S.roundTrip(x, target: .bitsPerSample(bits), piece: 16000)
        let got = Double(r.fileBits) / Double(x.samples.count)
        print("rate control: asked \(bits), got \(got) bits/sample")
        #expect(abs(got / bits - 1) < 0.02, "seed 21: asked \(bits), got \(got)")
    }

    /// Constant quality: the file SNR meets the target (and does not overshoot by much).
    @Test(arguments: [20.0, 40.0, 60.0])
    func snrTarget(db: Double) throws {
        let x = S.music(sampleRate: 44100, channels: 2, frames: 44100 * 2, seed: 5)
        let snr = S.snr(x, try S.roundTrip(x, target: .snr(db)).decoded)
        print("SNR target \(db): got \(snr)")
        #expect(snr >= db - 0.2 && snr < db + 3, "seed 5: target \(db), got \(snr)")
    }

    /// Silence and full-scale noise code without trouble.
    @Test func extremes() throws {
        let silent = AudioBuffer(sampleRate: 44100, channelCount: 2, frameCount: 20000)
        let r = try S.roundTrip(silent, target: .bitsPerSample(4))
        #expect(r.decoded.samples.allSatisfy { $0 == 0 })
        var rng = SplitMix64(seed: 13)
        let noise = AudioBuffer(sampleRate: 44100, channelCount: 1,
                                planar: (0 ..< 30000).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) })
        let rn = try S.roundTrip(noise, target: .bitsPerSample(4))
        #expect(S.snr(noise, rn.decoded) > 18, "seed 13")
    }

    /// Same input and seed, same bytes.
    @Test func deterministic() throws {
        let x = S.music(sampleRate: 22050, channels: 2, frames: 30000, seed: 3)
        let a = try S.roundTrip(x, target: .bitsPerSample(3)), b = try S.roundTrip(x, target: .bitsPerSample(3))
        #expect(a.packets == b.packets)
    }
}
