/// A block of audio: `channelCount` channels of `frameCount` frames at `sampleRate` Hz,
/// stored planar as 32-bit floats, full scale ±1.
///
/// Channel `c` occupies `samples[c * frameCount ..< (c + 1) * frameCount]`. Channels are never
/// mixed by anything in this package: a stereo buffer stays stereo through every codec.
public struct AudioBuffer: Sendable, Equatable {
    public var sampleRate: Int
    public private(set) var channelCount: Int
    public private(set) var frameCount: Int
    /// Planar samples; `samples.count == channelCount * frameCount`.
    public private(set) var samples: [Float]

    /// A silent buffer.
    public init(sampleRate: Int, channelCount: Int, frameCount: Int) {
        precondition(channelCount >= 1 && frameCount >= 0, "invalid buffer shape")
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
        self.samples = [Float](repeating: 0, count: channelCount * frameCount)
    }

    /// A buffer from one array per channel; all arrays must have the same length.
    public init(sampleRate: Int, channels: [[Float]]) {
        precondition(!channels.isEmpty, "a buffer has at least one channel")
        let n = channels[0].count
        precondition(channels.allSatisfy { $0.count == n }, "channels differ in length")
        self.sampleRate = sampleRate
        self.channelCount = channels.count
        self.frameCount = n
        self.samples = Array(channels.joined())
    }

    /// A buffer over planar samples (`planar.count` must be a multiple of `channelCount`).
    public init(sampleRate: Int, channelCount: Int, planar: [Float]) {
        precondition(channelCount >= 1 && planar.count % channelCount == 0, "invalid planar shape")
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = planar.count / channelCount
        self.samples = planar
    }

    /// A buffer from interleaved samples (`L R L R …`).
    public init(sampleRate: Int, channelCount: Int, interleaved: [Float]) {
        precondition(channelCount >= 1 && interleaved.count % channelCount == 0, "invalid interleaved shape")
        let frames = interleaved.count / channelCount
        var planar = [Float](repeating: 0, count: interleaved.count)
        planar.withUnsafeMutableBufferPointer { dst in
            interleaved.withUnsafeBufferPointer { src in
                for c in 0..<channelCount {
                    var i = c
                    for f in 0..<frames {
                        dst[c * frames + f] = src[i]
                        i += channelCount
                    }
                }
            }
        }
        self.init(sampleRate: sampleRate, channelCount: channelCount, planar: planar)
    }

    public var duration: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }

    /// The samples of channel `c`.
    public func channel(_ c: Int) -> ArraySlice<Float> {
        samples[c * frameCount ..< (c + 1) * frameCount]
    }

    /// Calls `body` with the samples of channel `c`.
    public func withChannel<R>(_ c: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try samples.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[c * frameCount ..< (c + 1) * frameCount]))
        }
    }

    /// Calls `body` with the mutable samples of channel `c`.
    public mutating func withMutableChannel<R>(_ c: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        let n = frameCount
        return try samples.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[c * n ..< (c + 1) * n]))
        }
    }

    /// Calls `body` with all planar samples.
    public mutating func withMutableSamples<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try samples.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The samples interleaved (`L R L R …`).
    public func interleaved() -> [Float] {
        var out = [Float](repeating: 0, count: samples.count)
        let frames = frameCount, channels = channelCount
        out.withUnsafeMutableBufferPointer { dst in
            samples.withUnsafeBufferPointer { src in
                for c in 0..<channels {
                    var i = c
                    for f in 0..<frames {
                        dst[i] = src[c * frames + f]
                        i += channels
                    }
                }
            }
        }
        return out
    }

    /// Frames `range` of every channel as a new buffer.
    public func frames(_ range: Range<Int>) -> AudioBuffer {
        precondition(range.lowerBound >= 0 && range.upperBound <= frameCount, "frame range out of bounds")
        var out = AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, frameCount: range.count)
        let n = frameCount, m = range.count
        out.samples.withUnsafeMutableBufferPointer { dst in
            samples.withUnsafeBufferPointer { src in
                for c in 0..<channelCount {
                    for i in 0..<m { dst[c * m + i] = src[c * n + range.lowerBound + i] }
                }
            }
        }
        return out
    }

    /// Appends the frames of `other`, which must have the same channel count.
    public mutating func append(_ other: AudioBuffer) {
        precondition(other.channelCount == channelCount, "channel count mismatch")
        if frameCount == 0 { self.samples = other.samples; self.frameCount = other.frameCount; return }
        if other.frameCount == 0 { return }
        let n = frameCount, m = other.frameCount
        var merged = [Float](repeating: 0, count: channelCount * (n + m))
        merged.withUnsafeMutableBufferPointer { dst in
            samples.withUnsafeBufferPointer { a in
                other.samples.withUnsafeBufferPointer { b in
                    for c in 0..<channelCount {
                        for i in 0..<n { dst[c * (n + m) + i] = a[c * n + i] }
                        for i in 0..<m { dst[c * (n + m) + n + i] = b[c * m + i] }
                    }
                }
            }
        }
        samples = merged
        frameCount = n + m
    }

    /// Drops frames from the end so that at most `count` remain.
    public mutating func truncate(toFrames count: Int) {
        guard count < frameCount else { return }
        self = frames(0..<max(0, count))
    }
}
