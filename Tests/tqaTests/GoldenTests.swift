import Foundation
import Testing
import SQCodec
import TQAudio
import TQContainer
import TurboQuant

/// One row of `Golden/MANIFEST.md`: a committed `.tqa` and its committed decoded `.wav`, and the
/// `tqa synth` / `tqa encode` / `tqa decode` arguments that made them.
struct GoldenFile: Sendable, CustomTestStringConvertible {
    var name: String
    var codec: String
    var parameterVersion: UInt8
    /// Arguments of `tqa models --random-weights DIR …` (sqcodec), else empty.
    var weights: [String]
    var synth: [String]
    var encode: [String]
    var decode: [String]
    /// A retired parameter version: today's encoder no longer writes it, so the row pins the
    /// decoder only (its encode cell reads "decode only: `ARGS`", the arguments of the encoder
    /// that made it).
    var decodeOnly: Bool

    var testDescription: String { name }

    /// The folder of the golden files, found from this source file (the files are read in place,
    /// not copied into the test bundle).
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    var tqaPath: String { GoldenFile.directory + "/" + name + ".tqa" }
    var wavPath: String { GoldenFile.directory + "/" + name + ".wav" }

    /// The rows of the manifest's table, in order; a row that does not parse stops the tests.
    static let all: [GoldenFile] = {
        let text = (try? String(contentsOfFile: directory + "/MANIFEST.md", encoding: .utf8)) ?? ""
        func words(_ cell: Substring) -> [String] {
            cell.replacingOccurrences(of: "`", with: "").split(separator: " ").map(String.init)
        }
        return text.split(separator: "\n").compactMap { line -> GoldenFile? in
            guard line.hasPrefix("|") else { return nil }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces)[...] }
            guard cells.count == 7, cells[0] != "name", !cells[0].hasPrefix("---") else { return nil }
            guard let version = UInt8(cells[2]) else { fatalError("Golden/MANIFEST.md: bad version in \(line)") }
            let decodeOnly = cells[5].hasPrefix(GoldenFile.decodeOnlyMark)
            let encode = decodeOnly ? cells[5].dropFirst(GoldenFile.decodeOnlyMark.count) : cells[5]
            return GoldenFile(name: String(cells[0]), codec: String(cells[1]), parameterVersion: version, weights: words(cells[3]),
                              synth: words(cells[4]), encode: words(encode), decode: words(cells[6]), decodeOnly: decodeOnly)
        }
    }()

    static let decodeOnlyMark = "decode only:"

    static func rows(_ codecs: Set<String>) -> [GoldenFile] { all.filter { codecs.contains($0.codec) } }
    /// The rows today's encoder must reproduce.
    static func encodedRows(_ codecs: Set<String>) -> [GoldenFile] { rows(codecs).filter { !$0.decodeOnly } }
}

/// The golden files pin every codec and parameter version (GUIDE habit 12, docs/FORMAT.md):
/// for each row of `Golden/MANIFEST.md`, the built `tqa` must
/// 1. encode the source that `tqa synth` regenerates into exactly the committed `.tqa`, and
/// 2. decode the committed `.tqa` into exactly the committed `.wav` (header and every sample).
/// The whole CLI runs, so the WAV reader and writer, the container and the codec are all pinned.
/// A failure means an output changed: if that was meant, regenerate with `tools/make_golden.sh`
/// and say so in the commit; if not, it is a bug.
///
/// The files were made on Linux x86-64 (the CI machine). Turbo and spectral use only IEEE
/// float arithmetic in a fixed order, but `tqa synth` calls the C library's `sin`/`exp`, which may
/// differ in the last bit elsewhere. SQCodec's float results are exact only for the same kernels:
/// its rows run only on a build with the AVX2 + FMA kernels (not `TQA_PORTABLE=1`, not arm64),
/// where the network is deterministic from run to run and thread count to thread count; they
/// are still compared sample-exact there, not within a tolerance.
@Suite struct GoldenTests {
    @Test func manifestListsEveryFile() throws {
        let rows = GoldenFile.all
        #expect(rows.count >= 10, "Golden/MANIFEST.md has \(rows.count) rows")
        #expect(Set(rows.map(\.codec)) == ["turbo", "spectral", "sqcodec"])
        let committed = Set(((try? FileManager.default.contentsOfDirectory(atPath: GoldenFile.directory)) ?? [])
            .filter { $0.hasSuffix(".tqa") || $0.hasSuffix(".wav") })
        let listed = Set(rows.flatMap { [$0.name + ".tqa", $0.name + ".wav"] })
        #expect(committed == listed, "not listed: \(committed.subtracting(listed).sorted()), missing: \(listed.subtracting(committed).sorted())")
        // Only a version the encoder no longer writes may skip the re-encoding.
        let written: Set<UInt8> = [SpectralParameters.version, SpectralParameters.perceptualVersion]
        for g in rows where g.decodeOnly {
            #expect(g.codec == "spectral" && !written.contains(g.parameterVersion), "\(g.name) is decode only but its version is still written")
        }
        #expect(rows.contains { $0.decodeOnly }, "no decode-only row parsed: the manifest's mark changed?")
    }

    @Test(arguments: GoldenFile.encodedRows(["turbo", "spectral"]))
    func encodesByteExact(_ g: GoldenFile) throws { try checkEncode(g) }

    @Test(arguments: GoldenFile.rows(["turbo", "spectral"]))
    func decodesSampleExact(_ g: GoldenFile) throws { try checkDecode(g) }

    @Test(.enabled(if: SQCodecModel.needsAVX2AndFMA, "the sqcodec golden files were made with the AVX2 + FMA kernels"),
          arguments: GoldenFile.rows(["sqcodec"]))
    func sqcodecEncodesByteExact(_ g: GoldenFile) throws { try checkEncode(g) }

    @Test(.enabled(if: SQCodecModel.needsAVX2AndFMA, "the sqcodec golden files were made with the AVX2 + FMA kernels"),
          arguments: GoldenFile.rows(["sqcodec"]))
    func sqcodecDecodesSampleExact(_ g: GoldenFile) throws { try checkDecode(g) }

    // MARK: -

    /// `--weights DIR` with the row's random weights written into `dir`, or nothing.
    func weightArguments(_ g: GoldenFile, in dir: ScratchDirectory) throws -> [String] {
        guard !g.weights.isEmpty else { return [] }
        let path = dir.file("weights")
        let o = try CLI.run(["models", "--random-weights", path] + g.weights)
        try #require(o.status == 0, "tqa models --random-weights: \(o.stderr)")
        return ["--weights", path]
    }

    func checkEncode(_ g: GoldenFile) throws {
        let golden = readBytes(g.tqaPath)
        try #require(!golden.isEmpty, "\(g.tqaPath) is missing")
        let dir = try ScratchDirectory()
        let weights = try weightArguments(g, in: dir)
        let source = dir.file("source.wav"), made = dir.file("made.tqa")
        let s = try CLI.run(["synth"] + g.synth + ["-o", source])
        try #require(s.status == 0, "tqa synth \(g.synth.joined(separator: " ")): \(s.stderr)")
        let e = try CLI.run(["encode", source, "-o", made, "--quiet"] + g.encode + weights)
        try #require(e.status == 0 && !e.crashed, "tqa encode \(g.encode.joined(separator: " ")): \(e.stderr)")
        let bytes = readBytes(made)
        guard bytes != golden else { return }
        Issue.record("\(g.tqaPath): \(firstDifference(bytes, golden)); the encoder's output changed")
    }

    func checkDecode(_ g: GoldenFile) throws {
        let golden = readBytes(g.wavPath)
        try #require(!golden.isEmpty, "\(g.wavPath) is missing")
        // The committed file is what the manifest says it is (every row is decoded, so every
        // file is checked here).
        let (header, _) = try TQAHeader.decode(readBytes(g.tqaPath))
        #expect(header.codec.description == g.codec && header.codecParameters.first == g.parameterVersion,
                "\(g.tqaPath) holds \(header.codec) parameter version \(header.codecParameters.first ?? 0)")
        let dir = try ScratchDirectory()
        let weights = try weightArguments(g, in: dir)
        let made = dir.file("decoded.wav")
        let d = try CLI.run(["decode", g.tqaPath, "-o", made, "--quiet"] + g.decode + weights)
        try #require(d.status == 0 && !d.crashed, "tqa decode \(g.decode.joined(separator: " ")): \(d.stderr)")
        let bytes = readBytes(made)
        guard bytes != golden else { return }
        Issue.record("\(g.wavPath): \(firstDifference(bytes, golden)); \(sampleDifference(made: made, golden: g.wavPath)); the decoder's output changed")
    }

    /// "N bytes, the golden M; first differing byte at offset K".
    func firstDifference(_ a: [UInt8], _ golden: [UInt8]) -> String {
        let k = (0..<min(a.count, golden.count)).first { a[$0] != golden[$0] } ?? min(a.count, golden.count)
        return "made \(a.count) bytes, the golden file has \(golden.count); first differing byte at offset \(k)"
    }

    /// Where two WAV files' samples first differ, and by how much at most.
    func sampleDifference(made: String, golden: String) -> String {
        guard let a = try? WAVReader.readAll(path: made), let b = try? WAVReader.readAll(path: golden) else { return "unreadable WAV" }
        guard a.sampleRate == b.sampleRate, a.channelCount == b.channelCount, a.frameCount == b.frameCount else {
            return "made \(a.frameCount) frames × \(a.channelCount) ch at \(a.sampleRate) Hz, the golden \(b.frameCount) × \(b.channelCount) at \(b.sampleRate)"
        }
        var first: (frame: Int, channel: Int)?
        var largest: Float = 0
        for c in 0..<a.channelCount {
            for (i, (x, y)) in zip(a.channel(c), b.channel(c)).enumerated() where x != y {
                if first == nil || i < first!.frame { first = (i, c) }
                largest = max(largest, abs(x - y))
            }
        }
        guard let f = first else { return "same samples, different header bytes" }
        return "first differing sample at frame \(f.frame), channel \(f.channel); largest difference \(largest) of full scale 1"
    }
}
