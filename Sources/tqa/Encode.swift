import ArgumentParser
import TQAudio

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Encode a WAV file to .tqa.")

    @Argument(help: "Input WAV file.")
    var input: String

    @Option(name: .shortAndLong, help: "Output .tqa file.")
    var output: String

    @OptionGroup var codec: CodecOptions

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        let r = try Pipeline.encode(input: input, output: output, options: codec, force: force)
        guard !quiet else { return }
        let samples = Double(max(1, r.frames * r.inputFormat.channelCount))
        let seconds = Double(r.frames) / Double(r.inputFormat.sampleRate)
        print("\(output): \(codec.summary), \(r.frames) frames × \(r.inputFormat.channelCount) ch, "
              + "\(r.bytes) bytes, \(fmt(Double(r.bytes) * 8 / samples)) bits/sample, "
              + "\(fmt(seconds / max(r.seconds, 1e-9), 0))× real time")
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

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        let r = try Pipeline.decode(input: input, output: output, format: format.sampleFormat, salvage: salvage, force: force)
        if salvage && !r.report.isClean {
            let rate = Double(r.header.sampleRate)
            FileHandleOut.stderr("warning: \(input) is damaged: \(r.report.skipped.count) damaged region(s), "
                + "\(r.report.droppedPackets) packet(s) dropped, \(r.report.lostFrames) frames (\(fmt(Double(r.report.lostFrames) / rate, 3)) s) "
                + "replaced by silence; \(r.report.packetsDecoded) packets intact\n")
            for s in r.report.skipped.prefix(10) {
                FileHandleOut.stderr("  bytes \(s.offset)..<\(s.offset + s.count): \(s.error)\n")
            }
        }
        guard !quiet else { return }
        print("\(output): \(r.frames) frames × \(r.header.channelCount) ch at \(r.header.sampleRate) Hz, "
              + "\(r.outputFormat), \(fmt(Double(r.frames) / Double(r.header.sampleRate) / max(r.seconds, 1e-9), 0))× real time")
    }
}

/// A number with `digits` decimals.
func fmt(_ x: Double, _ digits: Int = 2) -> String {
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x.isNaN { return "nan" }
    return String(format: "%.\(digits)f", x)
}

import Foundation
