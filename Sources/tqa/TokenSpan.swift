import SQCodec
import TQContainer

/// `tqa tokens --skip/--until`: the tokens whose hop of samples (blockLength / tokensPerBlock,
/// 45 samples for 6kbps) meets the span. The packets before it are passed over unread.
struct TokenSpan {
    /// The span in frames at the model's rate.
    let frames: Range<UInt64>
    /// Token indices from the start of the stream: ⌊start / hop⌋ ..< ⌈end / hop⌉.
    let tokens: Range<Int>
    let hop: Int

    init(_ span: SpanOptions, reader: TQAReader, configuration c: SQCodecConfiguration, file: String) throws {
        let h = reader.header
        let known = h.frameCount == TQAHeader.unknownFrameCount ? nil : h.frameCount
        let (start, end) = try span.frames(sampleRate: h.sampleRate, frameCount: known)
        if let n = known, start > 0, start >= n { throw CLIError(span.pastEndMessage(file, frames: n, sampleRate: h.sampleRate)) }
        let stop = min(end ?? UInt64.max, known ?? UInt64.max)
        frames = start ..< stop
        hop = c.blockLength / c.tokensPerBlock
        let last = stop == UInt64.max ? Int.max : Int((stop + UInt64(hop) - 1) / UInt64(hop))
        tokens = Int(start / UInt64(hop)) ..< last
        try reader.skipPackets(before: start)
    }

    /// The tokens of a packet's channel that fall in the span.
    func trim(_ t: [Int32], packetFirstFrame: UInt64) -> ArraySlice<Int32> {
        let first = Int(packetFirstFrame / UInt64(hop))
        let lo = max(0, min(t.count, tokens.lowerBound - first))
        let hi = max(lo, min(t.count, tokens.upperBound == Int.max ? t.count : tokens.upperBound - first))
        return t[lo ..< hi]
    }
}
