/// The audio tqa accepts anywhere: WAV input and output, the .tqa header, every codec and the
/// CLI's options check against these, and nothing else holds the numbers.
///
/// 768 kHz is the highest rate of common hardware (DXD ×2); 32 channels covers 22.2 and
/// third-order ambisonics (16) with room to spare, and bounds what a forged header can make a
/// decoder allocate per frame.
public enum AudioLimits {
    /// Highest sample rate in Hz.
    public static let maxSampleRate = 768_000
    /// Most channels.
    public static let maxChannels = 32
    /// Valid sample rates, 1 … `maxSampleRate` Hz.
    public static let sampleRates: ClosedRange<Int> = 1 ... maxSampleRate
    /// Valid channel counts, 1 … `maxChannels`.
    public static let channelCounts: ClosedRange<Int> = 1 ... maxChannels
}
