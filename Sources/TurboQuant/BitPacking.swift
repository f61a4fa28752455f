/// MSB-first bit packing: the first field written occupies the most significant bits of the
/// first byte. Used for the classic codec's payloads (docs/FORMAT.md, "turbo payload").
///
///     byte 0       byte 1
///     7 6 5 4 3 2 1 0  7 6 5 4 …
///     a a a b b b b b  b c c …      fields a (3 bits), b (6 bits), c …
struct BitWriter {
    private(set) var bytes: [UInt8]
    private var acc: UInt64 = 0
    private var count = 0

    init(capacity: Int = 0) { bytes = []; bytes.reserveCapacity(capacity) }

    /// Appends the low `width` bits of `value` (width ≤ 32).
    @inline(__always)
    mutating func write(_ value: UInt32, width: Int) {
        acc = (acc << UInt64(width)) | UInt64(value & UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(width)) - 1))
        count += width
        while count >= 8 {
            count -= 8
            bytes.append(UInt8(truncatingIfNeeded: acc >> UInt64(count)))
        }
    }

    /// Appends `values`, each `width` bits.
    mutating func write(_ values: UnsafeBufferPointer<UInt8>, width: Int) {
        for v in values { write(UInt32(v), width: width) }
    }

    /// Pads with zero bits to a byte boundary.
    mutating func align() { if count > 0 { write(0, width: 8 - count) } }

    var bitCount: Int { bytes.count * 8 + count }
}

/// Reads what `BitWriter` wrote. Reading past the end sets `overrun` and yields zeros: the caller
/// checks the flag once at the end (a sticky error flag, as in CELT's range decoder).
struct BitReader {
    private let bytes: [UInt8]
    private var position = 0
    private var acc: UInt64 = 0
    private var count = 0
    private(set) var overrun = false

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    @inline(__always)
    mutating func read(width: Int) -> UInt32 {
        while count < width {
            if position < bytes.count {
                acc = (acc << 8) | UInt64(bytes[position])
                position += 1
            } else {
                acc <<= 8
                overrun = true
            }
            count += 8
        }
        count -= width
        return UInt32(truncatingIfNeeded: (acc >> UInt64(count)) & ((UInt64(1) << UInt64(width)) - 1))
    }

    /// Bits not yet read.
    var bitsLeft: Int { (bytes.count - position) * 8 + count }
}
