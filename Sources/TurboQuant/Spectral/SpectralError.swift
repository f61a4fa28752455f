import TQContainer

/// What can be wrong with spectral parameters or packets. Each case states the fact with its
/// values, prefixed "spectral:" in its description; advice is the CLI's.
public enum SpectralError: CodecError, Equatable, Sendable {
    /// Parameters outside the ranges the format allows (`SpectralParameters.isValid`).
    case invalidParameters(frameSize: Int, shortBlockCount: Int, framesPerPacket: Int)
    case channelCountOutOfRange(Int, range: ClosedRange<Int>)
    /// Header codec parameters of `byteCount` bytes, not `expected`.
    case parameterSize(byteCount: Int, expected: Int)
    case unsupportedParameterVersion(UInt8, supported: UInt8)
    /// log2 of the frame size or of the short-block count outside the format's range.
    case sizeOutOfRange(frameSizeLog2: UInt8, shortBlockCountLog2: UInt8)
    case unknownWindow(UInt8)
    /// A spectral decoder was given the header of another codec's stream.
    case notSpectralStream(CodecID)
    /// The largest packet would decode to more than `limit` samples (`Packet.maxDecodedSamples`).
    case packetTooLarge(framesPerPacket: Int, frameSize: Int, channelCount: Int, limit: Int)
    case misalignedPacket(packet: Int, firstFrame: UInt64, frameSize: Int)
    case frameCountOutOfRange(packet: Int, frames: Int, limit: Int)
    /// The packet's `frames` MDCT frames are too few for its `samples` samples.
    case frameCountMismatch(packet: Int, frames: Int, samples: UInt32)
    /// Frame `frame` of the packet does not decode (range coder overrun or invalid symbols).
    case damagedFrame(packet: Int, frame: Int)

    public var description: String {
        switch self {
        case .invalidParameters(let n, let s, let f):
            "spectral: invalid parameters (frame \(n), \(s) short blocks, \(f) frames per packet)"
        case .channelCountOutOfRange(let c, let r): "spectral: channel count \(c) is outside \(r.lowerBound)...\(r.upperBound)"
        case .parameterSize(let n, let e): "spectral: codec parameters of \(n) bytes, expected \(e)"
        case .unsupportedParameterVersion(let v, let s): "spectral: parameter version \(v) unknown (this tqa reads \(SpectralParameters.version)…\(s))"
        case .sizeOutOfRange(let f, let s): "spectral: frame size 2^\(f) or short-block count 2^\(s) out of range"
        case .unknownWindow(let w): "spectral: unknown window \(w)"
        case .notSpectralStream(let c): "spectral decoder given a \(c) stream"
        case .packetTooLarge(let f, let n, let c, let lim):
            "spectral: packets of \(f) frames of \(n) × \(c) channels exceed \(lim) samples"
        case .misalignedPacket(let p, let first, let n): "spectral: packet \(p) starts at frame \(first), not a multiple of \(n)"
        case .frameCountOutOfRange(let p, let f, let lim): "spectral: packet \(p) declares \(f) frames (1…\(lim))"
        case .frameCountMismatch(let p, let f, let s): "spectral: packet \(p) holds \(f) frames for \(s) samples"
        case .damagedFrame(let p, let i): "spectral: packet \(p), frame \(i) is damaged"
        }
    }
}
