import ArgumentParser
import TQAudio
import TQContainer

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decode a .tqa file to WAV.", discussion: SpanOptions.decodeDiscussion + DecodeExamples.text)

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

    @Argument(help: "Input .tqa file.", completion: .file(extensions: ["tqa"]))
    var input: String

    @Option(name: .shortAndLong, help: "Output WAV file.", completion: .file(extensions: ["wav"]))
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

    @Option(help: "sqcodec: directory with the model's weights (default: ~/.cache/sq_codec/<model>.v0).", completion: .directory)
    var weights: String?

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    @OptionGroup(title: "Span")
    var span: SpanOptions

    func run() throws {
        let r: Pipeline.DecodeResult
        do {
            if span.isSet {
                guard !salvage else { throw ValidationError("--salvage decodes whole files; it cannot be combined with --skip/--until") }
                guard rate == .model else { throw ValidationError("--rate source cannot be combined with --skip/--until") }
                r = try Pipeline.decodeSpan(input: input, output: output, span: span, format: format.sampleFormat, force: force,
                                            threads: max(1, min(threads, 256)), weights: weights)
            } else {
            r = try Pipeline.decode(input: input, output: output, format: format.sampleFormat, salvage: salvage, force: force,
                                    threads: max(1, min(threads, 256)), weights: weights, sourceRate: rate == .source)
            }
        } catch let e as ContainerError where !salvage && e.isDamage {
            throw CLIError("\(e); decode with --salvage to keep the intact packets")
        }
        if r.nonFiniteSamples > 0 {
            FileHandleOut.stderr("warning: \(input) decoded to \(r.nonFiniteSamples) NaN or infinite samples, written as silence; "
                + "the file or the model's weights are damaged\n")
        }
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
        print(Summary.decoded(output: output, input: input, frames: r.frames, channels: r.header.channelCount, sampleRate: r.sampleRate, format: "\(r.outputFormat)", seconds: r.seconds))
    }
}
