import Testing
import TQAudio
import TQContainer
import TurboQuant

/// A CRC-valid header that declares far more frames than its file holds must not make
/// `--salvage` write silence without end.
@Suite struct SalvageLimitTests {
    /// `s` with its header's frame count replaced by `frames` (CRC recomputed) and its end marker cut.
    func forged(_ s: TurboStream, frames: UInt64) -> [UInt8] {
        var h = s.header
        h.frameCount = frames
        let header = h.encoded()
        return header + Array(s.bytes[header.count ..< s.packetStarts.last!])
    }

    @Test func forgedFrameCountIsCapped() throws {
        let s = try TurboStream.make(frames: 5000, channels: 2)
        let out = try decode(forged(s, frames: 1 << 40), salvage: true)
        #expect(out.error == nil)
        // Without an end marker, the silence after the intact audio stops at 4× the intact
        // audio plus 2^20 frames (the file is larger than 2^20 / 256 bytes).
        #expect(s.bytes.count > (1 << 20) / 256)
        #expect(out.audio.frameCount == 5000 + 4 * 5000 + (1 << 20))
        #expect(out.audio.frameCount > 5000)
        #expect(Array(out.audio.frames(0 ..< 5000).samples) == Array(s.clean.samples))
        #expect(out.report.unwrittenFrames == (1 << 40) - UInt64(out.audio.frameCount))
        #expect(!out.report.isClean)
    }

    @Test func truncatedFileStillGetsItsLengthWhenPlausible() throws {
        let s = try TurboStream.make(frames: 5000, channels: 1)
        // Cut after the first packet: the header's 5000 frames are well within the cap.
        let cut = Array(s.bytes[..<s.packetStarts[1]])
        let out = try decode(cut, salvage: true)
        #expect(out.audio.frameCount == 5000)
        #expect(out.report.unwrittenFrames == 0)
        #expect(out.report.lostFrames == UInt64(5000 - s.packetFrames[0].count))
    }

    /// `s` with packet 1 re-framed to start at `first`, with a fresh CRC.
    static func movingPacket1(of s: TurboStream, to first: UInt64) -> [UInt8] {
        var bytes = s.bytes
        let at = s.packetStarts[1], end = s.packetStarts[2]
        for k in 0..<8 { bytes[at + 12 + k] = UInt8(truncatingIfNeeded: first >> (8 * UInt64(k))) }
        let crc = CRC32.checksum(bytes[at ..< end - 4])
        for k in 0..<4 { bytes[end - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        return bytes
    }

    /// A CRC-valid packet that claims to start 2^40 frames later is dropped, not reached with silence.
    @Test func forgedFarPacketIsDropped() throws {
        let s = try TurboStream.make(frames: 3000, channels: 1)
        let bytes = Self.movingPacket1(of: s, to: 1 << 40)
        let out = try decode(bytes, salvage: true)
        #expect(out.audio.frameCount == 3000)
        #expect(out.report.droppedPackets >= 1)
        #expect(out.report.lostFrames == UInt64(s.packetFrames[1].count))
        #expect(try decode(bytes, salvage: false).error != nil)
    }

    /// An end marker `TQAE`: packet count, frame count, CRC of the 16 bytes before it.
    static func endMarker(packets: UInt32, frames: UInt64) -> [UInt8] {
        var w = ByteWriter()
        w.append([0x54, 0x51, 0x41, 0x45])
        w.u32(packets)
        w.u64(frames)
        w.u32(CRC32.checksum(w.bytes))
        return w.bytes
    }

    /// Issue 17.2: a 62-byte file whose header (768 kHz, 32 channels, 2^40 frames) and end marker
    /// (0 packets, 2^40 frames) agree, both CRCs valid, had `--salvage` write 4 GiB and go on. The
    /// file's bytes justify at most 256 frames each.
    @Test func forgedEndMarkerOnAnEmptyFileIsCapped() throws {
        let params = TurboParameters(bits: 4, blockSize: 64, blocksPerPacket: 1).encoded()
        let header = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 768_000, channelCount: 32,
                               frameCount: 1 << 40, seed: 1, codecParameters: params).encoded()
        let bytes = header + Self.endMarker(packets: 0, frames: 1 << 40)
        #expect(bytes.count == 62)
        let out = try decode(bytes, salvage: true)
        #expect(out.error == nil)
        #expect(out.audio.frameCount == 62 * 256)
        #expect(out.report.unwrittenFrames == (1 << 40) - 62 * 256)
        #expect(!out.report.isClean)
        #expect(try decode(bytes, salvage: false).error != nil)
    }

    /// Real packets followed by a forged end marker (2^40 frames, or 0xFFFFFFFF packets): the
    /// silence after the intact audio is held to the same budget as without an end marker.
    @Test(arguments: [(UInt32(0xFFFF_FFFF), UInt64(1) << 40), (UInt32(3), UInt64(1) << 40), (UInt32(0xFFFF_FFFF), UInt64(5000))])
    func forgedEndMarkerAfterRealPackets(packets: UInt32, frames: UInt64) throws {
        let s = try TurboStream.make(frames: 5000, channels: 2)
        var h = s.header
        h.frameCount = frames
        let header = h.encoded()
        let bytes = header + Array(s.bytes[header.count ..< s.packetStarts.last!]) + Self.endMarker(packets: packets, frames: frames)
        let out = try decode(bytes, salvage: true)
        #expect(out.error == nil)
        #expect(Array(out.audio.frames(0 ..< 5000).samples) == Array(s.clean.samples))
        let budget = 4 * 5000 + UInt64(1 << 20)
        #expect(UInt64(out.audio.frameCount) == min(frames, 5000 + budget))
        #expect(out.report.unwrittenFrames == frames - UInt64(out.audio.frameCount))
    }

    /// A CRC-valid packet whose first frame is near 2^63 (or 2^64) after intact packets: dropped,
    /// nothing overflows, the rest decodes.
    @Test(arguments: [UInt64(1) << 63, UInt64.max - 10])
    func packetNearTheEndOfTheTimelineIsDropped(first: UInt64) throws {
        let s = try TurboStream.make(frames: 3000, channels: 1)
        let bytes = Self.movingPacket1(of: s, to: first)
        let out = try decode(bytes, salvage: true)
        #expect(out.audio.frameCount == 3000)
        #expect(out.report.droppedPackets >= 1)
    }
}
