import TQAudio

/// Decodes the frames `start ..< end` of a .tqa stream without decoding what comes before:
/// the packets before the span are passed over (`TQAReader.skipPackets(before:)`, headers
/// only), decoding starts at the packet that holds frame `start − contextFrames`, and reading
/// stops once the span's last frame is out. Strict: damage in a packet that is read is an error,
/// as in `TQAStreamDecoder`.
///
/// The frames handed out equal the same frames of a full decode when the decoder, started
/// afresh at that packet, gives them exactly. `contextFrames` says how far before the span the
/// decoder must start for that; the codec knows it (`PacketDecoder.seekContextFrames`, the default):
/// - turbo: 0. Packets decode on their own.
/// - spectral: 0. A fresh decoder gives every sample from its first packet's first frame on
///   exactly (the frames' coding is independent; the first MDCT frame's missing overlap only
///   touches the N samples before the packet). The frames after a packet's last MDCT frame are
///   completed by the next packet, which is read as look-ahead.
/// - sqcodec: one packet. Its decoder carries the transformers' last window and the last
///   block's features from packet to packet; see `SQCodecDecoder`.
public final class TQASpanDecoder {
    public let reader: TQAReader
    private var decoder: any PacketDecoder
    public let threads: Int
    /// First frame of the span.
    public let start: UInt64
    /// End of the span: the requested end, cut to the stream's length once it is known.
    public private(set) var end: UInt64
    public let contextFrames: UInt64
    /// Frames handed out so far; the next starts at `start + framesOut`.
    public private(set) var framesOut: UInt64 = 0
    /// What was passed over before decoding began (nil until the first `next()`).
    public private(set) var skipped: SkippedPackets?
    public private(set) var packetsDecoded = 0
    /// Samples in the span that were NaN or ±Inf and were handed out as silence.
    public private(set) var nonFiniteSamples = 0
    private var queue: [DecodedAudio] = []
    private var ended = false

    /// `end` nil: to the end of the stream. Throws `SeekError.startPastEnd` when the header's
    /// frame count shows that the span starts at or past the end (a span starting at 0 never
    /// does); without a frame count in the header, `next()` finds out.
    public init(reader: TQAReader, decoder: any PacketDecoder, start: UInt64, end: UInt64?, contextFrames: UInt64? = nil,
                threads: Int = 1) throws {
        precondition(end.map { $0 >= start } ?? true, "TQASpanDecoder: the span ends before it starts")
        self.reader = reader
        self.decoder = decoder
        self.threads = max(1, threads)
        self.start = start
        self.contextFrames = contextFrames ?? decoder.seekContextFrames
        var limit = end ?? UInt64.max
        let total = reader.header.frameCount
        if total != TQAHeader.unknownFrameCount {
            if start > 0 && start >= total { throw SeekError.startPastEnd(start: start, frames: total) }
            limit = min(limit, total)
        }
        self.end = limit
    }

    public var header: TQAHeader { reader.header }

    /// Frames in the span, when known (the header's frame count or an explicit end within it).
    public var spanFrames: UInt64? { end == UInt64.max ? nil : end - start }

    /// The span's next consecutive frames, or nil at its end.
    public func next() throws -> AudioBuffer? {
        if skipped == nil {
            skipped = try reader.skipPackets(before: start - min(start, contextFrames))
        }
        while start + framesOut < end {
            if !queue.isEmpty {
                if let out = try cut(queue.removeFirst()) { return out }
                continue
            }
            if ended { break }
            try pull()
        }
        if start + framesOut < end {
            // The stream ended before the span did.
            let frames = reader.trailer?.frames ?? reader.nextFrame
            if start > 0 && framesOut == 0 && start >= frames { throw SeekError.startPastEnd(start: start, frames: frames) }
            if header.frameCount != TQAHeader.unknownFrameCount {
                throw ContainerError.trailerMismatch("the stream declares \(header.frameCount) frames but its packets hold \(start + framesOut)")
            }
            end = start + framesOut
        }
        return nil
    }

    /// Reads and decodes packets up to the one that holds the span's last frame, or the one
    /// after it if that does not complete the span (look-ahead); at the end of the stream, what
    /// the decoder still holds.
    private func pull() throws {
        var batch: [Packet] = []
        let size = max(1, decoder.batchSize(threads: threads))
        var samples = 0
        while batch.count < size && samples < Packet.maxDecodedSamples {
            guard let p = try reader.next() else {
                ended = true
                break
            }
            batch.append(p)
            samples += Int(p.frameCount) * header.channelCount
            if p.firstFrame + UInt64(p.frameCount) >= end { break }
        }
        if !batch.isEmpty {
            queue += try decoder.decode(batch: batch, threads: threads)
            packetsDecoded += batch.count
        }
        if ended { queue += try decoder.finish() }
    }

    /// The part of `d` in the span that continues what was handed out, or nil if none.
    private func cut(_ d: DecodedAudio) throws -> AudioBuffer? {
        let position = start + framesOut
        let count = UInt64(d.buffer.frameCount)
        guard d.firstFrame <= position else {
            throw ContainerError.outOfOrder(index: reader.packetIndex, expectedFrame: position, foundFrame: d.firstFrame)
        }
        guard d.firstFrame + count > position else { return nil }
        let from = Int(position - d.firstFrame)
        let to = Int(min(count, end - d.firstFrame))
        var out = from == 0 && to == d.buffer.frameCount ? d.buffer : d.buffer.frames(from ..< to)
        framesOut += UInt64(out.frameCount)
        nonFiniteSamples += TQAStreamDecoder.silenceNonFinite(&out)
        return out
    }
}
