/// A read position in a byte buffer whose every read checks the bytes left and returns nil when
/// they are too few, so that no length read from a file is trusted. Little-endian.
struct ByteCursor {
    let bytes: [UInt8]
    let end: Int
    private(set) var offset: Int

    /// Reads `bytes[start ..< end]` (clamped to the buffer).
    init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.end = min(bytes.count, max(0, end ?? bytes.count))
        self.offset = min(max(0, start), self.end)
    }

    var remaining: Int { end - offset }

    mutating func seek(_ position: Int) -> Bool {
        guard position >= 0, position <= end else { return false }
        offset = position
        return true
    }

    mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() -> UInt16? { uint(2).map { UInt16($0) } }
    mutating func u32() -> UInt32? { uint(4).map { UInt32($0) } }
    mutating func u64() -> UInt64? { uint(8) }

    /// `count` bytes, or nil when `count` is negative or more than what is left.
    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset ..< offset + count]
    }

    private mutating func uint(_ n: Int) -> UInt64? {
        guard remaining >= n else { return nil }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += n
        return v
    }
}
