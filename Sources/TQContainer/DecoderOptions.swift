/// What a decoder may need besides the header (`CodecDescription.decoder(for:options:)`);
/// codecs ignore what they do not use.
public struct DecoderOptions: Sendable, Equatable {
    /// Where a neural codec's weights are, nil for the model's default place.
    public var weightsDirectory: String?
    /// Threads a decoder may use inside one packet; the audio does not depend on it.
    public var threads: Int
    /// Neural codecs: decode all tokens of each channel as one sequence, as their reference does
    /// (`tqa decode --whole`), instead of packet by packet; memory then grows with the length.
    public var wholeSequence: Bool

    public init(weightsDirectory: String? = nil, threads: Int = 1, wholeSequence: Bool = false) {
        self.weightsDirectory = weightsDirectory
        self.threads = max(1, threads)
        self.wholeSequence = wholeSequence
    }
}
