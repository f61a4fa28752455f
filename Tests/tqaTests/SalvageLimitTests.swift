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
        // Without an end marker, output stops at 4× the intact audio plus 2^20 frames.
        #expect(out.audio.frameCount == 4 * 5000 + (1 << 20))
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

    /// A CRC-valid packet that claims to start 2^40 frames later is dropped, not reached with silence.
    @Test func forgedFarPacketIsDropped() throws {
        let s = try TurboStream.make(frames: 3000, channels: 1)
        let parts = (0..<s.packetCount).map { Array(s.bytes[s.packetStarts[$0] ..< s.packetStarts[$0 + 1]]) }
        // Re-frame packet 1 with first frame 2^40 and a fresh CRC.
        var p1 = parts[1]
        for k in 0..<8 { p1[12 + k] = UInt8(truncatingIfNeeded: UInt64(1 << 40) >> (8 * UInt64(k))) }
        let crc = CRC32.checksum(p1.dropLast(4))
        for k in 0..<4 { p1[p1.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        var bytes = Array(s.bytes[..<s.packetStarts[0]]) + parts[0] + p1
        for k in 2..<s.packetCount { bytes += parts[k] }
        bytes += Array(s.bytes[s.packetStarts.last!...])
        let out = try decode(bytes, salvage: true)
        #expect(out.audio.frameCount == 3000)
        #expect(out.report.droppedPackets >= 1)
        #expect(out.report.lostFrames == UInt64(s.packetFrames[1].count))
        #expect(try decode(bytes, salvage: false).error != nil)
    }
}
