import TQAudio
import TQContainer

/// One-call encoding and decoding of whole .tqa files in memory, for the TurboQuant codecs.
/// For long inputs, stream instead: `TQAStreamEncoder` / `TQAStreamDecoder` with
/// `TurboEncoder` / `TurboDecoder` keep memory bounded.
public enum TQAFile {
    /// The bytes of a .tqa file holding `buffer` coded with the classic codec.
    public static func encode(_ buffer: AudioBuffer, parameters: TurboParameters = TurboParameters(),
                              seed: UInt64 = TurboParameters.defaultSeed, sourceFormat: SampleFormat = .f32) throws -> [UInt8] {
        let encoder = try TurboEncoder(parameters: parameters, channelCount: buffer.channelCount, seed: seed)
        return try encode(buffer, with: encoder, sourceFormat: sourceFormat)
    }

    /// The bytes of a .tqa file holding `buffer` coded by `encoder`.
    public static func encode(_ buffer: AudioBuffer, with encoder: any PacketEncoder, sourceFormat: SampleFormat = .f32) throws -> [UInt8] {
        let sink = MemorySink()
        let stream = try TQAStreamEncoder(encoder: encoder, sink: sink, sampleRate: buffer.sampleRate,
                                          channelCount: buffer.channelCount, sourceFormat: sourceFormat)
        try stream.write(buffer)
        try stream.finish()
        return sink.bytes
    }

    /// The audio of a .tqa file coded with a TurboQuant codec. Throws `ContainerError` for a
    /// damaged file, `CodecTableError.notIncluded` for a codec this module does not decode.
    public static func decode(_ bytes: [UInt8]) throws -> AudioBuffer {
        let reader = try TQAReader(bytes: bytes)
        let stream = TQAStreamDecoder(reader: reader, decoder: try decoder(for: reader.header))
        var out = AudioBuffer(sampleRate: reader.header.sampleRate, channelCount: reader.header.channelCount, frameCount: 0)
        while let b = try stream.next() { out.append(b) }
        out.compact()
        return out
    }

    /// The TurboQuant codecs (turbo and spectral); `Codecs.all` in TQCodecs holds every codec.
    public static let codecs = CodecTable([TurboParameters.self, SpectralParameters.self])

    /// The decoder for a header's codec (turbo or spectral).
    /// - Throws: `CodecTableError.notIncluded` for another codec, or the codec's error.
    public static func decoder(for header: TQAHeader) throws -> any PacketDecoder {
        try codecs.decoder(for: header)
    }
}
