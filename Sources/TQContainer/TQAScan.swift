import TQAudio

/// What reading a .tqa file's packets front to back finds, without decoding them: every packet's
/// CRC, the timeline (index and first frame of each packet) and the end marker, as `TQAReader`
/// checks them. Cost: one pass over the bytes (two when the file is damaged), memory bounded by
/// the largest packet.
public struct TQAScan: Sendable {
    public var header: TQAHeader
    /// Packets that strict reading accepted before the first damage (all of them when intact).
    public var packets = 0
    /// Frames in those packets.
    public var frames: UInt64 = 0
    /// Payload bytes in those packets.
    public var payloadBytes = 0
    /// The first problem strict reading meets (what `tqa decode` stops at); nil when intact.
    public var firstDamage: ContainerError?
    /// When damaged: what salvage reading of the whole file finds. Damaged or foreign stretches
    /// of bytes with the first problem in each, and intact packets that do not fit the timeline.
    public var damagedRegions: [(offset: Int, count: Int, error: ContainerError)] = []
    public var droppedPackets = 0
    /// When damaged: intact packets that salvage reading keeps.
    public var intactPackets = 0

    public var isIntact: Bool { firstDamage == nil }
    /// The metadata chunks read (`TQAReader.metadata`): all of them when intact, else those of
    /// the intact metadata sections salvage reading finds.
    public var metadata: [RIFFChunk] = []

    /// Scans the file at `path`. Throws what the header's reading throws (a file that is not a
    /// .tqa file, or whose header is damaged); damage after the header is reported, not thrown.
    public static func file(_ path: String) throws -> TQAScan {
        try scan { try ByteSource(path: path) }
    }

    /// Scans `bytes`, as `file(_:)`.
    public static func bytes(_ bytes: [UInt8]) throws -> TQAScan {
        try scan { ByteSource(bytes: bytes) }
    }

    private static func scan(_ open: () throws -> ByteSource) throws -> TQAScan {
        let reader = try TQAReader(source: open())
        var s = TQAScan(header: reader.header)
        do {
            while let p = try reader.next() {
                s.packets += 1
                s.frames += UInt64(p.frameCount)
                s.payloadBytes += p.payload.count
            }
            s.metadata = reader.metadata
            return s
        } catch let e as ContainerError where e.isDamage {
            s.firstDamage = e
        }
        let salvage = try TQAReader(source: open())
        while let event = try salvage.nextSalvaging() {
            switch event {
            case .packet: s.intactPackets += 1
            case .dropped: s.droppedPackets += 1
            case .skipped(let offset, let count, let error): s.damagedRegions.append((offset, count, error))
            }
        }
        s.metadata = salvage.metadata
        return s
    }
}

extension ContainerError {
    /// The packet (0-based, in file order) this error names, if any.
    public var packetIndex: Int? {
        switch self {
        case .corruptPacket(let i, _, _, _), .badSync(let i, _), .packetTooLarge(let i, _, _, _), .truncated(let i, _),
             .outOfOrder(let i, _, _):
            i
        default: nil
        }
    }

    /// The byte offset in the file this error names, if any.
    public var byteOffset: Int? {
        switch self {
        case .corruptPacket(_, let o, _, _), .badSync(_, let o), .packetTooLarge(_, let o, _, _), .truncated(_, let o),
             .trailingGarbage(let o, _), .corruptMetadata(let o, _, _), .metadataTooLarge(let o, _, _), .invalidMetadata(let o, _):
            o
        default: nil
        }
    }
}
