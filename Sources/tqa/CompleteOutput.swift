import TQAudio

/// Whether an output that exists is complete, so that a re-run may skip it (`Batch.run`).
/// Each returns nil when complete, else what is wrong.
enum CompleteOutput {
    /// A .tqa output: it passes `tqa test` (every packet's CRC, the timeline, the end marker and
    /// a full decode in memory).
    static func tqa(weights: String?, threads: Int) -> Batch.CompletenessCheck {
        { path in
            let o = TestCommand.check(path, weights: weights, threads: threads)
            return o.error.map { "\(o.damaged ? "damaged: " : "")\($0)" }
        }
    }

    /// A WAV output: it parses whole. Its header declares a frame count, the `data` chunk is all
    /// there (`WAVFormatQuirk.dataBeyondEnd` is not found), and every frame reads.
    static func wav(path: String) -> String? {
        do {
            let reader = try WAVReader(path: path)
            guard let declared = reader.format.frameCount else { return "its header declares no length" }
            if let q = reader.quirks.first(where: { if case .dataBeyondEnd = $0 { true } else { false } }) { return "\(q)" }
            while try reader.read(maxFrames: Pipeline.chunkFrames) != nil {}
            return reader.framesRead == declared ? nil : "it holds \(reader.framesRead) of the \(declared) frames it declares"
        } catch {
            return "\(error)"
        }
    }
}
