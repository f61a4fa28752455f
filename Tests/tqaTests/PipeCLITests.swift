import Foundation
import Testing
import TQAudio
import TQContainer
#if canImport(Glibc)
import Glibc
#endif

/// `-` for standard input and output (issue 14.2): streamed WAVs of unknown length in, a .tqa or
/// an exact WAV out, nothing but data on stdout, and audio on the pipe as it is decoded.
@Suite(.serialized) struct PipeCLITests {
    /// Seeded noise, `seconds` long.
    func noise(seconds: Double, rate: Int = 16_000, channels: Int = 1, seed: UInt64) -> AudioBuffer {
        var rng = SplitMix64(seed: seed)
        let n = Int(seconds * Double(rate))
        return AudioBuffer(sampleRate: rate, channels: (0..<channels).map { _ in rng.noise(n, sigma: 0.1) })
    }

    func samples(_ path: String) -> [Float]? { try? WAVReader.readAll(path: path).samples }

    @Test(arguments: [UInt32(0xFFFF_FFFF), 0])
    func stdinEncodeOfAStreamedWAVWithUnknownSizes(unknownSize: UInt32) throws {
        let d = try ScratchDirectory()
        let seed: UInt64 = 21
        let x = noise(seconds: 3, channels: 2, seed: seed)
        try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: d.file("ref.wav"))
        #expect(try CLI.run(["encode", d.file("ref.wav"), "-o", d.file("ref.tqa"), "--threads", "1", "-q"]).status == 0)

        // --no-metadata: the stream's LIST/INFO chunk (ffmpeg's ISFT) is not in ref.wav.
        let p = try PipedCLI(["encode", "-", "-o", d.file("piped.tqa"), "--threads", "1", "--no-metadata"])
        #expect(p.write(streamedWAV(x, unknownSize: unknownSize)))
        let o = p.finish()
        #expect(o.status == 0, "seed \(seed), size field \(unknownSize): \(o.stderr)")
        #expect(o.stdout.isEmpty, "stdout carries no data here, so nothing at all: \(o.stdout.count) bytes")
        #expect(o.stderr.contains("piped.tqa: turbo"), "the summary goes to stderr: \(o.stderr)")
        // Every sample read, none invented: the same stream as encoding the file.
        let same = readBytes(d.file("piped.tqa")) == readBytes(d.file("ref.tqa"))
        #expect(same, "seed \(seed), size field \(unknownSize): stdin and file encodes differ")

        // Standard input to standard output: a .tqa on stdout and nothing else.
        let q = try PipedCLI(["encode", "-", "--threads", "1"])
        #expect(q.write(streamedWAV(x, unknownSize: unknownSize)))
        let r = q.finish()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.prefix(4) == TQAHeader.magic[...], "stdout does not start with a .tqa header")
        try writeBytes(r.stdout, to: d.file("stdout.tqa"))
        #expect(try CLI.run(["test", d.file("stdout.tqa")]).status == 0)
        // The tag read from the pipe is kept (issue 14.6), the audio is the file's.
        #expect(try CLI.run(["info", d.file("stdout.tqa")]).stdout.contains("Lavf61.7.100"))
        #expect(try CLI.run(["decode", d.file("stdout.tqa"), "-o", d.file("a.wav"), "-q"]).status == 0)
        #expect(try CLI.run(["decode", d.file("ref.tqa"), "-o", d.file("b.wav"), "-q"]).status == 0)
        #expect(samples(d.file("a.wav")) != nil && samples(d.file("a.wav")) == samples(d.file("b.wav")))
    }

    @Test func ffmpegPipeIntoEncode() throws {
        guard which("ffmpeg") != nil else {
            print("PipeCLITests: ffmpeg is not on PATH; the ffmpeg pipe case is skipped")
            return
        }
        let d = try ScratchDirectory()
        let x = noise(seconds: 2, rate: 44_100, channels: 2, seed: 5)
        try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: d.file("in.wav"))
        let o = try shell("ffmpeg -v error -i in.wav -f wav - | \"$TQA\" encode - -o piped.tqa --threads 1", in: d.path)
        #expect(o.status == 0, "\(o.stderr)")
        #expect(try CLI.run(["encode", d.file("in.wav"), "-o", d.file("file.tqa"), "--threads", "1", "-q"]).status == 0)
        #expect(try CLI.run(["decode", d.file("piped.tqa"), "-o", d.file("piped.wav"), "-q"]).status == 0)
        #expect(try CLI.run(["decode", d.file("file.tqa"), "-o", d.file("file.wav"), "-q"]).status == 0)
        let a = samples(d.file("piped.wav")), b = samples(d.file("file.wav"))
        #expect(a != nil && a == b, "ffmpeg's streamed WAV encodes to other audio than the file")
    }

    /// `-o -` into a reader: the WAV on stdout has the exact header (the .tqa knows its length),
    /// and is the decoded file; ffmpeg, when installed, reads it from the pipe too.
    @Test func decodeToStdoutPipedIntoAReader() throws {
        let d = try ScratchDirectory()
        let x = noise(seconds: 2, seed: 8)
        try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: d.file("in.wav"))
        #expect(try CLI.run(["encode", d.file("in.wav"), "-q"]).status == 0)
        #expect(try CLI.run(["decode", d.file("in.tqa"), "-o", d.file("ref.wav"), "-q"]).status == 0)
        let o = try CLI.run(["decode", d.file("in.tqa"), "-o", "-"])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(o.stderr.contains("frames"), "the summary goes to stderr: \(o.stderr)")
        let r = try WAVReader(bytes: o.stdoutBytes)
        #expect(r.format.frameCount == x.frameCount, "the WAV header on a pipe should be exact")
        #expect((try? r.readAll().samples) == samples(d.file("ref.wav")), "stdout is not the decoded audio")
        // From standard input, to standard output.
        let p = try PipedCLI(["decode", "-"])
        #expect(p.write(readBytes(d.file("in.tqa"))))
        let s = p.finish()
        #expect(s.status == 0, "\(s.stderr)")
        let fromStdin = (try? WAVReader.readAll(bytes: s.stdout).samples) == samples(d.file("ref.wav"))
        #expect(fromStdin, "decode - -o - gave other audio")
        if which("ffmpeg") != nil {
            let f = try shell("\"$TQA\" decode in.tqa -o - | ffmpeg -v error -f wav -i - -f s16le -", in: d.path)
            #expect(f.status == 0, "\(f.stderr)")
            let same = f.stdout == Array(readBytes(d.file("ref.wav")).suffix(x.frameCount * 2))
            #expect(same, "ffmpeg read other samples from the pipe (\(f.stdout.count) bytes)")
        } else {
            print("PipeCLITests: ffmpeg is not on PATH; reading the pipe with ffmpeg is skipped")
        }
    }

    /// Audio reaches the pipe as it is decoded: with the last fifth of a long .tqa held back on
    /// stdin, the decode cannot have ended, yet its first 256 KB of audio are on stdout.
    @Test(arguments: [["--bits", "4"], ["--codec", "spectral", "--bits-per-sample", "2"]])
    func decodeStreamsToThePipeBeforeTheInputEnds(codec: [String]) throws {
        let d = try ScratchDirectory()
        // 60 s of 16 kHz noise: 1.9 MB of audio.
        let x = noise(seconds: 60, seed: 13)
        try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: d.file("long.wav"))
        #expect(try CLI.run(["encode", d.file("long.wav"), "-o", d.file("long.tqa"), "-q"] + codec).status == 0)
        #expect(try CLI.run(["decode", d.file("long.tqa"), "-o", d.file("whole.wav"), "-q"]).status == 0)
        let bytes = readBytes(d.file("long.tqa"))
        let held = bytes.count / 5

        let p = try PipedCLI(["decode", "-", "-o", "-", "--threads", "1"])
        let start = Date()
        #expect(p.write(Array(bytes[..<(bytes.count - held)])))
        let first = p.waitForOutput(1, seconds: 60)
        let firstAfter = Date().timeIntervalSince(start)
        let early = p.waitForOutput(262_144, seconds: 60)
        #expect(p.process.isRunning, "\(codec): the decode ended before its input did")
        #expect(first > 0 && early >= 262_144, "\(codec): only \(early) bytes on stdout while the input was held back")
        print("PipeCLITests: \(codec.joined(separator: " ")): first bytes on the pipe after \(fmt3(firstAfter)) s (input written by then), \(early) bytes before the input ended")
        #expect(p.write(Array(bytes[(bytes.count - held)...])))
        let o = p.finish()
        #expect(o.status == 0, "\(o.stderr)")
        // On a pipe the header is written first and exact (no JUNK chunk kept for a later patch).
        let streamed = try WAVReader(bytes: o.stdout)
        #expect(streamed.format.frameCount == x.frameCount, "\(codec): the WAV header on the pipe is not exact")
        let same = (try? streamed.readAll().samples) == samples(d.file("whole.wav"))
        #expect(same, "\(codec): the streamed WAV differs from decoding the file")
    }

    @Test func infoTestAndTokensReadStandardInput() throws {
        let d = try ScratchDirectory()
        try writeBytes(WAVWriter.bytes(of: noise(seconds: 1, seed: 3), format: .s16), to: d.file("a.wav"))
        #expect(try CLI.run(["encode", d.file("a.wav"), "-q"]).status == 0)
        let tqa = readBytes(d.file("a.tqa"))
        let info = try PipedCLI(["info", "-", "--json"])
        info.write(tqa)
        let i = info.finish()
        let o = jsonObject(String(decoding: i.stdout, as: UTF8.self))
        #expect(i.status == 0 && o["codec"] as? String == "turbo" && o["integrity"] as? String == "ok", "\(i.stderr)")
        let test = try PipedCLI(["test", "-"])
        test.write(tqa)
        let t = test.finish()
        #expect(t.status == 0 && t.stdout.isEmpty && t.stderr.contains("ok"), "\(t.stderr)")
        var damaged = tqa
        damaged[damaged.count / 2] ^= 0x40
        let bad = try PipedCLI(["test", "-"])
        bad.write(damaged)
        let b = bad.finish()
        #expect(b.status == 1 && b.stderr.contains("damaged"), "\(b.stderr)")
        let tokens = try PipedCLI(["tokens", "-"])
        tokens.write(tqa)
        let k = tokens.finish()
        #expect(k.status == 1 && k.stderr.contains("tokens are for sqcodec and l3ac files"), "tokens read the turbo file from stdin: \(k.stderr)")
    }

    /// Standard output a socket (inetd, socat): Linux does not reopen a socket through
    /// /dev/stdout, so the descriptor itself is written.
    @Test func decodeToASocket() throws {
        let d = try ScratchDirectory()
        try writeBytes(WAVWriter.bytes(of: noise(seconds: 1, seed: 4), format: .s16), to: d.file("a.wav"))
        #expect(try CLI.run(["encode", d.file("a.wav"), "-q"]).status == 0)
        #expect(try CLI.run(["decode", d.file("a.tqa"), "-o", d.file("ref.wav"), "-q"]).status == 0)
        var sv: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sv) == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["decode", d.file("a.tqa"), "-o", "-", "-q"]
        p.standardOutput = FileHandle(fileDescriptor: sv[0], closeOnDealloc: false)
        p.standardError = FileHandle.nullDevice
        try p.run()
        close(sv[0])
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(sv[1], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            got += buffer[0..<n]
        }
        close(sv[1])
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let same = (try? WAVReader.readAll(bytes: got).samples) == samples(d.file("ref.wav"))
        #expect(same, "the socket got \(got.count) bytes, not the decoded audio")
    }

    @Test func terminalsAndMisuseAreRefused() throws {
        let both = try CLI.run(["encode", "-", "-"])
        #expect(both.status == 64 && both.stderr.contains("must be the only input"), "\(both.stderr)")
        let dir = try CLI.run(["decode", "-", "--output-dir", "out"])
        #expect(dir.status == 64 && dir.stderr.contains("--output-dir"), "\(dir.stderr)")
    }

    func fmt3(_ x: Double) -> String { String(format: "%.3f", x) }
}
