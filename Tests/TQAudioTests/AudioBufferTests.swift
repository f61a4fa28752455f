import Testing
import TQAudio

/// `AudioBuffer`: appending (amortized O(1)) keeps every view of the samples right.
@Suite struct AudioBufferTests {
    /// Many appends of random lengths give the samples of one buffer built at once, through
    /// every accessor, while the room per channel is reallocated only O(log n) times.
    @Test(arguments: [1, 3])
    func manyAppendsMatchOneBuffer(channels: Int) {
        let seed: UInt64 = 0xB0FF + UInt64(channels)
        var rng = SplitMix64(seed: seed)
        var whole = [[Float]](repeating: [], count: channels)
        var built = AudioBuffer(sampleRate: 8000, channelCount: channels, frameCount: 0)
        var capacities: Set<Int> = []
        for _ in 0..<3000 {
            let m = Int.random(in: 0...40, using: &rng)
            let piece = (0..<channels).map { _ in (0..<m).map { _ in Float.random(in: -1...1, using: &rng) } }
            for c in 0..<channels { whole[c] += piece[c] }
            built.append(AudioBuffer(sampleRate: 8000, channels: piece))
            capacities.insert(built.frameCapacity)
            #expect(built.frameCapacity >= built.frameCount, "seed \(seed)")
        }
        let expected = AudioBuffer(sampleRate: 8000, channels: whole)
        #expect(built.frameCount == expected.frameCount, "seed \(seed)")
        #expect(built == expected, "seed \(seed)")
        #expect(built.samples == expected.samples, "seed \(seed)")
        #expect(built.interleaved() == expected.interleaved(), "seed \(seed)")
        for c in 0..<channels {
            #expect(built.channel(c).elementsEqual(whole[c]), "seed \(seed) channel \(c)")
            #expect(built.withChannel(c) { Array($0) } == whole[c], "seed \(seed) channel \(c)")
        }
        let mid = built.frameCount / 3
        #expect(built.frames(mid ..< 2 * mid) == expected.frames(mid ..< 2 * mid), "seed \(seed)")
        // Geometric growth: about log2(60000) ≈ 16 reallocations, not one per append.
        #expect(capacities.count <= 24, "seed \(seed): \(capacities.count) capacities")
        var compacted = built
        compacted.compact()
        #expect(compacted.frameCapacity == compacted.frameCount && compacted == expected, "seed \(seed)")
    }

    /// Writing through the mutable views after appends changes exactly the frames meant.
    @Test func mutationAfterAppends() {
        var b = AudioBuffer(sampleRate: 8000, channels: [[1, 2], [3, 4]])
        b.append(AudioBuffer(sampleRate: 8000, channels: [[5], [6]]))
        b.append(AudioBuffer(sampleRate: 8000, channels: [[7], [8]]))
        #expect(b.frameCapacity > b.frameCount)  // the second growth left room
        b.withMutableChannel(1) { $0[3] = -8 }
        #expect(b.channel(1).elementsEqual([3, 4, 6, -8]))
        b.withMutableSamples { $0[0] = -1 }
        #expect(b.samples == [-1, 2, 5, 7, 3, 4, 6, -8])
        b.truncate(toFrames: 3)
        #expect(b == AudioBuffer(sampleRate: 8000, channels: [[-1, 2, 5], [3, 4, 6]]))
        b.append(AudioBuffer(sampleRate: 8000, channelCount: 2, frameCount: 0))
        #expect(b.frameCount == 3)
    }
}
