import ArgumentParser
import TQAudio

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode WAV files to .tqa.",
        discussion: "With one input, -o names the output. With several, each goes to --output-dir (default: beside its input) as NAME.tqa; --jobs encodes that many at once.")

    @Argument(help: "Input WAV file(s).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .tqa file (one input).")
    var output: String?

    @Option(help: "Directory for the outputs (several inputs).")
    var outputDir: String?

    @Option(help: "Files to encode at once (several inputs).")
    var jobs: Int = 1

    @OptionGroup var codec: CodecOptions

    @Flag(help: "Replace outputs that exist.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give an input WAV file") }
        if inputs.count == 1 && output == nil && outputDir == nil { throw ValidationError("give the output file with -o") }
        if inputs.count > 1 && output != nil { throw ValidationError("-o names one output; with several inputs use --output-dir") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1...256") }
    }

    /// The output path for input `path`.
    func destination(_ path: String) -> String {
        if let o = output { return o }
        let name = (path as NSString).lastPathComponent
        let stem = name.lowercased().hasSuffix(".wav") ? String(name.dropLast(4)) : name
        let dir = outputDir ?? (path as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "" : dir + "/") + stem + ".tqa"
    }

    func run() throws {
        var options = codec
        if inputs.count > 1 && jobs > 1 { options.threads = max(1, codec.threads / jobs) }
        var results = [Result<Pipeline.EncodeResult, Error>?](repeating: nil, count: inputs.count)
        let opts = options, force = self.force
        let paths = inputs.map { ($0, destination($0)) }
        results.withUnsafeMutableBufferPointer { slots in
            let slots = UncheckedBox(slots)
            parallelFor(count: paths.count, threads: jobs) { i, _ in
                slots.value[i] = Result { try Pipeline.encode(input: paths[i].0, output: paths[i].1, options: opts, force: force) }
            }
        }
        var failures: [String] = []
        for (i, r) in results.enumerated() {
            switch r! {
            case .success(let r):
                guard !quiet else { continue }
                let samples = Double(max(1, r.frames * r.inputFormat.channelCount))
                let seconds = Double(r.frames) / Double(r.inputFormat.sampleRate)
                print("\(paths[i].1): \(codec.summary), \(r.frames) frames × \(r.inputFormat.channelCount) ch, "
                      + "\(r.bytes) bytes, \(fmt(Double(r.bytes) * 8 / samples, 3)) bits/sample, "
                      + "\(fmt(seconds / max(r.seconds, 1e-9), 0))× real time")
            case .failure(let e):
                failures.append(inputs.count > 1 ? "\(paths[i].0): \(e)" : "\(e)")
            }
        }
        if failures.count == 1 { throw CLIError(failures[0]) }
        if failures.count > 1 { throw CLIError("\(failures.count) of \(inputs.count) files failed:\n  " + failures.joined(separator: "\n  ")) }
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decode a .tqa file to WAV.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case source, s16, s24, f32
        var sampleFormat: SampleFormat? {
            switch self {
            case .source: nil
            case .s16: .s16
            case .s24: .s24
            case .f32: .f32
            }
        }
    }

    @Argument(help: "Input .tqa file.")
    var input: String

    @Option(name: .shortAndLong, help: "Output WAV file.")
    var output: String

    @Option(help: "Sample format of the WAV: source (the input's, default), s16, s24, f32.")
    var format: Format = .source

    @Flag(help: "Keep every intact packet of a damaged file, fill what was lost with silence, and report it.")
    var salvage = false

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int = ProcessInfoCores.count

    enum Rate: String, ExpressibleByArgument, CaseIterable { case model, source }

    @Option(help: "sqcodec: the rate of the output, model (the model's, default) or source (the input's).")
    var rate: Rate = .model

    @Option(help: "sqcodec: directory with the model's weights (default: ~/.cache/sq_codec/<model>.v0).")
    var weights: String?

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        let r = try Pipeline.decode(input: input, output: output, format: format.sampleFormat, salvage: salvage, force: force,
                                    threads: max(1, min(threads, 256)), weights: weights, sourceRate: rate == .source)
        if salvage && !r.report.isClean {
            let rate = Double(r.header.sampleRate)
            FileHandleOut.stderr("warning: \(input) is damaged: \(r.report.skipped.count) damaged region(s), "
                + "\(r.report.droppedPackets) packet(s) dropped, \(r.report.lostFrames) frames (\(fmt(Double(r.report.lostFrames) / rate, 3)) s) "
                + "replaced by silence; \(r.report.packetsDecoded) packets intact\n")
            if r.report.unwrittenFrames > 0 {
                FileHandleOut.stderr("  the header declares \(r.report.unwrittenFrames) more frames after the last intact packet than a damaged file can hold; they were not written\n")
            }
            for s in r.report.skipped.prefix(10) {
                FileHandleOut.stderr("  bytes \(s.offset)..<\(s.offset + s.count): \(s.error)\n")
            }
        }
        guard !quiet else { return }
        print("\(output): \(r.frames) frames × \(r.header.channelCount) ch at \(r.sampleRate) Hz, "
              + "\(r.outputFormat), \(fmt(Double(r.frames) / Double(r.sampleRate) / max(r.seconds, 1e-9), 0))× real time")
    }
}

/// A number with `digits` decimals.
func fmt(_ x: Double, _ digits: Int = 2) -> String {
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x.isNaN { return "nan" }
    return String(format: "%.\(digits)f", x)
}

import Foundation
