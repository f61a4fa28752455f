import ArgumentParser
import Foundation
import TQAudio

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode, decode and report: sizes, bits per sample, compression ratio, SNR, speed.",
        discussion: """
            Without -i, runs on a built-in 15 s 44.1 kHz stereo demo signal.

            Examples:
              tqa run -i input.wav --bits 4
              tqa run -i input.wav --codec spectral --snr 30 --keep run.tqa
              tqa run -i input.wav --codec spectral --bits-per-sample 2 -o run.wav
            """)

    @Option(name: [.short, .customLong("input")], help: "Input WAV (default: the built-in demo signal).", completion: .file(extensions: ["wav"]))
    var input: String?

    @Option(name: [.short, .customLong("output")], help: "Where to write the decoded WAV (default: not kept).", completion: .file(extensions: ["wav"]))
    var output: String?

    @Option(help: "Where to keep the .tqa file (default: not kept).", completion: .file(extensions: ["tqa"]))
    var keep: String?

    @OptionGroup var codec: CodecOptions

    @Flag(help: "Replace outputs that exist.")
    var force = false

    func validate() throws { try codec.checkOptionsBelongToCodec() }

    func run() throws {
        let tmp = try TemporaryDirectory()
        var source = input
        if source == nil {
            var o = SignalSynth.Options()
            o.duration = 15; o.sampleRate = 44_100; o.channels = 2
            let demo = SignalSynth.make(.demo, o)
            let path = tmp.path + "/demo.wav"
            let w = try WAVWriter(path: path, sampleRate: 44_100, channelCount: 2, sampleFormat: .s16, overwrite: true)
            try w.write(demo)
            try w.finish()
            source = path
        }
        let inPath = source!
        let tqaPath = keep ?? tmp.path + "/out.tqa"
        let wavPath = output ?? tmp.path + "/decoded.wav"
        let enc = try Pipeline.encode(input: inPath, output: tqaPath, options: codec, force: force || keep == nil)
        let dec = try Pipeline.decode(input: tqaPath, output: wavPath, format: nil, salvage: false, force: force || output == nil,
                                      threads: codec.threads, weights: codec.weights, sourceRate: true)
        let m = try Comparison.files(reference: inPath, test: wavPath)
        let inBytes = (try? FileManager.default.attributesOfItem(atPath: inPath)[.size] as? Int) ?? 0
        let f = enc.inputFormat
        let seconds = Double(enc.frames) / Double(f.sampleRate)
        let samples = Double(max(1, enc.frames * f.channelCount))
        print("tqa run: \(input ?? "built-in demo (15 s, 44.1 kHz stereo)")")
        print("  input        \(f.channelCount) ch, \(f.sampleRate) Hz, \(f.sampleFormat), \(fmt(seconds)) s, \(inBytes) bytes")
        print("  codec        \(codec.summary)")
        print("  compressed   \(enc.bytes) bytes, \(fmt(Double(enc.bytes) * 8 / samples, 3)) bits/sample, "
              + "\(fmt(Double(enc.bytes) * 8 / max(seconds, 1e-9) / 1000, 1)) kbit/s")
        print("  ratio        \(fmt(Double(inBytes) / Double(max(1, enc.bytes))))× smaller than the input file")
        if m.overall.snrDB.isInfinite {
            // Not a measuring error: the quantization error stayed below half a step of the
            // output's sample format (the demo is easy to code at 4 bits/sample).
            print("  SNR          inf dB: the decoded samples equal the input's exactly (error below the output's rounding)")
        } else {
            print("  SNR          \(fmt(m.overall.snrDB)) dB (segmental \(fmt(m.overall.segmentalSNRDB)) dB, LSD \(fmt(m.overall.lsdDB)) dB)")
        }
        if m.channels.count > 1 {
            print("  per channel  " + m.channels.map { fmt($0.snrDB) + " dB" }.joined(separator: ", "))
        }
        print("  speed        encode \(fmt(seconds / max(enc.seconds, 1e-9), 0))× real time, decode \(fmt(seconds / max(dec.seconds, 1e-9), 0))× real time")
        if let o = output { print("  decoded      \(o)") }
        if let k = keep { print("  kept         \(k)") }
    }
}

/// A temporary directory removed when dropped.
final class TemporaryDirectory {
    let path: String
    init() throws {
        var template = Array((NSTemporaryDirectory() + "/tqa-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw CLIError("cannot create a temporary directory") }
        path = String(cString: p)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
