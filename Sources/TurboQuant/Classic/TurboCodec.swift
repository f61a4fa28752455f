import Dispatch
import TQAudio
import TQContainer

/// The classic TurboQuant encoder (`--codec turbo`): per channel, blocks of `blockSize` samples
/// coded by `TurboBlockCoder`; a packet holds `blocksPerPacket` blocks of every channel.
///
/// Payload of a packet (docs/FORMAT.md): for each block in time order, for each channel, the
/// block's bits; the whole payload zero-padded to a byte. The last packet's blocks are padded
/// with zeros beyond its frame count.
public struct TurboEncoder: PacketEncoder {
    public let parameters: TurboParameters
    public let seed: UInt64
    public let channelCount: Int
    /// Threads used to code the packets of one `encode` call (1 = none spawned).
    public var threads: Int
    public var codec: CodecID { .turbo }
    public var codecParameters: [UInt8] { parameters.encoded() }

    private let coder: TurboBlockCoder
    /// Input not yet coded, planar, `pendingFrames` per channel.
    private var pending: [[Float]]
    private var nextFrame: UInt64 = 0

    public init(parameters: TurboParameters, channelCount: Int, seed: UInt64, threads: Int = 1) throws(TurboError) {
        guard AudioLimits.channelCounts.contains(channelCount) else {
            throw .channelCountOutOfRange(channelCount, range: AudioLimits.channelCounts)
        }
        try parameters.validate(channelCount: channelCount)
        self.parameters = parameters
        self.seed = seed
        self.channelCount = channelCount
        self.threads = max(1, threads)
        coder = TurboBlockCoder(parameters: parameters, seed: seed)
        pending = Array(repeating: [], count: channelCount)
    }

    private var packetFrames: Int { parameters.blockSize * parameters.blocksPerPacket }

    public mutating func encode(_ buffer: AudioBuffer) throws -> [Packet] {
        precondition(buffer.channelCount == channelCount, "channel count changed mid-stream")
        for c in 0..<channelCount { pending[c].append(contentsOf: buffer.channel(c)) }
        let whole = pending[0].count / packetFrames
        guard whole > 0 else { return [] }
        let packets = codePackets(count: whole, lastFrames: packetFrames)
        for c in 0..<channelCount { pending[c].removeFirst(whole * packetFrames) }
        return packets
    }

    public mutating func finish() throws -> [Packet] {
        let left = pending[0].count
        guard left > 0 else { return [] }
        let packets = codePackets(count: 1, lastFrames: left)
        for c in 0..<channelCount { pending[c].removeAll() }
        return packets
    }

    /// Codes `count` packets from the front of `pending`; the last holds `lastFrames` frames.
    private mutating func codePackets(count: Int, lastFrames: Int) -> [Packet] {
        let frames = packetFrames
        var out = [Packet?](repeating: nil, count: count)
        let first = nextFrame
        let coder = self.coder, channels = channelCount, n = parameters.blockSize
        let blocksPerPacket = parameters.blocksPerPacket
        let pending = self.pending
        let capacity = (parameters.bitsPerBlock * blocksPerPacket * channels + 7) / 8
        let work: (Int, inout TurboBlockCoder.Scratch, [Float]) -> Packet = { p, scratch, padding in
            let frameCount = p == count - 1 ? lastFrames : frames
            let blocks = (frameCount + n - 1) / n
            var w = BitWriter(capacity: capacity)
            for b in 0..<blocks {
                for c in 0..<channels {
                    let start = p * frames + b * n
                    let available = min(n, (p * frames + frameCount) - start)
                    pending[c].withUnsafeBufferPointer { src in
                        if available == n {
                            coder.encode(UnsafeBufferPointer(rebasing: src[start ..< start + n]), into: &w, scratch: &scratch)
                        } else {
                            var block = padding
                            for i in 0..<available { block[i] = src[start + i] }
                            block.withUnsafeBufferPointer { coder.encode($0, into: &w, scratch: &scratch) }
                        }
                    }
                }
            }
            w.align()
            return Packet(firstFrame: first + UInt64(p * frames), frameCount: UInt32(frameCount), payload: w.bytes)
        }
        let padding = [Float](repeating: 0, count: n)
        if threads > 1 && count > 1 {
            let workers = min(threads, count)
            var scratches = (0..<workers).map { _ in TurboBlockCoder.Scratch(n) }
            out.withUnsafeMutableBufferPointer { slots in
                scratches.withUnsafeMutableBufferPointer { scratch in
                    let slots = UncheckedBox(slots), scratch = UncheckedBox(scratch)
                    parallelFor(count: count, threads: workers) { p, t in
                        slots.value[p] = work(p, &scratch.value[t], padding)
                    }
                }
            }
        } else {
            var scratch = TurboBlockCoder.Scratch(n)
            for p in 0..<count { out[p] = work(p, &scratch, padding) }
        }
        nextFrame += UInt64((count - 1) * frames + lastFrames)
        return out.map { $0! }
    }
}

/// The classic TurboQuant decoder: each packet decodes on its own.
public struct TurboDecoder: PacketDecoder {
    public let parameters: TurboParameters
    public let channelCount: Int
    public let sampleRate: Int
    private let coder: TurboBlockCoder

    public init(header: TQAHeader) throws(TurboError) {
        guard header.codec == .turbo else { throw TurboError.notTurboStream(header.codec) }
        parameters = try TurboParameters(decoding: header.codecParameters)
        try parameters.validate(channelCount: header.channelCount)
        channelCount = header.channelCount
        sampleRate = header.sampleRate
        coder = TurboBlockCoder(parameters: parameters, seed: header.seed)
    }

    public mutating func decode(_ packet: Packet) throws -> [DecodedAudio] {
        [DecodedAudio(firstFrame: packet.firstFrame, buffer: try decodeBuffer(packet))]
    }

    /// Decodes one packet; safe to call from several threads at once.
    public func decodeBuffer(_ packet: Packet) throws -> AudioBuffer {
        let n = parameters.blockSize
        let frameCount = Int(packet.frameCount)
        guard frameCount >= 1, frameCount <= n * parameters.blocksPerPacket else {
            throw TurboError.frameCountOutOfRange(packet: Int(packet.index), frames: frameCount, limit: n * parameters.blocksPerPacket)
        }
        let blocks = (frameCount + n - 1) / n
        // A packet cannot be shorter than its side information; this also bounds the work.
        let minimumBits = blocks * channelCount * TurboParameters.sideBits(residual: false)
        guard packet.payload.count * 8 >= minimumBits else {
            throw TurboError.payloadTooShort(packet: Int(packet.index), bytes: packet.payload.count)
        }
        var reader = BitReader(packet.payload)
        var out = AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, frameCount: frameCount)
        var block = [Float](repeating: 0, count: n)
        var symbols = [UInt16](repeating: 0, count: n)
        var finite = true
        for b in 0..<blocks {
            let start = b * n
            let count = min(n, frameCount - start)
            for c in 0..<channelCount {
                if !block.withUnsafeMutableBufferPointer({ coder.decode(from: &reader, into: $0, symbols: &symbols) }) {
                    finite = false
                }
                out.withMutableChannel(c) { dst in
                    for i in 0..<count { dst[start + i] = block[i] }
                }
            }
        }
        if !finite {
            throw TurboError.nonFiniteSideInformation(packet: Int(packet.index))
        }
        if reader.overrun || reader.bitsLeft >= 8 {
            throw TurboError.payloadSizeMismatch(packet: Int(packet.index), tooFew: reader.overrun)
        }
        return out
    }

    public mutating func decode(batch: [Packet], threads: Int) throws -> [DecodedAudio] {
        var results = [Result<AudioBuffer, Error>?](repeating: nil, count: batch.count)
        results.withUnsafeMutableBufferPointer { slots in
            let slots = UncheckedBox(slots)
            parallelFor(count: batch.count, threads: threads) { i, _ in
                slots.value[i] = Result { try self.decodeBuffer(batch[i]) }
            }
        }
        return try zip(batch, results).map { DecodedAudio(firstFrame: $0.firstFrame, buffer: try $1!.get()) }
    }

    public mutating func finish() throws -> [DecodedAudio] { [] }
    public mutating func reset() {}
}
