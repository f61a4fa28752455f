import ArgumentParser
import Foundation
import TQAudio

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode WAV files to .tqa.",
        discussion: "With one input, -o names the output. With several, each goes to --output-dir (default: beside its input) as NAME.tqa; --jobs encodes that many at once."
            + EncodeExamples.text)

    @Argument(help: "Input WAV file(s).", completion: .file(extensions: ["wav"]))
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .tqa file (one input).", completion: .file(extensions: ["tqa"]))
    var output: String?

    @Option(help: "Directory for the outputs (several inputs).", completion: .directory)
    var outputDir: String?

    @Option(help: "Files to encode at once (several inputs).")
    var jobs: Int = 1

    @OptionGroup var codec: CodecOptions

    @OptionGroup var metadata: MetadataOptions

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

    /// Two inputs whose outputs are one file (the same name in --output-dir, or `a.wav` and
    /// `a.WAV`) would overwrite each other, or one would fail half-way: refused before any
    /// encoding, naming both.
    func refuseSharedOutputs(_ paths: [(input: String, output: String)]) throws {
        var first: [String: String] = [:]
        var clashes: [String] = []
        for (input, output) in paths {
            let key = URL(fileURLWithPath: output).standardizedFileURL.path
            if let other = first[key] {
                clashes.append("\(other) and \(input) would both be written to \(output)")
            } else {
                first[key] = input
            }
        }
        guard !clashes.isEmpty else { return }
        throw CLIError(clashes.joined(separator: "\n  ") + "; rename one, or encode them to different --output-dir")
    }

    func run() throws {
        var options = codec
        if inputs.count > 1 && jobs > 1 { options.threads = max(1, codec.threads / jobs) }
        var results = [Result<Pipeline.EncodeResult, Error>?](repeating: nil, count: inputs.count)
        let opts = options, force = self.force, noMetadata = metadata.noMetadata
        let paths = inputs.map { ($0, destination($0)) }
        try refuseSharedOutputs(paths)
        results.withUnsafeMutableBufferPointer { slots in
            let slots = UncheckedBox(slots)
            parallelFor(count: paths.count, threads: jobs) { i, _ in
                slots.value[i] = Result { try Pipeline.encode(input: paths[i].0, output: paths[i].1, options: opts, force: force,
                                                                  keepMetadata: !noMetadata) }
            }
        }
        var failures: [String] = []
        for (i, r) in results.enumerated() {
            switch r! {
            case .success(let r):
                guard !quiet else { continue }
                print(Summary.encoded(output: paths[i].1, codec: codec.summary, input: paths[i].0, frames: r.frames, channels: r.inputFormat.channelCount, sampleRate: r.inputFormat.sampleRate, bytes: r.bytes, seconds: r.seconds))
            case .failure(let e):
                failures.append(inputs.count > 1 ? "\(paths[i].0): \(e)" : "\(e)")
            }
        }
        if failures.count == 1 { throw CLIError(failures[0]) }
        if failures.count > 1 { throw CLIError(summary: "\(failures.count) of \(inputs.count) files failed:", items: failures) }
    }
}
