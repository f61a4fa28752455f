import TQAudio

/// Reads a .tqa stream front to back (docs/FORMAT.md).
///
/// Strict mode (`next()`) stops at the first problem with an error naming the packet. Salvage mode
/// (`nextSalvaging()`) skips damaged bytes, resynchronises on the next packet whose CRC holds,
/// and reports what it skipped. Memory stays bounded by the largest packet (or metadata section).
///
/// Metadata sections (format version 2): one right after the header is read by `init`, into
/// `leadingMetadata`; one right before the end marker is read when reading reaches it, into
/// `trailingMetadata`. Strict reading refuses a damaged section, a section anywhere else and one
/// in a version 1 file; salvage reading skips a damaged section like damaged packet bytes and
/// keeps the intact ones wherever they are.
public final class TQAReader {
    public let header: TQAHeader
    public let headerSize: Int
    let source: ByteSource
    /// Bytes taken from `source` but not yet consumed (resynchronisation pushes bytes back here).
    var pending: [UInt8] = []
    var pendingStart = 0
    /// File offset of the next byte to consume.
    public internal(set) var offset: Int
    var packetIndex = 0
    /// Where the next packet should start on the timeline.
    public internal(set) var nextFrame: UInt64 = 0
    public private(set) var finished = false
    /// The end marker's declared totals, once read.
    public private(set) var trailer: (packets: UInt32, frames: UInt64)?
    /// Metadata chunks of the section after the header (read by `init`; empty when there is none
    /// or it is damaged: strict reading then throws at the first `next()`).
    public private(set) var leadingMetadata: [RIFFChunk] = []
    /// Metadata chunks of a section met after the first packet (or after the leading one), once
    /// reading has reached it.
    public private(set) var trailingMetadata: [RIFFChunk] = []
    /// All metadata chunks read so far, in file order.
    public var metadata: [RIFFChunk] { leadingMetadata + trailingMetadata }
    /// Set once strict reading has met a metadata section after the leading one: only the end
    /// marker may follow it.
    private var sawClosingMetadata = false

    public init(source: ByteSource) throws {
        self.source = source
        let fixed = try source.read(upTo: TQAHeader.fixedSize)
        var r = ByteReader(fixed)
        if fixed.count >= 4 && Array(fixed.prefix(4)) != TQAHeader.magic { throw ContainerError.notTQA }
        guard fixed.count == TQAHeader.fixedSize else { throw fixed.isEmpty ? ContainerError.notTQA : ContainerError.truncatedHeader }
        _ = r.bytes(14)
        let paramCount = Int(r.u16()!)
        guard paramCount <= TQAHeader.maxParameterBytes else {
            throw ContainerError.invalidHeader("codec parameters of \(paramCount) bytes (limit \(TQAHeader.maxParameterBytes))")
        }
        let rest = try source.read(upTo: paramCount + TQAHeader.checksumSize)
        let (h, size) = try TQAHeader.decode(fixed + rest)
        header = h
        headerSize = size
        offset = size
        if h.formatVersion >= TQAHeader.metadataVersion {
            let peek = try take(upTo: 4)
            pushBack(peek[...])
            if peek == MetadataSection.sync {
                let start = offset
                if case .metadata(let chunks) = try readUnit() {
                    leadingMetadata = chunks
                } else {
                    // Damaged: put it all back, so that strict reading throws at it and salvage
                    // reading skips it.
                    pushBack(MetadataSection.sync.prefix(1))
                    offset = start
                }
            }
        }
    }

    public convenience init(path: String) throws {
        try self.init(source: ByteSource(path: path))
    }

    public convenience init(bytes: [UInt8]) throws {
        try self.init(source: ByteSource(bytes: bytes))
    }

    // MARK: byte access with push-back

    func take(upTo n: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        let fromPending = min(n, pending.count - pendingStart)
        if fromPending > 0 {
            out = Array(pending[pendingStart ..< pendingStart + fromPending])
            pendingStart += fromPending
            if pendingStart == pending.count { pending = []; pendingStart = 0 }
        }
        if out.count < n { out += try source.read(upTo: n - out.count) }
        offset += out.count
        return out
    }

    func pushBack(_ bytes: ArraySlice<UInt8>) {
        pending = Array(bytes) + pending[pendingStart...]
        pendingStart = 0
        offset -= bytes.count
    }

    private func atEnd() throws -> Bool {
        pending.count == pendingStart ? try source.atEnd() : false
    }

    // MARK: strict reading

    /// The next packet, or nil after a valid end marker. Throws on any damage.
    public func next() throws -> Packet? {
        if finished { return nil }
        switch try readUnit() {
        case .packet(let p, let start):
            guard p.firstFrame == nextFrame, p.index == UInt32(truncatingIfNeeded: packetIndex) else {
                throw ContainerError.outOfOrder(index: packetIndex, expectedFrame: nextFrame, foundFrame: p.firstFrame)
            }
            packetIndex += 1
            nextFrame += UInt64(p.frameCount)
            intactFrames += UInt64(p.frameCount)
            guard !sawClosingMetadata else {
                throw ContainerError.invalidMetadata(offset: start, reason: "packets follow it; metadata goes right after the header or right before the end marker")
            }
            return p
        case .metadata(let chunks):
            guard !sawClosingMetadata else {
                throw ContainerError.invalidMetadata(offset: offset, reason: "a third metadata section; a file has at most two")
            }
            sawClosingMetadata = true
            trailingMetadata = chunks
            return try next()
        case .end(let packets, let frames, _):
            guard packets == UInt32(truncatingIfNeeded: packetIndex) else {
                throw ContainerError.trailerMismatch("it counts \(packets) packets, the stream has \(packetIndex)")
            }
            guard frames <= nextFrame else {
                throw ContainerError.trailerMismatch("it counts \(frames) frames, the packets hold \(nextFrame)")
            }
            if header.frameCount != TQAHeader.unknownFrameCount && header.frameCount != frames {
                throw ContainerError.trailerMismatch("it counts \(frames) frames, the header \(header.frameCount)")
            }
            trailer = (packets, frames)
            finished = true
            let extra = try take(upTo: 64)
            if !extra.isEmpty {
                let at = offset - extra.count
                let more = extra.count + (try skipRest())
                throw ContainerError.trailingGarbage(offset: at, count: more)
            }
            return nil
        case .damaged(let error, _):
            throw error
        }
    }

    private func skipRest() throws -> Int {
        var n = 0
        while true {
            let b = try take(upTo: 1 << 16)
            if b.isEmpty { return n }
            n += b.count
        }
    }

    private enum Unit {
        case packet(Packet, start: Int)
        case metadata([RIFFChunk])
        case end(packets: UInt32, frames: UInt64, raw: [UInt8])
        case damaged(ContainerError, start: Int)
    }

    /// Reads one packet or end marker at the current offset. On damage, the bytes after the
    /// unit's first byte are pushed back so that a resync can look inside them.
    private func readUnit() throws -> Unit {
        let start = offset
        let head = try take(upTo: Packet.headerSize)
        if head.isEmpty { return .damaged(.truncated(index: packetIndex, offset: start), start: start) }
        let sync = Array(head.prefix(4))
        if sync == Packet.endSync {
            var unit = head
            if unit.count < Packet.trailerSize { unit += try take(upTo: Packet.trailerSize - unit.count) }
            else { pushBack(unit[Packet.trailerSize...]); unit = Array(unit.prefix(Packet.trailerSize)) }
            guard unit.count == Packet.trailerSize else {
                return .damaged(.truncated(index: packetIndex, offset: offset), start: start)
            }
            var r = ByteReader(unit, offset: 4)
            let packets = r.u32()!, frames = r.u64()!, declared = r.u32()!
            let computed = CRC32.checksum(unit.prefix(16))
            guard declared == computed else {
                pushBack(unit.dropFirst())
                return .damaged(.corruptPacket(index: packetIndex, offset: start, declared: declared, computed: computed), start: start)
            }
            return .end(packets: packets, frames: frames, raw: unit)
        }
        if sync == MetadataSection.sync && header.formatVersion >= TQAHeader.metadataVersion {
            return try readMetadata(head, start: start)
        }
        guard sync == Packet.sync else {
            pushBack(head.dropFirst())
            return .damaged(head.count < 4 ? .truncated(index: packetIndex, offset: start + head.count) : .badSync(index: packetIndex, offset: start), start: start)
        }
        guard head.count == Packet.headerSize else {
            pushBack(head.dropFirst())
            return .damaged(.truncated(index: packetIndex, offset: start + head.count), start: start)
        }
        var r = ByteReader(head, offset: 4)
        let length = Int(r.u32()!), index = r.u32()!, first = r.u64()!, frames = r.u32()!
        guard length <= Packet.maxPayloadBytes else {
            pushBack(head.dropFirst())
            return .damaged(.packetTooLarge(index: packetIndex, offset: start, length: length, limit: Packet.maxPayloadBytes), start: start)
        }
        let body = try take(upTo: length + Packet.checksumSize)
        guard body.count == length + Packet.checksumSize else {
            pushBack((head + body).dropFirst())
            return .damaged(.truncated(index: packetIndex, offset: start + head.count + body.count), start: start)
        }
        var crc = CRC32()
        crc.update(head)
        crc.update(body.prefix(length))
        var tail = ByteReader(Array(body.suffix(Packet.checksumSize)))
        let declared = tail.u32()!
        guard declared == crc.value else {
            pushBack((head + body).dropFirst())
            return .damaged(.corruptPacket(index: packetIndex, offset: start, declared: declared, computed: crc.value), start: start)
        }
        return .packet(Packet(index: index, firstFrame: first, frameCount: frames, payload: Array(body.prefix(length))), start: start)
    }

    /// Reads the metadata section whose first bytes are `head` (docs/FORMAT.md, "Metadata
    /// section"); on damage, pushes back all but its first byte, as `readUnit` does.
    private func readMetadata(_ head: [UInt8], start: Int) throws -> Unit {
        guard head.count >= MetadataSection.headerSize else {
            pushBack(head.dropFirst())
            return .damaged(.truncated(index: packetIndex, offset: start + head.count), start: start)
        }
        var r = ByteReader(head, offset: 4)
        let length = Int(r.u32()!)
        guard length <= MetadataSection.maxBodyBytes else {
            pushBack(head.dropFirst())
            return .damaged(.metadataTooLarge(offset: start, length: length, limit: MetadataSection.maxBodyBytes), start: start)
        }
        let size = MetadataSection.headerSize + length + 4
        var unit = head
        if unit.count > size {
            pushBack(unit[size...])
            unit = Array(unit.prefix(size))
        } else {
            // Read in pieces by the source, so that a forged length costs no more than the file holds.
            unit += try take(upTo: size - unit.count)
        }
        guard unit.count == size else {
            pushBack(unit.dropFirst())
            return .damaged(.truncated(index: packetIndex, offset: start + unit.count), start: start)
        }
        var tail = ByteReader(unit, offset: size - 4)
        let declared = tail.u32()!
        let computed = CRC32.checksum(unit.prefix(size - 4))
        guard declared == computed else {
            pushBack(unit.dropFirst())
            return .damaged(.corruptMetadata(offset: start, declared: declared, computed: computed), start: start)
        }
        do {
            return .metadata(try MetadataSection.chunks(entries: Array(unit[MetadataSection.headerSize ..< size - 4]), offset: start))
        } catch {
            pushBack(unit.dropFirst())
            return .damaged(error, start: start)
        }
    }

    // MARK: salvage

    /// Frames in the intact packets read so far.
    public private(set) var intactFrames: UInt64 = 0
    /// Silence that salvage reading has put into the timeline so far (gaps before packets).
    private var gapFrames: UInt64 = 0

    /// Frames per byte that a damaged stretch of file may have held: above the lowest rate of
    /// any codec (SQCodec 0k75bps writes 171 frames per byte at 16 kHz).
    public static let silenceFramesPerByte: UInt64 = 256
    /// Most frames of silence that the file's bytes alone justify.
    public static let silenceFromBytesLimit: UInt64 = 1 << 20

    /// Frames of silence salvage may invent in all, in gaps and at the end:
    /// 4 × the frames of the intact packets read so far + min(256 × the bytes read so far, 2^20)
    /// (saturating). An end marker's and a header's totals are claims, not evidence: both are
    /// held to this bound, so that a small file with forged totals cannot make `--salvage` write
    /// without end (docs/ROBUSTNESS.md).
    public var silenceBudget: UInt64 {
        let (fromPackets, overflow) = intactFrames.multipliedReportingOverflow(by: 4)
        let fromBytes = min(UInt64(offset).multipliedReportingOverflow(by: TQAReader.silenceFramesPerByte).partialValue,
                            TQAReader.silenceFromBytesLimit)
        return overflow || fromPackets > UInt64.max - fromBytes ? UInt64.max : fromPackets + fromBytes
    }

    /// What salvage reading finds.
    public enum SalvageEvent: Sendable {
        /// An intact packet that continues (or, after a gap, resumes) the timeline.
        case packet(Packet)
        /// Damaged or foreign bytes `offset ..< offset + count` were skipped; `error` is the first
        /// problem found there.
        case skipped(offset: Int, count: Int, error: ContainerError)
        /// An intact packet that does not fit the timeline (repeated or out of order), dropped.
        case dropped(Packet)
    }

    /// The next event in salvage mode, or nil at the end of the input.
    public func nextSalvaging() throws -> SalvageEvent? {
        if finished { return nil }
        if try atEnd() {
            // The input ended without an end marker: say so, even when every packet was intact.
            finished = true
            return .skipped(offset: offset, count: 0, error: .truncated(index: packetIndex, offset: offset))
        }
        let start = offset
        var firstError: ContainerError?
        while true {
            if try atEnd() {
                finished = true
                return .skipped(offset: start, count: offset - start, error: firstError ?? .truncated(index: packetIndex, offset: offset))
            }
            let unitStart = offset
            switch try readUnit() {
            case .packet(let p, _):
                if let e = firstError { pushBackPacket(p, at: unitStart); return .skipped(offset: start, count: unitStart - start, error: e) }
                if p.firstFrame < nextFrame { return .dropped(p) }
                // A jump beyond the declared length, or beyond what damage can plausibly have
                // lost (`silenceBudget`), is a forged or foreign packet: dropped, so the
                // timeline is not moved.
                let declared = header.frameCount == TQAHeader.unknownFrameCount ? UInt64.max : header.frameCount
                let gap = p.firstFrame - nextFrame
                if p.firstFrame >= declared || gap > silenceBudget - min(silenceBudget, gapFrames) { return .dropped(p) }
                let (end, overflow) = p.firstFrame.addingReportingOverflow(UInt64(p.frameCount))
                if overflow { return .dropped(p) }
                gapFrames += gap
                intactFrames += UInt64(p.frameCount)
                packetIndex = Int(p.index) + 1
                nextFrame = end
                return .packet(p)
            case .metadata(let chunks):
                if let e = firstError {
                    pushBack(MetadataSection.encoded(chunks)[...])
                    offset = unitStart
                    return .skipped(offset: start, count: unitStart - start, error: e)
                }
                // One section of each kind is kept (memory stays bounded whatever a file repeats).
                if packetIndex == 0 && leadingMetadata.isEmpty { leadingMetadata = chunks }
                else if trailingMetadata.isEmpty { trailingMetadata = chunks }
                return try nextSalvaging()
            case .end(let packets, let frames, let raw):
                if let e = firstError {
                    pushBack(raw[...])
                    offset = unitStart
                    return .skipped(offset: start, count: unitStart - start, error: e)
                }
                trailer = (packets, frames)
                finished = true
                let rest = try skipRest()
                if rest > 0 { return .skipped(offset: offset - rest, count: rest, error: .trailingGarbage(offset: offset - rest, count: rest)) }
                return nil
            case .damaged(let e, _):
                if firstError == nil { firstError = e }
            }
        }
    }

    /// Re-queues a packet that ended a skipped region, so that the next call returns it.
    private func pushBackPacket(_ p: Packet, at start: Int) {
        pushBack(p.encoded()[...])
        offset = start
    }

}
