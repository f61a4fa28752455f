import ArgumentParser

/// Which codec uses which option (issue 14.7): an option the chosen codec does not use is a
/// usage error (exit 64) naming the codec that uses it, never silently ignored.
extension CodecOptions {
    /// Each codec option, the codecs that use it, and whether it was given.
    var ownedOptions: [(flag: String, codecs: [Codec], given: Bool)] {
        [("--bits", [.turbo], bitsOption != nil),
         ("--bitrate", [.spectral], bitrate != nil),
         ("--tune", [.spectral], tune != nil),
         ("--block", [.turbo], blockOption != nil),
         ("--no-residual", [.turbo], noResidual),
         ("--bits-per-sample", [.spectral], bitsPerSample != nil),
         ("--snr", [.spectral], snr != nil),
         ("--model", [.sqcodec, .l3ac], modelOption != nil),
         ("--weights", [.sqcodec, .l3ac], weights != nil),
         ("--seed", [.turbo, .spectral], seedOption != nil)]
    }

    /// What a codec takes instead of another codec's option, where it has a counterpart.
    static let counterparts: [String: [Codec: String]] = [
        "--bitrate": [.turbo: "turbo sets its rate with --bits (codebook bits per sample, 1...8, plus 1 with the residual)",
                      .sqcodec: "sqcodec's rate is its --model's (e.g. 6kbps)",
                      .l3ac: "l3ac's rate is its --model's (e.g. 1kbps)"],
    ]

    /// Throws a `ValidationError` for the first option given that `codec` does not use, unless it
    /// is in `besides` (options the command itself uses, such as `simulate`'s `--seed`).
    func checkOptionsBelongToCodec(besides: Set<String> = []) throws {
        for (flag, codecs, given) in ownedOptions where given && !codecs.contains(codec) && !besides.contains(flag) {
            let owners = codecs.map(\.rawValue).joined(separator: " and ")
            let hint = "; add " + codecs.map { "--codec \($0.rawValue)" }.joined(separator: " or ")
            let instead = Self.counterparts[flag]?[codec].map { " (\($0))" } ?? ""
            throw ValidationError("\(flag) is a \(owners) option, and the codec is \(codec.rawValue)\(hint)\(instead)")
        }
    }
}
