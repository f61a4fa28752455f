import TQAudio

/// Seeded random weights for any configuration of the backbone (SQCodec or L3AC), full size included: for parity checks
/// against the reference with the same tensors, end-to-end tests and speed benchmarks where the
/// trained weights cannot be had. Output made with them says nothing about codec quality.
///
/// Weights of rank ≥ 2 are uniform in ±1/√fan_in (PyTorch's default scale, fan_in the product of
/// all but the first dimension); vectors named `…weight`/`…gamma` are 1 + U(±0.1) (norm gains),
/// other vectors U(±0.1). Every value comes from `Xoshiro(seed:)` in the order the layers ask.
public enum RandomWeights {
    /// The tensors of every module of `configuration`, by module and state-dict name.
    public static func tensors(for configuration: SQCodecConfiguration, seed: UInt64) throws -> [String: [String: StoredTensor]] {
        var rng = Xoshiro(seed: seed)
        var out: [String: [String: StoredTensor]] = [:]
        _ = try SQCodecModel(configuration: configuration, tensors: [:], synthesize: { _, name, shape in
            let count = shape.reduce(1, *)
            if shape.count >= 2 {
                let bound = 1 / Float(max(1, count / max(1, shape[0]))).squareRoot()
                return (0..<count).map { _ in bound * Float(2 * rng.uniform() - 1) }
            }
            let gain = name.hasSuffix("weight") || name.hasSuffix("gamma")
            return (0..<count).map { _ in (gain ? 1 : 0) + 0.1 * Float(2 * rng.uniform() - 1) }
        }, made: { module, tensors in out[module] = tensors })
        return out
    }

    /// A model with random weights.
    public static func model(_ configuration: SQCodecConfiguration, seed: UInt64) throws -> SQCodecModel {
        try SQCodecModel(configuration: configuration, tensors: tensors(for: configuration, seed: seed))
    }

    /// An L3AC model with random weights (the tensors of `tensors(for: configuration.backbone, seed:)`).
    public static func model(_ configuration: L3ACConfiguration, seed: UInt64) throws -> L3ACModel {
        try L3ACModel(configuration: configuration, tensors: tensors(for: configuration.backbone, seed: seed))
    }

    /// The bytes of a `.safetensors` file holding `tensors` as float32, names sorted.
    public static func safetensors(_ tensors: [String: StoredTensor]) -> [UInt8] {
        var header = "{"
        var offset = 0
        let names = tensors.keys.sorted()
        for (i, name) in names.enumerated() {
            let t = tensors[name]!
            let end = offset + 4 * t.values.count
            header += "\"\(name)\":{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
            header += i + 1 < names.count ? "," : ""
            offset = end
        }
        header += "}"
        while (header.utf8.count + 8) % 8 != 0 { header += " " }
        var bytes: [UInt8] = []
        let n = UInt64(header.utf8.count)
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(k)))) }
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + offset)
        for name in names {
            for v in tensors[name]!.values {
                let b = v.bitPattern
                bytes += [UInt8(b & 0xFF), UInt8((b >> 8) & 0xFF), UInt8((b >> 16) & 0xFF), UInt8(b >> 24)]
            }
        }
        return bytes
    }
}
