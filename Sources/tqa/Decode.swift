import ArgumentParser
import TQAudio
import SQCodec
import TQContainer

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode .tqa files to WAV.",
        discussion: "Each input IN.tqa goes to IN.wav beside it, or in --output-dir; -o names the output of one input. - reads a .tqa from standard input and, without -o, writes standard output; -o - writes standard output, with the exact length in the WAV header when the .tqa header knows it (else the streaming sizes 0xFFFFFFFF). Audio is written as it is decoded. --jobs decodes that many files at once, --shard I/N only a part of them. An output that exists and parses whole is skipped unless --force. Summaries go to stderr.\n\n"
            + SpanOptions.decodeDiscussion + DecodeExamples.text)

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

    @Argument(help: "Input .tqa file(s), or - for standard input.", completion: .file(extensions: ["tqa"]))
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output WAV file of one input (- for standard output).", completion: .file(extensions: ["wav"]))
    var output: String?

    @OptionGroup var batch: BatchOptions

    @Option(help: "Sample format of the WAV: source (the input's, default), s16, s24, f32.")
    var format: Format = .source

    @Flag(help: "Keep every intact packet of a damaged file, fill what was lost with silence, and report it.")
    var salvage = false

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int = ProcessInfoCores.count

    enum Rate: String, ExpressibleByArgument, CaseIterable { case model, source }

    @Option(help: "sqcodec, l3ac: the rate of the output, model (the model's, default) or source (the input's).")
    var rate: Rate = .model

    @Option(help: "sqcodec, l3ac: directory with the model's weights (default: ~/.cache/sq_codec/<model>.v0, ~/.cache/l3ac/<model>.v1).", completion: .directory)
    var weights: String?

    @Flag(help: "sqcodec, l3ac: decode all tokens of each channel as one sequence, as the PyTorch reference does (its enhance blocks normalize over the whole sequence), instead of packet by packet. No audio before the last packet; memory grows with the length (README, \"Whole-sequence decode\"). Not with --skip/--until.")
    var whole = false

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    @OptionGroup(title: "Span")
    var span: SpanOptions

    /// Decodes the argument `inputArgument` to `outputArgument` (either may be `-`), on `threads`
    /// threads; warnings on stderr name the arguments; returns the summary line.
    func decodeOne(input inputArgument: String, output outputArgument: String, threads: Int) throws -> String {
        let input = StandardStream.input(inputArgument), output = StandardStream.output(outputArgument)
        let r: Pipeline.DecodeResult
        do {
            if span.isSet {
                r = try Pipeline.decodeSpan(input: input, output: output, span: span, format: format.sampleFormat, force: force,
                                            threads: max(1, min(threads, 256)), weights: weights)
            } else {
            r = try Pipeline.decode(input: input, output: output, format: format.sampleFormat, salvage: salvage, force: force,
                                    threads: max(1, min(threads, 256)), weights: weights, sourceRate: rate == .source,
                                    wholeSequence: whole)
            }
        } catch let e as WholeSequenceError {
            throw CLIError("\(inputArgument): \(e); decode it without --whole (packet by packet, in bounded memory)")
        } catch let e as ContainerError where !salvage && e.isDamage {
            throw CLIError("\(e); decode with --salvage to keep the intact packets")
        }
        if r.nonFiniteSamples > 0 {
            FileHandleOut.stderr("warning: \(inputArgument) decoded to \(r.nonFiniteSamples) NaN or infinite samples, written as silence; "
                + "the file or the model's weights are damaged\n")
        }
        if salvage && !r.report.isClean {
            let rate = Double(r.header.sampleRate)
            FileHandleOut.stderr("warning: \(inputArgument) is damaged: \(r.report.skipped.count) damaged region(s), "
                + "\(r.report.droppedPackets) packet(s) dropped, \(r.report.lostFrames) frames (\(fmt(Double(r.report.lostFrames) / rate, 3)) s) "
                + "replaced by silence; \(r.report.packetsDecoded) packets intact\n")
            if r.report.unwrittenFrames > 0 {
                FileHandleOut.stderr("  the header declares \(r.report.unwrittenFrames) more frames after the last intact packet than a damaged file can hold; they were not written\n")
            }
            for s in r.report.skipped.prefix(10) {
                FileHandleOut.stderr("  bytes \(s.offset)..<\(s.offset + s.count): \(s.error)\n")
            }
        }
        return Summary.decoded(output: outputArgument, input: inputArgument, frames: r.frames, channels: r.header.channelCount, sampleRate: r.sampleRate, format: "\(r.outputFormat)", seconds: r.seconds)
    }
}
