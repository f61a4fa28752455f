import Testing
import TQAudio
import TurboQuant

/// The library example of README.md, verbatim between the markers.
@Test func readmeLibraryExample() throws {
    // README example begin
    // A second of a 440 Hz tone, stereo, 48 kHz.
    let tone = (0..<48_000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 48_000)) }
    let audio = AudioBuffer(sampleRate: 48_000, channels: [tone, tone])

    // Encode to the bytes of a .tqa file (6 bits + residual sign, 512-sample blocks) and back.
    let file = try TQAFile.encode(audio, parameters: TurboParameters(bits: 6, blockSize: 512))
    let decoded = try TQAFile.decode(file)

    let fidelity = FidelityMetrics.compare(audio, decoded)
    print("\(file.count) bytes, SNR \(fidelity.snrDB) dB")
    // README example end
    #expect(decoded.frameCount == audio.frameCount && decoded.channelCount == 2)
    #expect(fidelity.snrDB > 34)
    #expect(file.count < 48_000 * 2 * 8 / 8)
}

import Foundation
