import Testing
import TQAudio
import TQContainer
import TurboQuant

/// A packet whose CRC holds but whose payload its codec rejects (a forgery, or a bug in a
/// writer): the codec throws its own error (`TurboError`, a `CodecError`), strict decoding stops
/// there, salvage drops that packet as damage, and `tqa test` reports the file as damaged.
@Suite struct CodecRejectedPacketTests {
    /// `s` rewritten with packet `k`'s payload cut to 2 bytes, every CRC recomputed.
    func forged(_ s: TurboStream, packet k: Int) throws -> [UInt8] {
        let reader = try TQAReader(bytes: s.bytes)
        let sink = MemorySink()
        let writer = try TQAWriter(sink: sink, header: reader.header)
        var i = 0
        while var p = try reader.next() {
            if i == k { p.payload = Array(p.payload.prefix(2)) }
            try writer.write(p)
            i += 1
        }
        try writer.finish()
        return sink.bytes
    }

    @Test func rejectedPayloadIsThatPacketsDamage() throws {
        let s = try TurboStream.make(frames: 64 * 2 * 4, channels: 2)
        #expect(s.packetCount == 4)
        let bytes = try forged(s, packet: 1)

        let strict = try decode(bytes, salvage: false)
        #expect(strict.error as? TurboError == .payloadTooShort(packet: 1, bytes: 2), "\(String(describing: strict.error))")
        // Packets decode in batches, so a strict decode may emit less than the packets before.
        #expect(strict.audio.frameCount <= s.packetFrames[1].first)
        #expect(strict.audio == s.clean.frames(0..<strict.audio.frameCount))

        let salvage = try decode(bytes, salvage: true)
        #expect(salvage.error == nil, "salvage threw \(String(describing: salvage.error))")
        #expect(salvage.report.droppedPackets == 1)
        #expect(salvage.report.packetsDecoded == 3)
        #expect(salvage.audio == s.expected(losing: [1]))
    }

    @Test func tqaTestCallsItDamage() throws {
        let s = try TurboStream.make(frames: 64 * 2 * 4, channels: 2)
        let d = try ScratchDirectory()
        try writeBytes(try forged(s, packet: 1), to: d.file("forged.tqa"))
        let r = try CLI.run(["test", d.file("forged.tqa")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("damaged: a packet after packet 0 does not decode: packet 1 payload is too short (2 bytes)"), "\(r.stderr)")
    }
}
