/// A `Resampler` applied piece by piece: `push` buffers of any size, then `finish` once.
///
/// The concatenated output equals `resampler(wholeInput)` sample for sample, whatever the piece
/// sizes. Memory holds about `2·halfTaps` input frames per channel plus the piece being pushed.
/// An output frame is emitted as soon as every input frame its filter touches has arrived, so
/// `push` lags the input by about `halfTaps` frames; `finish` flushes the rest (treating the
/// input as followed by silence) and brings the total to `outputFrameCount(forInput:)`.
public struct ResamplerStream: Sendable {
    public let resampler: Resampler
    public let channelCount: Int
    /// Input frames not yet discarded, per channel; `pending[c][i]` is input frame `base + i`.
    private var pending: [[Float]]
    private var base: Int
    /// Input frames pushed so far.
    public private(set) var inputFrames = 0
    /// Output frames emitted so far; the next output is frame `outputFrames`.
    public private(set) var outputFrames = 0
    /// The next output's position: input frame `k0` plus `phase / L`.
    private var k0 = 0
    private var phase = 0
    private var scratch: [Float]
    private var finished = false

    public init(_ resampler: Resampler, channelCount: Int) {
        precondition(channelCount >= 1, "at least one channel")
        self.resampler = resampler
        self.channelCount = channelCount
        let k = resampler.halfTaps
        // Input before frame 0 is silence: start with halfTaps zeros at frames −halfTaps … −1.
        pending = [[Float]](repeating: [Float](repeating: 0, count: k), count: channelCount)
        base = -k
        scratch = [Float](repeating: 0, count: max(1, 2 * k))
    }

    /// Converts the next piece of input (at `resampler.inputRate`, with `channelCount` channels)
    /// and returns the output frames that are now complete (possibly none).
    public mutating func push(_ buffer: AudioBuffer) -> AudioBuffer {
        precondition(!finished, "push after finish")
        precondition(buffer.channelCount == channelCount, "channel count mismatch")
        precondition(buffer.sampleRate == resampler.inputRate, "buffer is not at the resampler's input rate")
        inputFrames += buffer.frameCount
        if resampler.upFactor == resampler.downFactor {
            outputFrames += buffer.frameCount
            return buffer
        }
        for c in 0..<channelCount { pending[c].append(contentsOf: buffer.channel(c)) }
        // Output n is complete when input frame k0 + halfTaps has arrived.
        return emit(available: inputFrames, limit: Int.max)
    }

    /// Flushes the outputs that depend on input past the end, which is taken as silence.
    public mutating func finish() -> AudioBuffer {
        precondition(!finished, "finish called twice")
        finished = true
        let total = resampler.outputFrameCount(forInput: inputFrames)
        if resampler.upFactor == resampler.downFactor {
            return AudioBuffer(sampleRate: resampler.outputRate, channelCount: channelCount, frameCount: 0)
        }
        let pad = resampler.halfTaps + 1
        for c in 0..<channelCount { pending[c].append(contentsOf: repeatElement(0, count: pad)) }
        return emit(available: inputFrames + pad, limit: total)
    }

    /// Emits outputs while their last tap (`k0 + halfTaps`) is below `available` and their
    /// index is below `limit`, then drops input no later output needs.
    private mutating func emit(available: Int, limit: Int) -> AudioBuffer {
        let r = resampler
        let k = r.halfTaps, l = r.upFactor, m = r.downFactor
        // Count first, so the output is allocated once.
        var count = 0
        do {
            var (kk, ph, n) = (k0, phase, outputFrames)
            while kk + k < available && n < limit {
                count += 1; n += 1
                ph += m; kk += ph / l; ph %= l
            }
        }
        var out = AudioBuffer(sampleRate: r.outputRate, channelCount: channelCount, frameCount: count)
        if count > 0 {
            let interpolated = r.table.isEmpty
            scratch.withUnsafeMutableBufferPointer { coef in
                out.withMutableSamples { dst in
                    for c in 0..<channelCount {
                        var (kk, ph) = (k0, phase)
                        pending[c].withUnsafeBufferPointer { x in
                            for i in 0..<count {
                                if interpolated { r.interpolatedCoefficients(phase: ph, into: coef.baseAddress!) }
                                dst[c * count + i] = r.sample(x.baseAddress! + (kk - k + 1 - base), phase: ph, scratch: coef.baseAddress!)
                                ph += m; kk += ph / l; ph %= l
                            }
                        }
                    }
                }
            }
            for _ in 0..<count { phase += m; k0 += phase / l; phase %= l }
            outputFrames += count
        }
        // Keep input from the next output's first tap on; compact once the dead prefix is large.
        let dead = k0 - k + 1 - base
        if dead > 0 && (dead >= 1 << 14 || dead * 2 >= pending[0].count) {
            let drop = min(dead, pending[0].count)
            for c in 0..<channelCount { pending[c].removeFirst(drop) }
            base += drop
        }
        return out
    }
}
