/// A block of audio: `channelCount` channels of `frameCount` frames at `sampleRate` Hz,
/// stored planar as 32-bit floats, full scale ±1.
///
/// Channel `c` occupies `samples[c * frameCount ..< (c + 1) * frameCount]`. Channels are never
/// mixed by anything in this package: a stereo buffer stays stereo through every codec.
public struct AudioBuffer: Sendable, Equatable {
    public var sampleRate: Int
    public private(set) var channelCount: Int
    public private(set) var frameCount: Int
    /// Planar storage: channel `c` at `storage[c * stride ..< c * stride + frameCount]`;
    /// `storage.count == channelCount * stride`. `stride > frameCount` (room left by `append`)
    /// only in a buffer that grew by appending more than once.
    private var storage: [Float]
    /// Frames of room per channel, ≥ `frameCount`.
    private var stride: Int
    /// Whether the buffer has grown by `append` before: the next growth then leaves room, so that
    /// appends are amortized O(1); a single append fits exactly and leaves `samples` free.
    private var grewByAppending = false

    /// Planar samples; `samples.count == channelCount * frameCount`. O(1) unless the buffer has
    /// room left by repeated `append`s, then one copy (`compact()` removes the room).
    public var samples: [Float] {
        stride == frameCount ? storage : frames(0 ..< frameCount).storage
    }

    /// Frames of room per channel before an `append` reallocates (≥ `frameCount`).
    public var frameCapacity: Int { stride }

    /// A silent buffer.
    public init(sampleRate: Int, channelCount: Int, frameCount: Int) {
        precondition(channelCount >= 1 && frameCount >= 0, "invalid buffer shape")
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
        self.storage = [Float](repeating: 0, count: channelCount * frameCount)
        self.stride = frameCount
    }

    /// A buffer from one array per channel; all arrays must have the same length.
    public init(sampleRate: Int, channels: [[Float]]) {
        precondition(!channels.isEmpty, "a buffer has at least one channel")
        let n = channels[0].count
        precondition(channels.allSatisfy { $0.count == n }, "channels differ in length")
        self.sampleRate = sampleRate
        self.channelCount = channels.count
        self.frameCount = n
        self.storage = Array(channels.joined())
        self.stride = n
    }

    /// A buffer over planar samples (`planar.count` must be a multiple of `channelCount`).
    public init(sampleRate: Int, channelCount: Int, planar: [Float]) {
        precondition(channelCount >= 1 && planar.count % channelCount == 0, "invalid planar shape")
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = planar.count / channelCount
        self.storage = planar
        self.stride = frameCount
    }

    /// Equal shape, rate and samples (room left by `append` does not count).
    public static func == (a: AudioBuffer, b: AudioBuffer) -> Bool {
        guard a.sampleRate == b.sampleRate, a.channelCount == b.channelCount, a.frameCount == b.frameCount else { return false }
        if a.stride == a.frameCount && b.stride == b.frameCount { return a.storage == b.storage }
        return (0..<a.channelCount).allSatisfy { a.channel($0).elementsEqual(b.channel($0)) }
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
        storage[c * stride ..< c * stride + frameCount]
    }

    /// Calls `body` with the samples of channel `c`.
    public func withChannel<R>(_ c: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let lo = c * stride, n = frameCount
        return try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[lo ..< lo + n]))
        }
    }

    /// Calls `body` with the mutable samples of channel `c`.
    public mutating func withMutableChannel<R>(_ c: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        let lo = c * stride, n = frameCount
        return try storage.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[lo ..< lo + n]))
        }
    }

    /// Calls `body` with all planar samples (`compact()` first).
    public mutating func withMutableSamples<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        compact()
        return try storage.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Gives back the room left by `append`, so that `samples` is O(1) again. O(samples) when
    /// there is room, else nothing.
    public mutating func compact() {
        guard stride != frameCount else { return }
        storage = samples
        stride = frameCount
    }

    /// The samples interleaved (`L R L R …`).
    public func interleaved() -> [Float] {
        var out = [Float](repeating: 0, count: samples.count)
        let frames = frameCount, channels = channelCount, st = stride
        out.withUnsafeMutableBufferPointer { dst in
            storage.withUnsafeBufferPointer { src in
                for c in 0..<channels {
                    var i = c
                    for f in 0..<frames {
                        dst[i] = src[c * st + f]
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
        let n = stride, m = range.count
        out.storage.withUnsafeMutableBufferPointer { dst in
            storage.withUnsafeBufferPointer { src in
                for c in 0..<channelCount {
                    for i in 0..<m { dst[c * m + i] = src[c * n + range.lowerBound + i] }
                }
            }
        }
        return out
    }

    /// Appends the frames of `other`, which must have the same channel count. Amortized
    /// O(`other`'s samples): from the second growth on, room grows geometrically (×2), as an
    /// `Array`'s does; the first growth fits exactly.
    public mutating func append(_ other: AudioBuffer) {
        precondition(other.channelCount == channelCount, "channel count mismatch")
        if other.frameCount == 0 { return }
        if frameCount == 0 && stride == 0 {
            storage = other.samples
            stride = other.frameCount
            frameCount = other.frameCount
            return
        }
        let n = frameCount, m = other.frameCount
        if n + m > stride {
            let newStride = grewByAppending ? max(n + m, 2 * stride) : n + m
            grewByAppending = true
            var grown = [Float](repeating: 0, count: channelCount * newStride)
            let st = stride
            grown.withUnsafeMutableBufferPointer { dst in
                storage.withUnsafeBufferPointer { a in
                    for c in 0..<channelCount {
                        for i in 0..<n { dst[c * newStride + i] = a[c * st + i] }
                    }
                }
            }
            storage = grown
            stride = newStride
        }
        let st = stride
        storage.withUnsafeMutableBufferPointer { dst in
            other.storage.withUnsafeBufferPointer { b in
                for c in 0..<channelCount {
                    for i in 0..<m { dst[c * st + n + i] = b[c * other.stride + i] }
                }
            }
        }
        frameCount = n + m
    }

    /// Drops frames from the end so that at most `count` remain.
    public mutating func truncate(toFrames count: Int) {
        guard count < frameCount else { return }
        self = frames(0..<max(0, count))
    }
}
