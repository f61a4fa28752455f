import Testing
import TQAudio
import TQContainer

/// A stream of `count` packets of `frames` frames each, with payloads that name their packet.
private func stream(count: Int, frames: UInt32 = 4) throws -> (bytes: [UInt8], starts: [Int]) {
    let sink = MemorySink()
    let w = try TQAWriter(sink: sink, header: SmallFile.tqaHeader)
    var starts: [Int] = []
    for i in 0..<count {
        starts.append(w.bytesWritten)
        try w.write(Packet(firstFrame: UInt64(i) * UInt64(frames), frameCount: frames, payload: Array(repeating: UInt8(i), count: 5 + i)))
    }
    starts.append(w.bytesWritten)
    try w.finish()
    return (sink.bytes, starts)
}

/// Reads `bytes` strictly to the end; returns the packets, or the error that stopped it.
private func readAll(_ bytes: [UInt8]) -> (packets: [Packet], error: ContainerError?) {
    var out: [Packet] = []
    do {
        let r = try TQAReader(bytes: bytes)
        while let p = try r.next() { out.append(p) }
        return (out, nil)
    } catch let e as ContainerError {
        return (out, e)
    } catch {
        return (out, .io("\(error)"))
    }
}

@Suite struct ReaderStrictTests {
    @Test func cleanStream() throws {
        let (b, _) = try stream(count: 5)
        let r = readAll(b)
        #expect(r.error == nil)
        #expect(r.packets.map(\.index) == [0, 1, 2, 3, 4])
    }

    @Test func emptyStreamHasNoPackets() throws {
        let sink = MemorySink()
        let w = try TQAWriter(sink: sink, header: SmallFile.tqaHeader)
        try w.finish()
        let r = readAll(sink.bytes)
        #expect(r.error == nil && r.packets.isEmpty)
    }

    @Test func namedErrors() throws {
        let (b, starts) = try stream(count: 4)
        // Damaged payload byte in packet 2.
        var x = b; x[starts[2] + 26] ^= 0x10
        if case .corruptPacket(2, starts[2], _, _) = readAll(x).error {} else { Issue.record("payload damage: \(String(describing: readAll(x).error))") }
        #expect(readAll(x).packets.count == 2)
        // Sync word of packet 1 damaged.
        x = b; x[starts[1]] = 0
        #expect(readAll(x).error == .badSync(index: 1, offset: starts[1]))
        // Truncated at every packet boundary and inside the end marker.
        for k in 1..<starts.count {
            let r = readAll(Array(b[..<starts[k]]))
            if case .truncated = r.error {} else { Issue.record("cut at boundary \(k): \(String(describing: r.error))") }
            #expect(r.packets.count == k, "cut at boundary \(k)")
        }
        if case .truncated = readAll(Array(b.dropLast(1))).error {} else { Issue.record("cut end marker not detected") }
        // Trailing garbage.
        #expect(readAll(b + [1, 2, 3]).error == .trailingGarbage(offset: b.count, count: 3))
        // A declared length over the cap.
        x = b; x[starts[0] + 7] = 0x7F
        if case .packetTooLarge(0, _, _, _) = readAll(x).error {} else { Issue.record("huge length: \(String(describing: readAll(x).error))") }
    }

    @Test func reorderedPacketsAreOutOfOrder() throws {
        let (b, s) = try stream(count: 4)
        let p = (0..<4).map { Array(b[s[$0]..<s[$0 + 1]]) }
        let head = Array(b[..<s[0]]), tail = Array(b[s[4]...])
        let swapped = head + p[0] + p[2] + p[1] + p[3] + tail
        if case .outOfOrder(1, 4, 8) = readAll(swapped).error {} else { Issue.record("swap: \(String(describing: readAll(swapped).error))") }
        let repeated = head + p[0] + p[1] + p[1] + p[2] + p[3] + tail
        if case .outOfOrder = readAll(repeated).error {} else { Issue.record("repeat: \(String(describing: readAll(repeated).error))") }
        let dropped = head + p[0] + p[2] + p[3] + tail
        if case .outOfOrder = readAll(dropped).error {} else { Issue.record("drop: \(String(describing: readAll(dropped).error))") }
    }

    @Test func endMarkerDisagreeing() throws {
        let (b, s) = try stream(count: 3)
        // Recompute the end marker with another packet count.
        var w = ByteWriter(); w.append([0x54, 0x51, 0x41, 0x45]); w.u32(7); w.u64(12); w.u32(CRC32.checksum(w.bytes))
        let x = Array(b[..<s[3]]) + w.bytes
        if case .trailerMismatch = readAll(x).error {} else { Issue.record("\(String(describing: readAll(x).error))") }
    }

    @Test func salvageSkipsDamageAndResyncs() throws {
        let (b, s) = try stream(count: 6)
        var x = b
        x[s[1] + 25] ^= 0xFF  // packet 1 payload
        x[s[4] + 3] = 0x00  // packet 4 sync
        let r = try TQAReader(bytes: x)
        var packets: [UInt32] = [], skipped: [(Int, Int)] = []
        while let e = try r.nextSalvaging() {
            switch e {
            case .packet(let p): packets.append(p.index)
            case .skipped(let o, let n, _): skipped.append((o, n))
            case .dropped: Issue.record("nothing should be dropped")
            }
        }
        #expect(packets == [0, 2, 3, 5])
        #expect(skipped.map(\.0) == [s[1], s[4]])
        #expect(skipped.map(\.1) == [s[2] - s[1], s[5] - s[4]])
        #expect(r.trailer?.packets == 6)
    }

    @Test func byteReaderNeverReadsPastTheEnd() {
        var r = ByteReader([1, 2, 3])
        #expect(r.u32() == nil)
        #expect(r.u16() == 0x0201)
        #expect(r.bytes(2) == nil)
        #expect(r.bytes(-1) == nil)
        #expect(r.u8() == 3)
        #expect(r.u8() == nil)
        #expect(r.remaining == 0)
    }
}
