import Foundation

/// The architecture of one model of the SQCodec backbone: the fields of sq-codec 0.0.1's
/// `configs/*.toml` (`network_config`), plus its name, sample rate and family. L3AC's models
/// (`l3ac` 1.0, `L3ACConfiguration`) are the same fields with `family == .l3ac`; what the family
/// changes (quantizer, epsilon, transformer-encoder depths, cache tokens, padding) is decided
/// below and in `ModelFamily` (docs/L3AC.md).
///
/// Only what the published models use is supported: `base_unit = 'normal'`,
/// `use_snake_act = true`, `decoder_last_layer = 'legacy'`, `vq_config.name = 'taae_fsq'`
/// (SQCodec) or `'super_fsq'` (L3AC) with one codebook, and the dynamic position bias in the
/// transformers (`en_coder_dynamic_pos = true`).
public struct SQCodecConfiguration: Sendable, Equatable, Hashable {
    public var family: ModelFamily
    public var name: String
    /// The checkpoint version (`~/.cache/<family>/<name>.<modelVersion>/`): v0 for SQCodec's
    /// published models, v1 for L3AC's.
    public var modelVersion: String
    public var sampleRate: Int
    public var featureDim: Int
    public var compressRates: [Int]
    public var encoderDims: [Int]
    public var encoderDepths: [Int]
    public var decodeRates: [Int]
    public var decoderDims: [Int]
    public var decoderDepths: [Int]
    public var useNorm: Bool
    /// FSQ levels (`vq_config.codebook_dim`; L3AC's super-FSQ `vq_config.levels`).
    public var levels: [Int]
    /// The transformer decoder's depth, and the encoder's in SQCodec (L3AC fixes the encoder's:
    /// `transformerEncoderDepths`).
    public var enCoderDepth: Int
    public var enCoderWindowSize: Int
    public var enCoderCompressRate: Int
    public var enCoderCacheSize: Int

    public init(name: String, sampleRate: Int, featureDim: Int = 256,
                compressRates: [Int], encoderDims: [Int], encoderDepths: [Int],
                decodeRates: [Int], decoderDims: [Int], decoderDepths: [Int], useNorm: Bool = true,
                levels: [Int], enCoderDepth: Int, enCoderWindowSize: Int,
                enCoderCompressRate: Int, enCoderCacheSize: Int = 0, family: ModelFamily = .sqcodec,
                modelVersion: String? = nil) {
        self.family = family; self.modelVersion = modelVersion ?? family.modelVersion
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
        if levels.isEmpty || levels.contains(where: { $0 < 2 }) {
            return family == .l3ac ? "super-FSQ levels must be at least 2" : "FSQ levels must be at least 2"
        }
        if levels.reduce(1, *) > Int(Int32.max) { return "codebook too large" }
        if (compressRates + decodeRates + [enCoderWindowSize, enCoderCompressRate]).contains(where: { $0 < 1 }) { return "rates and window must be positive" }
        if enCoderCacheSize < 0 { return "cache size must not be negative" }
        if family == .l3ac && enCoderCacheSize != 0 { return "L3AC has no cache tokens" }
        if compressRates.reduce(1, *) != decodeRates.reduce(1, *) { return "encoder and decoder rates differ" }
        if usesCompressedTransformer && enCoderDepth < 2 { return "compressed transformer needs depth >= 2" }
        if enCoderDepth < 1 { return "transformer depth must be at least 1" }
        return nil
    }

    /// sq-codec and l3ac pick `CompressedLocalEncoderWithCache` / `…DecoderWithCache` unless the
    /// compress rate is 1 and there is no cache (l3ac never has one).
    public var usesCompressedTransformer: Bool { enCoderCompressRate != 1 || enCoderCacheSize != 0 }

    /// The transformer encoder's depths before and after its strided down-convolution (`after`
    /// 0 for `LocalEncoder`). sq-codec: `en_coder_depth` for `LocalEncoder`; 2 and
    /// `en_coder_depth − 2` for the compressed one. l3ac fixes them whatever `en_coder_depth`
    /// says: `LocalEncoder` 1; `CompressedLocalEncoderWithCache` depth 3 split `3 // 2 = 1`
    /// and 2 (docs/L3AC.md, difference 3).
    public var transformerEncoderDepths: (before: Int, after: Int) {
        switch (family, usesCompressedTransformer) {
        case (.sqcodec, false): (enCoderDepth, 0)
        case (.sqcodec, true): (2, enCoderDepth - 2)
        case (.l3ac, false): (1, 0)
        case (.l3ac, true): (1, 2)
        }
    }

    /// The transformer decoder's depths, the same rule in both families: `LocalDecoder`
    /// `en_coder_depth`; compressed `en_coder_depth − 2` before the upsampling and 2 after it.
    public var transformerDecoderDepths: (before: Int, after: Int) {
        usesCompressedTransformer ? (enCoderDepth - 2, 2) : (enCoderDepth, 0)
    }

    /// Whether the checkpoint's compressed transformer encoder holds `cache_token` (sq-codec's
    /// always does, even with no cache; l3ac has none).
    var hasCacheToken: Bool { family == .sqcodec }

    /// The epsilon of the convolutional layers' norms and activations (`ModelFamily.epsilon`).
    public var epsilon: Float { family.epsilon }

    /// The checkpoint directory's name, `<name>.<modelVersion>`.
    public var tag: String { "\(name).\(modelVersion)" }

    /// Input samples per token: `Π compressRates · enCoderCompressRate`.
    public var hopLength: Int { compressRates.reduce(1, *) * enCoderCompressRate }

    /// The input is right-padded with zeros to a multiple of this (`Codec.fill_length`): a whole
    /// transformer window in SQCodec (`blockLength`), one token in L3AC (`hopLength`;
    /// docs/L3AC.md, difference 5).
    public var fillLength: Int { family == .l3ac ? hopLength : blockLength }

    /// Samples per processing block, one window of every transformer: `hopLength ·
    /// enCoderWindowSize`. Chunked encoding, streaming and block decoding work in whole blocks;
    /// in L3AC the last block of a sequence may be short (a multiple of `fillLength`).
    public var blockLength: Int { hopLength * enCoderWindowSize }

    /// Tokens per whole block of `blockLength` samples (`window + cache`).
    public var tokensPerBlock: Int { enCoderWindowSize + enCoderCacheSize }

    /// The length of `samples` samples once right-padded: the next multiple of `fillLength`,
    /// and in SQCodec at least one block (`encode_audio` of nothing gives one block of tokens;
    /// L3AC's gives none).
    public func paddedLength(_ samples: Int) -> Int {
        let padded = (samples + fillLength - 1) / fillLength * fillLength
        return family == .sqcodec ? max(fillLength, padded) : padded
    }

    /// The tokens of `samples` samples of input (`paddedLength(_:)` of them).
    public func tokenCount(samples: Int) -> Int {
        let padded = paddedLength(samples)
        return family == .l3ac ? padded / hopLength : padded / blockLength * tokensPerBlock
    }

    public var codebookSize: Int { levels.reduce(1, *) }

    /// `sampleRate / hopLength` (cache tokens not counted; the published models have none).
    public var tokensPerSecond: Double { Double(sampleRate) / Double(hopLength) }

    /// `log2(codebookSize)`, the information per token.
    public var bitsPerToken: Double { log2(Double(codebookSize)) }

    /// `tokensPerSecond · bitsPerToken`, bits per second.
    public var bitrate: Double { tokensPerSecond * bitsPerToken }
}
