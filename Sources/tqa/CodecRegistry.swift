import TQAudio
import TQContainer
import TurboQuant

/// Builds the encoder for the chosen codec, and the decoder named by a file's header.
enum CodecRegistry {
    static func encoder(_ o: CodecOptions, sampleRate: Int, channelCount: Int) throws -> any PacketEncoder {
        switch o.codec {
        case .turbo:
            let p = TurboParameters(bits: o.bits, blockSize: o.block, residual: !o.noResidual)
            return try TurboEncoder(parameters: p, channelCount: channelCount, seed: o.seed, threads: o.threads)
        case .spectral:
            let target: SpectralTarget = o.snr.map { .snr($0) } ?? .bitsPerSample(o.bitsPerSample ?? 4)
            return SpectralEncoder(sampleRate: sampleRate, channelCount: channelCount, target: target, seed: o.seed)
        case .sqcodec:
            throw CLIError("the sqcodec codec is not in this build yet")
        }
    }

    static func decoder(_ header: TQAHeader, threads: Int = 1) throws -> any PacketDecoder {
        switch header.codec {
        case .turbo, .spectral: try TQAFile.decoder(for: header)
        case .sqcodec: throw CLIError("this file uses the sqcodec codec, which this build cannot decode yet")
        }
    }
}
