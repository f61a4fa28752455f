import ArgumentParser
import Foundation
import TQAudio

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure encode and decode speed (file to file), and compare with flac -5 and the seed when installed.",
        discussion: """
            Build with -c release for meaningful numbers. Peers run on the same file in the same run.

            Examples:
              tqa bench --duration 2 --repeats 1
              tqa bench -i input.wav --codec spectral --repeats 1
              tqa bench -i input.wav --bits 4 --threads 1 --repeats 1
            """)

    @Option(name: [.short, .customLong("input")], help: "Input WAV (default: the built-in demo signal, 44.1 kHz stereo 16-bit).",
            completion: .file(extensions: ["wav"]))
    var input: String?

    @Option(help: "Seconds of demo signal when no input is given.")
    var duration: Double = 60

    @Option(help: "Repetitions; the fastest is reported.")
    var repeats: Int = 3

    @Flag(help: "Skip the seed (audiotq's tqa-cli), which is slow.")
    var noSeed = false

    @OptionGroup var codec: CodecOptions

    func validate() throws {
        try codec.checkOptionsBelongToCodec()
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be 1...100") }
        guard duration > 0 && duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600]") }
    }

    func run() throws {
        let tmp = try TemporaryDirectory()
        var path = input ?? ""
        if input == nil {
            var o = SignalSynth.Options()
            o.duration = duration; o.sampleRate = 44_100; o.channels = 2
            path = tmp.path + "/bench.wav"
            let w = try WAVWriter(path: path, sampleRate: 44_100, channelCount: 2, sampleFormat: .s16, overwrite: true)
            try w.write(SignalSynth.make(.demo, o))
            try w.finish()
        }
        let format = try WAVReader(path: path).format
        guard let frames = format.frameCount, frames > 0 else { throw CLIError("\(path) has no frames to measure") }
        let seconds = Double(frames) / Double(format.sampleRate)
        print("input: \(input ?? "built-in demo") — \(fmt(seconds, 1)) s, \(format.sampleRate) Hz, \(format.channelCount) ch, \(format.sampleFormat)")
        print("codec: \(codec.summary); best of \(repeats); × real time (higher is faster)")
        print("")
        print("codec".padding(toLength: 36, withPad: " ", startingAt: 0) + "encode ×RT".padding(toLength: 14, withPad: " ", startingAt: 0)
              + "decode ×RT".padding(toLength: 14, withPad: " ", startingAt: 0) + "bits/sample")
        let samples = Double(frames * format.channelCount)
        var flacSpeed: (Double, Double)?
        if format.sampleFormat.isFloat {
            print("(flac left out: it reads integer PCM only, and the input is \(format.sampleFormat))")
        } else if let flac = which("flac") {
            let enc = try best { try shell(flac, ["-5", "-f", "-s", "-o", tmp.path + "/x.flac", path]) }
            let dec = try best { try shell(flac, ["-d", "-f", "-s", "-o", tmp.path + "/x.wav", tmp.path + "/x.flac"]) }
            let size = fileSize(tmp.path + "/x.flac")
            flacSpeed = (seconds / enc, seconds / dec)
            row("flac -5 (1 thread)", seconds / enc, seconds / dec, Double(size) * 8 / samples)
        } else {
            print("(flac not installed: apt-get install flac to compare)")
        }
        var threadCounts = [1]
        if codec.threads > 1 { threadCounts.append(codec.threads) }
        for t in threadCounts {
            var o = codec
            o.threads = t
            let out = tmp.path + "/x.tqa", wav = tmp.path + "/y.wav"
            var bytes = 0
            let enc = try best { bytes = try Pipeline.encode(input: path, output: out, options: o, force: true).bytes }
            let dec = try best {
                _ = try Pipeline.decode(input: out, output: wav, format: nil, salvage: false, force: true, threads: t, weights: o.weights)
            }
            row("tqa \(codec.codec.rawValue) (\(t) thread\(t > 1 ? "s" : ""))", seconds / enc, seconds / dec, Double(bytes) * 8 / samples)
            if let f = flacSpeed {
                print("  vs flac -5: encode \(fmt(seconds / enc / f.0))×, decode \(fmt(seconds / dec / f.1))×")
            }
        }
        if !noSeed, let seed = which("tqa-cli") {
            let t = try timed { try shell(seed, ["run", "-i", path, "-o", tmp.path + "/seed.wav"]) }
            print("audiotq 0.1.1 tqa-cli run (encode+decode, mono downmix): \(fmt(seconds / t, 1))× real time for both together")
        } else if !noSeed {
            print("(the seed is not installed: pip install audiotq==0.1.1 to compare)")
        }
    }

    private func row(_ name: String, _ e: Double, _ d: Double, _ bps: Double) {
        print(name.padding(toLength: 36, withPad: " ", startingAt: 0) + fmt(e, 0).padding(toLength: 14, withPad: " ", startingAt: 0)
              + fmt(d, 0).padding(toLength: 14, withPad: " ", startingAt: 0) + fmt(bps, 3))
    }

    private func best(_ body: () throws -> Void) throws -> Double {
        var t = Double.infinity
        for _ in 0..<repeats { t = min(t, try timed(body)) }
        return t
    }

    private func timed(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

func which(_ tool: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

func shell(_ tool: String, _ args: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CLIError("\(tool) \(args.joined(separator: " ")) failed with status \(p.terminationStatus)") }
}

func fileSize(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
