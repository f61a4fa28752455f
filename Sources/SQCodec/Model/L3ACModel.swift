import Foundation

/// An L3AC model for inference (`l3ac` 1.0, SQCodec's successor; float32, numerically matching
/// it), built from SQCodec's layers with L3AC's quantizer, epsilon, transformer-encoder depths
/// and padding (docs/L3AC.md):
///
///     encode: samples → right-pad to a multiple of hopLength → Encoder → TransformerEncoder
///             → Linear → SuperFSQ → token indices
///     decode: token indices → SuperFSQ codes → Linear → TransformerDecoder → Decoder → samples
///
/// Whole-input only so far (no chunked encoding or packet streaming), and built from tensors
/// (loading a checkpoint directory with L3AC's own error hint is still to come).
public struct L3ACModel: Sendable {
    public let configuration: L3ACConfiguration
    let encoder: Encoder
    let transformerEncoder: TransformerEncoder
    let quantizer: Quantizer<SuperFSQ>
    let transformerDecoder: TransformerDecoder
    let decoder: Decoder

    /// The checkpoint's modules, one file each (`EnCodec.trainable_modules`).
    public static let moduleNames = ["encoder", "quantizer", "decoder", "en_encoder", "en_decoder"]

    /// The model from each module's tensors (`tensors[module][key]`, keys as in the published
    /// state dicts).
    /// - Throws: `SQCodecError.invalidConfiguration`, `CheckpointError` for a missing, misshapen
    ///   or unexpected tensor (naming it).
    public init(configuration c: L3ACConfiguration, tensors: [String: [String: StoredTensor]]) throws {
        if let problem = c.problem { throw SQCodecError.invalidConfiguration(name: c.name, reason: problem) }
        if let extra = tensors.keys.filter({ !Self.moduleNames.contains($0) }).sorted().first {
            throw CheckpointError.unexpectedTensor(extra)
        }
        let stores = Dictionary(uniqueKeysWithValues: Self.moduleNames.map {
            ($0, TensorStore(module: $0, tensors: tensors[$0] ?? [:]))
        })
        let shared = c.sharedLayers, eps = L3ACConfiguration.epsilon
        configuration = c
        encoder = try Encoder(stores["encoder"]!.scope(""), configuration: shared, eps: eps)
        transformerEncoder = try TransformerEncoder(stores["en_encoder"]!.scope(""), l3ac: c)
        quantizer = try Quantizer(stores["quantizer"]!.scope(""), featureDim: c.featureDim,
                                  quantizer: SuperFSQ(levels: c.levels))
        transformerDecoder = try TransformerDecoder(stores["en_decoder"]!.scope(""), configuration: shared)
        decoder = try Decoder(stores["decoder"]!.scope(""), configuration: shared, eps: eps)
        for name in Self.moduleNames { try stores[name]!.checkAllUsed() }
    }

    /// Tokens for `samples` (mono, at the model's rate), as `L3AC.encode_audio` computes them:
    /// the input right-padded with zeros to a multiple of `hopLength`, one token per hop.
    public func encode(_ samples: [Float], threads: Int = 1) -> [Int32] {
        let hop = configuration.hopLength
        var padded = samples
        padded += [Float](repeating: 0, count: (hop - samples.count % hop) % hop)
        if padded.isEmpty { return [] }
        return Kernels.$threads.withValue(max(1, threads)) {
            let feature = encoder(Matrix(rows: 1, cols: padded.count, data: padded))
            return quantizer.indices(transformerEncoder(feature))
        }
    }

    /// Samples for `tokens`, as `L3AC.decode_audio(indices=…)`: `tokens.count · hopLength` of
    /// them; trim to the original length, which the tokens do not record.
    /// - Throws: `SQCodecError.tokenOutOfRange` for a token outside the codebook.
    public func decode(_ tokens: [Int32], threads: Int = 1) throws -> [Float] {
        let size = configuration.codebookSize
        if let bad = tokens.firstIndex(where: { $0 < 0 || Int($0) >= size }) {
            throw SQCodecError.tokenOutOfRange(index: bad, value: tokens[bad], codebookSize: size)
        }
        if tokens.isEmpty { return [] }
        return Kernels.$threads.withValue(max(1, threads)) {
            decoder(transformerDecoder(quantizer.features(tokens))).data
        }
    }
}
