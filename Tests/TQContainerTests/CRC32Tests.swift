import Testing
import TQAudio
import TQContainer

/// The plain bytewise CRC-32 (reflected 0xEDB88320), the reference for the slicing-by-8 kernel.
private func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

@Suite struct CRC32Tests {
    @Test func checkValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum([0x00]) == 0xD202_EF8D)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func slicingBy8MatchesBytewise() {
        var rng = SplitMix64(seed: 0xC3C3_2001)
        for _ in 0..<300 {
            let n = Int.random(in: 0...2000, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(CRC32.checksum(bytes) == referenceCRC32(bytes), "seed \(rng.seed), length \(n)")
            // Incremental updates over arbitrary splits give the same value.
            let cut = Int.random(in: 0...n, using: &rng)
            var c = CRC32()
            c.update(bytes[..<cut])
            c.update(bytes[cut...])
            #expect(c.value == referenceCRC32(bytes), "seed \(rng.seed), length \(n), split \(cut)")
        }
    }

    @Test func everyShortLength() {
        // Lengths 0...17 cover every tail length of the 8-byte loop, with and without a full step.
        let bytes = (0..<17).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for n in 0...17 { #expect(CRC32.checksum(bytes.prefix(n)) == referenceCRC32(Array(bytes.prefix(n))), "length \(n)") }
    }
}
