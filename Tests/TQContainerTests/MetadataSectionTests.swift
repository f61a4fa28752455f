import Testing
import TQAudio
@testable import TQContainer

/// The metadata section (docs/FORMAT.md, "Metadata section"): exact bytes, where it may stand,
/// format versions, and what strict and salvage reading do with a damaged or forged one.
@Suite struct MetadataSectionTests {
    /// The section of one 3-byte chunk `abcd` placed before `data`, by hand from FORMAT.md (CRC
    /// from Python 3's zlib.crc32).
    static let section: [UInt8] = [
        0x54, 0x51, 0x41, 0x4D,  // sync "TQAM"
        0x0C, 0x00, 0x00, 0x00,  // L = 12
        0x01,  // placement 1: before data
        0x61, 0x62, 0x63, 0x64,  // id "abcd"
        0x03, 0x00, 0x00, 0x00,  // size 3
        0x01, 0x02, 0x03,  // body
        0x5A, 0x7E, 0x1C, 0xD5,  // CRC-32 of the 20 bytes above
    ]
    /// `SmallFile.header` with format version 2 and its CRC.
    static let headerV2: [UInt8] = Array(SmallFile.header.prefix(4)) + [0x02, 0x00] + Array(SmallFile.header[6..<38])
        + [0xB7, 0x60, 0x0B, 0xE6]
    static let chunk = RIFFChunk(id: "abcd", body: [1, 2, 3], placement: .beforeData)

    /// A small file: header, the section when `leading`, one packet, the section when `trailing`, end.
    func file(leading: Bool, trailing: Bool) throws -> [UInt8] {
        let sink = MemorySink()
        let w = try TQAWriter(sink: sink, header: SmallFile.tqaHeader, metadata: leading ? [Self.chunk] : [])
        try w.write(Packet(firstFrame: 0, frameCount: 3, payload: [0xAA, 0xBB, 0xCC]))
        try w.finish(trailingMetadata: trailing ? [Self.chunk] : [])
        return sink.bytes
    }

    func readAll(_ bytes: [UInt8]) throws -> (TQAReader, [Packet]) {
        let r = try TQAReader(bytes: bytes)
        var packets: [Packet] = []
        while let p = try r.next() { packets.append(p) }
        return (r, packets)
    }

    @Test func sectionHasTheDocumentedBytes() throws {
        #expect(MetadataSection.encoded([Self.chunk]) == Self.section)
        let bytes = try file(leading: true, trailing: false)
        #expect(bytes == Self.headerV2 + Self.section + SmallFile.packet + SmallFile.end)
    }

    @Test func fileWithoutMetadataIsVersionOneAsBefore() throws {
        #expect(try file(leading: false, trailing: false) == SmallFile.bytes)
        // Announced but none came: a sink that can seek gets version 1 back.
        let sink = MemorySink()
        let w = try TQAWriter(sink: sink, header: SmallFile.tqaHeader, metadataMayFollow: true)
        try w.write(Packet(firstFrame: 0, frameCount: 3, payload: [0xAA, 0xBB, 0xCC]))
        try w.finish()
        #expect(sink.bytes == SmallFile.bytes)
    }

    @Test func leadingAndTrailingSectionsAreRead() throws {
        let both = try file(leading: true, trailing: true)
        #expect(both == Self.headerV2 + Self.section + SmallFile.packet + Self.section + SmallFile.end)
        let (r, packets) = try readAll(both)
        #expect(packets.count == 1)
        #expect(r.header.formatVersion == 2)
        #expect(r.leadingMetadata == [Self.chunk])
        #expect(r.trailingMetadata == [Self.chunk])
        #expect(r.metadata == [Self.chunk, Self.chunk])

        let (t, _) = try readAll(try file(leading: false, trailing: true))
        #expect(t.leadingMetadata.isEmpty)
        #expect(t.trailingMetadata == [Self.chunk])
        // The scan that `tqa info` uses sees them too.
        #expect(try TQAScan.bytes(both).metadata == [Self.chunk, Self.chunk])
    }

    @Test func everyPlacementAndOddSizesSurvive() throws {
        var g = SplitMix64(seed: 0x3E7A)
        let chunks = (0..<9).map { i in
            RIFFChunk(id: (0..<4).map { _ in UInt8.random(in: 0...255, using: &g) }, body: (0..<i * 7).map { _ in UInt8.random(in: 0...255, using: &g) }, placement: RIFFChunk.Placement(rawValue: UInt8(i % 3))!)
        }
        let sink = MemorySink()
        let w = try TQAWriter(sink: sink, header: SmallFile.tqaHeader, metadata: chunks)
        try w.finish()
        let (r, _) = try readAll(sink.bytes)
        #expect(r.leadingMetadata == chunks, "seed 0x3E7A")
    }

    @Test func damagedSectionIsRefusedAndSalvageGoesOn() throws {
        var bytes = try file(leading: true, trailing: false)
        let at = Self.headerV2.count + 18  // a body byte
        bytes[at] ^= 0x10
        let r = try TQAReader(bytes: bytes)
        #expect(r.leadingMetadata.isEmpty)
        #expect(throws: ContainerError.corruptMetadata(offset: Self.headerV2.count, declared: 0xD51C_7E5A,
                                                       computed: CRC32.checksum(Array(bytes[Self.headerV2.count ..< Self.headerV2.count + 20])))) {
            try r.next()
        }
        // Salvage: the packet is kept, the section skipped and reported.
        let s = try TQAReader(bytes: bytes)
        var packets = 0, skipped: [ContainerError] = []
        while let e = try s.nextSalvaging() {
            switch e {
            case .packet: packets += 1
            case .skipped(_, _, let error): skipped.append(error)
            case .dropped: break
            }
        }
        #expect(packets == 1)
        #expect(s.metadata.isEmpty)
        #expect(skipped.first.map { if case .corruptMetadata = $0 { true } else { false } } == true)
        #expect(ContainerError.corruptMetadata(offset: 1, declared: 0, computed: 0).isDamage)
    }

    @Test func forgedLengthIsRefusedWithoutAllocatingIt() throws {
        let good = try file(leading: true, trailing: false)
        let lengthAt = Self.headerV2.count + 4
        // Over the cap: refused from the length field alone.
        var huge = good
        huge.replaceSubrange(lengthAt ..< lengthAt + 4, with: [0xF0, 0xFF, 0xFF, 0xFF])
        #expect(throws: ContainerError.metadataTooLarge(offset: Self.headerV2.count, length: 0xFFFF_FFF0,
                                                        limit: MetadataSection.maxBodyBytes)) {
            try TQAReader(bytes: huge).next()
        }
        // Under the cap but far beyond the file: the reader reads what is there and says truncated.
        var long = good
        let forged = MetadataSection.maxBodyBytes - 1
        long.replaceSubrange(lengthAt ..< lengthAt + 4, with: (0..<4).map { UInt8(truncatingIfNeeded: forged >> (8 * $0)) })
        do {
            _ = try TQAReader(bytes: long).next()
            Issue.record("a forged metadata length was accepted")
        } catch let e as ContainerError {
            guard case .truncated = e else { Issue.record("expected truncated, got \(e)"); return }
        }
    }

    @Test func sectionOutOfPlaceOrInVersionOneIsRefused() throws {
        // Version 1 knows no metadata: the section is foreign bytes.
        let v1 = SmallFile.header + Self.section + SmallFile.packet + SmallFile.end
        #expect(throws: ContainerError.badSync(index: 0, offset: SmallFile.header.count)) { try readAll(v1) }
        // A packet after the closing section.
        let sink = MemorySink()
        let w = try TQAWriter(sink: sink, header: SmallFile.tqaHeader, metadata: [Self.chunk])
        try w.write(Packet(firstFrame: 0, frameCount: 3, payload: [0xAA, 0xBB, 0xCC]))
        try w.finish()
        var b = sink.bytes
        let packetAt = Self.headerV2.count + Self.section.count
        b.insert(contentsOf: Self.section, at: packetAt)  // header, section, section, packet, end
        do {
            _ = try readAll(b)
            Issue.record("a packet after the closing metadata section was accepted")
        } catch let e as ContainerError {
            guard case .invalidMetadata = e else { Issue.record("expected invalidMetadata, got \(e)"); return }
        }
    }

    @Test func malformedEntriesAreRefused() throws {
        // Placement 7, CRC recomputed: the CRC holds, the entries do not.
        var s = Self.section
        s[8] = 7
        s.replaceSubrange(20..<24, with: (0..<4).map { UInt8(truncatingIfNeeded: CRC32.checksum(Array(s[0..<20])) >> (8 * UInt32($0))) })
        let b = Self.headerV2 + s + SmallFile.packet + SmallFile.end
        #expect(throws: ContainerError.invalidMetadata(offset: Self.headerV2.count, reason: "entry 0 has placement 7 (0, 1 or 2)")) {
            try readAll(b)
        }
    }
}
