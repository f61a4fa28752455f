import Foundation
import TQContainer

/// SQCodec in the codec tables (`CodecDescription`): its files hold audio at the model's rate
/// and record the source's, and its decoder loads the model's weights.
extension SQCodecParameters: CodecDescription {
    public static var codec: CodecID { .sqcodec }

    public var summary: [String: Any] { ["bytes": encoded().count] }

    /// The byte count, as `tqa info` has always listed sqcodec parameters.
    public static func summary(of bytes: [UInt8]) -> [String: Any] { ["bytes": bytes.count] }

    public func sourceSampleRate(of header: TQAHeader) -> Int { sourceSampleRate }

    public func sourceFrameCount(of header: TQAHeader) -> UInt64? {
        guard header.frameCount != TQAHeader.unknownFrameCount else { return nil }
        return sourceFrameCount(modelFrames: header.frameCount, modelRate: header.sampleRate)
    }

    public static var needsAVX2AndFMA: Bool { SQCodecModel.needsAVX2AndFMA }

    /// Loads the decoding half of the model the header names, from `options.weightsDirectory`
    /// (default: `SQCodecModel.defaultDirectory(for:)`); with `options.wholeSequence`, a
    /// `WholeSequenceDecoder` (`SQCodecDecoder.whole(header:model:threads:)`).
    public static func decoder(for header: TQAHeader, options: DecoderOptions) throws -> any PacketDecoder {
        let p = try SQCodecParameters(decoding: header.codecParameters)
        let model = try SQCodecModel.load(model: p.model, weightsDirectory: options.weightsDirectory.map { URL(fileURLWithPath: $0) },
                                          parts: .decoding, threads: options.threads)
        if options.wholeSequence { return try SQCodecDecoder.whole(header: header, model: model, threads: options.threads) }
        return try SQCodecDecoder(header: header, model: model, threads: options.threads)
    }
}
