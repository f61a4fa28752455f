import TQAudio

/// The metadata section of a .tqa file, format version 2 (docs/FORMAT.md, "Metadata section"):
/// the source WAV's metadata chunks (`RIFFChunk`), byte for byte, with their place.
///
/// ```
/// offset  size  field
///   0      4    sync "TQAM"
///   4      4    L, bytes of entries (≤ maxBodyBytes)
///   8      L    entries, back to back, filling L exactly:
///                 placement u8 (0 before fmt, 1 before data, 2 after data)
///                 chunk id (4 bytes)
///                 size u32
///                 body (size bytes; no pad byte)
///   8+L    4    CRC-32 of bytes 0 ..< 8+L
/// ```
public enum MetadataSection {
    static let sync: [UInt8] = [0x54, 0x51, 0x41, 0x4D]  // "TQAM"
    /// Bytes before the entries.
    static let headerSize = 8
    /// Bytes of an entry before its body.
    static let entryHeaderSize = 9
    /// Upper bound on L: room for `RIFFChunk.maxTotalBytes` of chunks, whose entries take at most
    /// one byte more per chunk (9 bytes of header for RIFF's 8, no pad byte), with room to spare.
    public static let maxBodyBytes = RIFFChunk.maxTotalBytes * 2

    /// The section's bytes, CRC included.
    static func encoded(_ chunks: [RIFFChunk]) -> [UInt8] {
        var w = ByteWriter()
        w.append(sync)
        let length = chunks.reduce(0) { $0 + entryHeaderSize + $1.body.count }
        precondition(length <= maxBodyBytes, "metadata section too large")
        w.u32(UInt32(length))
        for c in chunks {
            w.u8(c.placement.rawValue)
            w.append(c.id)
            w.u32(UInt32(c.body.count))
            w.append(c.body)
        }
        w.u32(CRC32.checksum(w.bytes))
        return w.bytes
    }

    /// The chunks of the entries `body` (the L bytes after the header of the section that
    /// starts at byte `offset`); throws `.invalidMetadata` when they do not parse.
    static func chunks(entries body: [UInt8], offset: Int) throws(ContainerError) -> [RIFFChunk] {
        var r = ByteReader(body)
        var out: [RIFFChunk] = []
        while r.remaining > 0 {
            guard let raw = r.u8(), let id = r.bytes(4), let size = r.u32() else {
                throw .invalidMetadata(offset: offset, reason: "entry \(out.count) is cut short")
            }
            guard let placement = RIFFChunk.Placement(rawValue: raw) else {
                throw .invalidMetadata(offset: offset, reason: "entry \(out.count) has placement \(raw) (0, 1 or 2)")
            }
            guard let chunkBody = r.bytes(Int(size)) else {
                throw .invalidMetadata(offset: offset, reason: "entry \(out.count) declares \(size) bytes, \(r.remaining) are left")
            }
            out.append(RIFFChunk(id: Array(id), body: Array(chunkBody), placement: placement))
        }
        return out
    }
}
