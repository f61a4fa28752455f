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
}
