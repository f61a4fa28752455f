import Foundation
import Testing
import TQAudio
import TQContainer
#if canImport(Glibc)
import Glibc
#endif

/// Outputs that are not regular files: FIFOs, character devices and `/dev/stdout` are written in
/// place (never replaced by a regular file), and what reaches their reader is a valid file.
///
/// These tests run as root on some machines: nothing here may replace a device. Devices are
/// first reached through a symlink in a scratch directory (replacing the symlink harms nothing);
/// `/dev/null` itself is used only once the symlink has been written through, not replaced.
@Suite(.serialized) struct OutputTargetTests {
    func expectSuccess(_ o: CLI.Output, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 0 && !o.crashed, "\(what): exit status \(o.status), stderr: \(o.stderr)", sourceLocation: sourceLocation)
    }

    func fileType(_ path: String, follow: Bool) -> mode_t? {
        var st = stat()
        return (follow ? stat(path, &st) : lstat(path, &st)) == 0 ? st.st_mode & S_IFMT : nil
    }

    /// A short noise WAV, its .tqa and the .tqa decoded to a regular file.
    func fixture(_ d: ScratchDirectory) throws {
        expectSuccess(try CLI.run(["synth", "--type", "noise", "--amplitude", "0.3", "--duration", "0.7", "--channels", "2",
                                   "--spikes", "0", "-o", d.file("a.wav")]), "synth")
        expectSuccess(try CLI.run(["encode", d.file("a.wav"), "-o", d.file("a.tqa"), "--threads", "1"]), "encode")
        expectSuccess(try CLI.run(["decode", d.file("a.tqa"), "-o", d.file("ref.wav"), "--threads", "1"]), "decode")
    }

    /// Runs `tqa args…` whose output is the FIFO `fifo`, reading the FIFO while it runs.
    ///
    /// The FIFO is opened for reading (non-blocking) before the tool starts, so the tool's open for
    /// writing never waits; reading stops once the tool has exited and the FIFO is drained.
    func runReadingFIFO(_ args: [String], fifo: String) throws -> (CLI.Output, [UInt8]) {
        let fd = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(fd >= 0)
        defer { close(fd) }
        let running = try CLI.start(args)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let exited = !running.process.isRunning
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { bytes += chunk[0..<n]; continue }
            if exited { break }  // exited before this read: everything it wrote has been read
            usleep(2_000)
        }
        return (running.finish(), bytes)
    }

    func audio(_ bytes: [UInt8]) -> (WAVFormat, AudioBuffer)? {
        guard let r = try? WAVReader(bytes: bytes), let x = try? r.readAll() else { return nil }
        return (r.format, x)
    }

    /// Equal audio, compared without printing every sample on failure.
    func same(_ a: AudioBuffer?, _ b: AudioBuffer) -> Bool { a == b }

    @Test func aFIFOOutputIsWrittenInPlaceForItsReader() throws {
        let d = try ScratchDirectory()
        try fixture(d)
        let reference = try #require(audio(readBytes(d.file("ref.wav"))))
        let fifo = d.file("out.fifo")
        #expect(mkfifo(fifo, 0o644) == 0)
        for force in [[], ["--force"]] {
            let (o, bytes) = try runReadingFIFO(["decode", d.file("a.tqa"), "-o", fifo, "--threads", "1", "-q"] + force, fifo: fifo)
            expectSuccess(o, "decode to a FIFO \(force)")
            #expect(fileType(fifo, follow: false) == S_IFIFO, "the FIFO was replaced (\(force))")
            let got = audio(bytes)
            #expect(same(got?.1, reference.1), "the reader got \(bytes.count) bytes, not the decoded audio (\(force))")
            // The .tqa header knows the frame count, so the WAV header is exact from the start.
            #expect(got?.0.frameCount == reference.1.frameCount)
        }
        // encode to a FIFO: the header cannot be patched; the stream still decodes to the same audio.
        let (o, tqa) = try runReadingFIFO(["encode", d.file("a.wav"), "-o", fifo, "--threads", "1", "-q"], fifo: fifo)
        expectSuccess(o, "encode to a FIFO")
        #expect(fileType(fifo, follow: false) == S_IFIFO, "the FIFO was replaced by encode")
        try writeBytes(tqa, to: d.file("fifo.tqa"))
        expectSuccess(try CLI.run(["decode", d.file("fifo.tqa"), "-o", d.file("fifo.wav"), "--threads", "1"]), "decode of the FIFO's .tqa")
        #expect(same(audio(readBytes(d.file("fifo.wav")))?.1, reference.1))
        #expect(d.contents() == ["a.tqa", "a.wav", "fifo.tqa", "fifo.wav", "out.fifo", "ref.wav"], "\(d.contents())")
    }

    @Test func devNullIsWrittenInPlaceWithOrWithoutForce() throws {
        let d = try ScratchDirectory()
        try fixture(d)
        let link = d.file("null.wav")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/null")
        var runs: [(String, [String])] = []
        for force in [[], ["--force"]] {
            runs.append(("decode", ["decode", d.file("a.tqa"), "-o", link, "-q"] + force))
            runs.append(("encode", ["encode", d.file("a.wav"), "-o", link, "-q"] + force))
        }
        for (what, args) in runs {
            expectSuccess(try CLI.run(args), "\(what) to a symlink to /dev/null \(args.last!)")
            #expect(fileType(link, follow: false) == S_IFLNK, "\(what) replaced the symlink to /dev/null")
        }
        #expect(fileType("/dev/null", follow: false) == S_IFCHR)
        // Only once writing through the symlink is known not to replace it, /dev/null itself.
        guard fileType(link, follow: false) == S_IFLNK else { return }
        for (what, args) in runs {
            let direct = args.map { $0 == link ? "/dev/null" : $0 }
            expectSuccess(try CLI.run(direct), "\(what) to /dev/null \(args.last!)")
            #expect(fileType("/dev/null", follow: false) == S_IFCHR, "/dev/null is no longer a character device")
        }
        #expect(d.contents() == ["a.tqa", "a.wav", "null.wav", "ref.wav"], "\(d.contents())")
    }

    @Test func devStdoutOnAPipeGetsTheWholeFile() throws {
        let d = try ScratchDirectory()
        try fixture(d)
        let reference = try #require(audio(readBytes(d.file("ref.wav"))))
        let o = try CLI.run(["decode", d.file("a.tqa"), "-o", "/dev/stdout", "--threads", "1", "-q"])
        expectSuccess(o, "decode to /dev/stdout")
        let got = audio(o.stdoutBytes)
        #expect(same(got?.1, reference.1), "stdout held \(o.stdoutBytes.count) bytes, not the decoded audio")
        #expect(got?.0.frameCount == reference.1.frameCount)

        let e = try CLI.run(["encode", d.file("a.wav"), "-o", "/dev/stdout", "--threads", "1", "-q"])
        expectSuccess(e, "encode to /dev/stdout")
        #expect(e.stdoutBytes.prefix(4) == [0x54, 0x51, 0x41, 0x1A])
        // Its header's frame count is unknown (it could not be patched); decoding it to a pipe, the
        // WAV header cannot know the length either: a streaming header, read to end of input.
        try writeBytes(e.stdoutBytes, to: d.file("piped.tqa"))
        let header = try? TQAHeader.decode(e.stdoutBytes).0
        #expect(header?.frameCount == TQAHeader.unknownFrameCount)
        let s = try CLI.run(["decode", d.file("piped.tqa"), "-o", "/dev/stdout", "--threads", "1", "-q"])
        expectSuccess(s, "decode of an unknown-length stream to /dev/stdout")
        let streamed = audio(s.stdoutBytes)
        #expect(same(streamed?.1, reference.1))
        #expect(streamed != nil && streamed?.0.frameCount == nil, "expected a streaming header (data size 0xFFFFFFFF)")
        #expect(d.contents() == ["a.tqa", "a.wav", "piped.tqa", "ref.wav"], "\(d.contents())")
    }

    /// An output created by someone else while `encode` runs is not replaced (the input is a FIFO
    /// the test feeds, so the destination appears mid-run for certain).
    @Test func anOutputThatAppearsDuringARunIsNotReplaced() throws {
        signal(SIGPIPE, SIG_IGN)
        let d = try ScratchDirectory()
        let input = d.file("in.wav"), output = d.file("late.tqa")
        #expect(mkfifo(input, 0o644) == 0)
        let running = try CLI.start(["encode", input, "-o", output, "--threads", "1"])
        let fd = try InterruptTests().openWriter(input)
        #expect(InterruptTests().writeAll(fd, InterruptTests.streamingHeader))
        // More than a pipe holds (64 KiB): the encoder has read samples, so its output is open.
        let chunk = [UInt8](repeating: 0x11, count: 1 << 16)
        for _ in 0..<4 { #expect(InterruptTests().writeAll(fd, chunk)) }
        try writeBytes([7, 7, 7], to: output)
        #expect(InterruptTests().writeAll(fd, chunk))
        close(fd)
        let o = running.finish()
        #expect(o.status == 1 && o.stderr.hasPrefix("error: ") && o.stderr.contains("exists"), "status \(o.status), stderr: \(o.stderr)")
        #expect(readBytes(output) == [7, 7, 7], "the output that appeared mid-run was replaced")
        #expect(d.contents() == ["in.wav", "late.tqa"], "\(d.contents())")
    }
}
