/// A byte-oriented range coder (Martin 1979; carry handling as in LZMA: 64-bit `low`, a cached
/// byte and a run of pending 0xFF bytes). Encoder and decoder sit side by side, share
/// `RangeCoderState` and its `tell`, and evolve `range` identically, so after every symbol both
/// report the same number of bits used.
///
/// Frequencies are integers with a power-of-two total 2^totalBits (totalBits ≤ 16), so that
/// coding needs no division on the encoder side and encoder and decoder agree bit for bit on any
/// machine. Every symbol's frequency must be ≥ 1.
///
/// Stream: the big-endian bytes of the final `low`, with the always-zero first byte dropped;
/// the decoder reads past the end as zeros and records an overrun (sticky, checked once at the
/// end of a packet).
public struct RangeCoderState: Sendable, Equatable {
    public var range: UInt32 = 0xFFFF_FFFF
    /// Normalisation steps so far (bytes shifted out or in).
    public var shifts: Int = 0

    /// Bits used so far: 8·shifts + (32 − log2 range), rounded up. Equal on both sides after
    /// every symbol.
    public var tell: Int { 8 * shifts + range.leadingZeroBitCount }

    static let top: UInt32 = 1 << 24
}

public struct RangeEncoder: Sendable {
    public private(set) var state = RangeCoderState()
    private var low: UInt64 = 0
    private var cache: UInt8 = 0
    private var cacheSize: Int = 1
    private var out: [UInt8] = []

    public init() {}

    public var tell: Int { state.tell }

    /// Codes the symbol occupying [cumulative, cumulative + frequency) of 2^totalBits.
    @inline(__always)
    public mutating func encode(cumulative: UInt32, frequency: UInt32, totalBits: Int) {
        let r = state.range >> UInt32(totalBits)
        low &+= UInt64(r &* cumulative)
        state.range = r &* frequency
        while state.range < RangeCoderState.top {
            state.range <<= 8
            state.shifts += 1
            shiftLow()
        }
    }

    /// Codes `count` ≤ 16 raw bits of `value`.
    @inline(__always)
    public mutating func encodeBits(_ value: UInt32, count: Int) {
        guard count > 0 else { return }
        encode(cumulative: value & ((1 << UInt32(count)) - 1), frequency: 1, totalBits: count)
    }

    /// Codes up to 64 raw bits, 16 at a time (most significant chunk first).
    public mutating func encodeWideBits(_ value: UInt64, count: Int) {
        var left = count
        while left > 0 {
            let c = min(16, left)
            left -= c
            encodeBits(UInt32(truncatingIfNeeded: value >> UInt64(left)) & ((1 << UInt32(c)) - 1), count: c)
        }
    }

    @inline(__always)
    private mutating func shiftLow() {
        if low < 0xFF00_0000 || low >= 1 << 32 {
            let carry = UInt8(truncatingIfNeeded: low >> 32)
            var temp = cache
            repeat {
                out.append(temp &+ carry)
                temp = 0xFF
                cacheSize -= 1
            } while cacheSize != 0
            cache = UInt8(truncatingIfNeeded: low >> 24)
        }
        cacheSize += 1
        low = (low & 0x00FF_FFFF) << 8
    }

    /// Flushes and returns the stream's bytes.
    public mutating func finish() -> [UInt8] {
        for _ in 0 ..< 5 { shiftLow() }
        // The first byte is the initial cache, always 0: the decoder assumes it.
        return Array(out.dropFirst())
    }
}

public struct RangeDecoder {
    public private(set) var state = RangeCoderState()
    private var code: UInt32 = 0
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    /// Bytes read past the end of the stream; nonzero means the stream is damaged or truncated.
    public private(set) var overrun = 0
    private var pendingR: UInt32 = 0

    /// A decoder over `bytes[start..<end]`.
    public init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
        for _ in 0 ..< 4 { code = (code << 8) | UInt32(nextByte()) }
    }

    public var tell: Int { state.tell }

    @inline(__always)
    private mutating func nextByte() -> UInt8 {
        if position < end {
            defer { position += 1 }
            return bytes[position]
        }
        overrun += 1
        return 0
    }

    /// The position of the next symbol within [0, 2^totalBits); follow with `consume`.
    @inline(__always)
    public mutating func peek(totalBits: Int) -> UInt32 {
        pendingR = state.range >> UInt32(totalBits)
        let v = code / max(pendingR, 1)
        let limit: UInt32 = (1 << UInt32(totalBits)) - 1
        return v < limit ? v : limit
    }

    /// Removes the symbol [cumulative, cumulative + frequency) found by the last `peek`.
    @inline(__always)
    public mutating func consume(cumulative: UInt32, frequency: UInt32) {
        code &-= pendingR &* cumulative
        state.range = pendingR &* frequency
        while state.range < RangeCoderState.top {
            code = (code << 8) | UInt32(nextByte())
            state.range <<= 8
            state.shifts += 1
        }
    }

    /// Decodes with a cumulative table `cumulative` (count = alphabet + 1, first 0, last 2^totalBits).
    @inline(__always)
    public mutating func decode(cumulative: UnsafeBufferPointer<UInt32>, totalBits: Int) -> Int {
        let v = peek(totalBits: totalBits)
        // Largest s with cumulative[s] <= v.
        var lo = 0, hi = cumulative.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if cumulative[mid] <= v { lo = mid } else { hi = mid }
        }
        consume(cumulative: cumulative[lo], frequency: cumulative[lo + 1] &- cumulative[lo])
        return lo
    }

    /// `count` ≤ 16 raw bits.
    @inline(__always)
    public mutating func decodeBits(count: Int) -> UInt32 {
        guard count > 0 else { return 0 }
        let v = peek(totalBits: count)
        consume(cumulative: v, frequency: 1)
        return v
    }

    /// Up to 64 raw bits, as written by `encodeWideBits`.
    public mutating func decodeWideBits(count: Int) -> UInt64 {
        var v: UInt64 = 0, left = count
        while left > 0 {
            let c = min(16, left)
            left -= c
            v = (v << UInt64(c)) | UInt64(decodeBits(count: c))
        }
        return v
    }
}
