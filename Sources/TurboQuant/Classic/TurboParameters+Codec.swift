import TQContainer

/// The classic codec in the codec tables (`CodecDescription`).
extension TurboParameters: CodecDescription {
    public static var codec: CodecID { .turbo }

    public var summary: [String: Any] {
        ["bits": bits, "block": blockSize, "residual": residual, "blocks_per_packet": blocksPerPacket]
    }

    public static func decoder(for header: TQAHeader, options: DecoderOptions) throws -> any PacketDecoder {
        try TurboDecoder(header: header)
    }
}
