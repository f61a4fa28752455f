import TQAudio

/// Why a span of a stream cannot be decoded.
public enum SeekError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The span starts at frame `start`, at or past the stream's end (`frames` frames).
    case startPastEnd(start: UInt64, frames: UInt64)

    public var description: String {
        switch self {
        case .startPastEnd(let s, let f): "the span starts at frame \(s), at or past the end of the stream (\(f) frames)"
        }
    }
}

/// What `TQAReader.skipPackets(before:)` passed over.
public struct SkippedPackets: Sendable, Equatable {
    public var packets = 0
    /// Bytes of packets passed over, headers, payloads and CRCs.
    public var bytes = 0
    /// Frames in those packets; the next packet starts at this frame.
    public var frames: UInt64 = 0

    public init(packets: Int = 0, bytes: Int = 0, frames: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
        self.frames = frames
    }
}

extension TQAReader {
    /// Passes over every packet that ends at or before `frame`, so that `next()` returns the
    /// packet that holds `frame` (or the end marker when no packet does).
    ///
    /// Only each packet's 24-byte header is read: its payload and CRC are seeked over on a
    /// regular file (`ByteSource.skip`) and read and discarded on a pipe, never checked. The
    /// headers are checked against the timeline as `next()` checks them (packet index and first
    /// frame continue the packets before), so a damaged header of a skipped packet is an error
    /// naming it, as in strict reading; damage inside a skipped payload goes unnoticed. Anything
    /// that is not a packet header (an end marker, damage) is left for `next()` to report.
    /// Call before the first `next()` or after an intact packet. Cost: one read of 24 bytes and
    /// one seek per skipped packet.
    @discardableResult
    public func skipPackets(before frame: UInt64) throws -> SkippedPackets {
        var skipped = SkippedPackets()
        while !finished && nextFrame <= frame {
            let start = offset
            let head = try take(upTo: Packet.headerSize)
            guard head.count == Packet.headerSize, Array(head.prefix(4)) == Packet.sync else {
                pushBack(head[...])
                break
            }
            var r = ByteReader(head, offset: 4)
            let length = Int(r.u32()!), index = r.u32()!, first = r.u64()!, frames = r.u32()!
            guard first == nextFrame, index == UInt32(truncatingIfNeeded: packetIndex) else {
                throw ContainerError.outOfOrder(index: packetIndex, expectedFrame: nextFrame, foundFrame: first)
            }
            guard length <= Packet.maxPayloadBytes, first + UInt64(frames) <= frame else {
                // Too large (`next()` reports it), or the packet that holds `frame`.
                pushBack(head[...])
                break
            }
            let body = length + 4
            guard try discard(body) == body else {
                throw ContainerError.truncated(index: packetIndex, offset: offset)
            }
            packetIndex += 1
            nextFrame += UInt64(frames)
            skipped.packets += 1
            skipped.bytes += offset - start
            skipped.frames += UInt64(frames)
        }
        return skipped
    }

    /// Consumes up to `count` bytes without keeping them: pushed-back bytes first, then the
    /// source's (seeked over where it can). Returns how many.
    private func discard(_ count: Int) throws -> Int {
        let fromPending = min(count, pending.count - pendingStart)
        pendingStart += fromPending
        if pendingStart == pending.count { pending = []; pendingStart = 0 }
        let n = fromPending + (try source.skip(count - fromPending))
        offset += n
        return n
    }
}
