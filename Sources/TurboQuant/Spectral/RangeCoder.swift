/// A byte-oriented range coder (Martin 1979; carry handling as in LZMA: 64-bit `low`, a cached
/// byte and a run of pending 0xFF bytes) plus a separate stream of raw bits, encoder and decoder
/// side by side. Both sides share `RangeCoderState` and its `tell`, and evolve `range` and the
/// raw bit count identically, so after every symbol both report the same number of bits used.
///
/// Frequencies are integers with a power-of-two total 2^totalBits (totalBits ≤ 16), so that
/// coding needs no division on the encoder side and encoder and decoder agree bit for bit on any
/// machine. Every symbol's frequency must be ≥ 1.
///
/// Raw bits (`encodeBits`) do not go through the range coder: as in CELT/Opus they are packed
/// least significant bit first into bytes written from the end of the packet backwards, so the
/// decoder reads them with shifts and masks (no division, no renormalisation).
///
/// Two range-coder lanes run side by side: symbols coded on lane 1 form a second, independent
/// stream, so a decoder alternating between the lanes (as the spectral coefficients do) has two
/// independent dependency chains, division to renormalisation, for the CPU to overlap.
///
/// Stream: the byte count L₀ of lane 0 as an unsigned LEB128 varint (7 bits a byte, low first,
/// at most 4 bytes); lane 0: the big-endian bytes of its final `low`, the always-zero first
/// byte dropped (L₀ bytes); lane 1 likewise, up to the raw bytes; then the raw bytes in reverse
/// order (the first raw byte is the stream's last byte; the last, partial one is zero-padded in
/// its high bits). A valid stream is read exactly to its length by the three readers together;
/// reading more means damage or truncation and is recorded as an overrun (sticky, checked once
/// per frame).
public struct RangeCoderState: Sendable, Equatable {
    public var range: UInt32 = 0xFFFF_FFFF
    /// Normalisation steps so far (bytes shifted out or in).
    public var shifts: Int = 0

    /// Bits used so far: 8·shifts + (32 − log2 range), rounded up.
    public var tell: Int { 8 * shifts + range.leadingZeroBitCount }

    static let top: UInt32 = 1 << 24
}

public struct RangeEncoder: Sendable {
    struct Lane: Sendable {
        var state = RangeCoderState()
        var low: UInt64 = 0
        var cache: UInt8 = 0
        var cacheSize = 1
        var out: [UInt8] = []

        @inline(__always)
        mutating func encode(cumulative: UInt32, frequency: UInt32, totalBits: Int) {
            let r = state.range >> UInt32(totalBits)
            low &+= UInt64(r &* cumulative)
            state.range = r &* frequency
            while state.range < RangeCoderState.top {
                state.range <<= 8
                state.shifts += 1
                shiftLow()
            }
        }

        @inline(__always)
        mutating func shiftLow() {
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

        /// The lane's bytes; the first byte is the initial cache, always 0: the decoder assumes it.
        mutating func finish() -> ArraySlice<UInt8> {
            for _ in 0 ..< 5 { shiftLow() }
            return out.dropFirst()
        }
    }

    private var lane0 = Lane()
    private var lane1 = Lane()
    /// Raw bytes in writing order, the pending bits of the next one in `rawWindow`.
    private var raw: [UInt8] = []
    private var rawWindow: UInt32 = 0
    private var rawPending = 0
    /// Raw bits so far.
    public private(set) var rawBits = 0

    public init() {}

    /// Bits used so far by both lanes and the raw bits; equal on both sides after every symbol.
    public var tell: Int { lane0.state.tell + lane1.state.tell + rawBits }

    /// Codes the symbol occupying [cumulative, cumulative + frequency) of 2^totalBits on lane 0.
    @inline(__always)
    public mutating func encode(cumulative: UInt32, frequency: UInt32, totalBits: Int) {
        lane0.encode(cumulative: cumulative, frequency: frequency, totalBits: totalBits)
    }

    /// The same on lane 1.
    @inline(__always)
    public mutating func encodeSecond(cumulative: UInt32, frequency: UInt32, totalBits: Int) {
        lane1.encode(cumulative: cumulative, frequency: frequency, totalBits: totalBits)
    }

    /// Appends the low `count` ≤ 16 bits of `value` to the raw stream.
    @inline(__always)
    public mutating func encodeBits(_ value: UInt32, count: Int) {
        guard count > 0 else { return }
        rawWindow |= (value & ((1 << UInt32(count)) - 1)) << UInt32(rawPending)
        rawPending += count
        rawBits += count
        while rawPending >= 8 {
            raw.append(UInt8(truncatingIfNeeded: rawWindow))
            rawWindow >>= 8
            rawPending -= 8
        }
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

    /// Flushes and returns the stream's bytes: L₀, lane 0, lane 1, the raw bytes reversed.
    public mutating func finish() -> [UInt8] {
        if rawPending > 0 {
            raw.append(UInt8(truncatingIfNeeded: rawWindow))
            rawWindow = 0
            rawPending = 0
        }
        let a = lane0.finish(), b = lane1.finish()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + a.count + b.count + raw.count)
        var n = a.count
        repeat {
            bytes.append(UInt8(n & 0x7F) | (n >= 0x80 ? 0x80 : 0))
            n >>= 7
        } while n > 0
        bytes.append(contentsOf: a)
        bytes.append(contentsOf: b)
        bytes.append(contentsOf: raw.reversed())
        return bytes
    }
}

public struct RangeDecoder {
    /// One range-coder lane reading forward from `position`.
    struct Lane {
        var state = RangeCoderState()
        var code: UInt32 = 0
        var position: Int
        var pendingR: UInt32 = 0

        init(position: Int) { self.position = position }
    }

    private let bytes: [UInt8]
    private let start: Int
    private let end: Int
    /// Where lane 1 starts (lane 0 runs from after L₀ to here).
    private let split: Int
    /// The stream's L₀ field was unreadable or pointed past the end.
    private let malformed: Bool
    private var lane0: Lane
    private var lane1: Lane
    /// Raw bytes read so far (from the end backwards), and the unread bits of the last ones.
    private var rawRead = 0
    private var rawWindow: UInt32 = 0
    private var rawAvailable = 0
    private var rawBits = 0

    /// A decoder over `bytes[start..<end]`.
    public init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        let e = min(end ?? bytes.count, bytes.count)
        let s = min(max(start, 0), e)
        self.end = e
        self.start = s
        // L₀: at most 4 varint bytes.
        var length = 0, i = s, shift = 0, complete = false
        while i < e && shift < 28 {
            let b = bytes[i]
            length |= Int(b & 0x7F) << shift
            i += 1
            shift += 7
            if b & 0x80 == 0 { complete = true; break }
        }
        malformed = !complete || length > e - i
        split = malformed ? e : i + length
        lane0 = Lane(position: i)
        lane1 = Lane(position: split)
        for _ in 0 ..< 4 {
            lane0.code = (lane0.code << 8) | UInt32(byte(at: lane0.position)); lane0.position += 1
            lane1.code = (lane1.code << 8) | UInt32(byte(at: lane1.position)); lane1.position += 1
        }
    }

    /// Bits used so far by both lanes and the raw bits.
    public var tell: Int { lane0.state.tell + lane1.state.tell + rawBits }

    /// Bytes read beyond the stream (lane 0 into lane 1, or all readers together beyond the
    /// end: range bytes from the front, raw bytes from the back); nonzero means the stream is
    /// damaged or truncated.
    public var overrun: Int {
        let into1 = lane0.position > split ? lane0.position - split : 0
        let used = (lane0.position - start) + (lane1.position - split) + rawRead, length = end - start
        return into1 + (used > length ? used - length : 0) + (malformed ? 1 : 0)
    }

    @inline(__always)
    private func byte(at i: Int) -> UInt8 { i < end ? bytes[i] : 0 }

    /// The big-endian 32-bit word at `p` of bytes[..<end], zeros past the end.
    @inline(__always)
    private static func word(_ bytes: [UInt8], at p: Int, end: Int) -> UInt32 {
        if p &+ 4 <= end {
            return bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: p, as: UInt32.self)) }
        }
        var w: UInt32 = 0
        for i in 0 ..< 4 { w = (w << 8) | UInt32(p + i < end ? bytes[p + i] : 0) }
        return w
    }

    @inline(__always)
    private static func peek(_ lane: inout Lane, totalBits: Int) -> UInt32 {
        lane.pendingR = lane.state.range >> UInt32(totalBits)
        let v = lane.code / max(lane.pendingR, 1)
        let limit: UInt32 = (1 << UInt32(totalBits)) - 1
        return v < limit ? v : limit
    }

    /// Removes the symbol, then shifts in whole bytes until range ≥ 2^24 without a
    /// data-dependent loop: the byte count is ⌊clz(range)/8⌋ (0…2, range ≥ 2^8 after any symbol).
    @inline(__always)
    private static func consume(_ lane: inout Lane, cumulative: UInt32, frequency: UInt32, bytes: [UInt8], end: Int) {
        lane.code &-= lane.pendingR &* cumulative
        lane.state.range = lane.pendingR &* frequency
        let count = lane.state.range.leadingZeroBitCount >> 3
        let bits = UInt64(count << 3)
        let w = UInt64(word(bytes, at: lane.position, end: end))
        lane.code = UInt32(truncatingIfNeeded: (UInt64(lane.code) << bits) | (w >> (32 &- bits)))
        lane.state.range = UInt32(truncatingIfNeeded: UInt64(lane.state.range) << bits)
        lane.position &+= count
        lane.state.shifts &+= count
    }

    /// The position of the next lane-0 symbol within [0, 2^totalBits); follow with `consume`.
    @inline(__always)
    public mutating func peek(totalBits: Int) -> UInt32 { Self.peek(&lane0, totalBits: totalBits) }

    /// Removes the lane-0 symbol [cumulative, cumulative + frequency) found by the last `peek`.
    @inline(__always)
    public mutating func consume(cumulative: UInt32, frequency: UInt32) {
        Self.consume(&lane0, cumulative: cumulative, frequency: frequency, bytes: bytes, end: end)
    }

    /// `peek` on lane 1.
    @inline(__always)
    public mutating func peekSecond(totalBits: Int) -> UInt32 { Self.peek(&lane1, totalBits: totalBits) }

    /// `consume` on lane 1.
    @inline(__always)
    public mutating func consumeSecond(cumulative: UInt32, frequency: UInt32) {
        Self.consume(&lane1, cumulative: cumulative, frequency: frequency, bytes: bytes, end: end)
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

    /// The next `count` ≤ 16 raw bits. Reads raw bytes only as needed, so that a valid stream
    /// is never read beyond its length.
    @inline(__always)
    public mutating func decodeBits(count: Int) -> UInt32 {
        while rawAvailable < count {
            let i = end - 1 - rawRead
            rawWindow |= UInt32(i >= start ? bytes[i] : 0) << UInt32(rawAvailable)
            rawRead += 1
            rawAvailable += 8
        }
        let v = rawWindow & ((1 << UInt32(count)) &- 1)
        rawWindow = count < 32 ? rawWindow >> UInt32(count) : 0
        rawAvailable -= count
        rawBits += count
        return v
    }

    /// Up to 64 raw bits, as written by `encodeWideBits`.
    @inline(__always)
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
