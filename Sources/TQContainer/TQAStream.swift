import TQAudio

/// Encodes audio buffers into a .tqa stream: buffers → codec packets → container.
public final class TQAStreamEncoder {
    private var encoder: any PacketEncoder
    private let writer: TQAWriter
    /// Whether the codec decodes at another rate than its input (then the packets count the frames).
    private let resamples: Bool
    public private(set) var framesIn: UInt64 = 0

    /// Writes the header at once (frame count patched by `finish()`), with `metadata` (see
    /// `TQAWriter.init` for `metadataMayFollow`).
    public init(encoder: any PacketEncoder, sink: ByteSink, sampleRate: Int, channelCount: Int, sourceFormat: SampleFormat,
                metadata: [RIFFChunk] = [], metadataMayFollow: Bool = false) throws {
        self.encoder = encoder
        resamples = encoder.decodedSampleRate != nil
        let header = TQAHeader(codec: encoder.codec, sourceFormat: sourceFormat, sampleRate: encoder.decodedSampleRate ?? sampleRate,
                               channelCount: channelCount, frameCount: TQAHeader.unknownFrameCount,
                               seed: encoder.seed, codecParameters: encoder.codecParameters)
        writer = try TQAWriter(sink: sink, header: header, metadata: metadata, metadataMayFollow: metadataMayFollow)
    }

    /// Largest finite magnitude handed to a codec, `CodecInput.maxMagnitude`. Larger finite
    /// samples (float WAVs can hold up to 3.4e38) are clipped to it and counted in
    /// `clippedSamples`; NaN and ±Inf are coded as silence and counted in `nonFiniteSamples`.
    public static var maxSampleMagnitude: Float { CodecInput.maxMagnitude }
    public private(set) var clippedSamples = 0
    /// Input samples that were NaN or ±Inf, coded as silence.
    public private(set) var nonFiniteSamples = 0

    /// Conditions `buffer` (`CodecInput.condition`) and hands it to the codec.
    public func write(_ buffer: AudioBuffer) throws {
        framesIn += UInt64(buffer.frameCount)
        var input = buffer
        let cleaned = CodecInput.condition(&input)
        clippedSamples += cleaned.clipped
        nonFiniteSamples += cleaned.nonFinite
        for p in try encoder.encode(input) { try writer.write(p) }
    }

    /// Flushes the codec, writes `trailingMetadata` (chunks learned at the end of the input) and
    /// the end marker, and patches the header.
    public func finish(trailingMetadata: [RIFFChunk] = []) throws {
        for p in try encoder.finish() { try writer.write(p) }
        try writer.finish(frameCount: resamples ? nil : framesIn, trailingMetadata: trailingMetadata)
    }

    public var bytesWritten: Int { writer.bytesWritten }
    public var header: TQAHeader { writer.header }
    /// The encoder's own measure of the SNR coded so far (`PacketEncoder.measuredSNRDB`).
    public var measuredSNRDB: Double? { encoder.measuredSNRDB }
}

/// What a salvaging decode lost.
public struct SalvageReport: Sendable {
    /// Byte ranges skipped and why.
    public var skipped: [(offset: Int, count: Int, error: ContainerError)] = []
    /// Packets that were intact but did not fit the timeline, or whose payload the codec rejected.
    public var droppedPackets = 0
    /// Frames filled with silence because their packets were lost.
    public var lostFrames: UInt64 = 0
    /// Frames the stream declares (header or end marker) after the last intact packet that were
    /// not written at all, because they exceed what a damaged file can plausibly have held
    /// (`TQAReader.silenceBudget`).
    public var unwrittenFrames: UInt64 = 0
    public var packetsDecoded = 0

    public var isClean: Bool { skipped.isEmpty && droppedPackets == 0 && lostFrames == 0 && unwrittenFrames == 0 }

    public init() {}
}

/// Decodes a .tqa stream into consecutive audio buffers: container → packets → codec → buffers.
///
/// Strict mode throws at the first damaged packet. Salvage mode keeps every intact packet,
/// fills what was lost with silence so that timing is kept, and reports it in `report`.
public final class TQAStreamDecoder {
    public let reader: TQAReader
    private var decoder: any PacketDecoder
    public let salvage: Bool
    public private(set) var report = SalvageReport()
    /// Frames handed out so far.
    public private(set) var framesOut: UInt64 = 0
    private var queue: [DecodedAudio] = []
    private var ended = false

    /// Threads for decoding batches of packets (strict mode), for codecs that support it.
    public let threads: Int

    public init(reader: TQAReader, decoder: any PacketDecoder, salvage: Bool = false, threads: Int = 1) {
        self.reader = reader
        self.decoder = decoder
        self.salvage = salvage
        self.threads = max(1, threads)
    }

    public var header: TQAHeader { reader.header }

    /// Total frames of the stream, when known (header, or end marker once read).
    public var totalFrames: UInt64? {
        if header.frameCount != TQAHeader.unknownFrameCount { return header.frameCount }
        return reader.trailer?.frames
    }

    /// The next consecutive frames, or nil at the end.
    public func next() throws -> AudioBuffer? {
        while true {
            if !queue.isEmpty {
                if let out = try drain() { return out }
                continue
            }
            if ended { return try tail() }
            try pull()
        }
    }

    private func pull() throws {
        if !salvage {
            var batch: [Packet] = []
            let size = max(1, decoder.batchSize(threads: threads))
            // A batch also stops once its packets declare `Packet.maxDecodedSamples`, so that its
            // decoded audio stays bounded whatever the packet count per batch.
            var samples = 0
            var atEnd = false
            while batch.count < size && samples < Packet.maxDecodedSamples {
                guard let p = try reader.next() else { atEnd = true; break }
                batch.append(p)
                samples += Int(p.frameCount) * header.channelCount
            }
            if !batch.isEmpty {
                queue += try decoder.decode(batch: batch, threads: threads)
                report.packetsDecoded += batch.count
            }
            if atEnd {
                queue += try decoder.finish()
                ended = true
            }
            return
        }
        guard let event = try reader.nextSalvaging() else {
            queue += (try? decoder.finish()) ?? []
            ended = true
            return
        }
        switch event {
        case .packet(let p):
            do {
                queue += try decoder.decode(p)
                report.packetsDecoded += 1
            } catch {
                report.droppedPackets += 1
                restart()
            }
        case .skipped(let offset, let count, let error):
            report.skipped.append((offset, count, error))
            restart()
        case .dropped:
            report.droppedPackets += 1
        }
    }

    /// After damage: what the decoder still holds (a packet waiting for its successor as
    /// context) is decoded without what follows, then it starts afresh.
    private func restart() {
        queue += (try? decoder.finish()) ?? []
        decoder.reset()
    }

    /// Emits queued audio that continues the timeline, filling gaps with silence.
    private func drain() throws -> AudioBuffer? {
        var d = queue.removeFirst()
        let limit = totalFrames ?? UInt64.max
        // Drop what was already emitted.
        if d.firstFrame < framesOut {
            let overlap = Int(min(UInt64(d.buffer.frameCount), framesOut - d.firstFrame))
            d.buffer = d.buffer.frames(overlap ..< d.buffer.frameCount)
            d.firstFrame = framesOut
        }
        // Audio past the stream's end (an MDCT codec's last overlap) is not part of it.
        if d.firstFrame >= limit { return nil }
        var out = AudioBuffer(sampleRate: header.sampleRate, channelCount: header.channelCount, frameCount: 0)
        if d.firstFrame > framesOut {
            guard salvage else {
                throw ContainerError.outOfOrder(index: report.packetsDecoded, expectedFrame: framesOut, foundFrame: d.firstFrame)
            }
            // A (CRC-valid but perhaps forged) packet far beyond the declared length, or beyond
            // what a damaged file can plausibly have lost, is dropped rather than reached with
            // silence; the same budget as at the end (`tail`).
            let gap = d.firstFrame - framesOut
            if gap > silenceLeft {
                report.droppedPackets += 1
                return nil
            }
            // Silence in bounded pieces; the packet waits at the front of the queue.
            let piece = min(gap, 1 << 16)
            report.lostFrames += piece
            if piece < gap {
                queue.insert(d, at: 0)
                framesOut += piece
                return AudioBuffer(sampleRate: header.sampleRate, channelCount: header.channelCount, frameCount: Int(piece))
            }
            out = AudioBuffer(sampleRate: header.sampleRate, channelCount: header.channelCount, frameCount: Int(piece))
        }
        out.append(d.buffer)
        let room = limit > framesOut ? limit - framesOut : 0
        if UInt64(out.frameCount) > room { out.truncate(toFrames: Int(room)) }
        framesOut += UInt64(out.frameCount)
        nonFiniteSamples += TQAStreamDecoder.silenceNonFinite(&out)
        return out.frameCount > 0 ? out : nil
    }

    /// Decoded samples that were NaN or ±Inf and were written as silence. tqa's own codecs with
    /// intact weights never produce them; a damaged or forged SQCodec checkpoint, or a forged
    /// packet, can. The CLI warns with the count.
    public private(set) var nonFiniteSamples = 0

    /// Sets NaN and ±Inf samples of `buffer` to 0 and returns how many there were. One
    /// vectorizable pass (x·0 is 0 for finite x and NaN otherwise), a second only if it finds one.
    static func silenceNonFinite(_ buffer: inout AudioBuffer) -> Int {
        let clean = buffer.samples.withUnsafeBufferPointer { x -> Bool in
            guard let base = x.baseAddress else { return true }
            let raw = UnsafeRawPointer(base)
            var probe = SIMD8<Float>()
            let whole = x.count / 8 * 8
            for i in stride(from: 0, to: whole, by: 8) {
                probe += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * 0
            }
            var rest: Float = 0
            for i in whole ..< x.count { rest += x[i] * 0 }
            return probe == SIMD8() && rest == 0
        }
        if clean { return 0 }
        var count = 0
        buffer.withMutableSamples { x in
            for i in x.indices where !x[i].isFinite {
                x[i] = 0
                count += 1
            }
        }
        return count
    }

    /// At the end: in salvage mode, silence up to the declared length; in strict mode, a
    /// stream shorter than it says is an error.
    private func tail() throws -> AudioBuffer? {
        guard var total = totalFrames, framesOut < total else { return nil }
        guard salvage else {
            throw ContainerError.trailerMismatch("the stream declares \(total) frames but its packets hold \(framesOut)")
        }
        if tailLimit == nil {
            // Totals in the header and in an intact end marker are claims (a CRC is no proof
            // against forgery): silence after the last intact packet is held to what the file
            // can justify, `TQAReader.silenceBudget`, less the silence already put into gaps.
            let limit = framesOut + min(total - framesOut, silenceLeft)
            tailLimit = limit
            report.unwrittenFrames = total - limit
        }
        total = tailLimit!
        guard framesOut < total else { return nil }
        // Bounded pieces: silence is never allocated at once.
        let piece = min(total - framesOut, 1 << 16)
        framesOut += piece
        report.lostFrames += piece
        return AudioBuffer(sampleRate: header.sampleRate, channelCount: header.channelCount, frameCount: Int(piece))
    }

    /// Where salvage stops filling silence at the end; set when the end is reached.
    private var tailLimit: UInt64?

    /// Silence salvage may still invent.
    private var silenceLeft: UInt64 {
        let budget = reader.silenceBudget
        return budget - min(budget, report.lostFrames)
    }
}
