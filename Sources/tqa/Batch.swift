import ArgumentParser
import Foundation
import TQAudio

/// The options of `encode` and `decode` for many inputs: where the outputs go, how many files
/// at once, and which part of the list this process takes.
struct BatchOptions: ParsableArguments {
    @Option(help: "Directory for the outputs (default: beside each input); created if missing.", completion: .directory)
    var outputDir: String?

    @Option(help: "Files to process at once (several inputs).")
    var jobs: Int = 1

    @Option(help: ArgumentHelp("Process only the I-th of N parts of the inputs, 1 ≤ I ≤ N (job arrays): the paths sorted by their bytes, every N-th from the I-th.",
                               valueName: "I/N"))
    var shard: Shard?

    func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1...256") }
    }

    /// The checks `encode` and `decode` share on their inputs and `-o`: one output for one
    /// input, and standard input alone and named by `-o`.
    func check(inputs: [String], output: String?) throws {
        if inputs.count > 1 && output != nil { throw ValidationError("-o names one output; with several inputs use --output-dir") }
        if inputs.contains(StandardStream.dash) {
            guard inputs.count == 1 else { throw ValidationError("- (standard input) must be the only input") }
            guard outputDir == nil else { throw ValidationError("standard input has no name to put in --output-dir; give -o") }
        }
    }

    /// The output path for input `path`: `output` (-o), standard output for standard input,
    /// else the input's name with `removing` replaced by `adding`, in --output-dir or beside
    /// the input.
    func destination(_ path: String, output: String?, removing: String, adding: String) -> String {
        if let o = output { return o }
        if path == StandardStream.dash { return StandardStream.dash }
        return Batch.defaultOutput(for: path, removing: removing, adding: adding, directory: outputDir)
    }
}

/// One input and where its output goes.
struct BatchItem: Sendable {
    let input: String
    let output: String
}

/// Runs one command over many files: default output names, `--shard`, skipping outputs that are
/// already complete, `--jobs` files at once, one line per file on stderr and every failure listed.
enum Batch {
    /// `NAME.EXT` for the input `DIR/NAME.IN` (the input extension `inputExtension` removed,
    /// whatever its case; other names keep theirs): in `directory`, else beside the input.
    static func defaultOutput(for input: String, removing inputExtension: String, adding outputExtension: String,
                              directory: String?) -> String {
        let name = (input as NSString).lastPathComponent
        let suffix = "." + inputExtension
        let stem = name.lowercased().hasSuffix(suffix) && name.count > suffix.count ? String(name.dropLast(suffix.count)) : name
        let dir = directory ?? (input as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "" : dir + "/") + stem + "." + outputExtension
    }

    /// Two inputs whose outputs are one file (the same name in --output-dir, or `a.wav` and
    /// `a.WAV`) would overwrite each other, or one would fail half-way: refused before any
    /// work, naming both.
    static func refuseSharedOutputs(_ items: [BatchItem]) throws {
        var first: [String: String] = [:]
        var clashes: [String] = []
        for item in items where item.output != StandardStream.dash {
            let key = URL(fileURLWithPath: item.output).standardizedFileURL.path
            if let other = first[key] {
                clashes.append("\(other) and \(item.input) would both be written to \(item.output)")
            } else {
                first[key] = item.input
            }
        }
        guard !clashes.isEmpty else { return }
        throw CLIError(clashes.joined(separator: "\n  ") + "; rename one, or write them to different --output-dir")
    }

    /// Whether an existing output is complete (`CompleteOutput`), and if not why (nil: complete).
    typealias CompletenessCheck = (_ path: String) -> String?

    /// Runs `work` for each of `items`, `jobs` at a time, and prints what `work` returns (its
    /// summary line) on stderr as each file completes, unless `quiet`.
    ///
    /// An output that exists as a regular file is not touched without `force`: when `isComplete`
    /// finds it complete (it passes `tqa test`, or for a WAV parses whole), the item is skipped
    /// with a note, else it is a failure that says why. Failures are collected: one is thrown as
    /// it is (prefixed with the input when there are several), more as a list.
    static func run(_ items: [BatchItem], jobs: Int, force: Bool, quiet: Bool, isComplete: CompletenessCheck,
                    work: (BatchItem) throws -> String) throws {
        try refuseSharedOutputs(items)
        let lock = NSLock()
        var failures = [String?](repeating: nil, count: items.count)
        let several = items.count > 1
        failures.withUnsafeMutableBufferPointer { slots in
            let slots = UncheckedBox(slots)
            parallelFor(count: items.count, threads: jobs) { i, _ in
                let item = items[i]
                let line: String?
                do {
                    // The input named as its own output is refused before it could be skipped.
                    try Pipeline.checkOutput(StandardStream.output(item.output), input: StandardStream.input(item.input), force: true)
                    if !force && item.output != StandardStream.dash && OutputKind(path: item.output) == .replaceable {
                        if let problem = isComplete(item.output) {
                            throw CLIError("\(item.output) exists and is not complete (\(problem)); pass --force to replace it")
                        }
                        line = "\(item.output): exists and is complete, skipped (--force redoes it)"
                    } else {
                        line = try work(item)
                    }
                } catch {
                    slots.value[i] = several ? "\(item.input): \(Advice.message(error))" : Advice.message(error)
                    return
                }
                if !quiet, let line { lock.withLock { StandardStream.report(line) } }
            }
        }
        let failed = failures.compactMap { $0 }
        if failed.count == 1 { throw CLIError(failed[0]) }
        if failed.count > 1 { throw CLIError(summary: "\(failed.count) of \(items.count) files failed:", items: failed) }
    }

    /// The inputs this process takes (`--shard`), after creating `--output-dir`. A part with no
    /// inputs is not an error: a job array may have more tasks than files.
    static func select(_ inputs: [String], options: BatchOptions, quiet: Bool) throws -> [String] {
        if let dir = options.outputDir {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            catch { throw CLIError("cannot create --output-dir \(dir): \(error.localizedDescription)") }
        }
        guard let shard = options.shard else { return inputs }
        let chosen = shard.select(inputs)
        if chosen.isEmpty && !quiet {
            StandardStream.report("shard \(shard.index)/\(shard.count) holds none of the \(inputs.count) inputs; nothing to do")
        }
        return chosen
    }
}
