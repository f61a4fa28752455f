import TQAudio
import TQContainer

/// SQCodec and L3AC as .tqa codecs (`sqcodec`, `l3ac`, after the model's family): audio in (any
/// rate, resampled to the model's), token packets out.
///
/// A packet holds `blocksPerPacket` blocks of `blockLength` samples of every channel (in L3AC
/// the file's last block may be short: whole tokens of `hopLength` samples): per channel,
/// the block's tokens packed at their information rate (`SQTokenPacking`), channels one after
/// another. Each packet's tokens are computed from its blocks of audio with the convolutions'
/// reach either side (`SQCodecModel.encoderContextSamples`, 405 samples for 6kbps) and, per
/// channel, the transformers' last window of the packet before (`SQCodecModel.encodeBlocks`), so
/// they equal whole-file encoding while memory stays bounded and no audio is encoded twice but
/// that context.
public struct SQCodecEncoder: PacketEncoder {
    public let model: SQCodecModel
    public let parameters: SQCodecParameters
    public let channelCount: Int
    public var codec: CodecID { model.configuration.family.codec }
    public var seed: UInt64 { 0 }
    public var codecParameters: [UInt8] { parameters.encoded() }
    public var decodedSampleRate: Int? { model.configuration.sampleRate }

    private var resampler: ResamplerStream?
    /// Model-rate samples per channel from sample `bufferStart` on.
    private var pending: [[Float]]
    private var bufferStart = 0
    /// First block of the next packet.
    private var nextBlock = 0
    private var framesIn = 0

    /// Per channel, what the model carries from one packet's blocks to the next (the transformers'
    /// look-back; the convolutions' context is audio kept in `pending`).
    private var states: [SQCodecModel.EncodingState]

    /// Default packet length: `SQCodecModel.defaultChunkBlocks` blocks (about 20 s for 6kbps), but
    /// no more than 54 s of audio (12 blocks for 0k75bps, 16 for 1k5bps: memory follows a packet's
    /// span), or more where needed for the packet overhead (`Packet.overheadSize`) to stay under 1 % of the
    /// payload.
    ///
    /// A file no longer than one packet decodes exactly as the whole token sequence at once.
    /// Longer files decode packet by packet (`SQCodecDecoder`): not identical to whole-sequence
    /// decoding, since the decoder's enhance blocks normalize over the span they see
    /// (`SQCodecDecoder.whole` decodes them as one sequence, in memory that grows with the length).
    public static func defaultBlocksPerPacket(_ c: SQCodecConfiguration, channels: Int) -> Int {
        let bytesPerBlock = Double(c.tokensPerBlock) * c.bitsPerToken / 8 * Double(channels)
        let byOverhead = Int((Double(100 * Packet.overheadSize) / bytesPerBlock).rounded(.up))
        let byLength = max(1, 54 * c.sampleRate / c.blockLength)
        return min(1024, max(byOverhead, min(SQCodecModel.defaultChunkBlocks, byLength)))
    }

    /// Threads shared by the channels and the layers; the packets do not depend on it.
    public let threads: Int

    /// `sampleRate` is the input's rate (the source rate, kept in the header's parameters);
    /// the encoder resamples it to the model's.
    public init(model: SQCodecModel, sampleRate sourceSampleRate: Int, channelCount: Int, blocksPerPacket: Int? = nil,
                threads: Int = 1) throws(SQCodecStreamError) {
        guard AudioLimits.sampleRates.contains(sourceSampleRate) else { throw .sampleRateOutOfRange(sourceSampleRate) }
        guard AudioLimits.channelCounts.contains(channelCount) else {
            throw .channelCountOutOfRange(channelCount, range: AudioLimits.channelCounts)
        }
        if let b = blocksPerPacket, !SQCodecParameters.blocksPerPacketRange.contains(b) {
            throw .blocksPerPacketOutOfRange(b, range: SQCodecParameters.blocksPerPacketRange)
        }
        let c = model.configuration
        self.model = model
        self.threads = max(1, threads)
        self.channelCount = channelCount
        parameters = SQCodecParameters(model: c.name, sourceSampleRate: sourceSampleRate,
                                       blocksPerPacket: blocksPerPacket ?? Self.defaultBlocksPerPacket(c, channels: channelCount))
        if sourceSampleRate != c.sampleRate {
            resampler = ResamplerStream(Resampler(inputRate: sourceSampleRate, outputRate: c.sampleRate), channelCount: channelCount)
        }
        pending = Array(repeating: [], count: channelCount)
        states = Array(repeating: SQCodecModel.EncodingState(), count: channelCount)
    }

    /// `buffer` is finite (`CodecInput.condition`): the resampler would spread one NaN over its
    /// whole filter length.
    public mutating func encode(_ buffer: AudioBuffer) throws -> [Packet] {
        append(resampler != nil ? resampler!.push(buffer) : buffer)
        return emit(final: false)
    }

    public mutating func finish() throws -> [Packet] {
        if resampler != nil { append(resampler!.finish()) }
        return emit(final: true)
    }

    private mutating func append(_ b: AudioBuffer) {
        for c in 0..<channelCount { pending[c] += b.channel(c) }
        framesIn += b.frameCount
    }

    /// Codes every packet whose blocks and after-context are present (all that is left when `final`).
    private mutating func emit(final: Bool) -> [Packet] {
        let cfg = model.configuration, block = cfg.blockLength, context = model.encoderContextSamples
        let per = parameters.blocksPerPacket
        var out: [Packet] = []
        while true {
            let available = bufferStart + pending[0].count
            let totalBlocks = (available + block - 1) / block
            let end = nextBlock + per
            guard final ? nextBlock < totalBlocks : end * block + context <= available else { break }
            let coreEnd = min(end, totalBlocks)
            // The span of the padded input (zeros after the last sample) the packet's blocks need.
            let span = model.convolutionSpan(core: nextBlock ..< coreEnd, samples: final ? cfg.paddedLength(available) : available)
            let windows = (0..<channelCount).map { c in
                let lo = span.lowerBound - bufferStart
                var window = Array(pending[c][lo ..< min(pending[c].count, span.upperBound - bufferStart)])
                window += [Float](repeating: 0, count: span.count - window.count)
                return window
            }
            let coded = perChannel(channelCount, threads: threads) { c, threads in
                var state = states[c]
                let tokens = Kernels.$threads.withValue(threads) {
                    model.encodeBlocks(windows[c][...], firstSample: span.lowerBound, core: nextBlock ..< coreEnd, state: &state)
                }
                return (tokens, state)
            }
            var payload: [UInt8] = []
            for c in 0..<channelCount {
                states[c] = coded[c].1
                payload += SQTokenPacking.pack(coded[c].0, codebookSize: cfg.codebookSize)
            }
            let frames = min(coreEnd * block, framesIn) - nextBlock * block
            out.append(Packet(firstFrame: UInt64(nextBlock * block), frameCount: UInt32(frames), payload: payload))
            nextBlock = coreEnd
            // Keep the next packet's left context.
            let drop = min(max(0, nextBlock * block - context - bufferStart), pending[0].count)
            if drop > 0 {
                for c in 0..<channelCount { pending[c].removeFirst(drop) }
                bufferStart += drop
            }
        }
        return out
    }
}

/// Decodes sqcodec and l3ac packets with the model named in the header, one packet behind: a packet's audio
/// is computed with the first block of the next packet as right context, and with what decoding
/// the packet before left (`SQCodecModel.decodeBlocks`): the transformers' last window per layer,
/// so that their frames equal whole-sequence decoding, and the last block's features, the
/// convolutions' left context.
public struct SQCodecDecoder: PacketDecoder {
    public let model: SQCodecModel
    public let parameters: SQCodecParameters
    public let channelCount: Int

    /// The packet waiting for its successor's first block (the decoder's right context).
    private var waiting: (firstBlock: Int, frames: Int, tokens: [[Int32]])?
    /// Per channel, what the model carries from one packet to the next.
    private var states: [SQCodecModel.DecodingState]

    /// Threads shared by the channels and the layers; the audio does not depend on it.
    public let threads: Int

    public init(header: TQAHeader, model: SQCodecModel, threads: Int = 1) throws(SQCodecStreamError) {
        self.threads = max(1, threads)
        guard header.codec == model.configuration.family.codec else { throw .notSQCodecStream(header.codec) }
        parameters = try SQCodecParameters(decoding: header.codecParameters)
        guard parameters.model == model.configuration.name else {
            throw .modelMismatch(file: parameters.model, loaded: model.configuration.name)
        }
        guard header.sampleRate == model.configuration.sampleRate else {
            throw .sampleRateMismatch(fileRate: header.sampleRate, model: parameters.model, modelRate: model.configuration.sampleRate)
        }
        self.model = model
        channelCount = header.channelCount
        states = Array(repeating: SQCodecModel.DecodingState(), count: channelCount)
    }

    /// One packet at a time: a packet is about 20 s of audio and the threads work inside it, so
    /// gathering several would only delay the first audio (streaming decode).
    public func batchSize(threads: Int) -> Int { 1 }

    /// One packet: started there, a fresh decoder has rebuilt the transformers' look-back and the
    /// last block's features by the next packet (README, "Seeking", gives the measured difference).
    public var seekContextFrames: UInt64 { UInt64(parameters.blocksPerPacket * model.configuration.blockLength) }

    /// The tokens of each channel in `packet`.
    public func tokens(of packet: Packet) throws -> [[Int32]] {
        try SQCodecPacketTokens.tokens(of: packet, configuration: model.configuration, parameters: parameters, channelCount: channelCount)
    }

    /// Decodes the packet before this one, now that its right context is known. A packet that
    /// does not continue the one waiting (a gap: lost or skipped packets) ends that one's run:
    /// it is decoded without right context, and the new run starts afresh.
    /// (In L3AC a packet ending in a short block ends its run too: only a file's last packet may.)
    public mutating func decode(_ packet: Packet) throws -> [DecodedAudio] {
        let block = model.configuration.blockLength, per = model.configuration.tokensPerBlock
        let t = try tokens(of: packet)
        let firstBlock = Int(packet.firstFrame) / block
        var out: [DecodedAudio] = []
        if let w = waiting {
            let count = w.tokens[0].count
            let continues = count % per == 0 && w.firstBlock + count / per == firstBlock
            out.append(try render(w, after: continues ? t : nil))
        }
        waiting = (firstBlock, Int(packet.frameCount), t)
        return out
    }

    public mutating func finish() throws -> [DecodedAudio] {
        guard let w = waiting else { return [] }
        waiting = nil
        return [try render(w, after: nil)]
    }

    public mutating func reset() {
        waiting = nil
        states = Array(repeating: SQCodecModel.DecodingState(), count: channelCount)
    }

    /// Audio of the waiting packet, with the first block of `after` (the next packet's tokens) as
    /// right context.
    private mutating func render(_ w: (firstBlock: Int, frames: Int, tokens: [[Int32]]), after: [[Int32]]?) throws -> DecodedAudio {
        let cfg = model.configuration, per = cfg.tokensPerBlock
        var buffer = AudioBuffer(sampleRate: cfg.sampleRate, channelCount: channelCount, frameCount: w.frames)
        let decoded = perChannel(channelCount, threads: threads) { c, threads in
            Result { () -> ([Float], SQCodecModel.DecodingState) in
                var state = states[c]
                let next = after.map { $0[c].prefix(per) } ?? []
                let audio = try Kernels.$threads.withValue(threads) {
                    try model.decodeBlocks(core: w.tokens[c][...], after: next, firstBlock: w.firstBlock, state: &state)
                }
                return (audio, state)
            }
        }
        for c in 0..<channelCount {
            let (audio, state) = try decoded[c].get()
            states[c] = state
            buffer.withMutableChannel(c) { dst in
                for i in 0..<min(w.frames, audio.count) { dst[i] = audio[i] }
            }
        }
        return DecodedAudio(firstFrame: UInt64(w.firstBlock * cfg.blockLength), buffer: buffer)
    }
}

/// `body(c, threadsForIt)` for each channel `c`: the channels run side by side when there are
/// threads to spare, each with its share of them.
private func perChannel<T>(_ channels: Int, threads: Int, _ body: (Int, Int) -> T) -> [T] {
    if channels == 1 || threads == 1 { return (0..<channels).map { body($0, threads) } }
    let each = max(1, threads / channels)
    var results = [T?](repeating: nil, count: channels)
    results.withUnsafeMutableBufferPointer { r in
        let out = UncheckedBox(r.baseAddress!)
        parallelFor(count: channels, threads: min(threads, channels)) { c, _ in out.value[c] = body(c, each) }
    }
    return results.map { $0! }
}

/// Reading the token indices of a packet, which needs the model's shape but not its weights.
public enum SQCodecPacketTokens {
    /// The tokens of each channel in `packet`; throws when the packet's frames or byte count do
    /// not fit, or the packing is damaged.
    public static func tokens(of packet: Packet, configuration cfg: SQCodecConfiguration, parameters: SQCodecParameters,
                              channelCount: Int) throws(SQCodecStreamError) -> [[Int32]] {
        let block = cfg.blockLength
        let frames = Int(packet.frameCount)
        guard frames >= 1, frames <= parameters.blocksPerPacket * block, packet.firstFrame % UInt64(block) == 0 else {
            throw .frameCountMismatch(packet: Int(packet.index), frames: frames, firstFrame: packet.firstFrame, blockLength: block)
        }
        let count = cfg.tokenCount(samples: frames)
        let bytes = SQTokenPacking.byteCount(count: count, codebookSize: cfg.codebookSize)
        guard packet.payload.count == bytes * channelCount else {
            throw .tokenByteCount(packet: Int(packet.index), bytes: packet.payload.count, expected: bytes * channelCount)
        }
        var tokens: [[Int32]] = []
        tokens.reserveCapacity(channelCount)
        for c in 0..<channelCount {
            do {
                tokens.append(try SQTokenPacking.unpack(Array(packet.payload[c * bytes ..< (c + 1) * bytes]), count: count,
                                                        codebookSize: cfg.codebookSize))
            } catch {
                throw .damagedTokens(packet: Int(packet.index), error)
            }
        }
        return tokens
    }
}

extension SQCodecDecoder {
    /// A decoder of the stream `header` describes that decodes each channel's tokens as one
    /// sequence (`SQCodecModel.decode`), as sq-codec's `decode_audio` does: equal to the
    /// reference's whole-input decode, at the cost of memory growing with the length
    /// (`SQCodecModel.wholeDecodeBytesPerToken`) and no audio before the last packet.
    /// - Throws: as `init(header:model:threads:)`.
    public static func whole(header: TQAHeader, model: SQCodecModel, threads: Int = 1,
                             memoryLimit: Int = WholeSequenceDecoder.defaultMemoryLimit) throws -> WholeSequenceDecoder {
        let checked = try SQCodecDecoder(header: header, model: model, threads: threads)
        let c = model.configuration, parameters = checked.parameters, channels = checked.channelCount
        let codec = WholeSequenceDecoder.Codec(
            sampleRate: c.sampleRate, blockLength: c.blockLength, tokensPerBlock: c.tokensPerBlock,
            bytesPerToken: model.wholeDecodeBytesPerToken,
            tokens: { try SQCodecPacketTokens.tokens(of: $0, configuration: c, parameters: parameters, channelCount: channels) },
            decode: { try model.decode($0, threads: $1) })
        return WholeSequenceDecoder(codec: codec, channelCount: channels, threads: threads, memoryLimit: memoryLimit)
    }
}
