import Foundation

/// The architecture of one L3AC model: the fields of `l3ac` 1.0's `configs/*.toml`
/// (`network_config`), plus its name, sample rate and version.
///
/// Only what the published models use is supported: `base_unit = 'normal'`,
/// `use_snake_act = true`, `decoder_last_layer = 'legacy'`, `vq_config.name = 'super_fsq'` with one
/// codebook, the dynamic position bias in the transformers (`en_coder_dynamic_pos = true`) and
/// no cache tokens (`en_coder_cache_size = 0`, which `l3ac` asserts). How it differs from
/// `SQCodecConfiguration`: docs/L3AC.md.
public struct L3ACConfiguration: Sendable, Equatable, Hashable {
    public var name: String
    public var sampleRate: Int
    /// The checkpoint version, `v1` for the published models (`~/.cache/l3ac/<name>.<version>/`).
    public var modelVersion: String
    public var featureDim: Int
    public var compressRates: [Int]
    public var encoderDims: [Int]
    public var encoderDepths: [Int]
    public var decodeRates: [Int]
    public var decoderDims: [Int]
    public var decoderDepths: [Int]
    public var useNorm: Bool
    /// Super-FSQ levels (`vq_config.levels`).
    public var levels: [Int]
    /// The transformer decoder's depth (the encoder's is fixed, see `transformerEncoderDepths`).
    public var enCoderDepth: Int
    public var enCoderWindowSize: Int
    public var enCoderCompressRate: Int

    /// The epsilon of Snake, ChannelNorm and GRN (`l3ac.xtract.nn.EPS`; SQCodec's is float32 ε).
    public static let epsilon: Float = 1e-8

    public init(name: String, sampleRate: Int = 16000, modelVersion: String = "v1", featureDim: Int = 128,
                compressRates: [Int], encoderDims: [Int], encoderDepths: [Int],
                decodeRates: [Int], decoderDims: [Int], decoderDepths: [Int], useNorm: Bool = true,
                levels: [Int], enCoderDepth: Int, enCoderWindowSize: Int, enCoderCompressRate: Int) {
        self.name = name; self.sampleRate = sampleRate; self.modelVersion = modelVersion; self.featureDim = featureDim
        self.compressRates = compressRates; self.encoderDims = encoderDims; self.encoderDepths = encoderDepths
        self.decodeRates = decodeRates; self.decoderDims = decoderDims; self.decoderDepths = decoderDepths
        self.useNorm = useNorm; self.levels = levels; self.enCoderDepth = enCoderDepth
        self.enCoderWindowSize = enCoderWindowSize; self.enCoderCompressRate = enCoderCompressRate
    }

    /// Why this configuration cannot be built, or nil when it can.
    public var problem: String? {
        if compressRates.count + 1 != encoderDims.count || encoderDims.count != encoderDepths.count {
            return "encoder: need one more dim and depth than compress rates"
        }
        if decodeRates.count + 1 != decoderDims.count || decoderDims.count != decoderDepths.count {
            return "decoder: need one more dim and depth than decode rates"
        }
        if featureDim % 4 != 0 || featureDim < 8 { return "featureDim must be a multiple of 4 (heads of featureDim/4)" }
        if encoderDims[0] % 4 != 0 { return "encoderDims[0] must be a multiple of 4" }
        if levels.isEmpty || levels.contains(where: { $0 < 2 }) { return "super-FSQ levels must be at least 2" }
        if levels.reduce(1, *) > Int(Int32.max) { return "codebook too large" }
        if (compressRates + decodeRates + [enCoderWindowSize, enCoderCompressRate]).contains(where: { $0 < 1 }) {
            return "rates and window must be positive"
        }
        if compressRates.reduce(1, *) != decodeRates.reduce(1, *) { return "encoder and decoder rates differ" }
        if enCoderDepth < (usesCompressedTransformer ? 2 : 1) {
            return usesCompressedTransformer ? "compressed transformer needs depth >= 2" : "transformer depth must be at least 1"
        }
        return nil
    }

    /// `l3ac` picks `CompressedLocalEncoderWithCache` / `…DecoderWithCache` unless the compress
    /// rate is 1 (there is never a cache).
    public var usesCompressedTransformer: Bool { enCoderCompressRate != 1 }

    /// The transformer encoder's depths, fixed by `l3ac` whatever `enCoderDepth` says:
    /// `LocalEncoder` one layer (`before` 1, `after` 0); `CompressedLocalEncoderWithCache`
    /// depth 3, split `3 // 2 = 1` before the strided down-convolution and 2 after it.
    public var transformerEncoderDepths: (before: Int, after: Int) { usesCompressedTransformer ? (1, 2) : (1, 0) }

    /// The transformer decoder's depths: `LocalDecoder` `enCoderDepth` (`before`, `after` 0);
    /// `CompressedLocalDecoderWithCache` `enCoderDepth − 2` before the upsampling and 2 after it.
    public var transformerDecoderDepths: (before: Int, after: Int) {
        usesCompressedTransformer ? (enCoderDepth - 2, 2) : (enCoderDepth, 0)
    }

    /// Input samples per token: `Π compressRates · enCoderCompressRate`.
    public var hopLength: Int { compressRates.reduce(1, *) * enCoderCompressRate }

    /// The input is right-padded with zeros to a multiple of this (`Codec.fill_length`, one token
    /// in L3AC, a whole transformer window in SQCodec).
    public var fillLength: Int { hopLength }

    public var codebookSize: Int { levels.reduce(1, *) }

    public var tokensPerSecond: Double { Double(sampleRate) / Double(hopLength) }

    /// `log2(codebookSize)`, the information per token.
    public var bitsPerToken: Double { log2(Double(codebookSize)) }

    /// `tokensPerSecond · bitsPerToken`, bits per second.
    public var bitrate: Double { tokensPerSecond * bitsPerToken }

    /// The checkpoint directory's name, `<name>.<modelVersion>`.
    public var tag: String { "\(name).\(modelVersion)" }
}
