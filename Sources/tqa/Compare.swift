import ArgumentParser
import Foundation
import TQAudio

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a test WAV or .tqa file against a reference WAV: MSE, SNR, correlation, peaks, segmental SNR, LSD.",
        discussion: """
            TEST may be a .tqa file: it is decoded in memory (as floats, before any WAV sample \
            format) and resampled to the reference's rate if its own differs (sqcodec); \
            sqcodec files need their weights (--weights).

            Segmental SNR: the mean over 20 ms segments of each segment's SNR, clamped to \
            [-10, 100] dB; segments whose reference is below -70 dB FS RMS are left out.

            LSD (log-spectral distance, Gray & Markel 1976, the RMS form common in speech \
            enhancement): per frame of 2048 samples (Hann, hop 1024), \
            sqrt(mean over bins of (10 log10((|X|^2 + e) / (|Y|^2 + e)))^2), X the reference, \
            Y the test, averaged over frames. The floor e is 30 dB below the frame's mean \
            reference power (at least -100 dB FS), so that an empty band (a band-limited \
            source) with small coding noise cannot dominate it; frames whose reference is below \
            -70 dB FS RMS are left out.

            --plot FILE.svg draws, per channel: the long-term spectra of the reference and of \
            the error (dB FS over log frequency; a full-scale sine reads 0 dB), the SNR of each \
            octave band, and the segmental SNR over time.

            Examples:
              tqa compare input.wav song.wav
              tqa compare input.wav song.tqa --plot song.svg
              tqa compare --json input.wav song.wav
            """)

    @Argument(help: "Reference WAV.", completion: .file(extensions: ["wav"]))
    var reference: String?

    @Argument(help: "Test WAV, or a .tqa file to decode in memory.", completion: .file(extensions: ["wav", "tqa"]))
    var test: String?

    @Option(name: .customLong("f1", withSingleDash: true), help: ArgumentHelp("Reference WAV (the seed's spelling).", visibility: .hidden))
    var f1: String?

    @Option(name: .customLong("f2", withSingleDash: true), help: ArgumentHelp("Test WAV (the seed's spelling).", visibility: .hidden))
    var f2: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: ArgumentHelp("Draw spectra, band SNR and segmental SNR to this SVG file.", valueName: "file.svg"),
            completion: .file(extensions: ["svg"]))
    var plot: String?

    @Option(help: "sqcodec, l3ac TEST: directory with the model's weights (default: ~/.cache/sq_codec/<model>.v0, ~/.cache/l3ac/<model>.v1).", completion: .directory)
    var weights: String?

    @Option(help: "Threads for decoding a .tqa TEST (default: all cores).")
    var threads: Int = ProcessInfoCores.count

    @OptionGroup(title: "Span (both files cut to it)")
    var span: SpanOptions

    func validate() throws {
        guard (reference ?? f1) != nil, (test ?? f2) != nil else { throw ValidationError("give a reference and a test WAV") }
    }

    func run() throws {
        let ref = (f1 ?? reference)!, tst = (f2 ?? (f1 != nil ? reference : test))!
        let m = try Comparison.files(reference: ref, test: tst, weights: weights, threads: max(1, min(threads, 256)),
                                     span: span.isSet ? span : nil)
        for w in m.warnings { FileHandleOut.stderr("warning: \(w)\n") }
        if let path = plot {
            let out = try OutputFile(path: path, overwrite: true)
            try out.write(Array(ComparePlot.svg(reference: ref, test: tst, result: m).utf8))
            try out.commit()
        }
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
        /// Per channel, for `--plot`.
        var profiles: [FidelityProfile]
    }

    static func files(reference: String, test: String, weights: String? = nil, threads: Int = 1, span: SpanOptions? = nil) throws -> Result {
        let a = try WAVReader(path: reference)
        var windowA = try span.map { try FrameWindow(span: $0, reference: reference, format: a.format) }, windowB = windowA
        func readA() throws -> AudioBuffer? { try FrameWindow.read(&windowA) { try a.read(maxFrames: 1 << 16) } }
        let b = try TestSignal(path: test, referenceRate: a.format.sampleRate, weights: weights, threads: threads)
        func readB() throws -> AudioBuffer? { try FrameWindow.read(&windowB) { try b.read() } }
        guard a.format.channelCount == b.channelCount else {
            throw CLIError("\(reference) has \(a.format.channelCount) channels, \(test) has \(b.channelCount); compare needs the same count")
        }
        var warnings: [String] = []
        if a.format.sampleRate != b.sampleRate {
            warnings.append("sample rates differ: \(a.format.sampleRate) Hz and \(b.sampleRate) Hz")
        }
        var acc = MetricsAccumulator(channelCount: a.format.channelCount, sampleRate: a.format.sampleRate)
        var pendingA: AudioBuffer?, pendingB: AudioBuffer?
        while true {
            if pendingA == nil || pendingA!.frameCount == 0 { pendingA = try readA() }
            if pendingB == nil || pendingB!.frameCount == 0 { pendingB = try readB() }
            guard let x = pendingA, let y = pendingB else { break }
            let n = min(x.frameCount, y.frameCount)
            acc.add(reference: x.frames(0..<n), test: y.frames(0..<n))
            pendingA = x.frames(n..<x.frameCount)
            pendingB = y.frames(n..<y.frameCount)
        }
        var restA = pendingA?.frameCount ?? 0, restB = pendingB?.frameCount ?? 0
        while let x = try readA() { restA += x.frameCount }
        while let y = try readB() { restB += y.frameCount }
        if restA != restB { warnings.append("lengths differ: compared the first \(acc.frames) frames (\(restA > 0 ? reference : test) has \(max(restA, restB)) more)") }
        warnings += b.warnings
        return Result(overall: acc.overall, channels: acc.channels, frames: acc.frames, sampleRate: a.format.sampleRate, warnings: warnings,
                      profiles: acc.profiles)
    }

    /// JSON object for one set of metrics; non-finite values become null.
    static func dictionary(_ m: FidelityMetrics) -> [String: Any] {
        func v(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        return ["mse": v(m.mse), "snr_db": v(m.snrDB), "correlation": v(m.correlation), "peak_reference": v(m.peakReference),
                "peak_test": v(m.peakTest), "peak_delta": v(m.peakDelta), "segmental_snr_db": v(m.segmentalSNRDB), "lsd_db": v(m.lsdDB)]
    }
}
