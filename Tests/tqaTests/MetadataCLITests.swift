import Foundation
import Testing
import TQAudio
import TQContainer

/// WAV metadata through `tqa encode` and `tqa decode` (issue 14, item 6): every chunk other than
/// the audio's own comes back byte for byte and in place; `--no-metadata`; `info`; damaged and
/// forged metadata sections; pipes.
@Suite(.serialized) struct MetadataCLITests {
    func expectSuccess(_ o: CLI.Output, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 0 && !o.crashed, "exit status \(o.status), stderr: \(o.stderr)", sourceLocation: sourceLocation)
    }

    func expectError(_ o: CLI.Output, contains: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 1 && !o.crashed, "exit status \(o.status), stderr: \(o.stderr)", sourceLocation: sourceLocation)
        #expect(o.stderr.hasPrefix("error: ") && o.stderr.contains(contains), "stderr: \(o.stderr)", sourceLocation: sourceLocation)
    }

    static func u32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func chunk(_ id: String, _ body: [UInt8], declaredSize: Int? = nil) -> [UInt8] {
        Array(id.utf8) + u32(declaredSize ?? body.count) + body + (body.count % 2 == 1 ? [0] : [])
    }
    static func riff(_ chunks: [[UInt8]]) -> [UInt8] {
        let body = chunks.reduce([], +)
        return Array("RIFF".utf8) + u32(body.count + 4) + Array("WAVE".utf8) + body
    }
    static let fmt: [UInt8] = [1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0]  // PCM mono 8 kHz s16

    /// 4000 frames of seeded s16 noise.
    static let data: [UInt8] = {
        var g = SplitMix64(seed: 0x6D65_7461)
        return (0..<4000).flatMap { _ in u32(Int(Int16.random(in: -8000...8000, using: &g))).prefix(2) }
    }()

    static func info(_ tags: [(String, String)]) -> [UInt8] {
        Array("INFO".utf8) + tags.flatMap { chunk($0.0, Array($0.1.utf8) + [0]) }
    }
    static let cue: [UInt8] = u32(1) + u32(1) + u32(1200) + Array("data".utf8) + u32(0) + u32(0) + u32(1200)
    static let bext: [UInt8] = (0..<602).map { UInt8($0 % 253) }

    /// A WAV with LIST/INFO, bext, iXML, cue, smpl and unknown chunks before and after `data`.
    static let richWAV: [UInt8] = riff([
        chunk("LIST", info([("INAM", "Round trip"), ("IART", "tqa")])), chunk("fmt ", fmt), chunk("bext", bext),
        chunk("iXML", Array("<BWFXML><SCENE>7</SCENE></BWFXML>".utf8)), chunk("cue ", cue), chunk("abc1", [1, 2, 3]),
        chunk("data", data), chunk("smpl", [UInt8](repeating: 9, count: 60)), chunk("LIST", Array("adtl".utf8) + chunk("labl", u32(1) + Array("x\0".utf8))),
        chunk("abc2", [4, 5, 6, 7, 8]), chunk("id3 ", Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0]),
    ])

    /// The chunks of a WAV file in order, `data` as a marker (empty body), without the chunks
    /// that are the writer's own (`fmt `, `fact`, `JUNK`).
    static func chunks(_ b: [UInt8]) -> [(id: String, body: [UInt8])] {
        var out: [(String, [UInt8])] = []
        var i = 12
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<i + 4], as: UTF8.self)
            let n = Int(b[i + 4]) | Int(b[i + 5]) << 8 | Int(b[i + 6]) << 16 | Int(b[i + 7]) << 24
            if !["fmt ", "fact", "JUNK"].contains(id) { out.append((id, id == "data" ? [] : Array(b[min(b.count, i + 8) ..< min(b.count, i + 8 + n)]))) }
            i += 8 + n + (n & 1)
        }
        return out
    }

    func expectSameChunks(_ a: [UInt8], _ b: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let x = Self.chunks(a), y = Self.chunks(b)
        #expect(x.map(\.id) == y.map(\.id), sourceLocation: sourceLocation)
        #expect(x.map(\.body) == y.map(\.body), "chunk bodies differ", sourceLocation: sourceLocation)
    }

    @Test(arguments: [["--codec", "turbo"], ["--codec", "spectral", "--bits-per-sample", "2"]])
    func everyChunkComesBackInPlace(codec: [String]) throws {
        let d = try ScratchDirectory()
        try writeBytes(Self.richWAV, to: d.file("in.wav"))
        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "-q"] + codec))
        expectSuccess(try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("out.wav"), "-q"]))
        let out = readBytes(d.file("out.wav"))
        expectSameChunks(Self.richWAV, out)
        #expect(Self.chunks(out).map(\.id) == ["LIST", "bext", "iXML", "cue ", "abc1", "data", "smpl", "LIST", "abc2", "id3 "])
        // The RIFF size counts them all.
        #expect(Int(out[4]) | Int(out[5]) << 8 | Int(out[6]) << 16 | Int(out[7]) << 24 == out.count - 8)
        // A second round trip gives the same file.
        expectSuccess(try CLI.run(["encode", d.file("out.wav"), "-o", d.file("y.tqa"), "-q"] + codec))
        expectSuccess(try CLI.run(["decode", d.file("y.tqa"), "-o", d.file("out2.wav"), "-q"]))
        expectSameChunks(out, readBytes(d.file("out2.wav")))
    }

    @Test func ffmpegTagsBextAndCuePointsRoundTrip() throws {
        guard let ffmpeg = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg", "/opt/homebrew/bin/ffmpeg"].first(where: FileManager.default.isExecutableFile) else {
            print("MetadataCLITests: ffmpeg not installed; the ffmpeg round trip is skipped")
            return
        }
        let d = try ScratchDirectory()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        p.arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5:sample_rate=22050",
                       "-metadata", "title=Sine à 440", "-metadata", "artist=ffmpeg", "-metadata", "comment=made for a test",
                       "-metadata", "description=bext description", "-metadata", "originator=tqa tests",
                       "-write_bext", "1", "-c:a", "pcm_s16le", d.file("ff.wav")]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        var wav = readBytes(d.file("ff.wav"))
        #expect(Self.chunks(wav).map(\.id).contains("bext"))
        // Two cue points after the audio, as Audacity and Sound Forge place them.
        let cue = Self.u32(2) + Self.u32(1) + Self.u32(0) + Array("data".utf8) + Self.u32(0) + Self.u32(0) + Self.u32(0)
            + Self.u32(2) + Self.u32(5000) + Array("data".utf8) + Self.u32(0) + Self.u32(0) + Self.u32(5000)
        wav += Self.chunk("cue ", cue)
        wav.replaceSubrange(4..<8, with: Self.u32(wav.count - 8))
        try writeBytes(wav, to: d.file("in.wav"))

        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "-q"]))
        expectSuccess(try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("out.wav"), "--format", "source", "-q"]))
        expectSameChunks(wav, readBytes(d.file("out.wav")))
        let info = try CLI.run(["info", d.file("x.tqa")])
        expectSuccess(info)
        #expect(info.stdout.contains("title=\"Sine à 440\""), "\(info.stdout)")
        #expect(info.stdout.contains("artist=ffmpeg"))
        #expect(info.stdout.contains("'cue ' 52 bytes after data"), "\(info.stdout)")
    }

    @Test func noMetadataDropsEveryChunk() throws {
        let d = try ScratchDirectory()
        try writeBytes(Self.richWAV, to: d.file("in.wav"))
        try writeBytes(Self.riff([Self.chunk("fmt ", Self.fmt), Self.chunk("data", Self.data)]), to: d.file("plain.wav"))
        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "--no-metadata", "-q"]))
        expectSuccess(try CLI.run(["encode", d.file("plain.wav"), "-o", d.file("plain.tqa"), "-q"]))
        // The same bytes as a WAV that never had any: format version 1, no section.
        #expect(readBytes(d.file("x.tqa")) == readBytes(d.file("plain.tqa")))
        #expect(readBytes(d.file("x.tqa"))[4] == 1)
        expectSuccess(try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("out.wav"), "-q"]))
        #expect(Self.chunks(readBytes(d.file("out.wav"))).map(\.id) == ["data"])
    }

    @Test func infoShowsTagsEscapedAndListsChunks() throws {
        let d = try ScratchDirectory()
        let wav = Self.riff([Self.chunk("fmt ", Self.fmt),
                             Self.chunk("LIST", Self.info([("INAM", "red \u{1B}[31mtitle"), ("IART", "Someone\u{202E}")])),
                             Self.chunk("bext", Self.bext), Self.chunk("data", Self.data)])
        try writeBytes(wav, to: d.file("in.wav"))
        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "-q"]))
        for file in ["in.wav", "x.tqa"] {
            let o = try CLI.run(["info", d.file(file)])
            expectSuccess(o)
            #expect(o.stdout.contains("title=\"red \\u{1B}[31mtitle\""), "\(file): \(o.stdout)")
            #expect(o.stdout.contains("artist=Someone\\u{202E}"), "\(file): \(o.stdout)")
            #expect(!o.stdout.contains("\u{1B}") && !o.stdout.contains("\u{202E}"))
            #expect(o.stdout.contains("'LIST' INFO 48 bytes before data, 'bext' 602 bytes before data"), "\(file): \(o.stdout)")
            let j = jsonObject(try CLI.run(["info", "--json", d.file(file)]).stdout)
            #expect((j["tags"] as? [String: String])?["title"] == "red \u{1B}[31mtitle")
            #expect((j["chunks"] as? [[String: Any]])?.map { $0["id"] as? String } == ["LIST", "bext"])
        }
    }

    /// Offset of the first metadata section in a .tqa file.
    func sectionOffset(_ b: [UInt8]) -> Int? {
        (0 ..< b.count - 4).first { b[$0] == 0x54 && b[$0 + 1] == 0x51 && b[$0 + 2] == 0x41 && b[$0 + 3] == 0x4D }
    }

    @Test func damagedMetadataIsRefusedAndSalvageKeepsTheAudio() throws {
        let d = try ScratchDirectory()
        try writeBytes(Self.richWAV, to: d.file("in.wav"))
        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "-q"]))
        expectSuccess(try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("clean.wav"), "-q"]))
        var b = readBytes(d.file("x.tqa"))
        let at = try #require(sectionOffset(b))
        b[at + 40] ^= 0x01
        try writeBytes(b, to: d.file("bad.tqa"))
        let strict = try CLI.run(["decode", d.file("bad.tqa"), "-o", d.file("bad.wav")])
        expectError(strict, contains: "metadata section at byte \(at) is damaged")
        #expect(strict.stderr.contains("--salvage"))
        #expect(!FileManager.default.fileExists(atPath: d.file("bad.wav")))
        let info = try CLI.run(["info", d.file("bad.tqa")])
        #expect(info.status == 1 && info.stderr.contains("metadata section"))

        let salvage = try CLI.run(["decode", "--salvage", d.file("bad.tqa"), "-o", d.file("salvaged.wav"), "-q"])
        expectSuccess(salvage)
        let clean = try WAVReader.readAll(path: d.file("clean.wav"))
        #expect(try WAVReader.readAll(path: d.file("salvaged.wav")) == clean)
        #expect(Self.chunks(readBytes(d.file("salvaged.wav"))).map(\.id) == ["data"])
    }

    @Test func forgedMetadataSizeIsRefusedQuickly() throws {
        let d = try ScratchDirectory()
        try writeBytes(Self.richWAV, to: d.file("in.wav"))
        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "-q"]))
        let good = readBytes(d.file("x.tqa"))
        let at = try #require(sectionOffset(good))
        for (length, message) in [(0xFFFF_FFFF, "declares 4294967295 bytes (limit"), (MetadataSection.maxBodyBytes, "truncated")] {
            var b = good
            b.replaceSubrange(at + 4 ..< at + 8, with: Self.u32(length))
            try writeBytes(b, to: d.file("forged.tqa"))
            let start = Date()
            expectError(try CLI.run(["decode", d.file("forged.tqa"), "-o", d.file("f.wav")]), contains: message)
            #expect(Date().timeIntervalSince(start) < 10)
            #expect(!FileManager.default.fileExists(atPath: d.file("f.wav")))
        }
    }

    @Test func wavWithAnAbsurdChunkSizeIsRefused() throws {
        let d = try ScratchDirectory()
        let wav = Self.riff([Self.chunk("fmt ", Self.fmt), Self.chunk("LIST", Self.info([("INAM", "x")]), declaredSize: 0xFFFF_FFF0),
                             Self.chunk("data", Self.data)])
        try writeBytes(wav, to: d.file("in.wav"))
        expectError(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa")]), contains: "no 'data' chunk")
        #expect(!FileManager.default.fileExists(atPath: d.file("x.tqa")))
    }

    @Test func pipedInputKeepsTheChunksAfterTheAudio() throws {
        let d = try ScratchDirectory()
        let fifo = d.file("in.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let bytes = Self.richWAV
        let writer = Thread {
            if let h = FileHandle(forWritingAtPath: fifo) { h.write(Data(bytes)); try? h.close() }
        }
        writer.start()
        expectSuccess(try CLI.run(["encode", fifo, "-o", d.file("x.tqa"), "-q"]))
        // The chunks after `data` were read last, and stored at the end of the .tqa.
        let r = try TQAReader(path: d.file("x.tqa"))
        while try r.next() != nil {}
        #expect(r.leadingMetadata.map(\.name) == ["LIST", "bext", "iXML", "cue ", "abc1"])
        #expect(r.trailingMetadata.map(\.name) == ["smpl", "LIST", "abc2", "id3 "])
        expectSuccess(try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("out.wav"), "-q"]))
        expectSameChunks(Self.richWAV, readBytes(d.file("out.wav")))
    }

    @Test func sqcodecAtTheModelRateLeavesOutChunksThatCountSamples() throws {
        let d = try ScratchDirectory()
        let weights = d.file("w6")
        expectSuccess(try CLI.run(["models", "--random-weights", weights, "--model", "6kbps", "--seed", "3"]))
        try writeBytes(Self.richWAV, to: d.file("in.wav"))  // 8 kHz; the model runs at 16 kHz
        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "--codec", "sqcodec", "--model", "6kbps",
                                   "--weights", weights, "-q"]))
        let model = try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("model.wav"), "--weights", weights, "-q"])
        expectSuccess(model)
        #expect(model.stderr.contains("note: ") && model.stderr.contains("'cue ' (28 bytes), 'smpl' (60 bytes), 'LIST' (18 bytes)")
                && model.stderr.contains("--rate source"), "\(model.stderr)")
        #expect(Self.chunks(readBytes(d.file("model.wav"))).map(\.id) == ["LIST", "bext", "iXML", "abc1", "data", "abc2", "id3 "])
        let source = try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("source.wav"), "--weights", weights, "--rate", "source", "-q"])
        expectSuccess(source)
        #expect(!source.stderr.contains("note: "))
        expectSameChunks(Self.richWAV, readBytes(d.file("source.wav")))
    }

    /// Decoding to a FIFO: the header sent ahead is exact (the .tqa knows its frame count), so the
    /// chunks after the audio fit and are counted in the RIFF size.
    @Test func decodeToAFIFOKeepsChunksAfterTheAudio() throws {
        let d = try ScratchDirectory()
        try writeBytes(Self.richWAV, to: d.file("in.wav"))
        expectSuccess(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "-q"]))
        let fifo = d.file("out.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        final class Box: @unchecked Sendable { var bytes: [UInt8] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            if let h = FileHandle(forReadingAtPath: fifo) { box.bytes = [UInt8](h.readDataToEndOfFile()); try? h.close() }
            done.signal()
        }
        reader.start()
        let o = try CLI.run(["decode", d.file("x.tqa"), "-o", fifo, "-q"])
        expectSuccess(o)
        #expect(done.wait(timeout: .now() + 60) == .success)
        let out = box.bytes
        expectSameChunks(Self.richWAV, out)
        #expect(out.count > 8 && Int(out[4]) | Int(out[5]) << 8 | Int(out[6]) << 16 | Int(out[7]) << 24 == out.count - 8)
    }

    /// From a pipe to a pipe: the chunks after `data` are only known at the end, and the .tqa
    /// header has already gone, so it says version 2 from the start and the closing section holds
    /// them.
    @Test func pipeToPipeEncodeKeepsTheChunksAfterTheAudio() throws {
        let d = try ScratchDirectory()
        let (input, output) = (d.file("in.fifo"), d.file("out.fifo"))
        #expect(mkfifo(input, 0o600) == 0 && mkfifo(output, 0o600) == 0)
        final class Box: @unchecked Sendable { var bytes: [UInt8] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let bytes = Self.richWAV
        Thread { if let h = FileHandle(forWritingAtPath: input) { h.write(Data(bytes)); try? h.close() } }.start()
        Thread {
            if let h = FileHandle(forReadingAtPath: output) { box.bytes = [UInt8](h.readDataToEndOfFile()); try? h.close() }
            done.signal()
        }.start()
        expectSuccess(try CLI.run(["encode", input, "-o", output, "-q"]))
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(box.bytes.count > 6 && box.bytes[4] == 2, "format version 2 announced")
        try writeBytes(box.bytes, to: d.file("x.tqa"))
        expectSuccess(try CLI.run(["decode", d.file("x.tqa"), "-o", d.file("out.wav"), "-q"]))
        expectSameChunks(Self.richWAV, readBytes(d.file("out.wav")))
    }
}
