import Foundation
import TQAudio
import TQContainer

extension ModelFamily {
    /// The container's codec id for this family's files.
    public var codec: CodecID {
        switch self {
        case .sqcodec: .sqcodec
        case .l3ac: .l3ac
        }
    }
}

/// The l3ac entry of a .tqa header's codec parameters (docs/FORMAT.md, "Codec 4"): the bytes of
/// sqcodec's (`SQCodecParameters`: version, model name, source rate, blocks per packet), the
/// model one of L3AC's and a block `L3ACConfiguration.blockLength` samples (one window of the
/// transformers). L3AC files are written and read by the same streams (`SQCodecEncoder`,
/// `SQCodecDecoder`) with an L3AC model.
public struct L3ACParameters: Sendable, Equatable, CodecDescription {
    public var stream: SQCodecParameters

    public init(_ stream: SQCodecParameters) { self.stream = stream }

    public init(decoding bytes: [UInt8]) throws {
        stream = try SQCodecParameters(decoding: bytes)
    }

    public static var codec: CodecID { .l3ac }

    public var summary: [String: Any] {
        ["model": stream.model, "source_sample_rate": stream.sourceSampleRate, "blocks_per_packet": stream.blocksPerPacket]
    }

    public func sourceSampleRate(of header: TQAHeader) -> Int { stream.sourceSampleRate }

    public func sourceFrameCount(of header: TQAHeader) -> UInt64? {
        guard header.frameCount != TQAHeader.unknownFrameCount else { return nil }
        return stream.sourceFrameCount(modelFrames: header.frameCount, modelRate: header.sampleRate)
    }

    public static var needsAVX2AndFMA: Bool { SQCodecModel.needsAVX2AndFMA }

    /// Loads the decoding half of the L3AC model the header names, from
    /// `options.weightsDirectory` (default: `~/.cache/l3ac/<model>.v1/`); with
    /// `options.wholeSequence`, a `WholeSequenceDecoder`, as for SQCodec.
    public static func decoder(for header: TQAHeader, options: DecoderOptions) throws -> any PacketDecoder {
        let p = try SQCodecParameters(decoding: header.codecParameters)
        let model = try SQCodecModel.load(model: p.model, family: .l3ac,
                                          weightsDirectory: options.weightsDirectory.map { URL(fileURLWithPath: $0) },
                                          parts: .decoding, threads: options.threads)
        if options.wholeSequence { return try SQCodecDecoder.whole(header: header, model: model, threads: options.threads) }
        return try SQCodecDecoder(header: header, model: model, threads: options.threads)
    }
}
