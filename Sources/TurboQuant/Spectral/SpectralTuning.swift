/// What the spectral encoder's choices aim for (`--tune`).
public enum SpectralTuning: String, Sendable, CaseIterable {
    /// Least squared error: reverse water-filling, parameter version 2 (the default; its
    /// bitstream is the golden files').
    case mse
    /// By ear: parameter version 3 (every band's energy survives, as noise where it is not
    /// coded) and a low-pass that follows the rate (docs/SPECTRAL.md, "Perceptual tuning").
    case perceptual

    /// The parameter version this tuning writes.
    public var formatVersion: UInt8 {
        self == .mse ? SpectralParameters.version : SpectralParameters.perceptualVersion
    }
}

extension SpectralTarget {
    /// The `.bitsPerSample` target of a rate in bits per second, container included: one
    /// second of `channelCount` channels at `sampleRate` holds sampleRate·channelCount samples.
    public static func bitrate(_ bitsPerSecond: Double, sampleRate: Int, channelCount: Int) -> SpectralTarget {
        .bitsPerSample(bitsPerSecond / Double(max(1, sampleRate) * max(1, channelCount)))
    }
}
