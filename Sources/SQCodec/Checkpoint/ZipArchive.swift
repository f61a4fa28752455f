import TQAudio
import TQContainer

/// The stored (uncompressed) entries of a zip archive, as `torch.save` writes it, found through
/// the central directory (zip64 records included).
///
///     … local header (30 B + name + extra) · entry bytes …  central directory  [zip64 EOCD + locator]  EOCD (22 B + comment)
///
/// Every offset and size is checked against the buffer before use; an entry is a range of the
/// buffer, nothing is copied.
struct ZipArchive {
    struct Entry: Equatable {
        let name: String
        let range: Range<Int>
    }

    let file: String
    let bytes: [UInt8]
    private(set) var entries: [String: Entry] = [:]

    /// Entry names are capped, and so is their number (a state dict has a few per tensor).
    static let maxEntries = 1 << 20

    init(bytes: [UInt8], file: String) throws {
        self.file = file
        self.bytes = bytes
        func corrupt(_ why: String) -> CheckpointError { .corruptArchive(file: file, reason: why) }

        // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
        let minEOCD = 22
        guard bytes.count >= minEOCD else { throw corrupt("too short for a zip archive") }
        var eocd = -1
        var p = bytes.count - minEOCD
        let lowest = max(0, bytes.count - minEOCD - 0xFFFF)
        while p >= lowest {
            if bytes[p] == 0x50, bytes[p + 1] == 0x4B, bytes[p + 2] == 5, bytes[p + 3] == 6 { eocd = p; break }
            p -= 1
        }
        guard eocd >= 0 else { throw corrupt("no end-of-central-directory record") }
        var c = ByteReader(bytes, offset: eocd + 10)
        guard let n16 = c.u16(), c.u32() != nil, let off32 = c.u32() else { throw corrupt("truncated end record") }
        var count = Int(n16), cdOffset = Int(off32)
        if n16 == 0xFFFF || off32 == 0xFFFF_FFFF {
            // The zip64 end-of-central-directory locator sits right before the end record
            // (APPNOTE 4.3.15): signature, disk with the zip64 record (4), its offset (8), disks (4).
            var loc = ByteReader(bytes, offset: eocd - 20)
            guard eocd >= 20, loc.u32() == 0x0706_4B50, loc.u32() != nil, let z64 = loc.u64(),
                  z64 < UInt64(bytes.count) else { throw corrupt("bad zip64 locator") }
            // The zip64 end record (APPNOTE 4.3.14): signature, size of the rest (8), version made
            // by (2), version needed (2), this disk (4), disk of the central directory (4), entries
            // on this disk (8), entries in all (8), central directory size (8) and offset (8).
            var z = ByteReader(bytes, offset: Int(z64))
            guard z.u32() == 0x0606_4B50, let recordSize = z.u64(), recordSize >= 44, z.bytes(12) != nil,
                  z.u64() != nil, let n64 = z.u64(), z.u64() != nil, let o64 = z.u64()
            else { throw corrupt("bad zip64 end record") }
            guard n64 <= UInt64(Self.maxEntries) else { throw corrupt("implausible entry count \(n64)") }
            guard o64 < UInt64(bytes.count) else { throw corrupt("central directory offset \(o64) outside the file") }
            count = Int(n64); cdOffset = Int(o64)
        }
        guard count <= Self.maxEntries, count <= bytes.count / 46 else { throw corrupt("implausible entry count \(count)") }
        var cd = ByteReader(bytes, offset: cdOffset)
        guard cd.offset == cdOffset else { throw corrupt("central directory offset \(cdOffset) outside the file") }
        for _ in 0..<count {
            guard cd.u32() == 0x0201_4B50 else { throw corrupt("bad central directory signature at \(cd.offset - 4)") }
            guard cd.bytes(6) != nil, let method = cd.u16(), cd.bytes(8) != nil,
                  let size32 = cd.u32(), let usize32 = cd.u32(),
                  let nameLen = cd.u16(), let extraLen = cd.u16(), let commentLen = cd.u16(),
                  cd.bytes(8) != nil, let local32 = cd.u32(),
                  let nameBytes = cd.bytes(Int(nameLen)), let extra = cd.bytes(Int(extraLen)), cd.bytes(Int(commentLen)) != nil
            else { throw corrupt("truncated central directory") }
            let name = String(decoding: nameBytes, as: UTF8.self)
            var size = UInt64(size32), usize = UInt64(usize32), local = UInt64(local32)
            if size32 == 0xFFFF_FFFF || usize32 == 0xFFFF_FFFF || local32 == 0xFFFF_FFFF {
                var e = ByteReader(Array(extra))
                while e.remaining >= 4 {
                    guard let tag = e.u16(), let len = e.u16(), var field = e.bytes(Int(len)).map({ ByteReader(Array($0)) })
                    else { throw corrupt("truncated extra field of \(name)") }
                    if tag == 1 {
                        if usize32 == 0xFFFF_FFFF { guard let v = field.u64() else { throw corrupt("short zip64 field of \(name)") }; usize = v }
                        if size32 == 0xFFFF_FFFF { guard let v = field.u64() else { throw corrupt("short zip64 field of \(name)") }; size = v }
                        if local32 == 0xFFFF_FFFF { guard let v = field.u64() else { throw corrupt("short zip64 field of \(name)") }; local = v }
                    }
                }
            }
            guard method == 0 else { throw CheckpointError.compressedEntry(file: file, entry: name, method: method) }
            guard size == usize, local < UInt64(bytes.count), size <= UInt64(bytes.count) else {
                throw corrupt("entry \(name) has impossible sizes")
            }
            var lh = ByteReader(bytes, offset: Int(local))
            guard lh.u32() == 0x0403_4B50, lh.bytes(22) != nil, let ln = lh.u16(), let le = lh.u16(),
                  lh.bytes(Int(ln)) != nil, lh.bytes(Int(le)) != nil else { throw corrupt("bad local header of \(name)") }
            let start = lh.offset
            guard UInt64(bytes.count - start) >= size else { throw corrupt("entry \(name) runs past the end of the file") }
            guard entries[name] == nil else { throw corrupt("duplicate entry \(name)") }
            entries[name] = Entry(name: name, range: start ..< start + Int(size))
        }
    }

    /// The entry whose name ends with `suffix` (torch prefixes every name with a folder named
    /// after the file), or nil.
    func entry(endingWith suffix: String) -> Entry? {
        entries.values.filter { $0.name.hasSuffix(suffix) }.min { $0.name.count < $1.name.count }
    }
}
