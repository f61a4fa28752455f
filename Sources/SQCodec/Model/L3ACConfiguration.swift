import Foundation

/// The architecture of one L3AC model: the fields of `l3ac` 1.0's `configs/*.toml`
/// (`network_config`), plus its name, sample rate and version, held as the shared backbone's
/// configuration with `family == .l3ac` (every field and derived value reads through to it:
/// `hopLength`, `fillLength`, `transformerEncoderDepths`, `problem`, …).
///
/// Only what the published models use is supported: `base_unit = 'normal'`,
/// `use_snake_act = true`, `decoder_last_layer = 'legacy'`, `vq_config.name = 'super_fsq'` with one
/// codebook, the dynamic position bias in the transformers (`en_coder_dynamic_pos = true`) and
/// no cache tokens (`en_coder_cache_size = 0`, which `l3ac` asserts). How it differs from
/// SQCodec's: docs/L3AC.md.
@dynamicMemberLookup
public struct L3ACConfiguration: Sendable, Equatable, Hashable {
    /// The model as the backbone builds it (`SQCodecModel`, the streams, the checkpoints).
    public var backbone: SQCodecConfiguration

    /// The epsilon of Snake, ChannelNorm and GRN (`l3ac.xtract.nn.EPS`; SQCodec's is float32 ε).
    public static var epsilon: Float { ModelFamily.l3ac.epsilon }

    /// `levels` are the super-FSQ levels (`vq_config.levels`); `enCoderDepth` the transformer
    /// decoder's depth (the encoder's is fixed, see `transformerEncoderDepths`).
    public init(name: String, sampleRate: Int = 16000, modelVersion: String = ModelFamily.l3ac.modelVersion,
                featureDim: Int = 128, compressRates: [Int], encoderDims: [Int], encoderDepths: [Int],
                decodeRates: [Int], decoderDims: [Int], decoderDepths: [Int], useNorm: Bool = true,
                levels: [Int], enCoderDepth: Int, enCoderWindowSize: Int, enCoderCompressRate: Int) {
        backbone = SQCodecConfiguration(name: name, sampleRate: sampleRate, featureDim: featureDim,
                                        compressRates: compressRates, encoderDims: encoderDims, encoderDepths: encoderDepths,
                                        decodeRates: decodeRates, decoderDims: decoderDims, decoderDepths: decoderDepths,
                                        useNorm: useNorm, levels: levels, enCoderDepth: enCoderDepth,
                                        enCoderWindowSize: enCoderWindowSize, enCoderCompressRate: enCoderCompressRate,
                                        family: .l3ac, modelVersion: modelVersion)
    }

    public subscript<T>(dynamicMember path: KeyPath<SQCodecConfiguration, T>) -> T { backbone[keyPath: path] }

    public subscript<T>(dynamicMember path: WritableKeyPath<SQCodecConfiguration, T>) -> T {
        get { backbone[keyPath: path] }
        set { backbone[keyPath: path] = newValue }
    }
}
