/// A rate or quality target that the codec could not meet (issue 14.7): the CLI warns with the
/// value reached rather than leave the user to find it in the summary.
enum CodecTarget {
    /// How far above `--bits-per-sample` the reached rate may be before the target counts as not
    /// met: the spectral rate control lands within about 1 % (0.3 s to 10 s of music, 0.5 to 32
    /// bits/sample), and below a target is never a failure to meet it.
    static let rateTolerance = 0.05
    /// How far below `--snr` the encoder's measured SNR may fall before it counts as not met.
    static let snrToleranceDB = 0.5

    /// The warning for `input`, encoded with `options` into `result`, or nil when the target
    /// was met (or there was none, or nothing to measure).
    static func warning(options: CodecOptions, result: Pipeline.EncodeResult, input: String) -> String? {
        guard options.codec == .spectral, result.frames > 0 else { return nil }
        if let snr = options.snr {
            guard let reached = result.measuredSNRDB, reached < snr - snrToleranceDB else { return nil }
            return "warning: \(input): --snr \(fmt(snr, 1)) cannot be met; reached \(fmt(reached, 1)) dB SNR as the encoder measured it (the finest step it has)"
        }
        if let rate = options.bitrate {
            let seconds = Double(result.frames) / Double(result.inputFormat.sampleRate)
            let reached = Double(result.bytes) * 8 / seconds
            guard reached > rate.bitsPerSecond * (1 + rateTolerance) else { return nil }
            return "warning: \(input): --bitrate \(fmt(rate.bitsPerSecond / 1000, 1))k cannot be met; reached \(fmt(reached / 1000, 1)) kbit/s, the spectral codec's floor for this input (side information and container)"
        }
        guard let target = options.bitsPerSample else { return nil }
        let reached = Double(result.bytes) * 8 / Double(result.frames * result.inputFormat.channelCount)
        guard reached > target * (1 + rateTolerance) else { return nil }
        return "warning: \(input): --bits-per-sample \(fmt(target, 3)) cannot be met; reached \(fmt(reached, 3)) bits/sample, the spectral codec's floor for this input (side information and container)"
    }
}
