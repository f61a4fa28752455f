/// What can be wrong with a .tqa file as a container. Each case says where, so that a user can act
/// on it. What a codec finds wrong with its parameters or payloads is its own `CodecError`.
public enum ContainerError: Error, Equatable, Sendable, CustomStringConvertible {
    case notTQA
    case unsupportedVersion(UInt16)
    case unknownCodec(id: UInt8)
    case invalidHeader(String)
    case headerChecksum(declared: UInt32, computed: UInt32)
    case truncatedHeader
    /// Packet `index` (0-based, in file order) starting at byte `offset` failed its CRC.
    case corruptPacket(index: Int, offset: Int, declared: UInt32, computed: UInt32)
    /// No packet sync word where packet `index` should start.
    case badSync(index: Int, offset: Int)
    case packetTooLarge(index: Int, offset: Int, length: Int, limit: Int)
    /// The file ends inside packet `index` or before the end marker.
    case truncated(index: Int, offset: Int)
    /// Packet `index` does not continue the timeline (swapped, repeated or missing packets).
    case outOfOrder(index: Int, expectedFrame: UInt64, foundFrame: UInt64)
    case trailingGarbage(offset: Int, count: Int)
    /// The metadata section starting at byte `offset` failed its CRC.
    case corruptMetadata(offset: Int, declared: UInt32, computed: UInt32)
    /// A metadata section declares `length` bytes of entries, over `limit`.
    case metadataTooLarge(offset: Int, length: Int, limit: Int)
    /// A metadata section whose CRC holds but whose entries or place break the format's rules.
    case invalidMetadata(offset: Int, reason: String)
    case trailerMismatch(String)
    case io(String)

    public var description: String {
        switch self {
        case .notTQA: "not a .tqa file (no TQA magic)"
        case .unsupportedVersion(let v): "format version \(v) is not one this tqa reads (\(TQAHeader.versions.map(String.init).joined(separator: ", "))); update tqa"
        case .unknownCodec(let id): "unknown codec id \(id); this tqa knows turbo (1), spectral (2), sqcodec (3), l3ac (4)"
        case .invalidHeader(let why): "invalid header: \(why)"
        case .headerChecksum(let d, let c): "header checksum mismatch (declared \(hex(d)), computed \(hex(c))): the file is damaged"
        case .truncatedHeader: "file ends inside the header"
        case .corruptPacket(let i, let o, let d, let c):
            "packet \(i) at byte \(o) is damaged (CRC declared \(hex(d)), computed \(hex(c)))"
        case .badSync(let i, let o): "packet \(i) at byte \(o) has no sync word: the file is damaged"
        case .packetTooLarge(let i, let o, let l, let lim): "packet \(i) at byte \(o) declares \(l) bytes (limit \(lim)): the file is damaged"
        case .truncated(let i, let o): "file is truncated: it ends at byte \(o), inside or before packet \(i)"
        case .outOfOrder(let i, let e, let f): "packet \(i) starts at frame \(f), expected \(e): packets are missing, repeated or swapped"
        case .trailingGarbage(let o, let n): "\(n) bytes of garbage after the end of the stream at byte \(o)"
        case .corruptMetadata(let o, let d, let c):
            "metadata section at byte \(o) is damaged (CRC declared \(hex(d)), computed \(hex(c)))"
        case .metadataTooLarge(let o, let l, let lim):
            "metadata section at byte \(o) declares \(l) bytes (limit \(lim)): the file is damaged"
        case .invalidMetadata(let o, let why): "metadata section at byte \(o) is invalid: \(why)"
        case .trailerMismatch(let why): "end marker disagrees with the stream: \(why)"
        case .io(let why): why
        }
    }
}

extension ContainerError {
    /// Whether this is damage to packets or the end of the stream, which salvage decoding
    /// works around (the header, by contrast, is needed whole).
    public var isDamage: Bool {
        switch self {
        case .corruptPacket, .badSync, .packetTooLarge, .truncated, .outOfOrder, .trailingGarbage, .trailerMismatch,
             .corruptMetadata, .metadataTooLarge, .invalidMetadata: true
        default: false
        }
    }
}

func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
