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
}
