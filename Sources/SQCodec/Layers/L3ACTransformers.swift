extension L3ACConfiguration {
    /// The layers L3AC shares with SQCodec, described as an SQCodec configuration with no cache
    /// tokens: the convolutional encoder and decoder, and the transformer decoder (whose depths
    /// l3ac takes from `en_coder_depth` as sq-codec does). Not for the transformer encoder,
    /// whose depths l3ac fixes (`TransformerEncoder.init(_:l3ac:)`).
    var sharedLayers: SQCodecConfiguration {
        SQCodecConfiguration(name: name, sampleRate: sampleRate, featureDim: featureDim,
                             compressRates: compressRates, encoderDims: encoderDims, encoderDepths: encoderDepths,
                             decodeRates: decodeRates, decoderDims: decoderDims, decoderDepths: decoderDepths,
                             useNorm: useNorm, levels: levels, enCoderDepth: enCoderDepth,
                             enCoderWindowSize: enCoderWindowSize, enCoderCompressRate: enCoderCompressRate)
    }
}

extension TransformerEncoder {
    /// l3ac's `en_encoder`: `LocalEncoder` of depth 1, or `CompressedLocalEncoderWithCache` with
    /// depths 1 and 2 around the down-convolution and no `cache_token` (docs/L3AC.md, 3 and 4).
    init(_ w: WeightScope, l3ac c: L3ACConfiguration) throws {
        let depths = c.transformerEncoderDepths
        if c.usesCompressedTransformer {
            self = .compressed(try CompressedTransformerEncoder(w, dim: c.featureDim, window: c.enCoderWindowSize,
                                                                rate: c.enCoderCompressRate, depths: depths, cache: nil))
        } else {
            self = .local(try LocalTransformer(w.child("local_trans"), dim: c.featureDim, depth: depths.before,
                                               windowSize: c.enCoderWindowSize))
        }
    }
}
