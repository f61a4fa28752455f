import Foundation
import Testing
import TQAudio
import TQContainer
import TurboQuant

/// Damaged spectral streams (codec 2). Packets overlap (MDCT), so after a lost packet the next
/// one's first frame lacks its overlap; packets before the damage are still bit-exact, and every
/// packet from two after the damage on is too.
@Suite struct SpectralCorruptionTests {
    static let stream: (bytes: [UInt8], clean: AudioBuffer, headerSize: Int) = {
        var rng = SplitMix64(seed: 0x5BEC)
        let x = AudioBuffer(sampleRate: 16000, channels: (0..<2).map { _ in rng.noise(6000, sigma: 0.1) })
        let p = SpectralParameters(frameSize: 256, shortBlockCount: 4, framesPerPacket: 2)
        let bytes = try! encode(x, encoder: try! SpectralEncoder(sampleRate: 16000, channelCount: 2, target: .bitsPerSample(3), seed: 4, parameters: p))
        let clean = try! decode(bytes, salvage: false)
        precondition(clean.error == nil && clean.audio.frameCount == 6000)
        return (bytes, clean.audio, try! TQAReader(bytes: bytes).headerSize)
    }()

    @Test func bitFlipsTruncationAndGarbage() throws {
        let s = Self.stream
        var rng = SplitMix64(seed: 0xF1B2)
        var cases: [(String, [UInt8])] = []
        for _ in 0..<80 {
            var b = s.bytes
            let at = Int.random(in: s.headerSize ..< b.count, using: &rng)
            b[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            cases.append(("seed \(rng.seed): flip in byte \(at)", b))
        }
        for _ in 0..<20 {
            let at = Int.random(in: s.headerSize ..< s.bytes.count, using: &rng)
            cases.append(("seed \(rng.seed): cut at \(at)", Array(s.bytes[..<at])))
        }
        cases.append(("trailing garbage", s.bytes + [0x54, 0x51, 0x41, 0x50, 9, 9, 9]))
        for (context, b) in cases {
            let strict = try decode(b, salvage: false)
            #expect(strict.error is ContainerError, "\(context): \(String(describing: strict.error))")
            #expect(strict.audio == s.clean.frames(0 ..< strict.audio.frameCount), "\(context): strict audio differs from the clean decode")
            let salvage = try decode(b, salvage: true)
            #expect(salvage.error == nil, "\(context): salvage threw \(String(describing: salvage.error))")
            #expect(salvage.audio.frameCount == s.clean.frameCount, "\(context): \(salvage.audio.frameCount) frames")
            #expect(salvage.audio.samples.allSatisfy { $0.isFinite }, "\(context)")
            #expect(!salvage.report.isClean, "\(context)")
            // Audio before the damage is exactly the clean decode.
            let intact = min(strict.audio.frameCount, salvage.audio.frameCount)
            #expect(salvage.audio.frames(0 ..< intact) == s.clean.frames(0 ..< intact), "\(context)")
        }
    }
}

/// Issue 17.11: the last N samples of the packet before a lost one come from that packet's
/// overlap alone (aliasing uncancelled, faded by the window) instead of silence.
@Suite struct SpectralLostPacketTests {
    /// Byte ranges and first frames of a stream's packets.
    static func packets(_ bytes: [UInt8]) throws -> [(range: Range<Int>, firstFrame: Int)] {
        var at = try TQAReader(bytes: bytes).headerSize
        var out: [(Range<Int>, Int)] = []
        while Array(bytes[at ..< at + 4]) == [0x54, 0x51, 0x41, 0x50] {
            var r = ByteReader(bytes, offset: at + 4)
            let length = Int(r.u32()!); _ = r.u32(); let first = Int(r.u64()!)
            out.append((at ..< at + 24 + length + 4, first))
            at += 24 + length + 4
        }
        return out
    }

    @Test(arguments: [2, 5, 9])
    func samplesBeforeALostPacketComeFromTheOverlap(lost: Int) throws {
        let s = SpectralCorruptionTests.stream
        let n = 256
        let spans = try Self.packets(s.bytes)
        var damaged = s.bytes
        damaged.removeSubrange(spans[lost].range)
        let out = try decode(damaged, salvage: true)
        #expect(out.error == nil)
        #expect(out.audio.frameCount == s.clean.frameCount)
        let end = spans[lost].firstFrame  // first input sample of the lost packet's frames
        // Everything up to the last N samples before the lost packet is bit-exact.
        #expect(out.audio.frames(0 ..< end - n) == s.clean.frames(0 ..< end - n))
        // Those N samples are no longer silence (0 dB): their first half follows the clean decode
        // (white noise, the hardest case for uncancelled aliasing: 8.6–9.2 dB measured).
        let got = out.audio.frames(end - n ..< end - n / 2), want = s.clean.frames(end - n ..< end - n / 2)
        var signal = 0.0, error = 0.0
        for (a, b) in zip(got.samples, want.samples) { signal += Double(b * b); error += Double((a - b) * (a - b)) }
        let snr = 10 * log10(signal / max(error, 1e-30))
        #expect(snr > 6, "lost packet \(lost): \(snr) dB over the first half of the overlap")
        let tail = out.audio.frames(end - n ..< end)
        #expect(tail.samples.contains { $0 != 0 })
    }
}
