import Foundation
import Testing
@testable import TQAudio

/// Metadata chunks (`RIFFChunk`): read by `WAVReader` with their place, written back by
/// `WAVWriter` byte for byte, bounded, and the INFO tags parsed.
@Suite struct WAVMetadataTests {
    typealias B = WAVBytes

    static let info = B.ascii("INFO") + B.chunk("INAM", B.ascii("A title\0")) + B.chunk("IART", B.ascii("Artist\0"))
    static let bext = (0..<602).map { UInt8($0 % 251) }
    static let ixml = B.ascii("<?xml version=\"1.0\"?><BWFXML><SCENE>12</SCENE></BWFXML>")  // odd size
    static let cue = B.le32(1) + B.le32(1) + B.le32(4) + B.ascii("data") + B.le32(0) + B.le32(0) + B.le32(4)
    static let smpl = [UInt8](repeating: 0x11, count: 36)
    static let unknown = [UInt8](B.ascii("xyz"))

    /// The chunks `file` holds, in order, with their place.
    static let expected: [RIFFChunk] = [
        RIFFChunk(id: "LIST", body: info, placement: .beforeFormat),
        RIFFChunk(id: "bext", body: bext, placement: .beforeData),
        RIFFChunk(id: "iXML", body: ixml, placement: .beforeData),
        RIFFChunk(id: "zzz1", body: unknown, placement: .beforeData),
        RIFFChunk(id: "cue ", body: cue, placement: .afterData),
        RIFFChunk(id: "smpl", body: smpl, placement: .afterData),
        RIFFChunk(id: "zzz2", body: unknown, placement: .afterData),
    ]

    /// A WAV of 5 frames of s16 stereo with `expected` around `fmt ` and `data`, plus a JUNK and
    /// a fact chunk, which are not kept.
    static let file: [UInt8] = B.riff(
        B.chunk("LIST", info), B.chunk("JUNK", [0, 0, 0, 0]), B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)),
        B.chunk("fact", B.le32(5)), B.chunk("bext", bext), B.chunk("iXML", ixml), B.chunk("zzz1", unknown),
        B.chunk("data", B.s16(Array(-5..<5))), B.chunk("cue ", cue), B.chunk("smpl", smpl), B.chunk("zzz2", unknown))

    @Test func readerKeepsEveryChunkInOrderWithItsPlace() throws {
        let r = try WAVReader(bytes: Self.file)
        #expect(r.metadata == Self.expected)
        #expect(!r.metadataMayFollow)
        #expect(r.quirks.isEmpty)
        let audio = try r.readAll()
        #expect(audio.frameCount == 5)
        #expect(r.metadata == Self.expected)
    }

    @Test func readerKeepsTrailingChunksOfAFileOnDisk() throws {
        let path = temporaryPath("meta.wav")
        try Data(Self.file).write(to: URL(fileURLWithPath: path))
        let r = try WAVReader(path: path)
        #expect(r.metadata == Self.expected)
    }

    @Test func writerPutsChunksBackWhereTheyWere() throws {
        let audio = try WAVReader.readAll(bytes: Self.file)
        let bytes = WAVWriter.bytes(of: audio, format: .s16, metadata: Self.expected)
        // Canonical layout: RIFF, LIST, fmt, bext, iXML, zzz1, data, cue, smpl, zzz2.
        #expect(Self.ids(bytes) == ["LIST", "fmt ", "bext", "iXML", "zzz1", "data", "cue ", "smpl", "zzz2"])
        let again = try WAVReader(bytes: bytes)
        #expect(again.metadata == Self.expected)
        #expect(try again.readAll() == audio)
        #expect(Int(bytes.le32(4)) == bytes.count - 8, "RIFF size counts every chunk")

        // Through a file (JUNK reserve, patched header), and through an output that cannot seek.
        let path = temporaryPath("meta-out.wav")
        let w = try WAVWriter(path: path, sampleRate: 8000, channelCount: 2, sampleFormat: .s16, metadata: Self.expected)
        try w.write(audio)
        try w.finish()
        let disk = fileBytes(path)
        #expect(Self.ids(disk) == ["JUNK", "LIST", "fmt ", "bext", "iXML", "zzz1", "data", "cue ", "smpl", "zzz2"])
        #expect(try WAVReader(path: path).metadata == Self.expected)
        #expect(Int(disk.le32(4)) == disk.count - 8)
        #expect(w.droppedMetadata.isEmpty)
    }

    @Test func chunksLearnedLateAreAddedOrDropped() throws {
        let audio = try WAVReader.readAll(bytes: Self.file)
        let path = temporaryPath("late.wav")
        let w = try WAVWriter(path: path, sampleRate: 8000, channelCount: 2, sampleFormat: .s16,
                              metadata: Self.expected.filter { $0.placement != .afterData })
        try w.write(audio)
        w.addMetadata(Self.expected.placed(.afterData) + [RIFFChunk(id: "late", body: [1], placement: .beforeData)])
        try w.finish()
        #expect(try WAVReader(path: path).metadata == Self.expected)
        #expect(w.droppedMetadata.map(\.name) == ["late"])
    }

    @Test func pipeGetsTrailingChunksOnceTheSamplesAreRead() throws {
        let fifo = temporaryPath("meta.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let bytes = Self.file
        let writer = Thread {
            if let h = FileHandle(forWritingAtPath: fifo) { h.write(Data(bytes)); try? h.close() }
        }
        writer.start()
        let r = try WAVReader(path: fifo)
        #expect(r.metadataMayFollow)
        #expect(r.metadata == Self.expected.filter { $0.placement != .afterData })
        _ = try r.readAll()
        #expect(!r.metadataMayFollow)
        #expect(r.metadata == Self.expected)
    }

    @Test func absurdChunkSizeBeforeDataIsRefused() {
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 16)),
                           B.chunk("LIST", Self.info, declaredSize: 0xFFFF_FFF0), B.chunk("data", B.s16([1, 2])))
        #expect(wavError { _ = try WAVReader(bytes: bytes) } == .missingDataChunk)
        // Just under the 16 MiB limit, in a file of a few bytes: read in pieces, refused the same.
        let under = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 16)),
                           B.chunk("iXML", [1, 2, 3, 4], declaredSize: RIFFChunk.maxTotalBytes - 16))
        #expect(wavError { _ = try WAVReader(bytes: under) } == .missingDataChunk)
    }

    @Test func absurdChunkSizeAfterDataEndsTheListWithAQuirk() throws {
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 16)), B.chunk("data", B.s16([1, 2])),
                           B.chunk("cue ", Self.cue), B.chunk("LIST", Self.info, declaredSize: 0xFFFF_FFF0))
        let r = try WAVReader(bytes: bytes)
        #expect(r.metadata == [RIFFChunk(id: "cue ", body: Self.cue, placement: .afterData)])
        #expect(r.quirks == [.truncatedChunk(chunk: "\"LIST\"", size: 0xFFFF_FFF0)])
        #expect(try r.readAll().frameCount == 2)
    }

    @Test func missingPadByteAfterOddDataIsTolerated() throws {
        // 3 bytes of u8 data, no pad byte, then a LIST chunk.
        let list = B.chunk("LIST", Self.info)
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 8)), B.ascii("data") + B.le32(3) + [1, 2, 3], list)
        let r = try WAVReader(bytes: bytes)
        #expect(r.metadata == [RIFFChunk(id: "LIST", body: Self.info, placement: .afterData)])
        #expect(r.quirks.isEmpty)
        #expect(try r.readAll().frameCount == 3)
    }

    @Test func metadataOverTheLimitIsDroppedWithAQuirk() throws {
        let big = [UInt8](repeating: 7, count: RIFFChunk.maxTotalBytes)
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 16)), B.chunk("bext", Self.bext),
                           B.chunk("iXML", big), B.chunk("data", B.s16([1, 2])), B.chunk("smpl", Self.smpl))
        let r = try WAVReader(bytes: bytes)
        #expect(r.metadata.map(\.name) == ["bext", "smpl"])
        #expect(r.quirks == [.metadataOverLimit(chunk: "\"iXML\"", size: UInt64(big.count))])
        #expect(try r.readAll().frameCount == 2)
    }

    @Test func infoTagsAndPositionBearingChunks() {
        let tags = RIFFInfoTags(Self.expected[0])
        #expect(tags?.tags.map(\.name) == ["title", "artist"])
        #expect(tags?.tags.map(\.value) == ["A title", "Artist"])
        #expect(RIFFInfoTags(Self.expected[1]) == nil)
        // A sub-chunk that runs past the list ends the parse.
        let cut = RIFFChunk(id: "LIST", body: B.ascii("INFO") + B.chunk("INAM", B.ascii("x\0")) + B.ascii("IART") + B.le32(99),
                            placement: .beforeData)
        #expect(RIFFInfoTags(cut)?.tags.map(\.value) == ["x"])

        #expect(Self.expected.filter(\.refersToSamplePositions).map(\.name) == ["cue ", "smpl"])
        #expect(RIFFChunk(id: "LIST", body: B.ascii("adtl"), placement: .afterData).refersToSamplePositions)
        #expect(!RIFFChunk(id: "bext", body: [], placement: .beforeData).refersToSamplePositions)
        #expect(RIFFChunk(id: [0, 1, 0xFF, 0x41], body: [], placement: .beforeData).name == "bytes 00 01 FF 41")
    }

    /// The chunk ids of a WAV file after its RIFF header.
    static func ids(_ b: [UInt8]) -> [String] {
        var out: [String] = []
        var i = 12
        while i + 8 <= b.count {
            out.append(String(decoding: b[i..<i + 4], as: UTF8.self))
            let n = Int(b.le32(i + 4))
            i += 8 + n + (n & 1)
        }
        return out
    }
}

private extension Array where Element == UInt8 {
    /// The little-endian 32-bit value at `i`.
    func le32(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(self[i + $1]) << (8 * $1) } }
}
