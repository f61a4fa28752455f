import TQContainer

/// The spectral codec in the codec tables (`CodecDescription`).
extension SpectralParameters: CodecDescription {
    public static var codec: CodecID { .spectral }

    public var summary: [String: Any] {
        var s: [String: Any] = ["frame": frameSize, "short_blocks": shortBlockCount, "frames_per_packet": framesPerPacket,
                                "window": window == .sine ? "sine" : "vorbis", "version": Int(formatVersion)]
        if fillsNoise { s["tune"] = "perceptual" }
        return s
    }

    public static func decoder(for header: TQAHeader, options: DecoderOptions) throws -> any PacketDecoder {
        try SpectralDecoder(header: header)
    }
}
