import TQContainer

/// What can be wrong with an sqcodec stream: its parameters, the model it needs, or a packet.
/// Each case states the fact with its values; advice (which option to pass) is the CLI's.
public enum SQCodecStreamError: CodecError, Equatable, Sendable {
    /// An sqcodec decoder was given the header of another codec's stream.
    case notSQCodecStream(CodecID)
    /// The file was made with model `file`; the loaded model is `loaded`.
    case modelMismatch(file: String, loaded: String)
    /// The header's rate is not the rate of the model the file names.
    case sampleRateMismatch(fileRate: Int, model: String, modelRate: Int)
    case emptyParameters
    case unsupportedParameterVersion(UInt8, supported: UInt8)
    case malformedParameters(byteCount: Int)
    /// A source rate outside `AudioLimits.sampleRates` (in a header, or given to the encoder).
    case sampleRateOutOfRange(Int)
    case blocksPerPacketOutOfRange(Int, range: ClosedRange<Int>)
    case channelCountOutOfRange(Int, range: ClosedRange<Int>)
    /// A packet whose frames are not whole blocks of `blockLength` (the model's fill length)
    /// or more than its parameters allow.
    case frameCountMismatch(packet: Int, frames: Int, firstFrame: UInt64, blockLength: Int)
    case tokenByteCount(packet: Int, bytes: Int, expected: Int)
    /// The packet's token packing is damaged (`SQTokenPackingError`).
    case damagedTokens(packet: Int, SQTokenPackingError)

    public var description: String {
        switch self {
        case .notSQCodecStream(let c): "not a stream of this model's codec (the file's codec is \(c))"
        case .modelMismatch(let f, let l): "the file was made with model \(f), not \(l)"
        case .sampleRateMismatch(let r, let m, let mr): "the file's rate \(r) Hz is not the \(m) model's \(mr) Hz"
        case .emptyParameters: "sqcodec parameters are empty"
        case .unsupportedParameterVersion(let v, let s): "sqcodec parameters version \(v) is newer than this tqa reads (\(s))"
        case .malformedParameters(let n): "sqcodec parameters are malformed (\(n) bytes)"
        case .sampleRateOutOfRange(let r): "sqcodec source sample rate \(r) is out of range"
        case .blocksPerPacketOutOfRange(let n, _): "sqcodec blocks per packet \(n) is out of range"
        case .channelCountOutOfRange(let c, let r): "sqcodec: channel count \(c) is outside \(r.lowerBound)...\(r.upperBound)"
        case .frameCountMismatch(let p, let f, let first, let fill):
            "packet \(p) declares \(f) frames at frame \(first); sqcodec packets hold whole blocks of \(fill)"
        case .tokenByteCount(let p, let n, let e): "packet \(p) has \(n) bytes of tokens, expected \(e)"
        case .damagedTokens(let p, let e): "packet \(p): \(e)"
        }
    }
}
