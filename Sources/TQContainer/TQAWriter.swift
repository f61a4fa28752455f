import TQAudio

/// Where a `TQAWriter` puts its bytes: an `OutputFile` (temp file, renamed on commit) or memory.
public protocol ByteSink: AnyObject {
    func write(_ bytes: [UInt8]) throws
    /// Overwrites already-written bytes at `position`; only when `isSeekable`.
    func patch(_ bytes: [UInt8], at position: Int) throws
    /// Whether `patch` can be called (false for a pipe, socket or device).
    var isSeekable: Bool { get }
}

extension OutputFile: ByteSink {}

/// Bytes collected in memory.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public var isSeekable: Bool { true }
    public func write(_ b: [UInt8]) throws { bytes += b }
    public func patch(_ b: [UInt8], at position: Int) throws {
        bytes.replaceSubrange(position ..< position + b.count, with: b)
    }
}

/// Writes a .tqa stream: header, packets in timeline order, end marker (docs/FORMAT.md).
///
/// The header's frame count is patched in `finish()`, so a writer can start before the total is
/// known. On a sink that cannot seek (a pipe, a device) the header keeps the frame count it was
/// written with (`TQAHeader.unknownFrameCount` from `TQAStreamEncoder`); the end marker carries
/// the totals, and readers take them from there. Packets must continue the timeline: each starts where the previous ended.
public final class TQAWriter {
    public private(set) var header: TQAHeader
    private let sink: ByteSink
    private var packetCount: UInt32 = 0
    private var nextFrame: UInt64 = 0
    public private(set) var bytesWritten = 0
    public private(set) var payloadBytes = 0

    public init(sink: ByteSink, header: TQAHeader) throws {
        self.sink = sink
        self.header = header
        let h = header.encoded()
        try sink.write(h)
        bytesWritten = h.count
    }

    /// Appends `packet`, numbering it.
    public func write(_ packet: Packet) throws {
        precondition(packet.firstFrame == nextFrame, "packets must continue the timeline")
        precondition(packet.payload.count <= Packet.maxPayloadBytes, "packet too large")
        var p = packet
        p.index = packetCount
        let bytes = p.encoded()
        try sink.write(bytes)
        bytesWritten += bytes.count
        payloadBytes += p.payload.count
        packetCount += 1
        nextFrame += UInt64(p.frameCount)
    }

    /// Writes the end marker and, when the sink can seek, patches the header's frame count to
    /// `frameCount` (default: the frames the packets covered).
    public func finish(frameCount: UInt64? = nil) throws {
        let total = frameCount ?? nextFrame
        var w = ByteWriter()
        w.append(Packet.endSync)
        w.u32(packetCount)
        w.u64(total)
        w.u32(CRC32.checksum(w.bytes))
        try sink.write(w.bytes)
        bytesWritten += w.bytes.count
        guard sink.isSeekable else { return }
        header.frameCount = total
        try sink.patch(header.encoded(), at: 0)
    }
}
