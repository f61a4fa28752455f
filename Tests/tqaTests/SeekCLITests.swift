import Foundation
import Testing
import TQAudio
import TQContainer
#if canImport(Glibc)
import Glibc
#endif

/// `--skip/--until` end to end (issue 14.5): a span decodes to exactly the samples of the same
/// span of a full decode (turbo, spectral), without reading the packets before it.
@Suite struct SeekCLITests {
    /// Each packet's first frame and frame count.
    static func packets(_ path: String) throws -> [(first: Int, count: Int)] {
        let r = try TQAReader(path: path)
        var out: [(Int, Int)] = []
        while let p = try r.next() { out.append((Int(p.firstFrame), Int(p.frameCount))) }
        return out
    }

    /// Decodes `file` with `span` arguments (f32) and returns the audio; records a failure and
    /// returns nil when the command fails.
    static func decode(_ file: String, _ span: [String], to out: String, extra: [String] = []) throws -> AudioBuffer? {
        let o = try CLI.run(["decode", file, "-o", out, "--format", "f32", "--force"] + span + extra)
        guard o.status == 0, !o.crashed else {
            Issue.record("decode \(span.joined(separator: " ")): exit \(o.status): \(o.stderr)")
            return nil
        }
        return try WAVReader.readAll(path: out)
    }

    /// The spans tried on a stream of `total` frames in `packets`: at sample 0, packet
    /// boundaries, inside packets, to the end, one sample long, and in each spelling.
    static func spans(total: Int, packets: [(first: Int, count: Int)], sampleRate: Int) -> [(args: [String], range: Range<Int>)] {
        let b = packets.map(\.first)
        let mid = b[b.count / 2], inside = b[1] + packets[1].count / 3
        var s: [([String], Range<Int>)] = [
            (["--until", "1"], 0 ..< 1),
            (["--skip", "0", "--until", "\(b[1])"], 0 ..< b[1]),
            (["--skip", "\(b[1])", "--until", "\(mid)"], b[1] ..< mid),
            (["--skip", "\(inside)", "--until", "\(mid + 17)"], inside ..< mid + 17),
            (["--skip", "\(mid)"], mid ..< total),
            (["--skip", "\(inside)", "--until", "+1"], inside ..< inside + 1),
            (["--skip", "\(b[1] - 1)", "--until", "\(b[1] + 1)"], b[1] - 1 ..< b[1] + 1),
            (["--skip", "\(total - 1)"], total - 1 ..< total),
            (["--skip", "\(inside)", "--until", "\(total + 100_000)"], inside ..< total),
            (["--skip", "\(mid + 3)", "--until", "-\(total - b.last! - 5)"], mid + 3 ..< b.last! + 5),
        ]
        // Times: 0:00.25 and 0.75s, rounded to the nearest sample.
        let q = (0.25 * Double(sampleRate)).rounded(), t = (0.75 * Double(sampleRate)).rounded()
        s.append((["--skip", "0:00.25", "--until", "0.75s"], Int(q) ..< min(total, Int(t))))
        return s
    }

    /// Encodes `in.wav` with `codec` options, decodes it whole and every span, and checks that
    /// each span is the same slice of the whole, float for float.
    static func checkSpans(codec: [String], channels: Int, sampleRate: Int, seconds: Double = 2.5) throws {
        let dir = try ScratchDirectory()
        let synth = try CLI.run(["synth", "--type", "demo", "--duration", "\(seconds)", "--sample-rate", "\(sampleRate)",
                                 "--channels", "\(channels)", "-o", dir.file("in.wav")])
        #expect(synth.status == 0, "\(synth.stderr)")
        let enc = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa")] + codec)
        #expect(enc.status == 0, "\(enc.stderr)")
        guard let whole = try decode(dir.file("x.tqa"), [], to: dir.file("whole.wav")) else { return }
        let packets = try packets(dir.file("x.tqa"))
        #expect(packets.count >= 4, "\(codec): \(packets.count) packets")
        for (args, range) in spans(total: whole.frameCount, packets: packets, sampleRate: sampleRate) {
            guard let part = try decode(dir.file("x.tqa"), args, to: dir.file("part.wav")) else { continue }
            let want = whole.frames(range)
            #expect(part.frameCount == range.count, "\(codec) \(args): \(part.frameCount) frames, expected \(range.count)")
            #expect(part.samples == want.samples, "\(codec) \(args): samples differ from the full decode's \(range)")
        }
    }

    @Test func turboSpansAreTheFullDecodesSamples() throws {
        try SeekCLITests.checkSpans(codec: [], channels: 2, sampleRate: 16_000)
        try SeekCLITests.checkSpans(codec: ["--bits", "3", "--block", "64", "--no-residual"], channels: 1, sampleRate: 8_000, seconds: 3)
    }

    @Test func spectralSpansAreTheFullDecodesSamples() throws {
        try SeekCLITests.checkSpans(codec: ["--codec", "spectral"], channels: 2, sampleRate: 16_000, seconds: 4)
        try SeekCLITests.checkSpans(codec: ["--codec", "spectral", "--snr", "30"], channels: 1, sampleRate: 16_000, seconds: 4)
        try SeekCLITests.checkSpans(codec: ["--codec", "spectral", "--bits-per-sample", "1.5"], channels: 2, sampleRate: 44_100, seconds: 4)
    }

    /// The packets before the span are not read: with every payload byte of the packets before
    /// the span's first packet damaged (their headers intact), a span after them still decodes
    /// to the clean file's samples, while a full decode names the damage. For spectral this
    /// includes the packet just before the span's: its MDCT overlap is not needed.
    @Test func packetsBeforeTheSpanAreNotRead() throws {
        for codec in [["--codec", "turbo"], ["--codec", "spectral"]] {
            let dir = try ScratchDirectory()
            #expect(try CLI.run(["synth", "--type", "demo", "--duration", "4", "--sample-rate", "16000", "--channels", "2", "-o", dir.file("in.wav")]).status == 0)
            #expect(try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa")] + codec).status == 0)
            guard let whole = try SeekCLITests.decode(dir.file("x.tqa"), [], to: dir.file("whole.wav")) else { continue }
            let packets = try SeekCLITests.packets(dir.file("x.tqa"))
            var bytes = readBytes(dir.file("x.tqa"))
            let r = try TQAReader(path: dir.file("x.tqa"))
            var at = r.headerSize
            let first = 3
            for _ in 0 ..< first {
                let length = Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24
                for i in at + 24 ..< at + 24 + length + 4 { bytes[i] ^= 0xA5 }
                at += 24 + length + 4
            }
            try writeBytes(bytes, to: dir.file("damaged.tqa"))
            let full = try CLI.run(["decode", dir.file("damaged.tqa"), "-o", dir.file("full.wav")])
            #expect(full.status == 1 && full.stderr.contains("packet 0 at byte"), "\(codec.joined(separator: " ")) \(full.stderr)")
            let start = packets[first].first
            guard let part = try SeekCLITests.decode(dir.file("damaged.tqa"), ["--skip", "\(start)", "--until", "+5000"], to: dir.file("part.wav")) else { continue }
            #expect(part.samples == whole.frames(start ..< start + 5000).samples, "\(codec.joined(separator: " "))")
            // One sample earlier the span starts in a damaged packet: strict decoding names it.
            let earlier = try CLI.run(["decode", dir.file("damaged.tqa"), "-o", dir.file("e.wav"), "--skip", "\(start - 1)"])
            #expect(earlier.status == 1 && earlier.stderr.contains("packet \(first - 1) at byte"), "\(codec.joined(separator: " ")) \(earlier.stderr)")
        }
    }

    @Test func spanErrors() throws {
        let dir = try ScratchDirectory()
        #expect(try CLI.run(["synth", "--duration", "1", "--sample-rate", "16000", "-o", dir.file("in.wav")]).status == 0)
        #expect(try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa")]).status == 0)
        func decode(_ args: [String]) throws -> CLI.Output {
            try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("out.wav"), "--force"] + args)
        }
        for bad in [["--skip", "abc"], ["--skip", "1.5"], ["--skip", "1:75"], ["--skip", "+100"], ["--skip", "-100"], ["--until", "1::2"],
                    ["--skip", "1e3"], ["--until", "s"], ["--skip", "99999999999999999999999"]] {
            let o = try decode(bad)
            #expect(o.status == 64 && o.stderr.hasPrefix("error: ") && !o.crashed, "\(bad): \(o.status) \(o.stderr)")
        }
        for reversed in [["--skip", "200", "--until", "100"], ["--skip", "0:00.5", "--until", "0:00.5"], ["--skip", "0:00.5", "--until", "100"],
                         ["--until", "+0"], ["--skip", "100", "--until", "-15950"]] {
            let o = try decode(reversed)
            #expect(o.status == 64 && (o.stderr.contains("is not after --skip") || o.stderr.contains("empty span")),
                    "\(reversed): \(o.status) \(o.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.file("out.wav")))
        }
        let past = try decode(["--skip", "16000"])
        #expect(past.status == 1 && past.stderr == "error: --skip 16000 is at or past the end of \(dir.file("x.tqa")) (16000 samples, 1.000 s)\n",
                "\(past.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.wav")))
        for flag in [["--salvage"], ["--rate", "source"]] {
            let o = try decode(["--skip", "10"] + flag)
            #expect(o.status == 64, "\(flag): \(o.stderr)")
        }
        let end = try decode(["--skip", "15000", "--until", "1:00"])
        #expect(end.status == 0, "\(end.stderr)")
        #expect(try WAVReader.readAll(path: dir.file("out.wav")).frameCount == 1000)
    }

    /// SQCodec (seeded random weights, full-size 6kbps; 45 s: packets of 24, 24 and 6 blocks of
    /// 13,500 samples). Decoding starts one packet before the span's first (the decoder's
    /// context, `SQCodecDecoder.seekContextFrames`): a span in packet 1 starts from packet 0, as
    /// a full decode does, and is identical; a span in packet 2 starts from packet 1 with a
    /// fresh decoder, and is identical too for this model (README, "Seeking", has the others).
    @Test func sqcodecSpansAsDocumented() throws {
        let dir = try ScratchDirectory()
        let weights = try makeSQCodec6kbpsFile(in: dir)
        let w = ["--weights", weights]
        // Tokens of a span: those whose hop of 45 samples meets it, and where the first one is.
        let all = jsonObject(try CLI.run(["tokens", dir.file("x.tqa"), "--json"]).stdout)["channels"] as? [[Int]] ?? []
        // 54 blocks of 300 (the last packet's last block padded).
        #expect(all.first?.count == 16_200, "\(all.first?.count ?? 0) tokens")
        for (skip, until, range) in [(400_000, 400_001, 8888 ..< 8889), (323_990, 324_100, 7199 ..< 7203), (700_000, 720_000, 15_555 ..< 16_000)] {
            let t = jsonObject(try CLI.run(["tokens", dir.file("x.tqa"), "--json", "--skip", "\(skip)", "--until", "\(until)"]).stdout)
            #expect(t["channels"] as? [[Int]] == [Array(all[0][range])] && t["first_token"] as? Int == range.lowerBound, "\(skip)..<\(until)")
        }
        guard let whole = try SeekCLITests.decode(dir.file("x.tqa"), [], to: dir.file("whole.wav"), extra: w) else { return }
        let packets = try SeekCLITests.packets(dir.file("x.tqa"))
        #expect(packets.map(\.first) == [0, 324_000, 648_000])
        let exact: [([String], Range<Int>)] = [
            (["--until", "1"], 0 ..< 1),
            (["--skip", "324000", "--until", "+1"], 324_000 ..< 324_001),
            (["--skip", "647999", "--until", "648000"], 647_999 ..< 648_000),
        ]
        for (args, range) in exact {
            guard let part = try SeekCLITests.decode(dir.file("x.tqa"), args, to: dir.file("part.wav"), extra: w) else { continue }
            #expect(part.samples == whole.frames(range).samples, "\(args)")
        }
        // Packet 2 decoded after a fresh packet 1 rather than after packets 0 and 1.
        guard let part = try SeekCLITests.decode(dir.file("x.tqa"), ["--skip", "648000"], to: dir.file("part.wav"), extra: w) else { return }
        let want = whole.frames(648_000 ..< whole.frameCount)
        #expect(part.frameCount == want.frameCount)
        // README ("Seeking") states it: identical for 6kbps (0k75bps: 66.9 dB SNR, bench/sqcodec_seek.sh).
        let peak = zip(part.samples, want.samples).map { abs($0 - $1) }.max() ?? 0
        #expect(peak == 0, "a span after a fresh context packet differs from the full decode by up to \(peak)")
    }

    /// compare with a span cuts both files: a span's decode compared with the file it came from
    /// is identical over the span; a .tqa TEST is decoded and cut the same way.
    @Test func compareCutsBothSides() throws {
        let dir = try ScratchDirectory()
        #expect(try CLI.run(["synth", "--type", "demo", "--duration", "2", "--sample-rate", "16000", "--channels", "2", "-o", dir.file("in.wav")]).status == 0)
        #expect(try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa")]).status == 0)
        #expect(try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("whole.wav"), "--format", "f32"]).status == 0)
        let span = ["--skip", "0:00.5", "--until", "+8000"]
        let tqa = jsonObject(try CLI.run(["compare", dir.file("whole.wav"), dir.file("x.tqa"), "--json"] + span).stdout)
        #expect(tqa["frames"] as? Int == 8000 && tqa["snr_db"] is NSNull, "\(tqa)")
        let full = jsonObject(try CLI.run(["compare", dir.file("in.wav"), dir.file("whole.wav"), "--json"]).stdout)
        let part = jsonObject(try CLI.run(["compare", dir.file("in.wav"), dir.file("whole.wav"), "--json"] + span).stdout)
        #expect(part["frames"] as? Int == 8000 && full["frames"] as? Int == 32_000)
        #expect((part["snr_db"] as? Double) != (full["snr_db"] as? Double))
        let past = try CLI.run(["compare", dir.file("in.wav"), dir.file("whole.wav"), "--skip", "32000"])
        #expect(past.status == 1 && past.stderr.contains("is at or past the end of"), "\(past.stderr)")
    }

    /// From a FIFO, the packets before the span are read and discarded (a pipe cannot seek) and
    /// reading stops after the span: the span is the full decode's, even though the writer is
    /// cut off.
    @Test func spanFromAPipe() throws {
        signal(SIGPIPE, SIG_IGN)
        let dir = try ScratchDirectory()
        #expect(try CLI.run(["synth", "--type", "demo", "--duration", "4", "--sample-rate", "16000", "--channels", "2", "-o", dir.file("in.wav")]).status == 0)
        #expect(try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "spectral"]).status == 0)
        guard let whole = try SeekCLITests.decode(dir.file("x.tqa"), [], to: dir.file("whole.wav")) else { return }
        let fifo = dir.file("fifo.tqa")
        #expect(mkfifo(fifo, 0o644) == 0)
        let running = try CLI.start(["decode", fifo, "-o", dir.file("part.wav"), "--format", "f32", "--skip", "30000", "--until", "40000"])
        let fd = try InterruptTests().openWriter(fifo)
        _ = InterruptTests().writeAll(fd, readBytes(dir.file("x.tqa")))
        close(fd)
        let o = running.finish()
        #expect(o.status == 0, "\(o.stderr)")
        let part = try WAVReader.readAll(path: dir.file("part.wav"))
        #expect(part.samples == whole.frames(30_000 ..< 40_000).samples)
    }

    /// Metadata under a span: chunks that count sample positions (cue, smpl, LIST/adtl) are left
    /// out with a note, the others kept in place, also from the section at the end of a .tqa
    /// written from a pipe, which the span decode reaches by the packets' headers alone.
    @Test func spanKeepsMetadataButPositions() throws {
        let d = try ScratchDirectory()
        try writeBytes(MetadataCLITests.richWAV, to: d.file("in.wav"))
        #expect(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("file.tqa"), "--block", "64", "-q"]).status == 0)
        let fifo = d.file("in.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let bytes = MetadataCLITests.richWAV
        let writer = Thread { if let h = FileHandle(forWritingAtPath: fifo) { h.write(Data(bytes)); try? h.close() } }
        writer.start()
        #expect(try CLI.run(["encode", fifo, "-o", d.file("pipe.tqa"), "--block", "64", "-q"]).status == 0)
        let r = try TQAReader(path: d.file("pipe.tqa"))
        while try r.next() != nil {}
        #expect(!r.trailingMetadata.isEmpty)
        for name in ["file.tqa", "pipe.tqa"] {
            let o = try CLI.run(["decode", d.file(name), "-o", d.file("out.wav"), "--skip", "100", "--until", "200", "--force", "-q"])
            #expect(o.status == 0, "\(o.stderr)")
            #expect(o.stderr.contains("note: ") && o.stderr.contains("'cue ' (28 bytes), 'smpl' (60 bytes), 'LIST' (18 bytes)"), "\(name): \(o.stderr)")
            #expect(MetadataCLITests.chunks(readBytes(d.file("out.wav"))).map(\.id) == ["LIST", "bext", "iXML", "abc1", "data", "abc2", "id3 "], "\(name)")
            #expect(try WAVReader.readAll(path: d.file("out.wav")).frameCount == 100)
        }
    }
}
