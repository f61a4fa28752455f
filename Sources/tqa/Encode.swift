import ArgumentParser
import Foundation
import TQAudio

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode WAV files to .tqa.",
        discussion: "Each input IN.wav goes to IN.tqa beside it, or in --output-dir; -o names the output of one input. - reads a WAV from standard input (also a streamed one of unknown length) and, without -o, writes standard output; -o - writes standard output. --jobs encodes that many files at once, --shard I/N only a part of them. An output that exists and passes `tqa test` is skipped unless --force. Summaries go to stderr."
            + EncodeExamples.text)

    @Argument(help: "Input WAV file(s), or - for standard input.", completion: .file(extensions: ["wav"]))
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .tqa file of one input (- for standard output).", completion: .file(extensions: ["tqa"]))
    var output: String?

    @OptionGroup var batch: BatchOptions

    @OptionGroup var codec: CodecOptions

    @OptionGroup var metadata: MetadataOptions

    @Flag(help: "Replace outputs that exist.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give an input WAV file") }
        try batch.check(inputs: inputs, output: output)
        try codec.checkOptionsBelongToCodec()
    }

    /// The output path for input `path`: `-o`, standard output for standard input, else
    /// `NAME.tqa` in --output-dir or beside the input.
    func destination(_ path: String) -> String { batch.destination(path, output: output, removing: "wav", adding: "tqa") }

    func run() throws {
        try StandardStream.refuseTerminals(input: inputs[0], output: destination(inputs[0]))
        let selected = try Batch.select(inputs, options: batch, quiet: quiet)
        var options = codec
        if selected.count > 1 && batch.jobs > 1 { options.threads = max(1, codec.threads / batch.jobs) }
        let opts = options, force = self.force, keepMetadata = !metadata.noMetadata
        let items = selected.map { BatchItem(input: $0, output: destination($0)) }
        try Batch.run(items, jobs: batch.jobs, force: force, quiet: quiet,
                      isComplete: CompleteOutput.tqa(weights: codec.weights, threads: opts.threads)) { item in
            let input = StandardStream.input(item.input)
            let r = try Pipeline.encode(input: input, output: StandardStream.output(item.output), options: opts, force: force,
                                        keepMetadata: keepMetadata)
            if let w = CodecTarget.warning(options: opts, result: r, input: item.input) { FileHandleOut.stderr(w + "\n") }
            return Summary.encoded(output: item.output, codec: opts.summary, input: input, frames: r.frames,
                                   channels: r.inputFormat.channelCount, sampleRate: r.inputFormat.sampleRate, bytes: r.bytes, seconds: r.seconds)
        }
    }
}
