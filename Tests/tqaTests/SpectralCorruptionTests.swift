import Testing
import TQAudio
import TQContainer
import TurboQuant

/// Damaged spectral streams (codec 2). Packets overlap (MDCT), so after a lost packet the next
/// one's first frame lacks its overlap; packets before the damage are still bit-exact, and every
/// packet from two after the damage on is too.
@Suite struct SpectralCorruptionTests {
    static let stream: (bytes: [UInt8], clean: AudioBuffer, headerSize: Int) = {
        var rng = SeededRandom(seed: 0x5BEC)
        let x = AudioBuffer(sampleRate: 16000, channels: (0..<2).map { _ in rng.noise(6000, sigma: 0.1) })
        let p = SpectralParameters(frameSize: 256, shortBlockCount: 4, framesPerPacket: 2)
        let bytes = try! encode(x, encoder: SpectralEncoder(sampleRate: 16000, channelCount: 2, target: .bitsPerSample(3), seed: 4, parameters: p))
        let clean = try! decode(bytes, salvage: false)
        precondition(clean.error == nil && clean.audio.frameCount == 6000)
        return (bytes, clean.audio, try! TQAReader(bytes: bytes).headerSize)
    }()

    @Test func bitFlipsTruncationAndGarbage() throws {
        let s = Self.stream
        var rng = SeededRandom(seed: 0xF1B2)
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
