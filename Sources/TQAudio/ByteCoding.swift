/// Little-endian reading from a byte array; every read returns nil when too few bytes are left,
/// so that parsing never trusts a length it has not checked. The one byte reader of the package:
/// WAV chunks (`WAVFormat`, `WAVReader`), the .tqa container, codec parameters and the
/// checkpoint loaders all read through it.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    /// A reader from `offset`, clamped to `0 ... bytes.count` (an offset computed from a file's
    /// fields may be anything).
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(0, offset), bytes.count)
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() -> UInt16? { uint(2).map { UInt16($0) } }
    public mutating func u32() -> UInt32? { uint(4).map { UInt32($0) } }
    public mutating func u64() -> UInt64? { uint(8) }

    /// `count` bytes, or nil when fewer are left.
    public mutating func bytes(_ count: Int) -> ArraySlice<UInt8>? {
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

/// Little-endian appending to a byte array: the writer of WAV headers and of the container.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Reserves room for `count` bytes in all.
    public mutating func reserveCapacity(_ count: Int) { bytes.reserveCapacity(count) }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { uint(UInt64(v), 2) }
    public mutating func u32(_ v: UInt32) { uint(UInt64(v), 4) }
    public mutating func u64(_ v: UInt64) { uint(v, 8) }
    public mutating func append<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }
    /// The UTF-8 bytes of `s` (a chunk id such as `"RIFF"`), no terminator.
    public mutating func ascii(_ s: String) { bytes.append(contentsOf: s.utf8) }

    private mutating func uint(_ v: UInt64, _ n: Int) {
        for i in 0..<n { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}
