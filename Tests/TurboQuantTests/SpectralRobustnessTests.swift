import Foundation
import Testing
import TQAudio
import TQContainer
@testable import TurboQuant

/// Damaged payloads, hostile parameters, lost packets.
@Suite struct SpectralRobustnessTests {
    typealias S = SpectralTestSupport

    @Test func badParametersThrow() {
        let good = SpectralParameters().encoded
        let v = SpectralParameters.version, newest = SpectralParameters.perceptualVersion
        let cases: [([UInt8], SpectralError)] = [
            ([], .parameterSize(byteCount: 0, expected: 5)),
            ([v], .parameterSize(byteCount: 1, expected: 5)),
            (good + [0], .parameterSize(byteCount: 6, expected: 5)),
            ([v - 1] + good.dropFirst(), .unsupportedParameterVersion(v - 1, supported: newest)),
            ([newest + 1] + good.dropFirst(), .unsupportedParameterVersion(newest + 1, supported: newest)),
            ([v, 7, 3, 8, 0], .sizeOutOfRange(frameSizeLog2: 7, shortBlockCountLog2: 3)),
            ([v, 14, 3, 8, 0], .sizeOutOfRange(frameSizeLog2: 14, shortBlockCountLog2: 3)),
            ([v, 11, 0, 8, 0], .sizeOutOfRange(frameSizeLog2: 11, shortBlockCountLog2: 0)),
            ([v, 11, 3, 0, 0], .invalidParameters(frameSize: 2048, shortBlockCount: 8, framesPerPacket: 0)),
            ([v, 11, 3, 33, 0], .invalidParameters(frameSize: 2048, shortBlockCount: 8, framesPerPacket: 33)),
            // Packets of 33…62 frames only from version 4 (predicted side information).
            ([newest - 1, 11, 3, 62, 0], .invalidParameters(frameSize: 2048, shortBlockCount: 8, framesPerPacket: 62)),
            ([newest, 11, 3, 63, 0], .invalidParameters(frameSize: 2048, shortBlockCount: 8, framesPerPacket: 63)),
            ([v, 11, 3, 8, 9], .unknownWindow(9)),
            ([v, 8, 4, 8, 0], .invalidParameters(frameSize: 256, shortBlockCount: 16, framesPerPacket: 8)),
            ([v, 11, 5, 8, 0], .sizeOutOfRange(frameSizeLog2: 11, shortBlockCountLog2: 5)),
        ]
        let longest = SpectralParameters.predictedFramesPerPacketRange.upperBound
        #expect((try? SpectralParameters(decoding: [newest, 11, 3, UInt8(longest), 0]))?.framesPerPacket == longest)
        for (p, expected) in cases {
            let h = TQAHeader(codec: .spectral, sourceFormat: .s16, sampleRate: 44100, channelCount: 2, frameCount: 0, seed: 1, codecParameters: p)
            #expect(throws: expected, "\(p)") { _ = try SpectralDecoder(header: h) }
        }
        let turbo = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 44100, channelCount: 2, frameCount: 0, seed: 1, codecParameters: good)
        #expect(throws: SpectralError.notSpectralStream(.turbo)) { _ = try SpectralDecoder(header: turbo) }
        #expect(throws: SpectralError.channelCountOutOfRange(33, range: 1...32)) {
            _ = try SpectralEncoder(sampleRate: 44100, channelCount: 33, seed: 1)
        }
        #expect(throws: SpectralError.invalidParameters(frameSize: 1000, shortBlockCount: 8, framesPerPacket: 8)) {
            _ = try SpectralEncoder(sampleRate: 44100, channelCount: 2, seed: 1, frameSize: 1000)
        }
        let h = TQAHeader(codec: .spectral, sourceFormat: .s16, sampleRate: 44100, channelCount: 2, frameCount: 0, seed: 1, codecParameters: good)
        #expect(throws: Never.self) { _ = try SpectralDecoder(header: h) }
    }

    /// Flipped bits, truncations, random payloads and wrong positions: the decoder throws or
    /// returns finite audio of bounded size; it never traps or hangs.
    @Test func damagedPayloadsNeverCrash() throws {
        let x = S.music(sampleRate: 44100, channels: 2, frames: 44100, seed: 17)
        let r = try S.roundTrip(x, target: .bitsPerSample(4))
        var rng = SplitMix64(seed: 17)
        var thrown = 0, decoded = 0
        for trial in 0 ..< 400 {
            var p = r.packets[Int(rng.next() % UInt64(r.packets.count))]
            switch trial % 5 {
            case 0: for _ in 0 ..< 1 + Int(rng.next() % 8) { let i = Int(rng.next() % UInt64(p.payload.count)); p.payload[i] ^= UInt8(1 << (rng.next() % 8)) }
            case 1: p.payload = Array(p.payload.prefix(Int(rng.next() % UInt64(p.payload.count))))
            case 2: p.payload = (0 ..< Int(rng.next() % 4000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 3: p.payload = [UInt8](repeating: 0xFF, count: Int(rng.next() % 64))
            default: p.firstFrame = rng.next() % 3 == 0 ? rng.next() : p.firstFrame + UInt64(rng.next() % 5000)
            }
            var dec = try SpectralDecoder(header: r.header)
            do {
                for out in try dec.decode(p) {
                    #expect(out.buffer.samples.allSatisfy { $0.isFinite }, "trial \(trial)")
                    #expect(out.buffer.frameCount <= 64 * 2048)
                }
                decoded += 1
            } catch is SpectralError {
                thrown += 1
            }
        }
        print("damaged payloads: \(thrown) rejected, \(decoded) decoded to finite audio")
        #expect(thrown > 100)
    }

    /// NaN, infinities and huge values in the input do not trap the encoder.
    @Test func hostileInputSamples() throws {
        var x = S.music(sampleRate: 44100, channels: 2, frames: 20000, seed: 31).samples
        x[100] = .nan; x[5000] = .infinity; x[9000] = -.infinity; x[12000] = 3e38; x[25000] = -1e30
        let b = AudioBuffer(sampleRate: 44100, channelCount: 2, planar: x)
        for target in [SpectralTarget.bitsPerSample(4), .snr(40)] {
            let r = try S.roundTrip(b, target: target)
            #expect(r.decoded.samples.allSatisfy { $0.isFinite })
        }
    }

    /// After a lost packet, `reset()` and the next packet decode on their own; only the first N
    /// samples after the gap lack their overlap partner.
    @Test func resumesAfterLostPacket() throws {
        let x = S.music(sampleRate: 44100, channels: 2, frames: 44100 * 2, seed: 23)
        let r = try S.roundTrip(x, target: .bitsPerSample(4))
        #expect(r.packets.count >= 4)
        var dec = try SpectralDecoder(header: r.header)
        var out = [Float](repeating: 0, count: x.samples.count)
        let lost = 1
        for (i, p) in r.packets.enumerated() {
            if i == lost { dec.reset(); continue }
            for d in try dec.decode(p) {
                for c in 0 ..< 2 {
                    for t in 0 ..< d.buffer.frameCount where Int(d.firstFrame) + t < x.frameCount {
                        out[c * x.frameCount + Int(d.firstFrame) + t] = d.buffer.samples[c * d.buffer.frameCount + t]
                    }
                }
            }
        }
        // Compare after the lost packet's span plus one frame.
        let n = 2048
        let resume = Int(r.packets[lost + 1].firstFrame) + n
        var s = 0.0, e = 0.0
        for c in 0 ..< 2 {
            for t in resume ..< x.frameCount {
                let a = Double(x.samples[c * x.frameCount + t]), b = Double(out[c * x.frameCount + t])
                s += a * a; e += (a - b) * (a - b)
            }
        }
        let snr = 10 * log10(s / e)
        #expect(snr > 30, "seed 23: SNR after resume \(snr)")
    }
}
