import TQContainer

/// What can be wrong with classic TurboQuant parameters or packets. Each case states the fact
/// with its values; advice (which option to change) is the CLI's.
public enum TurboError: CodecError, Equatable, Sendable {
    /// Codebook bits per sample outside `range` (`TurboParameters.bitsRange`).
    case bitsOutOfRange(Int, range: ClosedRange<Int>)
    /// A block size that is not a power of two in `range` (`TurboParameters.blockSizeRange`).
    case invalidBlockSize(Int, range: ClosedRange<Int>)
    case blocksPerPacketOutOfRange(Int, range: ClosedRange<Int>)
    /// A full packet would decode to more than `limit` samples (`Packet.maxDecodedSamples`).
    case packetTooLarge(blocksPerPacket: Int, blockSize: Int, channelCount: Int, limit: Int)
    case channelCountOutOfRange(Int, range: ClosedRange<Int>)
    /// Header codec parameters that do not parse; `byteCount` nil when their size is right but a field is not.
    case malformedParameters(byteCount: Int?)
    case unsupportedParameterVersion(UInt8, supported: UInt8)
    /// A turbo decoder was given the header of another codec's stream.
    case notTurboStream(CodecID)
    case frameCountOutOfRange(packet: Int, frames: Int, limit: Int)
    case payloadTooShort(packet: Int, bytes: Int)
    /// Side information (gain, scale) that no encoder writes: infinite or NaN.
    case nonFiniteSideInformation(packet: Int)
    /// The payload's length disagrees with its frames: `tooFew` bytes, or too many.
    case payloadSizeMismatch(packet: Int, tooFew: Bool)

    public var description: String {
        switch self {
        case .bitsOutOfRange(let b, let r): "bits per sample must be \(r.lowerBound)...\(r.upperBound), got \(b)"
        case .invalidBlockSize(let n, let r): "block size must be a power of two in \(r.lowerBound)...\(r.upperBound), got \(n)"
        case .blocksPerPacketOutOfRange(let n, let r): "blocks per packet must be \(r.lowerBound)...\(r.upperBound), got \(n)"
        case .packetTooLarge(let bpp, let bs, let c, let lim):
            "turbo packets of \(bpp) blocks of \(bs) frames × \(c) channels exceed \(lim) samples"
        case .channelCountOutOfRange(let c, let r): "channel count \(c) is outside \(r.lowerBound)...\(r.upperBound)"
        case .malformedParameters(let n?): "turbo codec parameters are malformed (\(n) bytes)"
        case .malformedParameters(nil): "turbo codec parameters are malformed"
        case .unsupportedParameterVersion(let v, let s): "turbo codec parameters version \(v) is newer than this tqa reads (\(s))"
        case .notTurboStream(let c): "not a turbo stream (codec \(c))"
        case .frameCountOutOfRange(let p, let f, let lim): "packet \(p) declares \(f) frames; turbo packets hold 1...\(lim)"
        case .payloadTooShort(let p, let n): "packet \(p) payload is too short (\(n) bytes)"
        case .nonFiniteSideInformation(let p): "packet \(p) has infinite or NaN side information: it was not written by tqa"
        case .payloadSizeMismatch(let p, let few): "packet \(p) payload has \(few ? "too few" : "too many") bytes for its frames"
        }
    }
}
