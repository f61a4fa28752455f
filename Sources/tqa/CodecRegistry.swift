import Foundation
import SQCodec
import TQAudio
import TQCodecs
import TQContainer
import TurboQuant

/// The CLI's side of the codecs: the encoder for the chosen `CodecOptions`, and the advice when
/// this CPU cannot run a codec. Everything else a codec knows (describing its parameters, its
/// decoder, its source rate) is in its `CodecDescription`, looked up in `Codecs.all`.
enum CodecRegistry {
    static func encoder(_ o: CodecOptions, sampleRate: Int, channelCount: Int) throws -> any PacketEncoder {
        switch o.codec {
        case .turbo:
            let p = TurboParameters(bits: o.bits, blockSize: o.block, residual: !o.noResidual)
            return try TurboEncoder(parameters: p, channelCount: channelCount, seed: o.seed, threads: o.threads)
        case .spectral:
            let target: SpectralTarget = o.snr.map { .snr($0) }
                ?? o.bitrate.map { .bitsPerSecond($0.bitsPerSecond) }
                ?? .bitsPerSample(o.bitsPerSample ?? 4)
            return try SpectralEncoder(sampleRate: sampleRate, channelCount: channelCount, target: target, seed: o.seed,
                                       tuning: o.tune ?? .mse)
        case .sqcodec, .l3ac:
            try checkCPU()
            let model = try SQCodecModel.load(model: o.model, family: o.family!, weightsDirectory: o.weights.map { URL(fileURLWithPath: $0) },
                                              parts: .encoding, threads: o.threads)
            return try SQCodecEncoder(model: model, sampleRate: sampleRate, channelCount: channelCount, threads: o.threads)
        }
    }

    /// The decoder for `header`, from the one codec table (`Codecs.all`); neural codecs load
    /// their model's weights from `weights` (default: the model's cache directory), and with
    /// `wholeSequence` decode each channel's tokens as one sequence (other codecs ignore it).
    static func decoder(_ header: TQAHeader, weights: String? = nil, threads: Int = 1,
                        wholeSequence: Bool = false) throws -> any PacketDecoder {
        let codec = try Codecs.all.description(of: header.codec)
        if codec.needsAVX2AndFMA { try checkCPU() }
        return try codec.decoder(for: header, options: DecoderOptions(weightsDirectory: weights, threads: threads,
                                                                       wholeSequence: wholeSequence))
    }

    /// Codecs built for AVX2 + FMA on x86-64: say so rather than fault on an older CPU.
    static func checkCPU() throws {
        if SQCodecModel.needsAVX2AndFMA && !CPUFeatures.hasAVX2AndFMA {
            throw CLIError("this CPU lacks AVX2/FMA, which this build's SQCodec and L3AC kernels use; rebuild with TQA_PORTABLE=1 swift build -c release")
        }
    }
}
