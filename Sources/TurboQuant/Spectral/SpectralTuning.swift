/// What the spectral encoder's choices aim for (`--tune`).
public enum SpectralTuning: String, Sendable, CaseIterable {
    /// Least squared error: reverse water-filling, parameter version 2 (the default; its
    /// bitstream is the golden files').
    case mse
    /// By ear: parameter version 4 (every band's energy survives, as noise where it is not
    /// coded; bands unrotated; side information predicted) and a low-pass that follows the rate
    /// (docs/SPECTRAL.md, "Perceptual tuning").
    case perceptual

    /// The parameter version this tuning writes.
    public var formatVersion: UInt8 {
        self == .mse ? SpectralParameters.version : SpectralParameters.perceptualVersion
    }
}

extension SpectralTarget {
    /// Bits per sample per channel of a rate target at `sampleRate` with `channelCount` channels;
    /// nil at an SNR.
    func bitsPerSample(sampleRate: Int, channelCount: Int) -> Double? {
        switch self {
        case .bitsPerSample(let x): x
        case .bitsPerSecond(let r): r / Double(max(1, sampleRate) * max(1, channelCount))
        case .snr: nil
        }
    }
}
