import ArgumentParser
import TQAudio
import TQContainer
import TurboQuant
import SQCodec

/// The codec choice and its settings, shared by `encode`, `run`, `simulate` and `bench`.
struct CodecOptions: ParsableArguments {
    enum Codec: String, ExpressibleByArgument, CaseIterable {
        case turbo, spectral, sqcodec, l3ac
    }

    @Option(help: "Codec: turbo (time-domain TurboQuant), spectral (MDCT TurboQuant), sqcodec or l3ac (neural).")
    var codec: Codec = .turbo

    @Option(name: .customLong("bits"), help: "turbo: codebook bits per sample, 1...8 (default 6).")
    var bitsOption: Int?

    @Option(name: .customLong("block"), help: "turbo: block size, a power of two in 64...8192 (default 512).")
    var blockOption: Int?

    @Flag(help: "turbo: leave out the 1-bit residual sign layer.")
    var noResidual = false

    @Option(help: "spectral: average bits per sample (per channel; default 4).")
    var bitsPerSample: Double?

    @Option(help: "spectral: target SNR in dB (constant quality) instead of a rate.")
    var snr: Double?

    @Option(help: "spectral: average rate in bits per second, header and container included (96000, 96k, 1.2M), instead of --bits-per-sample.")
    var bitrate: Bitrate?

    @Option(help: "spectral: mse (least squared error, the default) or perceptual (by ear: every band's energy kept, as noise where not coded; a low-pass that follows the rate).")
    var tune: SpectralTuning?

    @Option(name: .customLong("model"), help: "sqcodec: the model, one of \(ModelFamily.sqcodec.published.map(\.name).joined(separator: ", ")) (default 6kbps); l3ac: one of \(ModelFamily.l3ac.published.map(\.name).joined(separator: ", ")) (default 1kbps).")
    var modelOption: String?

    @Option(help: "sqcodec, l3ac: directory with the model's weights (default: ~/.cache/sq_codec/<model>.v0, ~/.cache/l3ac/<model>.v1).", completion: .directory)
    var weights: String?

    @Option(name: .customLong("seed"), help: "turbo, spectral: seed of the pseudo-random rotations (stored in the file; default \(TurboParameters.defaultSeed)).")
    var seedOption: UInt64?

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int = ProcessInfoCores.count

    var bits: Int { bitsOption ?? 6 }
    var block: Int { blockOption ?? 512 }
    var model: String { modelOption ?? (codec == .l3ac ? "1kbps" : "6kbps") }

    /// The model family of a neural codec, nil for the others.
    var family: ModelFamily? {
        switch codec {
        case .sqcodec: .sqcodec
        case .l3ac: .l3ac
        case .turbo, .spectral: nil
        }
    }
    var seed: UInt64 { seedOption ?? TurboParameters.defaultSeed }

    func validate() throws {
        guard TurboParameters.bitsRange.contains(bits) else { throw ValidationError("--bits must be 1...8, got \(bits)") }
        guard TurboParameters.blockSizeRange.contains(block), block & (block - 1) == 0 else {
            throw ValidationError("--block must be a power of two in 64...8192, got \(block)")
        }
        let models = family ?? .sqcodec
        if models.named(model) == nil {
            throw ValidationError("--model must be one of \(models.published.map(\.name).joined(separator: ", ")) for \(models.rawValue), got \(model)")
        }
        if [bitsPerSample != nil, snr != nil, bitrate != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --bits-per-sample, --bitrate and --snr")
        }
        if let r = bitrate, !(r.bitsPerSecond >= 100 && r.bitsPerSecond <= 100_000_000) {
            throw ValidationError("--bitrate must be in 100...100M bits per second, got \(r.bitsPerSecond)")
        }
        if let b = bitsPerSample, !(b > 0 && b <= 32) { throw ValidationError("--bits-per-sample must be in (0, 32], got \(b)") }
        if let s = snr, !(s > 0 && s <= 150) { throw ValidationError("--snr must be in (0, 150] dB, got \(s)") }
        guard threads >= 1 && threads <= 256 else { throw ValidationError("--threads must be 1...256") }
    }

    /// A short description for reports, e.g. "turbo, 6 bits + residual, block 512".
    var summary: String {
        switch codec {
        case .turbo: "turbo, \(bits) bits\(noResidual ? "" : " + residual"), block \(block)"
        case .spectral:
            (tune == .perceptual ? "spectral perceptual, " : "spectral, ")
                + (snr.map { "target \($0) dB SNR" } ?? bitrate.map { "\($0.bitsPerSecond / 1000) kbit/s" } ?? "\(bitsPerSample ?? 4) bits per sample")
        case .sqcodec, .l3ac: "\(codec.rawValue) \(model)"
        }
    }
}

enum ProcessInfoCores {
    static var count: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

#if canImport(Glibc)
import Glibc
#endif
