import ArgumentParser
import Foundation
import TQAudio

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a test WAV against a reference: MSE, SNR, correlation, peaks, segmental SNR, LSD.")

    @Argument(help: "Reference WAV.")
    var reference: String?

    @Argument(help: "Test WAV.")
    var test: String?

    @Option(name: .customLong("f1", withSingleDash: true), help: ArgumentHelp("Reference WAV (the seed's spelling).", visibility: .hidden))
    var f1: String?

    @Option(name: .customLong("f2", withSingleDash: true), help: ArgumentHelp("Test WAV (the seed's spelling).", visibility: .hidden))
    var f2: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (reference ?? f1) != nil, (test ?? f2) != nil else { throw ValidationError("give a reference and a test WAV") }
    }

    func run() throws {
        let ref = (f1 ?? reference)!, tst = (f2 ?? (f1 != nil ? reference : test))!
        let m = try Comparison.files(reference: ref, test: tst)
        for w in m.warnings { FileHandleOut.stderr("warning: \(w)\n") }
        if json {
            var o = Comparison.dictionary(m.overall)
            o["channels"] = m.channels.map { Comparison.dictionary($0) }
            o["frames"] = m.frames
            o["sample_rate"] = m.sampleRate
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("frames compared  \(m.frames) at \(m.sampleRate) Hz, \(m.channels.count) ch")
        let rows: [(String, (FidelityMetrics) -> String)] = [
            ("MSE", { String(format: "%.3e", $0.mse) }), ("SNR dB", { fmt($0.snrDB) }), ("segmental SNR dB", { fmt($0.segmentalSNRDB) }),
            ("LSD dB", { fmt($0.lsdDB) }), ("correlation", { fmt($0.correlation, 6) }), ("peak reference", { fmt($0.peakReference, 4) }),
            ("peak test", { fmt($0.peakTest, 4) }), ("peak delta", { fmt($0.peakDelta, 4) }),
        ]
        let header = ["metric".padding(toLength: 18, withPad: " ", startingAt: 0), "overall".padding(toLength: 12, withPad: " ", startingAt: 0)]
            + m.channels.indices.map { "ch\($0)".padding(toLength: 12, withPad: " ", startingAt: 0) }
        print(header.joined())
        for (name, f) in rows {
            let cells = [name.padding(toLength: 18, withPad: " ", startingAt: 0), f(m.overall).padding(toLength: 12, withPad: " ", startingAt: 0)]
                + m.channels.map { f($0).padding(toLength: 12, withPad: " ", startingAt: 0) }
            print(cells.joined())
        }
    }
}

/// Streams two WAV files through `MetricsAccumulator`.
enum Comparison {
    struct Result {
        var overall: FidelityMetrics
        var channels: [FidelityMetrics]
        var frames: Int
        var sampleRate: Int
        var warnings: [String]
    }

    static func files(reference: String, test: String) throws -> Result {
        let a = try WAVReader(path: reference), b = try WAVReader(path: test)
        guard a.format.channelCount == b.format.channelCount else {
            throw CLIError("\(reference) has \(a.format.channelCount) channels, \(test) has \(b.format.channelCount); compare needs the same count")
        }
        var warnings: [String] = []
        if a.format.sampleRate != b.format.sampleRate {
            warnings.append("sample rates differ: \(a.format.sampleRate) Hz and \(b.format.sampleRate) Hz")
        }
        var acc = MetricsAccumulator(channelCount: a.format.channelCount, sampleRate: a.format.sampleRate)
        var pendingA: AudioBuffer?, pendingB: AudioBuffer?
        while true {
            if pendingA == nil || pendingA!.frameCount == 0 { pendingA = try a.read(maxFrames: 1 << 16) }
            if pendingB == nil || pendingB!.frameCount == 0 { pendingB = try b.read(maxFrames: 1 << 16) }
            guard let x = pendingA, let y = pendingB else { break }
            let n = min(x.frameCount, y.frameCount)
            acc.add(reference: x.frames(0..<n), test: y.frames(0..<n))
            pendingA = x.frames(n..<x.frameCount)
            pendingB = y.frames(n..<y.frameCount)
        }
        let restA = (pendingA?.frameCount ?? 0) + (try drain(a)), restB = (pendingB?.frameCount ?? 0) + (try drain(b))
        if restA != restB { warnings.append("lengths differ: compared the first \(acc.frames) frames (\(restA > 0 ? reference : test) has \(max(restA, restB)) more)") }
        return Result(overall: acc.overall, channels: acc.channels, frames: acc.frames, sampleRate: a.format.sampleRate, warnings: warnings)
    }

    private static func drain(_ r: WAVReader) throws -> Int {
        var n = 0
        while let b = try r.read(maxFrames: 1 << 16) { n += b.frameCount }
        return n
    }

    /// JSON object for one set of metrics; non-finite values become null.
    static func dictionary(_ m: FidelityMetrics) -> [String: Any] {
        func v(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        return ["mse": v(m.mse), "snr_db": v(m.snrDB), "correlation": v(m.correlation), "peak_reference": v(m.peakReference),
                "peak_test": v(m.peakTest), "peak_delta": v(m.peakDelta), "segmental_snr_db": v(m.segmentalSNRDB), "lsd_db": v(m.lsdDB)]
    }
}
