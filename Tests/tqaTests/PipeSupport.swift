import Foundation
import TQAudio
#if canImport(Glibc)
import Glibc
#endif

/// A `tqa` process whose standard input and output are pipes held by the test: it writes the
/// input when it chooses, and stdout is drained on a thread that notes when bytes arrive.
final class PipedCLI: @unchecked Sendable {
    let process: Process
    private let input: FileHandle
    private let lock = NSLock()
    private var out: [UInt8] = []
    private var err = Data()
    private let group = DispatchGroup()

    init(_ args: [String], in directory: String? = nil) throws {
        signal(SIGPIPE, SIG_IGN)
        process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = args
        if let d = directory { process.currentDirectoryURL = URL(fileURLWithPath: d) }
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = env
        let i = Pipe(), o = Pipe(), e = Pipe()
        process.standardInput = i
        process.standardOutput = o
        process.standardError = e
        try process.run()
        input = i.fileHandleForWriting
        let outFD = o.fileHandleForReading.fileDescriptor
        group.enter()
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(outFD, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.withLock { out += buffer[0..<n] }
            }
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async { [self] in
            let data = e.fileHandleForReading.readDataToEndOfFile()
            lock.withLock { err = data }
            group.leave()
        }
    }

    /// Writes all of `bytes` to the process's standard input; false if it stopped reading.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        let fd = input.fileDescriptor
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    func closeInput() { try? input.close() }

    /// Bytes of stdout received so far.
    var received: [UInt8] { lock.withLock { out } }

    /// Waits until at least `count` bytes of stdout have arrived, the process ended or
    /// `seconds` passed; returns how many arrived.
    func waitForOutput(_ count: Int, seconds: Double) -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let n = lock.withLock { out.count }
            if n >= count || !process.isRunning { return n }
            usleep(2_000)
        }
        return lock.withLock { out.count }
    }

    /// Closes the input, waits for the end; the exit status, all of stdout, and stderr.
    func finish() -> (status: Int32, stdout: [UInt8], stderr: String) {
        closeInput()
        process.waitUntilExit()
        group.wait()
        return lock.withLock { (process.terminationStatus, out, String(decoding: err, as: UTF8.self)) }
    }
}

/// Runs `command` with /bin/sh; `$TQA` names the tqa binary. Exit status, stdout, stderr.
func shell(_ command: String, in directory: String) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
    let o = try CLI.start(["-c", command], in: directory, executable: "/bin/sh", environment: ["TQA": CLI.binary]).finish()
    return (o.status, o.stdoutBytes, o.stderr)
}

/// The full path of `tool` when it is on PATH.
func which(_ tool: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// A WAV as a streaming writer (ffmpeg to a pipe) makes it: PCM s16, RIFF and `data` sizes
/// `unknownSize` (0xFFFFFFFF or 0), a LIST chunk before `data`.
func streamedWAV(_ x: AudioBuffer, unknownSize: UInt32) -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    let ch = x.channelCount, rate = x.sampleRate
    let fmt = u16(1) + u16(ch) + u32(UInt32(rate)) + u32(UInt32(rate * ch * 2)) + u16(ch * 2) + u16(16)
    let info = Array("INFOISFT".utf8) + u32(14) + Array("Lavf61.7.100".utf8) + [0, 0]
    let pcm = Array(WAVWriter.bytes(of: x, format: .s16).dropFirst(44))
    return Array("RIFF".utf8) + u32(unknownSize) + Array("WAVE".utf8)
        + Array("fmt ".utf8) + u32(16) + fmt
        + Array("LIST".utf8) + u32(UInt32(info.count)) + info
        + Array("data".utf8) + u32(unknownSize) + pcm
}
