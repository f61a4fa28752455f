/// Errors of `SQTokenPacking.unpack`: what the bytes fail to be.
public enum SQTokenPackingError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidCodebookSize(Int)
    case invalidCount(Int)
    /// The payload must be exactly `expected` bytes for its token count.
    case lengthMismatch(expected: Int, found: Int)
    /// Group `group` holds a number not below `codebookSize^n`: the bytes are damaged.
    case valueOutOfRange(group: Int)
    /// The bits after the last group are not zero: the bytes are damaged.
    case nonzeroPadding

    public var description: String {
        switch self {
        case .invalidCodebookSize(let s): "invalid codebook size \(s)"
        case .invalidCount(let c): "invalid token count \(c)"
        case .lengthMismatch(let e, let f): "token payload has \(f) bytes, expected \(e)"
        case .valueOutOfRange(let g): "token group \(g) is out of range: the payload is damaged"
        case .nonzeroPadding: "nonzero padding after the last token group: the payload is damaged"
        }
    }
}

/// Packs token indices at their information rate, `log2(codebookSize)` bits each (16.84 bits for
/// the 117 649-entry codebook), by mixed-radix arithmetic in groups of `groupSize` tokens.
///
/// Tokens `t₀ … t_{n−1}` of a group (n = groupSize, or fewer for the last group) form the integer
///
///     V = t₀ + t₁·B + t₂·B² + … + t_{n−1}·B^{n−1},   B = codebookSize,   0 ≤ V < Bⁿ
///
/// written in `bits(n) = bitLength(Bⁿ − 1)` bits, least significant bit first; groups follow one
/// another without gaps, and the stream is zero-padded to a whole byte:
///
///     byte 0            byte 1
///     b7 b6 … b1 b0     b15 … b8      stream bit k = bit (k mod 8) of byte k/8
///     └ group 0: V₀ bit 0 at stream bit 0, …, then group 1 from stream bit bits(n₀), …
///
/// Each group wastes less than one bit, so the size is within 1/(groupSize·log2 B) of the
/// information content: for B = 117 649, 128 tokens take 2157 bits (16.85 per token; the ideal is 2156.04).
public enum SQTokenPacking {
    /// Tokens per mixed-radix group.
    public static let groupSize = 128

    /// The payload size in bytes for `count` tokens of `codebookSize`.
    public static func byteCount(count: Int, codebookSize: Int) -> Int {
        precondition(codebookSize >= 2 && count >= 0, "SQTokenPacking: bad arguments")
        return (bitCount(count: count, codebookSize: codebookSize) + 7) / 8
    }

    /// The payload size in bits (before byte padding).
    public static func bitCount(count: Int, codebookSize: Int) -> Int {
        let full = count / groupSize, tail = count % groupSize
        return full * groupBits(groupSize, codebookSize) + (tail > 0 ? groupBits(tail, codebookSize) : 0)
    }

    /// Packs `tokens`, each in `0 ..< codebookSize` (a precondition: tokens come from the encoder).
    public static func pack(_ tokens: [Int32], codebookSize: Int) -> [UInt8] {
        precondition(codebookSize >= 2 && codebookSize <= Int(UInt32.max), "SQTokenPacking: codebook size \(codebookSize)")
        var writer = BitWriter()
        var start = 0
        let b = UInt64(codebookSize)
        let fullBits = groupBits(groupSize, codebookSize)
        while start < tokens.count {
            let n = min(groupSize, tokens.count - start)
            var v = BigUInt()
            for i in stride(from: start + n - 1, through: start, by: -1) {
                let t = tokens[i]
                precondition(t >= 0 && Int(t) < codebookSize, "SQTokenPacking.pack: token \(i) = \(t) outside 0..<\(codebookSize)")
                v.multiplyAdd(b, UInt64(t))
            }
            writer.write(v, bits: n == groupSize ? fullBits : groupBits(n, codebookSize))
            start += n
        }
        return writer.bytes
    }

    /// The `count` tokens packed in `bytes` by `pack`.
    /// - Throws: `SQTokenPackingError` when the length, a group's value or the padding is wrong;
    ///   never allocates more than `count` tokens, and checks `count` against the bytes first.
    public static func unpack(_ bytes: [UInt8], count: Int, codebookSize: Int) throws(SQTokenPackingError) -> [Int32] {
        guard codebookSize >= 2, codebookSize <= Int(UInt32.max) else { throw SQTokenPackingError.invalidCodebookSize(codebookSize) }
        guard count >= 0, count <= bytes.count * 8 else {
            throw count < 0 ? SQTokenPackingError.invalidCount(count)
                            : SQTokenPackingError.lengthMismatch(expected: count / 8, found: bytes.count)
        }
        let expected = byteCount(count: count, codebookSize: codebookSize)
        guard expected == bytes.count else { throw SQTokenPackingError.lengthMismatch(expected: expected, found: bytes.count) }
        var reader = BitReader(bytes: bytes)
        var out = [Int32](repeating: 0, count: count)
        var start = 0, group = 0
        let b = UInt64(codebookSize)
        let fullBits = groupBits(groupSize, codebookSize)
        while start < count {
            let n = min(groupSize, count - start)
            var v = reader.read(bits: n == groupSize ? fullBits : groupBits(n, codebookSize))
            for i in start..<(start + n) { out[i] = Int32(v.divide(by: b)) }
            guard v.isZero else { throw SQTokenPackingError.valueOutOfRange(group: group) }
            start += n
            group += 1
        }
        guard reader.restIsZero() else { throw SQTokenPackingError.nonzeroPadding }
        return out
    }

    /// `bitLength(Bⁿ − 1)`: the bits of a group of `n` tokens.
    static func groupBits(_ n: Int, _ codebookSize: Int) -> Int {
        var p = BigUInt(1)
        for _ in 0..<n { p.multiplyAdd(UInt64(codebookSize), 0) }
        p.subtractOne()
        return p.bitLength
    }
}

/// A little-endian multi-limb unsigned integer, just enough for mixed-radix packing.
struct BigUInt: Equatable {
    var limbs: [UInt64]

    init(_ v: UInt64 = 0) { limbs = v == 0 ? [] : [v] }

    var isZero: Bool { limbs.allSatisfy { $0 == 0 } }

    var bitLength: Int {
        guard let i = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
        return i * 64 + (64 - limbs[i].leadingZeroBitCount)
    }

    /// `self = self · m + a`.
    mutating func multiplyAdd(_ m: UInt64, _ a: UInt64) {
        var carry = a
        for i in 0..<limbs.count {
            let (hi, lo) = limbs[i].multipliedFullWidth(by: m)
            let (sum, overflow) = lo.addingReportingOverflow(carry)
            limbs[i] = sum
            carry = hi &+ (overflow ? 1 : 0)
        }
        if carry != 0 { limbs.append(carry) }
    }

    /// `self -= 1`; `self` must be positive.
    mutating func subtractOne() {
        for i in 0..<limbs.count {
            if limbs[i] != 0 { limbs[i] -= 1; return }
            limbs[i] = .max
        }
    }

    /// `self = self / d`, returning `self mod d`; `0 < d < 2³²`.
    mutating func divide(by d: UInt64) -> UInt64 {
        var rem: UInt64 = 0
        for i in stride(from: limbs.count - 1, through: 0, by: -1) {
            let (q, r) = d.dividingFullWidth((high: rem, low: limbs[i]))
            limbs[i] = q
            rem = r
        }
        return rem
    }
}

/// Appends bit fields LSB-first to a byte array.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var bitCount = 0

    mutating func write(_ v: BigUInt, bits: Int) {
        for k in 0..<bits {
            let limb = k / 64
            let bit = limb < v.limbs.count ? (v.limbs[limb] >> UInt64(k % 64)) & 1 : 0
            if bitCount % 8 == 0 { bytes.append(0) }
            bytes[bytes.count - 1] |= UInt8(bit) << UInt8(bitCount % 8)
            bitCount += 1
        }
    }
}

/// Reads bit fields LSB-first; the caller has checked that the bytes hold them.
struct BitReader {
    let bytes: [UInt8]
    private var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(bits: Int) -> BigUInt {
        var v = BigUInt()
        v.limbs = [UInt64](repeating: 0, count: (bits + 63) / 64)
        for k in 0..<bits {
            let bit = UInt64((bytes[position / 8] >> UInt8(position % 8)) & 1)
            v.limbs[k / 64] |= bit << UInt64(k % 64)
            position += 1
        }
        return v
    }

    func restIsZero() -> Bool {
        var p = position
        while p < bytes.count * 8 {
            if (bytes[p / 8] >> UInt8(p % 8)) & 1 != 0 { return false }
            p += 1
        }
        return true
    }
}
