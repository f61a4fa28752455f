import ArgumentParser
import Foundation
import TQAudio
import TQContainer

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check .tqa files: every packet's CRC, the timeline, and a full decode, writing nothing.",
        discussion: """
            Like `flac -t`. Each file is read as `tqa decode` reads it (strict: the first damage \
            stops it) and decoded in memory. On stderr, one line per file: `FILE: ok` for an \
            intact file (not with --quiet), `error: FILE: damaged: …` naming the first damaged \
            packet (index and byte offset) of a damaged one, `error: FILE: …` for one that cannot \
            be read or decoded (not a .tqa file, sqcodec weights missing). stdout stays empty \
            unless --json, which prints one JSON array with an object per file. Exit status: 0 \
            when every file is intact, 1 otherwise. Only .tqa files are tested.

            Examples:
              tqa test song.tqa
              tqa test --quiet song.tqa && echo intact
              tqa test --json song.tqa
            """)

    @Argument(help: ArgumentHelp(".tqa files to test (- for standard input).", valueName: "file"), completion: .file(extensions: ["tqa"]))
    var files: [String]

    @Option(help: "sqcodec, l3ac: directory with the model's weights (default: ~/.cache/sq_codec/<model>.v0, ~/.cache/l3ac/<model>.v1).",
            completion: .directory)
    var weights: String?

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int = ProcessInfoCores.count

    @Flag(help: "Print a JSON array on stdout, one object per file.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print nothing for intact files.")
    var quiet = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give a .tqa file to test") }
        guard files.filter({ $0 == StandardStream.dash }).count <= 1 else { throw ValidationError("- (standard input) can be given once") }
    }

    /// What testing one file found.
    struct Outcome {
        var file: String
        var packets = 0
        var frames = 0
        var sampleRate = 0
        var nonFiniteSamples = 0
        var error: Error?
        var damaged = false
    }

    func run() throws {
        if files.contains(StandardStream.dash) { try StandardStream.refuseTerminals(input: StandardStream.dash, output: nil) }
        var outcomes: [Outcome] = []
        for file in files {
            let o = TestCommand.check(StandardStream.input(file), weights: weights, threads: threads)
            outcomes.append(o)
            if let e = o.error {
                FileHandleOut.stderr("error: \(file): \(o.damaged ? "damaged: " : "")\(Advice.message(e))\n")
            } else if !quiet {
                let seconds = o.sampleRate > 0 ? Double(o.frames) / Double(o.sampleRate) : 0
                FileHandleOut.stderr("\(file): ok (\(o.packets) packets, \(o.frames) frames, \(fmt(seconds, 3)) s)\n")
            }
            if o.nonFiniteSamples > 0 {
                FileHandleOut.stderr("warning: \(file) decodes to \(o.nonFiniteSamples) NaN or infinite samples; the file or the model's weights are damaged\n")
            }
        }
        if json {
            let array = outcomes.map(dictionary)
            let data = try JSONSerialization.data(withJSONObject: array, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        }
        if outcomes.contains(where: { $0.error != nil }) { Foundation.exit(1) }
    }

    /// Reads and decodes `file` strictly, keeping nothing: what `tqa test` and the skip of a
    /// complete output (`Batch.run`) both check.
    static func check(_ file: String, weights: String?, threads: Int) -> Outcome {
        var o = Outcome(file: file)
        var stream: TQAStreamDecoder?
        do {
            let reader = try TQAReader(path: file)
            o.sampleRate = reader.header.sampleRate
            let decoder = try CodecRegistry.decoder(reader.header, weights: weights, threads: max(1, min(threads, 256)))
            stream = TQAStreamDecoder(reader: reader, decoder: decoder, salvage: false, threads: max(1, min(threads, 256)))
            while let b = try stream!.next() { o.frames += b.frameCount }
            o.packets = stream!.report.packetsDecoded
            o.nonFiniteSamples = stream!.nonFiniteSamples
        } catch let e as ContainerError where e.isDamage {
            o.error = e
            o.damaged = true
        } catch let e as any CodecError where stream != nil {
            // A payload whose CRC holds but that the codec rejects: damage too (or a forgery).
            o.error = CLIError("a packet after packet \(max(0, stream!.report.packetsDecoded - 1)) does not decode: \(e)")
            o.damaged = true
        } catch {
            o.error = error
        }
        return o
    }

    private func dictionary(_ o: Outcome) -> [String: Any] {
        var d: [String: Any] = ["file": o.file, "ok": o.error == nil]
        if let e = o.error {
            d["error"] = Advice.message(e)
            d["damaged"] = o.damaged
            if let c = e as? ContainerError {
                if let i = c.packetIndex { d["packet"] = i }
                if let b = c.byteOffset { d["offset"] = b }
            }
        } else {
            d["packets"] = o.packets
            d["frames"] = o.frames
            d["non_finite_samples"] = o.nonFiniteSamples
        }
        return d
    }
}
