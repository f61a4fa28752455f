import Foundation

/// The one-line reports of `encode` and `decode`. A rate (bits per sample, × real time) is given
/// only when there is something to divide by: an empty input reports its frame count and size.
enum Summary {
    /// `OUT: CODEC, N frames × C ch, B bytes (R:1 to the input's I bytes), X bits/sample, T s, S× real time`.
    static func encoded(output: String, codec: String, input: String, frames: Int, channels: Int, sampleRate: Int,
                        bytes: Int, seconds: Double) -> String {
        var parts = ["\(output): \(codec)", "\(frames) frames × \(channels) ch" + (frames == 0 ? " (empty input)" : "")]
        var size = "\(bytes) bytes"
        if let i = fileSize(input), i > 0, bytes > 0 { size += " (\(fmt(Double(i) / Double(bytes), 1)):1 to the input's \(i) bytes)" }
        parts.append(size)
        if frames > 0 && channels > 0 { parts.append("\(fmt(Double(bytes) * 8 / Double(frames * channels), 3)) bits/sample") }
        parts.append(time(frames: frames, sampleRate: sampleRate, seconds: seconds))
        return parts.joined(separator: ", ")
    }

    /// `OUT: N frames × C ch at R Hz, FORMAT, B bytes (X× the input's I bytes), T s, S× real time`.
    static func decoded(output: String, input: String, frames: UInt64, channels: Int, sampleRate: Int, format: String,
                        seconds: Double) -> String {
        let n = Int(clamping: frames)
        var parts = ["\(output): \(n) frames × \(channels) ch at \(sampleRate) Hz" + (n == 0 ? " (empty stream)" : ""), format]
        if let o = fileSize(output) {
            var size = "\(o) bytes"
            if let i = fileSize(input), i > 0 { size += " (\(fmt(Double(o) / Double(i), 1))× the input's \(i) bytes)" }
            parts.append(size)
        }
        parts.append(time(frames: n, sampleRate: sampleRate, seconds: seconds))
        return parts.joined(separator: ", ")
    }

    /// `T s, S× real time`; the speed only for a non-empty signal.
    static func time(frames: Int, sampleRate: Int, seconds: Double) -> String {
        let elapsed = "\(fmt(seconds, seconds < 10 ? 2 : 1)) s"
        guard frames > 0, sampleRate > 0 else { return elapsed }
        let speed = Double(frames) / Double(sampleRate) / max(seconds, 1e-6)
        return elapsed + ", \(fmt(speed, speed < 10 ? 1 : 0))× real time"
    }

    /// The size of a regular file, nil for anything else (a pipe, `-`).
    static func fileSize(_ path: String) -> Int? {
        guard let a = try? FileManager.default.attributesOfItem(atPath: path), a[.type] as? FileAttributeType == .typeRegular else { return nil }
        return (a[.size] as? NSNumber)?.intValue
    }
}
