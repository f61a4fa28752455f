import ArgumentParser

/// `tqa decode` over its inputs: default names, `-`, `--shard`, `--jobs`, skipping complete
/// outputs (`Batch`); each file goes through `Decode.decodeOne`.
extension Decode {
    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give an input .tqa file") }
        try span.refuse(salvage: salvage, sourceRate: rate == .source)
        try span.checkAgainst(inputs: inputs)
        if inputs.count > 1 && output != nil { throw ValidationError("-o names one output; with several inputs use --output-dir") }
        if inputs.contains(StandardStream.dash) {
            guard inputs.count == 1 else { throw ValidationError("- (standard input) must be the only input") }
            guard batch.outputDir == nil else { throw ValidationError("standard input has no name to put in --output-dir; give -o") }
        }
    }

    /// The output path for input `path`: `-o`, standard output for standard input, else
    /// `NAME.wav` in --output-dir or beside the input.
    func destination(_ path: String) -> String {
        if let o = output { return o }
        if path == StandardStream.dash { return StandardStream.dash }
        return Batch.defaultOutput(for: path, removing: "tqa", adding: "wav", directory: batch.outputDir)
    }

    func run() throws {
        try StandardStream.refuseTerminals(input: inputs[0], output: destination(inputs[0]))
        let selected = try Batch.select(inputs, options: batch, quiet: quiet)
        let all = max(1, min(threads, 256))
        let perFile = selected.count > 1 && batch.jobs > 1 ? max(1, all / batch.jobs) : all
        let items = selected.map { BatchItem(input: $0, output: destination($0)) }
        try Batch.run(items, jobs: batch.jobs, force: force, quiet: quiet, isComplete: CompleteOutput.wav) { item in
            try decodeOne(input: StandardStream.input(item.input), output: StandardStream.output(item.output), threads: perFile)
        }
    }
}
