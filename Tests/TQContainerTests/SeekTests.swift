import Foundation
import Testing
import TQAudio
import TQContainer

/// A sink that cannot seek, as a pipe: the header keeps an unknown frame count.
private final class PipeSink: ByteSink {
    var bytes: [UInt8] = []
    func write(_ b: [UInt8]) throws { bytes += b }
    func patch(_ b: [UInt8], at position: Int) throws { Issue.record("patch on a pipe") }
    var isSeekable: Bool { false }
}

/// A test codec: one byte per frame (mono), the sample byte/255.
private struct ByteDecoder: PacketDecoder {
    /// Like SQCodec: a packet's audio comes out with the next packet (or at the end).
    var lagged = false
    var context: UInt64 = 0
    private var waiting: Packet?

    init(lagged: Bool = false, context: UInt64 = 0) {
        self.lagged = lagged
        self.context = context
    }

    static func audio(_ p: Packet) -> DecodedAudio {
        DecodedAudio(firstFrame: p.firstFrame, buffer: AudioBuffer(sampleRate: 8000, channels: [p.payload.map { Float($0) / 255 }]))
    }

    mutating func decode(_ packet: Packet) throws -> [DecodedAudio] {
        guard lagged else { return [ByteDecoder.audio(packet)] }
        defer { waiting = packet }
        return waiting.map { [ByteDecoder.audio($0)] } ?? []
    }

    mutating func finish() throws -> [DecodedAudio] {
        defer { waiting = nil }
        return waiting.map { [ByteDecoder.audio($0)] } ?? []
    }

    mutating func reset() { waiting = nil }
    var seekContextFrames: UInt64 { context }
}

/// Packets of `sizes` frames, payload bytes seeded; the bytes, each packet's start, all samples.
private func stream(_ sizes: [Int], seed: UInt64, seekable: Bool = true) throws -> (bytes: [UInt8], starts: [Int], samples: [Float]) {
    var rng = SplitMix64(seed: seed)
    let header = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 8000, channelCount: 1, frameCount: TQAHeader.unknownFrameCount,
                           seed: 0, codecParameters: [])
    let memory = MemorySink(), pipe = PipeSink()
    let sink: ByteSink = seekable ? memory : pipe
    let w = try TQAWriter(sink: sink, header: header)
    var starts: [Int] = [], samples: [Float] = [], first: UInt64 = 0
    for n in sizes {
        starts.append(w.bytesWritten)
        let payload = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
        samples += payload.map { Float($0) / 255 }
        try w.write(Packet(firstFrame: first, frameCount: UInt32(n), payload: payload))
        first += UInt64(n)
    }
    starts.append(w.bytesWritten)
    try w.finish()
    return (seekable ? memory.bytes : pipe.bytes, starts, samples)
}

private func decodeSpan(_ source: ByteSource, decoder: ByteDecoder, start: UInt64, end: UInt64?) throws -> (samples: [Float], span: TQASpanDecoder) {
    let d = try TQASpanDecoder(reader: TQAReader(source: source), decoder: decoder, start: start, end: end)
    var out: [Float] = []
    while let b = try d.next() { out += b.channel(0) }
    return (out, d)
}

@Suite struct SeekTests {
    /// Every span of a small stream, for an immediate and a lagged decoder with and without
    /// context, equals the slice of the whole; the packets before the one that holds
    /// `start − context` are skipped, not decoded.
    @Test func everySpanEqualsTheSliceOfTheWhole() throws {
        let seed: UInt64 = 21
        let sizes = [5, 7, 1, 6, 4]
        let (bytes, _, all) = try stream(sizes, seed: seed)
        let total = all.count
        let packetStarts = sizes.indices.map { sizes[..<$0].reduce(0, +) }
        for decoder in [ByteDecoder(), ByteDecoder(lagged: true), ByteDecoder(lagged: true, context: 6)] {
            for start in 0 ..< total {
                for end in [nil] + (start + 1 ... total + 3).map(Optional.some) {
                    let (got, d) = try decodeSpan(ByteSource(bytes: bytes), decoder: decoder, start: UInt64(start), end: end.map(UInt64.init))
                    let want = Array(all[start ..< min(end ?? total, total)])
                    #expect(got == want, "seed \(seed), span \(start)..<\(String(describing: end)), lagged \(decoder.lagged), context \(decoder.context)")
                    let from = max(0, start - Int(decoder.context))
                    let skipped = zip(packetStarts, sizes).filter { $0 + $1 <= from }.count
                    #expect(d.skipped?.packets == skipped, "span \(start)..<\(String(describing: end))")
                    #expect(d.framesOut == UInt64(want.count) && d.end == UInt64(min(end ?? total, total)))
                }
            }
        }
    }

    /// Skipped packets' payloads are not checked (a damaged payload before the span goes
    /// unnoticed, on a file, which is seeked over, and in memory), while damage to a skipped
    /// packet's header is an error naming it, and damage in a packet that is read still is.
    @Test func skippedPayloadsAreNotRead() throws {
        let seed: UInt64 = 5
        let sizes = [40, 40, 40, 40]
        let (clean, starts, all) = try stream(sizes, seed: seed)
        var bytes = clean
        for p in 0 ..< 2 { for i in starts[p] + 24 ..< starts[p] + 24 + 40 { bytes[i] ^= 0x5A } }
        let dir = NSTemporaryDirectory() + "/tqa-seek-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/damaged.tqa"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for source in [{ try ByteSource(path: path) }, { ByteSource(bytes: bytes) }] {
            let (got, d) = try decodeSpan(try source(), decoder: ByteDecoder(), start: 85, end: 130)
            #expect(got == Array(all[85 ..< 130]), "seed \(seed)")
            #expect(d.skipped == SkippedPackets(packets: 2, bytes: starts[2] - starts[0], frames: 80))
            #expect(d.packetsDecoded == 2)
            // A span that starts in a damaged packet meets the damage.
            do {
                _ = try decodeSpan(try source(), decoder: ByteDecoder(), start: 45, end: nil)
                Issue.record("a span in a damaged packet decoded")
            } catch let e as ContainerError {
                #expect(e.packetIndex == 1 && e.byteOffset == starts[1], "\(e)")
            }
        }
        // The first frame in a skipped packet's header is damaged: the timeline says so.
        var header = clean
        header[starts[1] + 12] ^= 0x01
        #expect(throws: ContainerError.outOfOrder(index: 1, expectedFrame: 40, foundFrame: 41)) {
            _ = try decodeSpan(ByteSource(bytes: header), decoder: ByteDecoder(), start: 120, end: nil)
        }
        // A file cut inside a skipped packet.
        #expect(throws: ContainerError.truncated(index: 1, offset: starts[1] + 50)) {
            _ = try decodeSpan(ByteSource(bytes: Array(clean[..<(starts[1] + 50)])), decoder: ByteDecoder(), start: 120, end: nil)
        }
    }

    /// A span that starts at or past the end is an error, known from the header or, without a
    /// frame count in it (a stream written to a pipe), found at the end; `end` past the end stops there.
    @Test func spansAtAndPastTheEnd() throws {
        for seekable in [true, false] {
            let (bytes, _, all) = try stream([10, 10, 3], seed: 3, seekable: seekable)
            #expect(throws: SeekError.startPastEnd(start: 23, frames: 23)) {
                _ = try decodeSpan(ByteSource(bytes: bytes), decoder: ByteDecoder(), start: 23, end: nil)
            }
            #expect(throws: SeekError.startPastEnd(start: 500, frames: 23)) {
                _ = try decodeSpan(ByteSource(bytes: bytes), decoder: ByteDecoder(lagged: true), start: 500, end: 600)
            }
            let (tail, d) = try decodeSpan(ByteSource(bytes: bytes), decoder: ByteDecoder(lagged: true), start: 22, end: 1000)
            #expect(tail == [all[22]] && d.end == 23, "seekable \(seekable)")
            #expect(d.spanFrames == 1, "seekable \(seekable)")
        }
    }
}
