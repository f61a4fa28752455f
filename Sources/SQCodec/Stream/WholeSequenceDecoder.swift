import Foundation
import TQAudio
import TQContainer

/// Decodes a neural codec's packets as the reference does: all tokens of each channel as one
/// sequence (`tqa decode --whole`). Packet-by-packet decoding (`SQCodecDecoder`) sees a packet and
/// a block either side, so the layers that normalize over the whole sequence (the decoder's
/// enhance blocks, `InstanceNorm1d` over time) see less than the reference's do; this decoder
/// gathers the tokens and decodes them at the end (or at a gap in the packets: each run of
/// consecutive packets is one sequence), so no audio comes out before the last packet and memory
/// grows with the length: `bytesPerToken` per token of a channel (the channels are decoded one
/// after another, each on all the threads).
///
/// Codec-neutral: the codec gives the tokens of a packet and the decode of a token sequence.
public struct WholeSequenceDecoder: PacketDecoder {
    /// What the decoder needs of a codec.
    public struct Codec: Sendable {
        public var sampleRate: Int
        /// Samples per block; packets start on blocks and hold whole blocks' tokens.
        public var blockLength: Int
        public var tokensPerBlock: Int
        /// Estimated peak memory of decoding one token of a channel as part of a whole sequence.
        public var bytesPerToken: Int
        /// The tokens of each channel in a packet.
        public var tokens: @Sendable (Packet) throws -> [[Int32]]
        /// The samples of one channel's token sequence, on `threads` threads.
        public var decode: @Sendable (_ tokens: [Int32], _ threads: Int) throws -> [Float]

        public init(sampleRate: Int, blockLength: Int, tokensPerBlock: Int, bytesPerToken: Int,
                    tokens: @escaping @Sendable (Packet) throws -> [[Int32]],
                    decode: @escaping @Sendable ([Int32], Int) throws -> [Float]) {
            self.sampleRate = sampleRate; self.blockLength = blockLength; self.tokensPerBlock = tokensPerBlock
            self.bytesPerToken = bytesPerToken; self.tokens = tokens; self.decode = decode
        }
    }

    /// Default `memoryLimit`: 2 GiB of estimated decoding memory.
    public static let defaultMemoryLimit = 2 << 30

    public let codec: Codec
    public let channelCount: Int
    public let threads: Int
    /// Estimated bytes a sequence may need before `decode` refuses it (`WholeSequenceError.tooLong`).
    public let memoryLimit: Int

    /// The run of consecutive packets gathered so far.
    private var run: (firstBlock: Int, frames: Int, tokens: [[Int32]])?

    public init(codec: Codec, channelCount: Int, threads: Int = 1, memoryLimit: Int = defaultMemoryLimit) {
        self.codec = codec
        self.channelCount = channelCount
        self.threads = max(1, threads)
        self.memoryLimit = memoryLimit
    }

    /// The most tokens of a channel one sequence may have under `memoryLimit`.
    public var maximumTokens: Int { memoryLimit / max(1, codec.bytesPerToken) }

    /// The most seconds of audio one sequence may have under `memoryLimit`.
    public var maximumSeconds: Double {
        Double(maximumTokens / codec.tokensPerBlock * codec.blockLength) / Double(codec.sampleRate)
    }

    /// Gathers the packet's tokens; a packet that does not continue the run (a gap) first decodes
    /// the run gathered so far.
    /// - Throws: the codec's packet errors, or `WholeSequenceError.tooLong` once the run would
    ///   need more than `memoryLimit`.
    public mutating func decode(_ packet: Packet) throws -> [DecodedAudio] {
        let t = try codec.tokens(packet)
        let firstBlock = Int(packet.firstFrame) / codec.blockLength
        let end = Int(packet.firstFrame) + Int(packet.frameCount)
        var out: [DecodedAudio] = []
        if var r = run, r.firstBlock + r.tokens[0].count / codec.tokensPerBlock == firstBlock {
            run = nil
            for c in 0..<channelCount { r.tokens[c] += t[c] }
            r.frames = end - r.firstBlock * codec.blockLength
            run = r
        } else {
            out += try finish()
            run = (firstBlock, Int(packet.frameCount), t)
        }
        let count = run!.tokens[0].count
        if count > maximumTokens {
            let seconds = Double(run!.frames) / Double(codec.sampleRate)
            run = nil
            throw WholeSequenceError.tooLong(seconds: seconds, estimatedBytes: count * codec.bytesPerToken,
                                             limitBytes: memoryLimit, limitSeconds: maximumSeconds)
        }
        return out
    }

    /// Decodes the run gathered, each channel as one sequence.
    public mutating func finish() throws -> [DecodedAudio] {
        guard let r = run else { return [] }
        run = nil
        var buffer = AudioBuffer(sampleRate: codec.sampleRate, channelCount: channelCount, frameCount: r.frames)
        for c in 0..<channelCount {
            let audio = try codec.decode(r.tokens[c], threads)
            buffer.withMutableChannel(c) { dst in
                for i in 0..<min(r.frames, audio.count) { dst[i] = audio[i] }
            }
        }
        return [DecodedAudio(firstFrame: UInt64(r.firstBlock * codec.blockLength), buffer: buffer)]
    }

    public mutating func reset() { run = nil }

    /// The whole file is one batch in effect: packets are only gathered.
    public func batchSize(threads: Int) -> Int { 1 }
}

/// Why a whole-sequence decode was refused. States the facts; advice is the CLI's.
public enum WholeSequenceError: CodecError, Equatable, Sendable {
    /// A run of `seconds` of audio whose decode would need about `estimatedBytes`, over
    /// `limitBytes` (about `limitSeconds` of audio).
    case tooLong(seconds: Double, estimatedBytes: Int, limitBytes: Int, limitSeconds: Double)

    public var description: String {
        switch self {
        case .tooLong(let s, let e, let l, let ls):
            "decoding \(String(format: "%.1f", s)) s or more as one sequence would need about \(e >> 20) MB, "
                + "over the limit of \(l >> 20) MB (about \(String(format: "%.0f", ls)) s of audio per channel)"
        }
    }
}
