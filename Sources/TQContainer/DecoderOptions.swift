/// What a decoder may need besides the header (`CodecDescription.decoder(for:options:)`);
/// codecs ignore what they do not use.
public struct DecoderOptions: Sendable, Equatable {
    /// Where a neural codec's weights are, nil for the model's default place.
    public var weightsDirectory: String?
    /// Threads a decoder may use inside one packet; the audio does not depend on it.
    public var threads: Int

    public init(weightsDirectory: String? = nil, threads: Int = 1) {
        self.weightsDirectory = weightsDirectory
        self.threads = max(1, threads)
    }
}
