import Testing
import TQAudio
import TQContainer

/// `CodecInput.condition`: the one cleaning of codec input.
@Suite struct CodecInputTests {
    @Test func clipsAndSilencesExactlyTheSamplesOutsideTheLimit() {
        let m = CodecInput.maxMagnitude
        var b = AudioBuffer(sampleRate: 8000, channels: [[1e9, -1e9, .nan, .infinity, 0.5, m, -m, -m.nextUp, .signalingNaN],
                                                         [-.infinity, 0, -0.25, 3e38, m.nextUp, 1, -1, 2, .greatestFiniteMagnitude]])
        let counts = CodecInput.condition(&b)
        #expect(counts.clipped == 6 && counts.nonFinite == 4, "\(counts)")
        #expect(b.channel(0).elementsEqual([m, -m, 0, 0, 0.5, m, -m, -m, 0]))
        #expect(b.channel(1).elementsEqual([0, 0, -0.25, m, m, 1, -1, 2, m]))
    }

    @Test func leavesACleanBufferAlone() {
        var rng = SplitMix64(seed: 41)
        let x = (0..<4096).map { _ in Float.random(in: -CodecInput.maxMagnitude ... CodecInput.maxMagnitude, using: &rng) }
        var b = AudioBuffer(sampleRate: 8000, channelCount: 2, planar: x)
        let counts = CodecInput.condition(&b)
        #expect(counts.clipped == 0 && counts.nonFinite == 0, "seed 41")
        #expect(b.samples == x, "seed 41")
    }
}
