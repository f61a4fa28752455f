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
///
/// Metadata (`RIFFChunk`s) goes into a metadata section right after the header, and chunks
/// learned only at the end (a WAV read from a pipe has its chunks after `data` there) into one
/// right before the end marker; either makes the file format version 2 (`MetadataSection`).
public final class TQAWriter {
    public private(set) var header: TQAHeader
    private let sink: ByteSink
    private var packetCount: UInt32 = 0
    private var nextFrame: UInt64 = 0
    public private(set) var bytesWritten = 0
    public private(set) var payloadBytes = 0

    /// Writes the header and, when `metadata` is not empty, a metadata section.
    /// `metadataMayFollow` announces that `finish` may get chunks: then the header says version
    /// 2 from the start (a sink that can seek gets version 1 back in `finish` if none came).
    public init(sink: ByteSink, header: TQAHeader, metadata: [RIFFChunk] = [], metadataMayFollow: Bool = false) throws {
        self.sink = sink
        var header = header
        header.formatVersion = metadata.isEmpty && !metadataMayFollow ? 1 : TQAHeader.metadataVersion
        self.header = header
        let h = header.encoded()
        try sink.write(h)
        bytesWritten = h.count
        if !metadata.isEmpty {
            let m = MetadataSection.encoded(metadata)
            try sink.write(m)
            bytesWritten += m.count
            wroteMetadata = true
        }
    }

    private var wroteMetadata = false

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

    /// Writes the metadata section of `trailingMetadata` (when not empty), the end marker and,
    /// when the sink can seek, patches the header's frame count to `frameCount` (default: the
    /// frames the packets covered) and its format version. `trailingMetadata` needs a sink that
    /// can seek or `metadataMayFollow`.
    public func finish(frameCount: UInt64? = nil, trailingMetadata: [RIFFChunk] = []) throws {
        let total = frameCount ?? nextFrame
        if !trailingMetadata.isEmpty {
            precondition(sink.isSeekable || header.formatVersion >= TQAHeader.metadataVersion,
                         "metadata at the end of a stream that cannot seek must be announced (metadataMayFollow)")
            let m = MetadataSection.encoded(trailingMetadata)
            try sink.write(m)
            bytesWritten += m.count
            wroteMetadata = true
        }
        var w = ByteWriter()
        w.append(Packet.endSync)
        w.u32(packetCount)
        w.u64(total)
        w.u32(CRC32.checksum(w.bytes))
        try sink.write(w.bytes)
        bytesWritten += w.bytes.count
        guard sink.isSeekable else { return }
        header.frameCount = total
        header.formatVersion = wroteMetadata ? TQAHeader.metadataVersion : 1
        try sink.patch(header.encoded(), at: 0)
    }
}
