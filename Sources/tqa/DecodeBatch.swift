import ArgumentParser

/// `tqa decode` over its inputs: default names, `-`, `--shard`, `--jobs`, skipping complete
/// outputs (`Batch`); each file goes through `Decode.decodeOne`.
extension Decode {
    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give an input .tqa file") }
        try span.refuse(salvage: salvage, sourceRate: rate == .source)
        if whole && span.isSet { throw ValidationError("--whole decodes whole files; it cannot be combined with --skip/--until") }
        try span.checkAgainst(inputs: inputs)
        try batch.check(inputs: inputs, output: output)
    }

    /// The output path for input `path`: `-o`, standard output for standard input, else
    /// `NAME.wav` in --output-dir or beside the input.
    func destination(_ path: String) -> String { batch.destination(path, output: output, removing: "tqa", adding: "wav") }

    func run() throws {
        try StandardStream.refuseTerminals(input: inputs[0], output: destination(inputs[0]))
        let selected = try Batch.select(inputs, options: batch, quiet: quiet)
        let all = max(1, min(threads, 256))
        let perFile = selected.count > 1 && batch.jobs > 1 ? max(1, all / batch.jobs) : all
        let items = selected.map { BatchItem(input: $0, output: destination($0)) }
        try Batch.run(items, jobs: batch.jobs, force: force, quiet: quiet, isComplete: CompleteOutput.wav) { item in
            try decodeOne(input: item.input, output: item.output, threads: perFile)
        }
    }
}
