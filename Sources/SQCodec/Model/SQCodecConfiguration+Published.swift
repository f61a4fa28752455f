/// The seven published SQCodec models (sq-codec 0.0.1 `configs/*.toml`, weights `<name>.v0`).
///
/// | name          | rate  | hop | tokens/s | levels        | codebook | bits/s |
/// |---------------|-------|-----|----------|---------------|----------|--------|
/// | 0k75bps       | 16000 | 360 |    44.44 | 7⁶            |  117649  |    749 |
/// | 1k5bps        | 16000 | 180 |    88.89 | 7⁶            |  117649  |   1497 |
/// | 3kbps         | 16000 |  90 |   177.78 | 7⁶            |  117649  |   2994 |
/// | 6kbps         | 16000 |  45 |   355.56 | 7⁶            |  117649  |   5989 |
/// | 12kbps        | 16000 |  24 |   666.67 | 9³·7³         |  250047  |  11964 |
/// | 12kbps_24khz  | 24000 |  36 |   666.67 | 9³·7³         |  250047  |  11964 |
/// | 24kbps_24khz  | 24000 |  18 |  1333.33 | 9³·7³         |  250047  |  23928 |
///
/// `12kbps_24khz.toml` says `sample_rate = 16000`, but it is a 24 kHz model: its hop of 36
/// samples gives the stated 666.67 tokens/s only at 24 kHz; the table uses 24000.
extension SQCodecConfiguration {
    public static let published: [SQCodecConfiguration] = [
        SQCodecConfiguration(name: "0k75bps", sampleRate: 16000, compressRates: [6, 5, 4],
                             encoderDims: [24, 48, 96, 192], encoderDepths: [1, 1, 1, 2],
                             decodeRates: [5, 4, 3, 2], decoderDims: [384, 192, 96, 48, 24], decoderDepths: [3, 2, 2, 1, 1],
                             levels: [7, 7, 7, 7, 7, 7], enCoderDepth: 5, enCoderWindowSize: 200, enCoderCompressRate: 3),
        SQCodecConfiguration(name: "1k5bps", sampleRate: 16000, compressRates: [6, 5, 3],
                             encoderDims: [24, 48, 96, 192], encoderDepths: [1, 1, 1, 2],
                             decodeRates: [5, 3, 3, 2], decoderDims: [384, 192, 96, 48, 24], decoderDepths: [3, 2, 2, 1, 1],
                             levels: [7, 7, 7, 7, 7, 7], enCoderDepth: 5, enCoderWindowSize: 300, enCoderCompressRate: 2),
        SQCodecConfiguration(name: "3kbps", sampleRate: 16000, compressRates: [6, 5, 3],
                             encoderDims: [24, 48, 96, 192], encoderDepths: [1, 1, 1, 2],
                             decodeRates: [5, 3, 3, 2], decoderDims: [384, 192, 96, 48, 24], decoderDepths: [3, 2, 2, 1, 1],
                             levels: [7, 7, 7, 7, 7, 7], enCoderDepth: 3, enCoderWindowSize: 400, enCoderCompressRate: 1),
        SQCodecConfiguration(name: "6kbps", sampleRate: 16000, compressRates: [9, 5],
                             encoderDims: [24, 96, 192], encoderDepths: [1, 1, 2],
                             decodeRates: [5, 3, 3], decoderDims: [384, 192, 96, 48], decoderDepths: [3, 2, 1, 1],
                             levels: [7, 7, 7, 7, 7, 7], enCoderDepth: 3, enCoderWindowSize: 300, enCoderCompressRate: 1),
        SQCodecConfiguration(name: "12kbps", sampleRate: 16000, compressRates: [6, 4],
                             encoderDims: [24, 96, 192], encoderDepths: [1, 1, 2],
                             decodeRates: [4, 3, 2], decoderDims: [384, 192, 96, 48], decoderDepths: [3, 2, 1, 1],
                             levels: [9, 9, 9, 7, 7, 7], enCoderDepth: 3, enCoderWindowSize: 400, enCoderCompressRate: 1),
        SQCodecConfiguration(name: "12kbps_24khz", sampleRate: 24000, compressRates: [6, 6],
                             encoderDims: [24, 96, 192], encoderDepths: [1, 1, 2],
                             decodeRates: [4, 3, 3], decoderDims: [384, 192, 96, 48], decoderDepths: [3, 2, 1, 1],
                             levels: [9, 9, 9, 7, 7, 7], enCoderDepth: 3, enCoderWindowSize: 400, enCoderCompressRate: 1),
        SQCodecConfiguration(name: "24kbps_24khz", sampleRate: 24000, compressRates: [6, 3],
                             encoderDims: [24, 96, 192], encoderDepths: [1, 1, 2],
                             decodeRates: [3, 3, 2], decoderDims: [384, 192, 96, 48], decoderDepths: [3, 2, 1, 1],
                             levels: [9, 9, 9, 7, 7, 7], enCoderDepth: 3, enCoderWindowSize: 600, enCoderCompressRate: 1),
    ]

    /// The published configuration called `name` (`"6kbps"`, …), or nil.
    public static func named(_ name: String) -> SQCodecConfiguration? {
        published.first { $0.name == name }
    }
}
