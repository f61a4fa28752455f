import Foundation

/// An L3AC model for inference (`l3ac` 1.0, SQCodec's successor; float32, numerically matching
/// it): the shared backbone (`SQCodecModel`) built from an `L3ACConfiguration`, which gives it
/// L3AC's quantizer, epsilon, transformer-encoder depths and padding (docs/L3AC.md):
///
///     encode: samples → right-pad to a multiple of hopLength → Encoder → TransformerEncoder
///             → Linear → SuperFSQ → token indices
///     decode: token indices → SuperFSQ codes → Linear → TransformerDecoder → Decoder → samples
///
/// Chunked encoding, block decoding, parts, threads, checkpoint loading and the packet streams
/// (`SQCodecEncoder`/`SQCodecDecoder`, codec `l3ac`) are the backbone's.
public struct L3ACModel: Sendable {
    public let configuration: L3ACConfiguration
    /// The model itself, for the streams and everything else `SQCodecModel` offers.
    public let backbone: SQCodecModel

    /// The checkpoint's modules, one file each (`EnCodec.trainable_modules`, SQCodec's five).
    public static var moduleNames: [String] { SQCodecModel.moduleNames }

    /// The model's `parts` from each module's tensors (`tensors[module][key]`, keys as in the
    /// published state dicts).
    /// - Throws: `SQCodecError.invalidConfiguration`, `CheckpointError` for a missing, misshapen
    ///   or unexpected tensor (naming it).
    public init(configuration: L3ACConfiguration, tensors: [String: [String: StoredTensor]],
                parts: SQCodecModel.Parts = .all, threads: Int = 1) throws {
        self.configuration = configuration
        backbone = try SQCodecModel(configuration: configuration.backbone, tensors: tensors, parts: parts, threads: threads)
    }

    /// The model with its checkpoint from `directory` (`<module>.pt` or `.safetensors`).
    /// - Throws: `CheckpointError.weightsNotFound` saying where L3AC's weights are published, or
    ///   another `CheckpointError` (a tensor of another model is named).
    public init(configuration: L3ACConfiguration, directory: URL, parts: SQCodecModel.Parts = .all, threads: Int = 1) throws {
        self.configuration = configuration
        backbone = try SQCodecModel(configuration: configuration.backbone, directory: directory, parts: parts, threads: threads)
    }

    /// The published model `name` with its weights from `weightsDirectory`, or from
    /// `defaultDirectory(for:)` (`~/.cache/l3ac/<name>.v1/`) when that is nil.
    public static func load(model name: String, weightsDirectory: URL? = nil, parts: SQCodecModel.Parts = .all,
                            threads: Int = 1) throws -> L3ACModel {
        guard let c = L3ACConfiguration.named(name) else {
            throw SQCodecError.unknownModel(name: name, known: L3ACConfiguration.published.map(\.name))
        }
        return try L3ACModel(configuration: c, directory: weightsDirectory ?? defaultDirectory(for: c), parts: parts, threads: threads)
    }

    /// Where `l3ac` caches the weights: `~/.cache/l3ac/<name>.v1/`.
    public static func defaultDirectory(for configuration: L3ACConfiguration) -> URL {
        SQCodecModel.defaultDirectory(for: configuration.backbone)
    }

    /// Tokens for `samples` (mono, at the model's rate), as `L3AC.encode_audio` computes them:
    /// the input right-padded with zeros to a multiple of `hopLength`, one token per hop (long
    /// inputs in chunks, `SQCodecModel.encode`).
    public func encode(_ samples: [Float], chunkBlocks: Int = SQCodecModel.defaultChunkBlocks, threads: Int = 1) -> [Int32] {
        backbone.encode(samples, chunkBlocks: chunkBlocks, threads: threads)
    }

    /// Samples for `tokens`, as `L3AC.decode_audio(indices=…)`: `tokens.count · hopLength` of
    /// them; trim to the original length, which the tokens do not record.
    /// - Throws: `SQCodecError.tokenOutOfRange` for a token outside the codebook.
    public func decode(_ tokens: [Int32], threads: Int = 1) throws -> [Float] {
        try backbone.decode(tokens, threads: threads)
    }
}
