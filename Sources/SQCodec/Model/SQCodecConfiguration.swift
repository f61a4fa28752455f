import Foundation

/// The architecture of one SQCodec model: the fields of sq-codec 0.0.1's `configs/*.toml`
/// (`network_config`), plus its name and sample rate.
///
/// Only what the published models use is supported: `base_unit = 'normal'`,
/// `use_snake_act = true`, `decoder_last_layer = 'legacy'`, `vq_config.name = 'taae_fsq'` with
/// one codebook, and the dynamic position bias in the transformers (`en_coder_dynamic_pos = true`).
public struct SQCodecConfiguration: Sendable, Equatable, Hashable {
    public var name: String
    public var sampleRate: Int
    public var featureDim: Int
    public var compressRates: [Int]
    public var encoderDims: [Int]
    public var encoderDepths: [Int]
    public var decodeRates: [Int]
    public var decoderDims: [Int]
    public var decoderDepths: [Int]
    public var useNorm: Bool
    /// FSQ levels (`vq_config.codebook_dim`).
    public var levels: [Int]
    public var enCoderDepth: Int
    public var enCoderWindowSize: Int
    public var enCoderCompressRate: Int
    public var enCoderCacheSize: Int

    public init(name: String, sampleRate: Int, featureDim: Int = 256,
                compressRates: [Int], encoderDims: [Int], encoderDepths: [Int],
                decodeRates: [Int], decoderDims: [Int], decoderDepths: [Int], useNorm: Bool = true,
                levels: [Int], enCoderDepth: Int, enCoderWindowSize: Int,
                enCoderCompressRate: Int, enCoderCacheSize: Int = 0) {
        self.name = name; self.sampleRate = sampleRate; self.featureDim = featureDim
        self.compressRates = compressRates; self.encoderDims = encoderDims; self.encoderDepths = encoderDepths
        self.decodeRates = decodeRates; self.decoderDims = decoderDims; self.decoderDepths = decoderDepths
        self.useNorm = useNorm; self.levels = levels; self.enCoderDepth = enCoderDepth
        self.enCoderWindowSize = enCoderWindowSize; self.enCoderCompressRate = enCoderCompressRate
        self.enCoderCacheSize = enCoderCacheSize
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
        if levels.isEmpty || levels.contains(where: { $0 < 2 }) { return "FSQ levels must be at least 2" }
        if levels.reduce(1, *) > Int(Int32.max) { return "codebook too large" }
        if (compressRates + decodeRates + [enCoderWindowSize, enCoderCompressRate]).contains(where: { $0 < 1 }) { return "rates and window must be positive" }
        if enCoderCacheSize < 0 { return "cache size must not be negative" }
        if compressRates.reduce(1, *) != decodeRates.reduce(1, *) { return "encoder and decoder rates differ" }
        if usesCompressedTransformer && enCoderDepth < 2 { return "compressed transformer needs depth >= 2" }
        return nil
    }

    /// sq-codec picks `CompressedLocalEncoderWithCache` unless the compress rate is 1 and there is no cache.
    public var usesCompressedTransformer: Bool { enCoderCompressRate != 1 || enCoderCacheSize != 0 }

    /// Input samples per token: `Π compressRates · enCoderCompressRate`.
    public var hopLength: Int { compressRates.reduce(1, *) * enCoderCompressRate }

    /// Samples per processing block: the input is right-padded with zeros to a multiple of
    /// `hopLength · enCoderWindowSize` (sq-codec's `fill_length`).
    public var fillLength: Int { hopLength * enCoderWindowSize }

    /// Tokens per block of `fillLength` samples (`window + cache`).
    public var tokensPerBlock: Int { enCoderWindowSize + enCoderCacheSize }

    public var codebookSize: Int { levels.reduce(1, *) }

    /// `sampleRate / hopLength` (cache tokens not counted; the published models have none).
    public var tokensPerSecond: Double { Double(sampleRate) / Double(hopLength) }

    /// `log2(codebookSize)`, the information per token.
    public var bitsPerToken: Double { log2(Double(codebookSize)) }

    /// `tokensPerSecond · bitsPerToken`, bits per second.
    public var bitrate: Double { tokensPerSecond * bitsPerToken }
}
