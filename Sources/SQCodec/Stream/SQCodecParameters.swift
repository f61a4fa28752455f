import TQAudio
import TQContainer

/// The sqcodec entry of a .tqa header's codec parameters (docs/FORMAT.md, "Codec 3"):
///
///     byte 0      version (1)
///     byte 1      n, length of the model name (1...32)
///     2 ..< 2+n   model name, UTF-8 ("6kbps", …)
///     +0  u32     the source's sample rate (the input before resampling to the model's rate)
///     +4  u16     blocks of `fillLength` samples per packet
public struct SQCodecParameters: Sendable, Equatable {
    public var model: String
    public var sourceSampleRate: Int
    public var blocksPerPacket: Int

    public init(model: String, sourceSampleRate: Int, blocksPerPacket: Int) {
        self.model = model
        self.sourceSampleRate = sourceSampleRate
        self.blocksPerPacket = blocksPerPacket
    }

    /// Frames at the source rate that `modelFrames` frames at `modelRate` stand for:
    /// ⌊modelFrames · sourceSampleRate / modelRate⌋ (within 3 frames of the input's length), or
    /// nil when that overflows.
    public func sourceFrameCount(modelFrames: UInt64, modelRate: Int) -> UInt64? {
        let (scaled, overflow) = modelFrames.multipliedReportingOverflow(by: UInt64(sourceSampleRate))
        return overflow || modelRate <= 0 ? nil : scaled / UInt64(modelRate)
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        let name = Array(model.utf8)
        precondition((1...32).contains(name.count), "model name of 1...32 bytes")
        w.u8(1)
        w.u8(UInt8(name.count))
        w.append(name)
        w.u32(UInt32(sourceSampleRate))
        w.u16(UInt16(blocksPerPacket))
        return w.bytes
    }

    /// Blocks per packet the format allows.
    public static let blocksPerPacketRange = 1...1024

    public init(decoding bytes: [UInt8]) throws(SQCodecStreamError) {
        var r = ByteReader(bytes)
        guard let version = r.u8() else { throw .emptyParameters }
        guard version == 1 else { throw .unsupportedParameterVersion(version, supported: 1) }
        guard let n = r.u8(), (1...32).contains(n), let name = r.bytes(Int(n)), let rate = r.u32(), let blocks = r.u16(),
              r.remaining == 0, let model = String(validating: name, as: UTF8.self) else {
            throw .malformedParameters(byteCount: bytes.count)
        }
        guard AudioLimits.sampleRates.contains(Int(rate)) else { throw .sampleRateOutOfRange(Int(rate)) }
        guard Self.blocksPerPacketRange.contains(Int(blocks)) else {
            throw .blocksPerPacketOutOfRange(Int(blocks), range: Self.blocksPerPacketRange)
        }
        self.init(model: model, sourceSampleRate: Int(rate), blocksPerPacket: Int(blocks))
    }
}
