/// MSB-first bit packing: the first field written occupies the most significant bits of the
/// first byte. Used for the classic codec's payloads (docs/FORMAT.md, "turbo payload").
///
///     byte 0           byte 1
///     7 6 5 4 3 2 1 0  7 6 5 4 …
///     a a a b b b b b  b c c …      fields a (3 bits), b (6 bits), c …
struct BitWriter {
    private var storage: [UInt8]
    private var used = 0
    private var acc: UInt64 = 0
    private var count = 0

    init(capacity: Int = 0) { storage = [UInt8](repeating: 0, count: max(capacity, 16)) }

    /// The bytes written; a partial last byte is included only after `align()`.
    var bytes: [UInt8] { Array(storage[0..<used]) }

    private mutating func reserve(_ extra: Int) {
        if used + extra > storage.count { storage += [UInt8](repeating: 0, count: max(extra, storage.count)) }
    }

    /// Appends the low `width` bits of `value` (width ≤ 32).
    @inline(__always)
    mutating func write(_ value: UInt32, width: Int) {
        acc = (acc << UInt64(width)) | UInt64(value & UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(width)) - 1))
        count += width
        if count >= 8 {
            reserve(8)
            while count >= 8 {
                count -= 8
                storage[used] = UInt8(truncatingIfNeeded: acc >> UInt64(count))
                used += 1
            }
        }
    }

    /// Appends `values`, each `width` bits (width ≤ 16, values already within width).
    mutating func write(_ values: UnsafeBufferPointer<UInt16>, width: Int) {
        reserve((values.count * width + 7) / 8 + 8)
        var acc = self.acc, count = self.count, used = self.used
        let w = UInt64(width)
        storage.withUnsafeMutableBufferPointer { out in
            for v in values {
                acc = (acc << w) | UInt64(v)
                count += width
                if count >= 32 {
                    count -= 32
                    let word = UInt32(truncatingIfNeeded: acc >> UInt64(count))
                    out[used] = UInt8(truncatingIfNeeded: word >> 24)
                    out[used + 1] = UInt8(truncatingIfNeeded: word >> 16)
                    out[used + 2] = UInt8(truncatingIfNeeded: word >> 8)
                    out[used + 3] = UInt8(truncatingIfNeeded: word)
                    used += 4
                }
            }
        }
        self.acc = acc; self.count = count; self.used = used
        if count >= 8 { write(0, width: 0) }
    }

    /// Pads with zero bits to a byte boundary.
    mutating func align() { if count % 8 > 0 { write(0, width: 8 - count % 8) } }

    var bitCount: Int { used * 8 + count }
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

    /// Reads `out.count` fields of `width` bits (≤ 16).
    mutating func read(into out: UnsafeMutableBufferPointer<UInt16>, width: Int) {
        let need = (out.count * width - count + 7) / 8
        guard position + need <= bytes.count else {
            for i in 0..<out.count { out[i] = UInt16(read(width: width)) }
            return
        }
        var acc = self.acc, count = self.count, position = self.position
        let mask = (UInt64(1) << UInt64(width)) - 1
        bytes.withUnsafeBufferPointer { src in
            for i in 0..<out.count {
                if count < width {
                    // Refill 32 bits at once when available, else byte by byte.
                    if position + 4 <= src.count {
                        let word = UInt64(src[position]) << 24 | UInt64(src[position + 1]) << 16 | UInt64(src[position + 2]) << 8 | UInt64(src[position + 3])
                        acc = (acc << 32) | word
                        position += 4
                        count += 32
                    } else {
                        while count < width { acc = (acc << 8) | UInt64(src[position]); position += 1; count += 8 }
                    }
                }
                count -= width
                out[i] = UInt16(truncatingIfNeeded: (acc >> UInt64(count)) & mask)
            }
        }
        self.acc = acc; self.count = count; self.position = position
    }

    /// Bits not yet read.
    var bitsLeft: Int { (bytes.count - position) * 8 + count }
}
