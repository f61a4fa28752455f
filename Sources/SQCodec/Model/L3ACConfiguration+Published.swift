extension L3ACConfiguration {
    /// The four published models, as `l3ac` 1.0's `configs/<name>.toml` define them (16 kHz,
    /// version v1; the package's `debug` config is not a model).
    public static let published: [L3ACConfiguration] = [
        published("0k75bps", compressRates: [6, 5, 4], decodeRates: [5, 4, 3, 2], levels: [7, 7, 7, 7, 7, 7],
                  enCoderDepth: 5, window: 200, enCoderCompressRate: 3),
        published("1kbps", compressRates: [6, 5, 3], decodeRates: [5, 3, 3, 2], levels: [7, 7, 7, 7, 7, 7],
                  enCoderDepth: 5, window: 250, enCoderCompressRate: 3),
        published("1k5bps", compressRates: [6, 5, 3], decodeRates: [5, 3, 3, 2], levels: [7, 7, 7, 7, 7, 7],
                  enCoderDepth: 5, window: 300, enCoderCompressRate: 2),
        published("3kbps", compressRates: [6, 4, 4], decodeRates: [4, 4, 3, 2], levels: [9, 9, 9, 7, 7, 7],
                  enCoderDepth: 3, window: 400, enCoderCompressRate: 1),
    ]

    /// The published model called `name`, or nil.
    public static func named(_ name: String) -> L3ACConfiguration? { published.first { $0.name == name } }

    /// What the four models share: feature dim 128, encoder dims 24…192 with depths 1, 1, 1, 2,
    /// decoder dims 512…24 with depths 3, 3, 2, 1, 1, norms on.
    private static func published(_ name: String, compressRates: [Int], decodeRates: [Int], levels: [Int],
                                  enCoderDepth: Int, window: Int, enCoderCompressRate: Int) -> L3ACConfiguration {
        L3ACConfiguration(name: name, compressRates: compressRates, encoderDims: [24, 48, 96, 192],
                          encoderDepths: [1, 1, 1, 2], decodeRates: decodeRates,
                          decoderDims: [512, 256, 96, 48, 24], decoderDepths: [3, 3, 2, 1, 1],
                          levels: levels, enCoderDepth: enCoderDepth, enCoderWindowSize: window,
                          enCoderCompressRate: enCoderCompressRate)
    }
}
