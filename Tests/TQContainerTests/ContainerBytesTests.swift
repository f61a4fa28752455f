import Testing
import TQAudio
import TQContainer

/// The exact bytes of a small file, written out from docs/FORMAT.md by hand (the CRCs are
/// zlib.crc32 of the bytes before them, computed with Python 3's zlib).
enum SmallFile {
    static let header: [UInt8] = [
        0x54, 0x51, 0x41, 0x1A,  // magic "TQA\x1A"
        0x01, 0x00,  // format version 1
        0x01,  // codec id 1 (turbo)
        0x02,  // source sample format 2 (s16)
        0x40, 0x1F, 0x00, 0x00,  // sample rate 8000
        0x01, 0x00,  // 1 channel
        0x06, 0x00,  // P = 6 parameter bytes
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // frame count 3 (patched by finish)
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // seed 0x0102030405060708
        0x01, 0x06, 0x09, 0x01, 0x08, 0x00,  // turbo parameters: v1, 6 bits, block 2^9, residual, 8 blocks/packet
        0xED, 0x93, 0x8D, 0x8B,  // CRC-32 of the 38 bytes above
    ]
    static let packet: [UInt8] = [
        0x54, 0x51, 0x41, 0x50,  // sync "TQAP"
        0x03, 0x00, 0x00, 0x00,  // L = 3
        0x00, 0x00, 0x00, 0x00,  // packet index 0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // first frame 0
        0x03, 0x00, 0x00, 0x00,  // frame count 3
        0xAA, 0xBB, 0xCC,  // payload
        0xFB, 0x2F, 0x69, 0x4F,  // CRC-32 of the 27 bytes above
    ]
    static let end: [UInt8] = [
        0x54, 0x51, 0x41, 0x45,  // sync "TQAE"
        0x01, 0x00, 0x00, 0x00,  // 1 packet
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 3 frames
        0xDF, 0x8F, 0x8F, 0xAE,  // CRC-32 of the 16 bytes above
    ]
    static var bytes: [UInt8] { header + packet + end }

    static let tqaHeader = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 8000, channelCount: 1,
                                     frameCount: TQAHeader.unknownFrameCount, seed: 0x0102_0304_0506_0708,
                                     codecParameters: [1, 6, 9, 1, 8, 0])
}

@Suite struct ContainerBytesTests {
    @Test func writerProducesTheDocumentedBytes() throws {
        let sink = MemorySink()
        let w = try TQAWriter(sink: sink, header: SmallFile.tqaHeader)
        try w.write(Packet(firstFrame: 0, frameCount: 3, payload: [0xAA, 0xBB, 0xCC]))
        try w.finish()
        #expect(sink.bytes.count == 42 + 31 + 20)
        #expect(Array(sink.bytes[0..<42]) == SmallFile.header)
        #expect(Array(sink.bytes[42..<73]) == SmallFile.packet)
        #expect(Array(sink.bytes[73...]) == SmallFile.end)
        #expect(w.bytesWritten == sink.bytes.count)
    }

    @Test func readerReadsTheDocumentedBytes() throws {
        let r = try TQAReader(bytes: SmallFile.bytes)
        var expected = SmallFile.tqaHeader
        expected.frameCount = 3
        #expect(r.header == expected)
        #expect(r.headerSize == 42)
        let p = try #require(try r.next())
        #expect(p == Packet(index: 0, firstFrame: 0, frameCount: 3, payload: [0xAA, 0xBB, 0xCC]))
        #expect(try r.next() == nil)
        #expect(r.trailer?.packets == 1 && r.trailer?.frames == 3)
        #expect(try r.next() == nil)
    }

    @Test func headerRoundTripsEveryField() throws {
        let h = TQAHeader(codec: .spectral, sourceFormat: .f64, sampleRate: 768_000, channelCount: 32, frameCount: 1 << 40,
                          seed: .max, codecParameters: Array(repeating: 0xEE, count: TQAHeader.maxParameterBytes))
        let (d, size) = try TQAHeader.decode(h.encoded())
        #expect(d == h)
        #expect(size == h.encodedSize)
    }
}

@Suite struct HeaderErrorTests {
    private func headerError(_ bytes: [UInt8]) -> ContainerError? {
        do { _ = try TQAReader(bytes: bytes); return nil } catch let e as ContainerError { return e } catch { return .io("\(error)") }
    }

    /// The header with its CRC recomputed after `edit`.
    private func edited(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var h = Array(SmallFile.header.prefix(38))
        edit(&h)
        var w = ByteWriter(); w.u32(CRC32.checksum(h))
        return h + w.bytes + SmallFile.packet + SmallFile.end
    }

    @Test func clearErrors() {
        #expect(headerError([]) == .notTQA)
        #expect(headerError(Array("RIFF....WAVEfmt ".utf8)) == .notTQA)
        #expect(headerError(Array(SmallFile.header.prefix(3))) == .truncatedHeader)
        #expect(headerError(Array(SmallFile.header.prefix(20))) == .truncatedHeader)
        #expect(headerError(Array(SmallFile.header.prefix(40))) == .truncatedHeader)
        // Versions 1 and 2 are read (2: metadata sections may follow); 0 and 3 are not.
        #expect(headerError(edited { $0[4] = 3 }) == .unsupportedVersion(3))
        #expect(headerError(edited { $0[4] = 0 }) == .unsupportedVersion(0))
        #expect(headerError(edited { $0[6] = 9 }) == .unknownCodec(id: 9))
        if case .invalidHeader = headerError(edited { $0[7] = 0 }) {} else { Issue.record("source format 0 accepted") }
        if case .invalidHeader = headerError(edited { $0[8] = 0; $0[9] = 0 }) {} else { Issue.record("sample rate 0 accepted") }
        if case .invalidHeader = headerError(edited { $0[12] = 33 }) {} else { Issue.record("33 channels accepted") }
        if case .invalidHeader = headerError(edited { $0[12] = 0 }) {} else { Issue.record("0 channels accepted") }
        // A parameter count over the cap is refused before anything is read or allocated.
        if case .invalidHeader = headerError(edited { $0[14] = 0xFF; $0[15] = 0xFF }) {} else { Issue.record("65535 parameter bytes accepted") }
    }

    @Test func everySingleBitFlipInTheHeaderIsCaught() {
        for byte in 0..<SmallFile.header.count {
            for bit in 0..<8 {
                var b = SmallFile.bytes
                b[byte] ^= 1 << bit
                let e = headerError(b)
                #expect(e != nil, "flip of bit \(bit) in header byte \(byte) went unnoticed")
                #expect(e.map { "\($0)" }?.isEmpty == false)
            }
        }
    }
}
