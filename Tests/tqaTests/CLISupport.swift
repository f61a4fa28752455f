import Foundation
import Testing
import TQAudio

/// Runs the built `tqa` executable.
enum CLI {
    /// The `tqa` binary of this build: `$TQA_BINARY`, else beside the test bundle, else under the
    /// package's `.build*/debug|release/`. Printed once so that a failure says which one ran.
    static let binary: String = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["TQA_BINARY"] { candidates.append(env) }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for dir in [exe.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL] {
            candidates.append(dir.appendingPathComponent("tqa").path)
        }
        // Walk up from this file to the package root.
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        let builds = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { $0.hasPrefix(".build") }.sorted()
        for b in builds { for c in ["debug", "release"] { candidates.append(root.path + "/\(b)/\(c)/tqa") } }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "tqa"
        print("tqaTests: using \(found)")
        return found
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The bytes of stdout as written (`stdout` is them decoded as UTF-8).
        var stdoutBytes: [UInt8] = []
        /// True when the process died of a signal or printed a crash report.
        var crashed: Bool
    }

    /// Runs `tqa args…` to completion.
    @discardableResult
    static func run(_ args: [String], in directory: String? = nil) throws -> Output {
        let p = try start(args, in: directory)
        return p.finish()
    }

    /// The pipes are drained on two queues; their data is read only after `group.wait()`.
    final class Running: @unchecked Sendable {
        let process: Process
        let out: Pipe, err: Pipe
        private var outData = Data(), errData = Data()
        private let group = DispatchGroup()

        init(_ process: Process, _ out: Pipe, _ err: Pipe) {
            self.process = process; self.out = out; self.err = err
            // Drain both pipes while the process runs, so that it never blocks on a full pipe.
            group.enter()
            DispatchQueue.global().async { self.outData = out.fileHandleForReading.readDataToEndOfFile(); self.group.leave() }
            group.enter()
            DispatchQueue.global().async { self.errData = err.fileHandleForReading.readDataToEndOfFile(); self.group.leave() }
        }

        func finish() -> Output {
            process.waitUntilExit()
            group.wait()
            let e = String(decoding: errData, as: UTF8.self)
            let crashed = process.terminationReason == .uncaughtSignal
                || e.contains("Fatal error") || e.contains("Stack dump") || e.contains("backtrace") || e.contains("Crash")
            return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: e,
                          stdoutBytes: [UInt8](outData), crashed: crashed)
        }
    }

    /// Starts `executable` (default: tqa) with `args`, stdin empty, stdout and stderr collected;
    /// `environment` is added to this process's.
    static func start(_ args: [String], in directory: String? = nil, executable: String = binary,
                      environment: [String: String] = [:]) throws -> Running {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        if let d = directory { p.currentDirectoryURL = URL(fileURLWithPath: d) }
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return Running(p, out, err)
    }
}

/// `in.wav`, 45 s of the demo signal at 16 kHz, encoded to `x.tqa` with SQCodec 6kbps on seeded
/// random weights (seed 5) in `w6`, all in `dir`: packets of 24, 24 and 6 blocks of 13,500
/// samples. Returns the weights directory.
func makeSQCodec6kbpsFile(in dir: ScratchDirectory) throws -> String {
    let weights = dir.file("w6")
    #expect(try CLI.run(["models", "--random-weights", weights, "--model", "6kbps", "--seed", "5"]).status == 0)
    #expect(try CLI.run(["synth", "--type", "demo", "--duration", "45", "--sample-rate", "16000", "-o", dir.file("in.wav")]).status == 0)
    let enc = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "sqcodec", "--model", "6kbps", "--weights", weights])
    #expect(enc.status == 0, "\(enc.stderr)")
    return weights
}

/// A fresh directory under the system's temporary directory, removed when dropped.
final class ScratchDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "/tqa-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func contents() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

func readBytes(_ path: String) -> [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? [] }
func writeBytes(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

/// A JSON object printed by `tqa … --json`.
func jsonObject(_ s: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any] ?? [:]
}

/// A WAV file's bytes with an arbitrary `fmt ` body and `data` body.
func wavBytes(fmt: [UInt8], data: [UInt8]) -> [UInt8] {
    func u32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    let chunks = Array("fmt ".utf8) + u32(fmt.count) + fmt + (fmt.count % 2 == 1 ? [0] : [])
        + Array("data".utf8) + u32(data.count) + data + (data.count % 2 == 1 ? [0] : [])
    return Array("RIFF".utf8) + u32(4 + chunks.count) + Array("WAVE".utf8) + chunks
}
