import TQAudio

/// Signals that depend on the codec's own rotation.
public enum TurboSynth {
    /// The seed's worst case: every block of `blockSize` samples is a column of R⁻¹ (R the
    /// rotation for `seed`), scaled, so that R turns each block into a single spike.
    /// Columns and amplitudes vary per block, drawn from `seed`; every channel gets its own.
    public static func hadamardAligned(blockSize: Int, blocks: Int, sampleRate: Int, channels: Int = 1,
                                       seed: UInt64, amplitude: Float) -> AudioBuffer {
        let rotation = HadamardRotation(size: blockSize, seed: seed)
        var rng = Xoshiro(seed: seed ^ 0xADA_3A4D)
        var planar = [Float](repeating: 0, count: blocks * blockSize * channels)
        var block = [Float](repeating: 0, count: blockSize)
        for c in 0..<channels {
            for b in 0..<blocks {
                for i in 0..<blockSize { block[i] = 0 }
                let k = Int(rng.next() % UInt64(blockSize))
                let a = amplitude * Float(0.25 + 0.75 * rng.uniform()) * Float(blockSize).squareRoot()
                block[k] = rng.next() & 1 == 0 ? a : -a
                block.withUnsafeMutableBufferPointer { rotation.unrotate($0) }
                for i in 0..<blockSize { planar[c * blocks * blockSize + b * blockSize + i] = block[i] }
            }
        }
        return AudioBuffer(sampleRate: sampleRate, channelCount: channels, planar: planar)
    }
}
