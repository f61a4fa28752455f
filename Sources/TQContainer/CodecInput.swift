import TQAudio

/// What every codec may assume of the samples it is given, and the one place that makes it so.
///
/// Codecs (`PacketEncoder`) take finite samples within ±`maxMagnitude`; `TQAStreamEncoder`
/// conditions every buffer with `condition(_:)` before its codec sees it, so no codec cleans its
/// own input. Code that drives an encoder without the stream calls `condition(_:)` itself.
public enum CodecInput {
    /// Largest magnitude handed to a codec: far beyond full scale (1), small enough that no
    /// codec's side information overflows binary16 (a turbo block of 8192 samples of 64 rotates
    /// to at most 64·√8192 ≈ 5800) and that no variance, logarithm or integer conversion of the
    /// spectral codec overflows.
    ///
    /// Before this was the one limit, the spectral encoder clamped at ±1024 and the classic and
    /// SQCodec encoders only cleared NaN and ±Inf; behind `TQAStreamEncoder` (which clipped at
    /// ±64 already) every codec got, and gets, the same samples, so files are unchanged. Only a
    /// caller that drives a spectral encoder directly with samples beyond ±64 sees them clipped
    /// at 64 now, after calling `condition(_:)`.
    public static let maxMagnitude: Float = 64

    /// Sets NaN and ±Inf to 0 (coded as silence) and clips finite samples beyond ±`maxMagnitude`
    /// to it. Returns how many samples of each kind there were. One read-only pass when the
    /// buffer is clean (the usual case).
    @discardableResult
    public static func condition(_ buffer: inout AudioBuffer) -> (nonFinite: Int, clipped: Int) {
        let limit = maxMagnitude
        // !(|x| ≤ limit) holds for NaN too.
        guard buffer.samples.contains(where: { !(abs($0) <= limit) }) else { return (0, 0) }
        var nonFinite = 0, clipped = 0
        buffer.withMutableSamples { x in
            for i in x.indices where !(abs(x[i]) <= limit) {
                if x[i].isFinite {
                    x[i] = x[i] > 0 ? limit : -limit
                    clipped += 1
                } else {
                    x[i] = 0
                    nonFinite += 1
                }
            }
        }
        return (nonFinite, clipped)
    }
}
