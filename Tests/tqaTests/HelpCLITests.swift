import Foundation
import Testing

/// Help, examples, shell completion and the man page (issue 14.8).
@Suite(.serialized) struct HelpCLITests {
    static let subcommands = ["encode", "decode", "run", "compare", "synth", "simulate", "info", "test", "models", "tokens", "bench"]

    /// The example lines of `tqa [subcommand] --help`: the indented `tqa …` lines after `Examples:`.
    func examples(_ subcommand: String?) throws -> [String] {
        let o = try CLI.run((subcommand.map { [$0] } ?? []) + ["--help"])
        #expect(o.status == 0, "\(o.stderr)")
        guard let range = o.stdout.range(of: "Examples:\n") else { return [] }
        let lines = o.stdout[range.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        return lines.prefix { $0.hasPrefix("  tqa ") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func everyHelpHasTwoOrThreeExamples() throws {
        for sub in [nil] + Self.subcommands.map(Optional.some) {
            let e = try examples(sub)
            #expect((2...3).contains(e.count), "tqa \(sub ?? "") --help: \(e)")
            // The examples end the discussion: the usage comes next.
            let help = try CLI.run((sub.map { [$0] } ?? []) + ["--help"]).stdout
            if let last = e.last, let at = help.range(of: last) {
                #expect(help[at.upperBound...].drop { $0 == "\n" }.hasPrefix("USAGE:"), "tqa \(sub ?? ""): examples do not end the discussion")
            }
        }
    }

    /// Runs every example, in a directory holding the files they name (input.wav, a.wav, b.wav,
    /// song.tqa, song.wav, damaged.tqa, speech.tqa, random-6kbps/), through `sh` with this build's
    /// `tqa` first on PATH. Each must exit 0.
    @Test func everyExampleRuns() throws {
        let fixtures = try ScratchDirectory()
        func tqa(_ args: [String]) throws {
            let o = try CLI.run(args, in: fixtures.path)
            #expect(o.status == 0, "tqa \(args.joined(separator: " ")): \(o.stderr)")
        }
        try tqa(["synth", "--type", "demo", "--duration", "1", "--sample-rate", "22050", "--channels", "2", "--format", "s16", "-o", "input.wav"])
        for name in ["a.wav", "b.wav"] { try FileManager.default.copyItem(atPath: fixtures.file("input.wav"), toPath: fixtures.file(name)) }
        try tqa(["encode", "input.wav", "-o", "song.tqa", "--codec", "spectral"])
        try tqa(["decode", "song.tqa", "-o", "song.wav"])
        var bytes = readBytes(fixtures.file("song.tqa"))
        bytes[bytes.count / 2] ^= 0x10
        try writeBytes(bytes, to: fixtures.file("damaged.tqa"))
        try tqa(["models", "--random-weights", "random-6kbps", "--model", "6kbps"])
        try tqa(["encode", "input.wav", "-o", "speech.tqa", "--codec", "sqcodec", "--model", "6kbps", "--weights", "random-6kbps"])

        let binDir = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path
        for sub in [nil] + Self.subcommands.map(Optional.some) {
            let dir = try ScratchDirectory()
            for f in fixtures.contents() { try FileManager.default.createSymbolicLink(atPath: dir.file(f), withDestinationPath: fixtures.file(f)) }
            for line in try examples(sub) {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/sh")
                p.arguments = ["-c", line]
                p.currentDirectoryURL = URL(fileURLWithPath: dir.path)
                var env = ProcessInfo.processInfo.environment
                env["PATH"] = binDir + ":" + (env["PATH"] ?? "/usr/bin:/bin")
                env["SWIFT_BACKTRACE"] = "enable=no"
                p.environment = env
                let err = Pipe()
                p.standardOutput = FileHandle.nullDevice
                p.standardError = err
                try p.run()
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                #expect(p.terminationStatus == 0, "example `\(line)` (tqa \(sub ?? "")): exit \(p.terminationStatus): \(stderr)")
            }
        }
    }

    @Test func bashCompletionCompletesFiles() throws {
        let o = try CLI.run(["--generate-completion-script", "bash"])
        #expect(o.status == 0)
        func function(_ name: String) -> String {
            guard let start = o.stdout.range(of: "\n\(name)() {") else { return "" }
            let rest = o.stdout[start.upperBound...]
            return String(rest[..<(rest.range(of: "\n}\n")?.lowerBound ?? rest.endIndex)])
        }
        let encode = function("_tqa_encode"), decode = function("_tqa_decode"), test = function("_tqa_test")
        // Positional inputs: WAV files for encode, .tqa files for decode and test (plus directories to descend).
        #expect(encode.contains("# Offer positional completions") && encode.contains("-o plusdirs -fX '!*.@(wav)'"), "\(encode)")
        #expect(decode.contains("-o plusdirs -fX '!*.@(tqa)'") && test.contains("-o plusdirs -fX '!*.@(tqa)'"))
        // -o of decode completes WAV names; --weights and --output-dir complete directories.
        #expect(decode.contains("'--output'|'-o')\n        __tqa_add_completions -o plusdirs -fX '!*.@(wav)'"), "\(decode)")
        #expect(decode.contains("'--weights')\n        __tqa_add_completions -d"))
        #expect(encode.contains("'--output-dir')\n        __tqa_add_completions -d"))
        #expect(function("_tqa_compare").contains("'--plot')\n        __tqa_add_completions -o plusdirs -fX '!*.@(svg)'"))
    }

    /// docs/tqa.1 is what swift-argument-parser's generate-manual makes of this build
    /// (`tools/make_manpage.sh`). Runs when the plugin's tool has been built (by that script).
    @Test(.enabled(if: ManPage.tool != nil, "run tools/make_manpage.sh once to build generate-manual-tool"))
    func manPageIsUpToDate() throws {
        let committed = try String(contentsOfFile: ManPage.path, encoding: .utf8)
        // The committed page's date (`.Dd December 2, 2026`), given back to the generator.
        let dd = committed.split(separator: "\n").first { $0.hasPrefix(".Dd ") }.map { String($0.dropFirst(4)) } ?? ""
        let parse = DateFormatter(), print = DateFormatter()
        parse.locale = Locale(identifier: "en_US_POSIX"); parse.dateFormat = "MMMM d, yyyy"; parse.timeZone = TimeZone(identifier: "UTC")
        print.locale = parse.locale; print.dateFormat = "yyyy-MM-dd"; print.timeZone = parse.timeZone
        let date = try #require(parse.date(from: dd).map(print.string), "no date in \(ManPage.path)")
        let out = try ScratchDirectory()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ManPage.tool!)
        p.arguments = [CLI.binary, "--date", date, "--output-directory", out.path]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let generated = try String(contentsOfFile: out.file("tqa.1"), encoding: .utf8)
        #expect(generated == committed, "docs/tqa.1 is out of date: run tools/make_manpage.sh")
    }
}

enum ManPage {
    static let root: URL = {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        return root
    }()

    static let path = root.appendingPathComponent("docs/tqa.1").path

    /// swift-argument-parser's generate-manual-tool, beside this build's `tqa`.
    static let tool: String? = {
        let dir = URL(fileURLWithPath: CLI.binary).resolvingSymlinksInPath().deletingLastPathComponent()
        let t = dir.appendingPathComponent("generate-manual-tool").path
        return FileManager.default.isExecutableFile(atPath: t) ? t : nil
    }()
}
