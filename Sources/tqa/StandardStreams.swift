import Foundation
import TQAudio
#if canImport(Glibc)
import Glibc
#endif

/// `-` on the command line: standard input as an input, standard output as an output (the flac,
/// sox and ffmpeg habit). The CLI maps it to the descriptor paths `/dev/stdin` and `/dev/stdout`,
/// which `ByteSource` reads front to back and `OutputFile` writes in place (`OutputKind.stream`),
/// never renamed over; what reads them never seeks.
enum StandardStream {
    static let dash = "-"
    static let inputPath = "/dev/stdin"
    static let outputPath = "/dev/stdout"

    /// The path to open for the input argument `argument`.
    static func input(_ argument: String) -> String { argument == dash ? inputPath : argument }

    /// The path to open for the output argument `argument`.
    static func output(_ argument: String) -> String { argument == dash ? outputPath : argument }

    /// Binary data to or from a terminal is a mistake: refused before anything is read or written.
    static func refuseTerminals(input: String?, output: String?) throws {
        if input == dash && isatty(0) == 1 {
            throw CLIError("standard input is a terminal; pipe a file into tqa (e.g. ffmpeg -i IN -f wav - | tqa encode - -o OUT.tqa)")
        }
        if output == dash && isatty(1) == 1 {
            throw CLIError("standard output is a terminal; redirect it to a file or pipe it into another program")
        }
    }

    /// Where a report or summary goes: stderr always, so that stdout carries only data.
    static func report(_ line: String) { FileHandleOut.stderr(line + "\n") }
}

/// Standard input read whole, for the commands that must look at it twice (`info`).
enum StandardInput {
    static func readAll() throws -> [UInt8] {
        try StandardStream.refuseTerminals(input: StandardStream.dash, output: nil)
        let source = try ByteSource(path: StandardStream.inputPath)
        var bytes: [UInt8] = []
        while true {
            let piece = try source.read(upTo: 1 << 20)
            if piece.isEmpty { return bytes }
            bytes += piece
        }
    }
}
