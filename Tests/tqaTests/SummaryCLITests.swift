import Foundation
import Testing

/// The one-line reports of encode and decode (issue 14.10), on stderr (issue 14.2).
@Suite(.serialized) struct SummaryCLITests {
    @Test func emptyInputReportsNoRate() throws {
        let d = try ScratchDirectory()
        // PCM 16-bit mono 16 kHz, no frames.
        let fmt: [UInt8] = [1, 0, 1, 0, 0x80, 0x3E, 0, 0, 0, 0x7D, 0, 0, 2, 0, 16, 0]
        try writeBytes(wavBytes(fmt: fmt, data: []), to: d.file("empty.wav"))
        let e = try CLI.run(["encode", d.file("empty.wav"), "-o", d.file("empty.tqa")])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stderr.contains("0 frames × 1 ch (empty input)"), "\(e.stderr)")
        #expect(!e.stderr.contains("bits/sample") && !e.stderr.contains("real time"), "\(e.stderr)")
        let o = try CLI.run(["decode", d.file("empty.tqa"), "-o", d.file("back.wav")])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(o.stderr.contains("0 frames × 1 ch at 16000 Hz (empty stream)") && !o.stderr.contains("real time"), "\(o.stderr)")
    }

    @Test func summariesGiveRatioAndTime() throws {
        let d = try ScratchDirectory()
        let s = try CLI.run(["synth", "--type", "noise", "--duration", "1", "--sample-rate", "16000", "--format", "s16", "-o", d.file("a.wav")])
        #expect(s.status == 0, "\(s.stderr)")
        let inBytes = readBytes(d.file("a.wav")).count
        let e = try CLI.run(["encode", d.file("a.wav"), "-o", d.file("a.tqa"), "--bits", "4"])
        let outBytes = readBytes(d.file("a.tqa")).count
        #expect(e.stderr.contains("\(outBytes) bytes (") && e.stderr.contains(":1 to the input's \(inBytes) bytes)"), "\(e.stderr)")
        #expect(e.stderr.contains(" bits/sample, ") && e.stderr.contains(" s, ") && e.stderr.hasSuffix("× real time\n"), "\(e.stderr)")
        let o = try CLI.run(["decode", d.file("a.tqa"), "-o", d.file("b.wav")])
        #expect(o.stderr.contains("× the input's \(outBytes) bytes)") && o.stderr.hasSuffix("× real time\n"), "\(o.stderr)")
    }
}
