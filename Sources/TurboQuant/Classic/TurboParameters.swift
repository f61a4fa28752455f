import TQAudio
import TQContainer

/// Settings of the classic time-domain TurboQuant codec (`--codec turbo`).
public struct TurboParameters: Sendable, Equatable {
    /// Codebook bits per sample, 1...8.
    public var bits: Int
    /// Samples per block and channel, a power of two in 64...8192.
    public var blockSize: Int
    /// Whether the 1-bit residual sign layer is sent.
    public var residual: Bool
    /// Blocks per packet.
    public var blocksPerPacket: Int

    public static let bitsRange = 1...8
    public static let blockSizeRange = 64...8192

    public init(bits: Int = 6, blockSize: Int = 512, residual: Bool = true, blocksPerPacket: Int? = nil) {
        self.bits = bits
        self.blockSize = blockSize
        self.residual = residual
        self.blocksPerPacket = blocksPerPacket ?? max(1, 4096 / max(1, blockSize))
    }

    public static let blocksPerPacketRange = 1...1024

    /// Throws the first setting outside its range.
    public func validate() throws(TurboError) {
        guard TurboParameters.bitsRange.contains(bits) else { throw .bitsOutOfRange(bits, range: TurboParameters.bitsRange) }
        guard TurboParameters.blockSizeRange.contains(blockSize), blockSize & (blockSize - 1) == 0 else {
            throw .invalidBlockSize(blockSize, range: TurboParameters.blockSizeRange)
        }
        guard TurboParameters.blocksPerPacketRange.contains(blocksPerPacket) else {
            throw .blocksPerPacketOutOfRange(blocksPerPacket, range: TurboParameters.blocksPerPacketRange)
        }
    }

    /// Frames in a full packet.
    public var framesPerPacket: Int { blockSize * blocksPerPacket }

    /// `validate()`, and that a full packet of `channelCount` channels decodes to at most
    /// `Packet.maxDecodedSamples` samples (decode memory stays bounded whatever a file claims).
    public func validate(channelCount: Int) throws(TurboError) {
        try validate()
        guard framesPerPacket * max(1, channelCount) <= Packet.maxDecodedSamples else {
            throw .packetTooLarge(blocksPerPacket: blocksPerPacket, blockSize: blockSize, channelCount: channelCount,
                                  limit: Packet.maxDecodedSamples)
        }
    }

    /// Bits of one block of one channel, not counting silent blocks' savings (docs/FORMAT.md).
    public var bitsPerBlock: Int { TurboParameters.sideBits(residual: residual) + blockSize * symbolWidth }

    /// Bits per coded sample: the codebook index plus the residual sign.
    public var symbolWidth: Int { bits + (residual ? 1 : 0) }

    static func sideBits(residual: Bool) -> Int { 1 + 16 + 16 + (residual ? 16 : 0) }

    /// The header's codec parameter bytes: version, bits, log2(block), flags, blocks per packet.
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        w.u8(UInt8(bits))
        w.u8(UInt8(blockSize.trailingZeroBitCount))
        w.u8(residual ? 1 : 0)
        w.u16(UInt16(blocksPerPacket))
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(TurboError) {
        var r = ByteReader(bytes)
        guard let version = r.u8(), let bits = r.u8(), let log2 = r.u8(), let flags = r.u8(), let bpp = r.u16(), r.remaining == 0 else {
            throw .malformedParameters(byteCount: bytes.count)
        }
        guard version == 1 else { throw .unsupportedParameterVersion(version, supported: 1) }
        guard log2 < 16, flags & ~1 == 0 else { throw .malformedParameters(byteCount: nil) }
        self.init(bits: Int(bits), blockSize: 1 << Int(log2), residual: flags & 1 == 1, blocksPerPacket: Int(bpp))
        try validate()
    }
}

extension TurboParameters {
    /// The rotation seed used when none is given (any value works; this one is fixed so that the
    /// same input and settings always give the same file).
    public static let defaultSeed: UInt64 = 0x7451_0001
}
