import TQAudio

/// One unit of coded audio: the frames `firstFrame ..< firstFrame + frameCount` of every
/// channel, in a payload only its codec reads (docs/FORMAT.md, "Packets").
public struct Packet: Sendable, Equatable {
    /// Position in the stream, 0-based; assigned by `TQAWriter`, its one owner (encoders leave it 0).
    public var index: UInt32
    public var firstFrame: UInt64
    public var frameCount: UInt32
    public var payload: [UInt8]

    public init(index: UInt32 = 0, firstFrame: UInt64, frameCount: UInt32, payload: [UInt8]) {
        self.index = index
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.payload = payload
    }

    static let sync: [UInt8] = [0x54, 0x51, 0x41, 0x50]  // "TQAP"
    static let endSync: [UInt8] = [0x54, 0x51, 0x41, 0x45]  // "TQAE"
    /// Bytes before the payload: sync, payload length, index, first frame, frame count.
    public static let headerSize = 24
    /// Bytes after the payload: the CRC-32.
    public static let checksumSize = 4
    /// What the container adds to every payload, 28 bytes (docs/FORMAT.md, "Packets"); codecs
    /// count it against their bit budget.
    public static let overheadSize = headerSize + checksumSize
    /// Upper bound on a payload: no codec writes packets anywhere near this.
    public static let maxPayloadBytes = 1 << 24
    /// Size of the end marker: sync, packet count, frame count, CRC-32.
    public static let trailerSize = 20
    /// Most samples (frames × channels) one turbo or spectral packet may decode to: 2^21, 8 MB
    /// of float. Their parameters are checked against it (with the header's channel count), so
    /// that whatever a file claims, decoding holds a few packets' audio at a time, never more.
    /// The encoders' defaults stay far below it (spectral 2048 × 8 frames, turbo 4096 frames,
    /// × 32 channels).
    public static let maxDecodedSamples = 1 << 21

    /// The packet's bytes: header, payload, CRC-32 of both.
    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.append(Packet.sync)
        w.u32(UInt32(payload.count))
        w.u32(index)
        w.u64(firstFrame)
        w.u32(frameCount)
        w.append(payload)
        w.u32(CRC32.checksum(w.bytes))
        return w.bytes
    }
}

/// Audio decoded from a packet: `buffer` holds the frames that start at `firstFrame`.
public struct DecodedAudio: Sendable {
    public var firstFrame: UInt64
    public var buffer: AudioBuffer

    public init(firstFrame: UInt64, buffer: AudioBuffer) {
        self.firstFrame = firstFrame
        self.buffer = buffer
    }
}

/// A codec's encoder: takes audio in buffers of any size, gives back packets.
///
/// The header's codec id, seed and parameters come from the encoder, so that the matching
/// decoder can be built from the header alone.
public protocol PacketEncoder {
    var codec: CodecID { get }
    var seed: UInt64 { get }
    var codecParameters: [UInt8] { get }
    /// Consumes `buffer` (same channel count and rate every call); returns the packets completed.
    /// Its samples are finite and within ±`CodecInput.maxMagnitude` (`CodecInput.condition`,
    /// which `TQAStreamEncoder` applies); encoders do not clean their input again.
    mutating func encode(_ buffer: AudioBuffer) throws -> [Packet]
    /// Flushes what is buffered; returns the last packets.
    mutating func finish() throws -> [Packet]
    /// The rate of the audio the packets decode to, when the codec resamples (nil: the input's).
    var decodedSampleRate: Int? { get }
    /// The signal-to-noise ratio of what was coded so far, in dB, as the encoder measured it
    /// while coding (nil: the codec does not measure it).
    var measuredSNRDB: Double? { get }
}

extension PacketEncoder {
    public var decodedSampleRate: Int? { nil }
    public var measuredSNRDB: Double? { nil }
}

/// A codec's decoder: one packet in, audio out.
///
/// A decoder may give back audio later than its packet (codecs with overlap); `firstFrame` places
/// what it returns on the timeline. After `reset()` (a lost packet), decoding resumes with the
/// next packet as if it were the first.
public protocol PacketDecoder {
    mutating func decode(_ packet: Packet) throws -> [DecodedAudio]
    /// Audio still held after the last packet.
    mutating func finish() throws -> [DecodedAudio]
    mutating func reset()
    /// Decodes consecutive packets, possibly on several threads; the default decodes them in
    /// order with `decode(_:)`. Codecs whose packets are independent override it.
    mutating func decode(batch: [Packet], threads: Int) throws -> [DecodedAudio]
    /// Packets to gather before decoding a batch on `threads` threads: more packets share the
    /// work better, fewer give the first audio sooner. Default `4 · threads`; codecs with long
    /// packets that use the threads inside one packet return 1.
    func batchSize(threads: Int) -> Int
    /// Frames before a position that a fresh decoder must start from to give the audio from that
    /// position on exactly as decoding from the start does (`TQASpanDecoder`). Default 0:
    /// decoding may start at the packet that holds the position.
    var seekContextFrames: UInt64 { get }
}

extension PacketDecoder {
    public func batchSize(threads: Int) -> Int { 4 * max(1, threads) }

    public var seekContextFrames: UInt64 { 0 }

    public mutating func decode(batch: [Packet], threads: Int) throws -> [DecodedAudio] {
        var out: [DecodedAudio] = []
        for p in batch { out += try decode(p) }
        return out
    }
}
