import ArgumentParser
import TurboQuant

/// A rate in bits per second as people write it (`--bitrate`): 96000, 96k, 96.5k or 1.2M.
struct Bitrate: ExpressibleByArgument, Equatable {
    let bitsPerSecond: Double

    init?(argument: String) {
        let text = argument.lowercased()
        var digits = Substring(text)
        var unit = 1.0
        if let last = text.last, let u = ["k": 1e3, "m": 1e6][String(last)] {
            unit = u
            digits = text.dropLast()
        }
        guard let value = Double(digits), value.isFinite, value > 0 else { return nil }
        bitsPerSecond = value * unit
    }

    var defaultValueDescription: String { "\(bitsPerSecond)" }
}

/// `--tune mse|perceptual`.
extension SpectralTuning: ExpressibleByArgument {}
