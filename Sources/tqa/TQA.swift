import ArgumentParser
import TQAudio
#if canImport(Glibc)
import Glibc
#endif

@main
struct TQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tqa",
        abstract: "Lossy audio compression: TurboQuant (classic and spectral) and SQCodec.",
        discussion: """
            Examples:
              tqa encode input.wav -o out.tqa --codec spectral --snr 30
              tqa decode out.tqa -o out.wav
              tqa compare input.wav out.tqa --plot out.svg
            """,
        version: "0.1.0",
        subcommands: [Encode.self, Decode.self, Run.self, Compare.self, Synth.self, Simulate.self, Info.self, TestCommand.self, Models.self, Tokens.self, Bench.self]
    )

    /// Errors of ours print as one `error: …` line with exit code 1 (see `fail`); argument
    /// errors keep ArgumentParser's usage text (exit code 64).
    static func main() {
        installSignalCleanup()
        keepFreedMemoryForReuse()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if isOurs(error) { fail(error) }
            // ArgumentParser's own: help and version go to stdout with status 0; usage errors
            // to stderr as `error: …` with their usage text and status 64.
            let code = exitCode(for: error)
            var message = fullMessage(for: error)
            if code == .success {
                print(message)
                Glibc.exit(0)
            }
            if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst(7) }
            FileHandleOut.stderr(message + "\n")
            Glibc.exit(code.rawValue)
        }
    }

    static func isOurs(_ error: Error) -> Bool {
        let name = String(reflecting: type(of: error))
        return !name.hasPrefix("ArgumentParser.")
    }

    /// Prints `error: <description>` and exits with status 1. The description (`Advice.message`:
    /// the library's fact in the words of our options) is escaped for the terminal
    /// (`escapedForTerminal`): errors quote names and text read from files, which
    /// must neither break the line nor reach the terminal as control codes. A `CLIError` made
    /// of several lines (`init(summary:items:)`) escaped its parts already and prints as is.
    static func fail(_ error: Error) -> Never {
        let message = (error as? CLIError).flatMap { $0.isEscaped ? $0.description : nil }
            ?? Advice.message(error).escapedForTerminal
        FileHandleOut.stderr("error: \(message)\n")
        Glibc.exit(1)
    }
}

/// Removes temporary outputs on SIGINT/SIGTERM so that an interrupted run leaves nothing behind.
func installSignalCleanup() {
    OutputFileRegistry.prepare()
    // A parent may start us with these signals blocked (a blocked mask is inherited across
    // exec; Foundation's Process does this): unblock them, or SIGTERM would never arrive.
    var set = sigset_t()
    sigemptyset(&set)
    for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
    sigprocmask(SIG_UNBLOCK, &set, nil)
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal(sig) { s in
            OutputFileRegistry.removeAll()
            signal(s, SIG_DFL)
            raise(s)
        }
    }
}

/// An error from the command line tool itself, printed as `error: <description>`.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    /// The description is already escaped for the terminal and may span lines.
    let isEscaped: Bool

    init(_ description: String) {
        self.description = description
        isEscaped = false
    }

    /// `summary`, then each of `items` on its own indented line; each part escaped for the
    /// terminal, so that only these line breaks remain.
    init(summary: String, items: [String]) {
        description = ([summary.escapedForTerminal] + items.map(\.escapedForTerminal)).joined(separator: "\n  ")
        isEscaped = true
    }
}

enum FileHandleOut {
    static func stderr(_ s: String) {
        var s = s
        s.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}

/// The codecs allocate and free large buffers over and over (a layer's output, a chunk's
/// coefficients). With glibc's defaults, blocks over its dynamic mmap threshold are mapped and
/// unmapped each time, and freed heap is returned to the kernel, so every new buffer costs page
/// faults and the kernel's zeroing, on one thread. Keeping blocks up to 32 MB in the heap and not
/// trimming it makes them reusable: measured with `GLIBC_TUNABLES`, SQCodec 6kbps decode of 10 s
/// went from 2.21 to 2.08 s on one thread and from 1.29 to 1.19 s on two (system time 0.24 →
/// 0.07 s), and the spectral encoder of 60 s from 0.35 to 0.32 s, peak memory +3 MB.
/// (`mallopt` is in `malloc.h`, which the Glibc module does not export: looked up by name.)
private func keepFreedMemoryForReuse() {
    #if canImport(Glibc)
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
    _ = mallopt(mmapThreshold, 32 << 20)
    _ = mallopt(trimThreshold, Int32.max)
    #endif
}
