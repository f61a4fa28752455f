/// A RIFF chunk of a WAV file that is not audio: LIST/INFO tags, `bext`, `iXML`, `cue `, `smpl`,
/// `id3 `, or one tqa does not know. tqa keeps them byte for byte (docs/FORMAT.md, "Metadata
/// section") and writes them back where they were relative to `fmt ` and `data`.
///
/// ```
/// id (4 bytes)  size (u32 LE)  body (size bytes)  [pad byte 0 when size is odd]
/// ```
///
/// The chunks that describe the audio itself are not metadata and are never kept: `fmt `,
/// `data`, `ds64` and `fact` (the writer derives its own from the audio it writes), and the
/// padding chunks `JUNK`, `junk`, `PAD ` and `FLLR`, whose bytes mean nothing (kept, they would
/// pile up at every round trip, since tqa's writer reserves a `JUNK` of its own).
public struct RIFFChunk: Sendable, Equatable {
    /// Where the chunk stood in its file.
    public enum Placement: UInt8, Sendable, CaseIterable {
        /// Before the `fmt ` chunk.
        case beforeFormat = 0
        /// After `fmt `, before `data`.
        case beforeData = 1
        /// After the `data` chunk.
        case afterData = 2
    }

    /// The four id bytes, e.g. `LIST`, `bext`, `cue `; any bytes are kept as they are.
    public var id: [UInt8]
    public var body: [UInt8]
    public var placement: Placement

    public init(id: [UInt8], body: [UInt8], placement: Placement) {
        precondition(id.count == 4, "a RIFF chunk id has 4 bytes")
        self.id = id
        self.body = body
        self.placement = placement
    }

    public init(id: String, body: [UInt8], placement: Placement) {
        self.init(id: Array(id.utf8), body: body, placement: placement)
    }

    /// The id as text: printable ASCII as is (`"cue "`), anything else as hex bytes.
    public var name: String {
        id.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? String(decoding: id, as: UTF8.self) : WAVError.quote(id)
    }

    /// The chunk as it appears in a file: id, size, body, pad byte when the size is odd.
    public var encoded: [UInt8] {
        var out = ByteWriter()
        out.reserveCapacity(8 + body.count + 1)
        out.append(id)
        out.u32(UInt32(body.count))
        out.append(body)
        if body.count & 1 == 1 { out.u8(0) }
        return out.bytes
    }

    /// Bytes in a file: 8 + size + pad.
    public var encodedSize: Int { 8 + body.count + (body.count & 1) }

    /// For a `LIST` chunk, its list type (`INFO`, `adtl`, …), else nil.
    public var listType: [UInt8]? {
        id == Array("LIST".utf8) && body.count >= 4 ? Array(body[0..<4]) : nil
    }

    /// Whether the chunk counts sample frames of the audio it came with, so that it is wrong for
    /// audio at another sample rate or for a span cut out of it (`--skip/--until`): cue points
    /// (`cue `), their labels and lengths (`LIST` of type `adtl`), playlists (`plst`) and sampler
    /// loops (`smpl`).
    ///
    /// `bext` is not counted among them: its TimeReference stamps the first sample against the
    /// time of day (in samples since midnight at the source's rate), it does not point into the
    /// audio; it is kept as it is.
    public var refersToSamplePositions: Bool {
        switch String(decoding: id, as: UTF8.self) {
        case "cue ", "plst", "smpl": true
        case "LIST": listType == Array("adtl".utf8)
        default: false
        }
    }

    /// The ids of chunks that describe the audio itself or pad a file, never kept as metadata.
    public static let structuralIDs: Set<[UInt8]> = Set(["fmt ", "data", "ds64", "fact", "JUNK", "junk", "PAD ", "FLLR"].map { Array($0.utf8) })

    /// Most bytes of metadata kept from one file: the sum of `encodedSize` over its chunks,
    /// 16 MiB. Chunks beyond it are dropped, with a `WAVFormatQuirk`.
    public static let maxTotalBytes = 1 << 24
}

extension Array where Element == RIFFChunk {
    /// The chunks with `placement`, in order.
    public func placed(_ placement: RIFFChunk.Placement) -> [RIFFChunk] { filter { $0.placement == placement } }

    /// The total of `encodedSize`.
    public var encodedSize: Int { reduce(0) { $0 + $1.encodedSize } }
}
