/// What a program needs to know about one codec beyond its packets: the parameters type of each
/// codec conforms (`TurboParameters`, `SpectralParameters`, `SQCodecParameters`), and
/// `CodecTable` finds the conformer a header names.
///
/// Everything that depends on which codec a file uses goes through here, so that a new codec
/// (L3AC, say) is one conformance in its own module plus one entry in `Codecs.all` (module
/// TQCodecs); `tqa info`, `decode`, `simulate`, `compare` and the fuzzers pick it up from there.
/// Making an *encoder* stays with the caller: its settings are the caller's (the CLI turns its
/// options into one in `CodecRegistry`).
public protocol CodecDescription: Sendable {
    /// The id a header carries for this codec.
    static var codec: CodecID { get }

    /// The parameters from a header's codec-parameter bytes.
    init(decoding bytes: [UInt8]) throws

    /// The parameters as `tqa info` lists them, name → Int, Bool, Double or String.
    var summary: [String: Any] { get }

    /// `summary` of the parameters in `bytes`, or `["error": "malformed"]` when they do not
    /// decode (the default); a codec may describe its bytes otherwise.
    static func summary(of bytes: [UInt8]) -> [String: Any]

    /// The rate of the audio that was encoded into a file with `header`: the header's own
    /// (the default), or another when the codec resampled its input (sqcodec codes at its
    /// model's rate and records the source's).
    func sourceSampleRate(of header: TQAHeader) -> Int

    /// The frames at `sourceSampleRate(of:)` that the file stands for, nil when the header
    /// does not know (`TQAHeader.unknownFrameCount`) or the count overflows.
    func sourceFrameCount(of header: TQAHeader) -> UInt64?

    /// Whether this build's decoder runs AVX2 and FMA instructions (`CPUFeatures.hasAVX2AndFMA`
    /// tells whether the CPU has them). Default false.
    static var needsAVX2AndFMA: Bool { get }

    /// The decoder for a stream with `header` (whose codec is `codec`).
    static func decoder(for header: TQAHeader, options: DecoderOptions) throws -> any PacketDecoder
}

extension CodecDescription {
    public static func summary(of bytes: [UInt8]) -> [String: Any] {
        guard let p = try? Self(decoding: bytes) else { return ["error": "malformed"] }
        return p.summary
    }

    public func sourceSampleRate(of header: TQAHeader) -> Int { header.sampleRate }

    public func sourceFrameCount(of header: TQAHeader) -> UInt64? {
        header.frameCount == TQAHeader.unknownFrameCount ? nil : header.frameCount
    }

    public static var needsAVX2AndFMA: Bool { false }
}
