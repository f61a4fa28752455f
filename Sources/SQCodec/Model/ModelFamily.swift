import Foundation

/// The two codecs built on the same backbone (docs/L3AC.md): SQCodec (`sq-codec` 0.0.1) and its
/// successor L3AC (`l3ac` 1.0). A `SQCodecConfiguration` names its family; everything that
/// differs between them is decided here or by the configuration from it, so that one model
/// (`SQCodecModel`), one chunked encoder, one block decoder and one stream serve both.
public enum ModelFamily: String, Sendable, Hashable, CaseIterable {
    case sqcodec, l3ac

    /// The name users see ("SQCodec", "L3AC").
    public var displayName: String {
        switch self {
        case .sqcodec: "SQCodec"
        case .l3ac: "L3AC"
        }
    }

    /// The checkpoint version of the published models (`<name>.<version>` directories).
    public var modelVersion: String {
        switch self {
        case .sqcodec: "v0"
        case .l3ac: "v1"
        }
    }

    /// The epsilon of Snake, ChannelNorm and GRN: float32 ε in sq-codec
    /// (`torch.finfo(float32).eps`), 10⁻⁸ in l3ac (`xtract.nn.EPS`; docs/L3AC.md, difference 2).
    public var epsilon: Float {
        switch self {
        case .sqcodec: Kernels.float32Epsilon
        case .l3ac: 1e-8
        }
    }

    /// Where the Python package caches the weights, under the home directory
    /// (`~/.cache/sq_codec`, `~/.cache/l3ac`).
    public var cacheDirectory: String {
        switch self {
        case .sqcodec: ".cache/sq_codec"
        case .l3ac: ".cache/l3ac"
        }
    }

    /// What the missing-weights error says about where this family's weights come from.
    var weightsOrigin: WeightsOrigin { WeightsOrigin(codec: displayName, publishedAt: publishedAt, version: modelVersion) }

    /// Where the weights are published (each model under `weights/<name>.<version>/`).
    public var publishedAt: String {
        switch self {
        case .sqcodec: "https://huggingface.co/zhai-lw/SQCodec"
        case .l3ac: "https://huggingface.co/zhai-lw/L3AC"
        }
    }

    /// The published models of this family.
    public var published: [SQCodecConfiguration] {
        switch self {
        case .sqcodec: SQCodecConfiguration.published
        case .l3ac: L3ACConfiguration.published.map(\.backbone)
        }
    }

    /// The published model `name` of this family, or nil.
    public func named(_ name: String) -> SQCodecConfiguration? { published.first { $0.name == name } }
}
