import Foundation
import Testing
import TQAudio
import TQContainer
#if canImport(Glibc)
import Glibc
#endif

/// Nothing lost: an encode killed mid-way leaves no partial file under the output's name, and
/// the input as it was. The input is a FIFO whose writer is the test, so the encoder is
/// guaranteed to be in the middle of its work when the signal arrives.
@Suite(.serialized) struct InterruptTests {
    /// A streaming WAV header (data size 0xFFFFFFFF): 48 kHz stereo 16-bit, read to end of input.
    static let streamingHeader: [UInt8] = {
        let fmt: [UInt8] = [0x01, 0x00, 0x02, 0x00, 0x80, 0xBB, 0x00, 0x00, 0x00, 0xEE, 0x02, 0x00, 0x04, 0x00, 0x10, 0x00]
        return Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WAVEfmt ".utf8) + [16, 0, 0, 0] + fmt
            + Array("data".utf8) + [0xFF, 0xFF, 0xFF, 0xFF]
    }()

    /// Opens the FIFO for writing once the encoder has opened it for reading (within 20 s).
    func openWriter(_ path: String) throws -> Int32 {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let fd = open(path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                return fd
            }
            usleep(10_000)
        }
        throw CLIError("the encoder never opened \(path)")
    }

    func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    func killMidway(_ sig: Int32) throws -> (ScratchDirectory, CLI.Output) {
        signal(SIGPIPE, SIG_IGN)
        let d = try ScratchDirectory()
        let input = d.file("in.wav"), output = d.file("out.tqa")
        #expect(mkfifo(input, 0o644) == 0)
        let running = try CLI.start(["encode", input, "-o", output, "--threads", "1"])
        let fd = try openWriter(input)
        #expect(writeAll(fd, Self.streamingHeader))
        // Noise, so that every block is coded in full; 1.5 MB (about 8 s of audio) before the signal.
        var rng = SplitMix64(seed: 0x1417)
        let chunk = (0..<(1 << 16)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for _ in 0..<24 { #expect(writeAll(fd, chunk)) }
        // The encoder has read most of that and is working on a temporary file.
        #expect(d.contents().contains { $0.hasPrefix(".out.tqa.tmp-") }, "no temporary output while encoding: \(d.contents())")
        kill(running.process.processIdentifier, sig)
        // A process that ignores or blocks the signal must not hang the suite.
        let deadline = Date().addingTimeInterval(10)
        while running.process.isRunning && Date() < deadline { usleep(10_000) }
        if running.process.isRunning {
            Issue.record("tqa did not stop within 10 s of signal \(sig)")
            kill(running.process.processIdentifier, SIGKILL)
        }
        let o = running.finish()
        close(fd)
        #expect(o.status == sig && running.process.terminationReason == .uncaughtSignal, "status \(o.status), stderr \(o.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output), "a partial output appeared under the final name")
        var st = stat()
        #expect(lstat(input, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "the input was replaced")
        return (d, o)
    }

    @Test func sigkillLeavesNoOutputUnderTheFinalName() throws {
        let (d, _) = try killMidway(SIGKILL)
        // SIGKILL cannot be caught: at most the hidden temporary file stays behind.
        #expect(d.contents().allSatisfy { $0 == "in.wav" || $0.hasPrefix(".out.tqa.tmp-") }, "\(d.contents())")
    }

    @Test func sigtermRemovesTheTemporaryFile() throws {
        let (d, _) = try killMidway(SIGTERM)
        #expect(d.contents() == ["in.wav"], "left behind: \(d.contents())")
    }

    /// A regular input killed at arbitrary moments: the output is absent or complete, the input
    /// byte-identical.
    @Test func killedAtAnyMomentTheOutputIsAbsentOrComplete() throws {
        let d = try ScratchDirectory()
        let input = d.file("in.wav"), output = d.file("out.tqa")
        var rng = SplitMix64(seed: 0xDEAD)
        let x = AudioBuffer(sampleRate: 44100, channels: (0..<2).map { _ in rng.noise(44100 * 4, sigma: 0.2) })
        try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: input)
        let original = readBytes(input)
        for delay in [0, 20_000, 60_000, 150_000, 400_000] as [useconds_t] {
            try? FileManager.default.removeItem(atPath: output)
            let running = try CLI.start(["encode", input, "-o", output, "--threads", "1"])
            usleep(delay)
            kill(running.process.processIdentifier, SIGKILL)
            _ = running.finish()
            #expect(readBytes(input) == original, "input changed (kill after \(delay) µs)")
            if FileManager.default.fileExists(atPath: output) {
                let out = try decode(readBytes(output), salvage: false)
                #expect(out.error == nil && out.audio.frameCount == x.frameCount, "kill after \(delay) µs left an incomplete output")
            }
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
