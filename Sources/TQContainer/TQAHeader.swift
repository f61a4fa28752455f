import TQAudio

/// Codec identifiers stored in the header. Raw values are part of the format (docs/FORMAT.md).
public enum CodecID: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Time-domain TurboQuant: Hadamard rotation, Lloyd-Max codebook, 1-bit residual.
    case turbo = 1
    /// Spectral TurboQuant: MDCT, per-band rotation, entropy-coded uniform quantizer.
    case spectral = 2
    /// SQCodec neural codec tokens.
    case sqcodec = 3
    /// L3AC neural codec tokens (SQCodec's successor, the same packet layout).
    case l3ac = 4

    public var description: String {
        switch self {
        case .turbo: "turbo"
        case .spectral: "spectral"
        case .sqcodec: "sqcodec"
        case .l3ac: "l3ac"
        }
    }
}

/// The file header of a .tqa stream (docs/FORMAT.md, "File header").
///
/// `sampleRate`, `channelCount` and `frameCount` describe the audio the decoder gives back;
/// `sourceFormat` is the WAV sample format of the input, restored on decode by default.
public struct TQAHeader: Sendable, Equatable {
    public static let magic: [UInt8] = [0x54, 0x51, 0x41, 0x1A]  // "TQA\x1A"
    /// The format versions this tqa reads: 1, and 2, which may hold metadata sections
    /// (`MetadataSection`). A file without metadata is written as version 1.
    public static let versions: ClosedRange<UInt16> = 1...2
    /// The version of a file with metadata sections.
    public static let metadataVersion: UInt16 = 2
    /// Fixed part before the codec parameters.
    public static let fixedSize = 32
    public static let maxParameterBytes = 1024
    /// Frame count meaning "unknown" (a stream whose writer could not patch the header).
    public static let unknownFrameCount = UInt64.max

    public var codec: CodecID
    public var sourceFormat: SampleFormat
    public var sampleRate: Int
    public var channelCount: Int
    public var frameCount: UInt64
    /// Seed of the codec's pseudo-random rotations; any process decodes any file.
    public var seed: UInt64
    /// Codec-specific parameters, at most `maxParameterBytes`.
    public var codecParameters: [UInt8]
    /// 1, or `metadataVersion` when metadata sections may follow (set by `TQAWriter`).
    public var formatVersion: UInt16 = 1

    public init(codec: CodecID, sourceFormat: SampleFormat, sampleRate: Int, channelCount: Int,
                frameCount: UInt64, seed: UInt64, codecParameters: [UInt8]) {
        self.codec = codec
        self.sourceFormat = sourceFormat
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
        self.seed = seed
        self.codecParameters = codecParameters
    }

    /// Bytes after the codec parameters: the CRC-32.
    public static let checksumSize = 4

    /// Size of an encoded header whose codec parameters take `parameterBytes`.
    public static func encodedSize(parameterBytes: Int) -> Int { fixedSize + parameterBytes + checksumSize }

    /// Size of the encoded header in bytes.
    public var encodedSize: Int { TQAHeader.encodedSize(parameterBytes: codecParameters.count) }

    /// The header's bytes, CRC included.
    public func encoded() -> [UInt8] {
        precondition(codecParameters.count <= TQAHeader.maxParameterBytes, "codec parameters too long")
        var w = ByteWriter()
        w.append(TQAHeader.magic)
        w.u16(formatVersion)
        w.u8(codec.rawValue)
        w.u8(sourceFormat.rawValue)
        w.u32(UInt32(sampleRate))
        w.u16(UInt16(channelCount))
        w.u16(UInt16(codecParameters.count))
        w.u64(frameCount)
        w.u64(seed)
        w.append(codecParameters)
        w.u32(CRC32.checksum(w.bytes))
        return w.bytes
    }

    /// Parses a header from the start of `bytes`; returns it and its size.
    public static func decode(_ bytes: [UInt8]) throws(ContainerError) -> (TQAHeader, Int) {
        var r = ByteReader(bytes)
        guard let magic = r.bytes(4) else { throw bytes.count < 4 && Array(bytes) == Array(TQAHeader.magic.prefix(bytes.count)) && !bytes.isEmpty ? .truncatedHeader : .notTQA }
        guard Array(magic) == TQAHeader.magic else { throw .notTQA }
        guard let version = r.u16(), let codecRaw = r.u8(), let formatRaw = r.u8(), let rate = r.u32(),
              let channels = r.u16(), let paramCount = r.u16(), let frames = r.u64(), let seed = r.u64()
        else { throw .truncatedHeader }
        guard versions.contains(version) else { throw .unsupportedVersion(version) }
        guard Int(paramCount) <= maxParameterBytes else { throw .invalidHeader("codec parameters of \(paramCount) bytes (limit \(maxParameterBytes))") }
        guard let params = r.bytes(Int(paramCount)), let declared = r.u32() else { throw .truncatedHeader }
        let computed = CRC32.checksum(bytes[0 ..< r.offset - 4])
        guard declared == computed else { throw .headerChecksum(declared: declared, computed: computed) }
        guard let codec = CodecID(rawValue: codecRaw) else { throw .unknownCodec(id: codecRaw) }
        guard let format = SampleFormat(rawValue: formatRaw) else { throw .invalidHeader("unknown source sample format \(formatRaw)") }
        guard AudioLimits.sampleRates.contains(Int(rate)) else { throw .invalidHeader("sample rate \(rate) Hz outside 1...\(AudioLimits.maxSampleRate)") }
        guard AudioLimits.channelCounts.contains(Int(channels)) else { throw .invalidHeader("\(channels) channels outside 1...\(AudioLimits.maxChannels)") }
        var header = TQAHeader(codec: codec, sourceFormat: format, sampleRate: Int(rate), channelCount: Int(channels),
                               frameCount: frames, seed: seed, codecParameters: Array(params))
        header.formatVersion = version
        return (header, r.offset)
    }
}
