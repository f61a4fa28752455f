import TQAudio
import Testing
@testable import TurboQuant

@Suite struct BitPackingTests {
    @Test func exactBytesMSBFirst() {
        var w = BitWriter()
        w.write(0b101, width: 3)
        w.write(0b110011, width: 6)
        w.write(1, width: 1)
        w.align()
        // 101 110011 1 + 000000 padding → 1011 1001 | 1100 0000
        #expect(w.bytes == [0b1011_1001, 0b1100_0000])
    }

    @Test func roundTripRandomWidths() {
        let seed: UInt64 = 99
        var rng = SplitMix64(seed: seed)
        var fields: [(UInt32, Int)] = []
        var w = BitWriter()
        for _ in 0..<5000 {
            let width = Int(rng.next() % 32) + 1
            let v = UInt32(truncatingIfNeeded: rng.next()) & UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(width)) - 1)
            fields.append((v, width))
            w.write(v, width: width)
        }
        w.align()
        var r = BitReader(w.bytes)
        for (v, width) in fields { #expect(r.read(width: width) == v, "seed \(seed)") }
        #expect(!r.overrun)
        _ = r.read(width: 16)
        #expect(r.overrun)
    }

    @Test func halfPrecision() {
        #expect(Half.bits(1) == 0x3C00)
        #expect(Half.bits(-2) == 0xC000)
        #expect(Half.bits(65504) == 0x7BFF)
        #expect(Half.bits(1e6) == 0x7C00)
        #expect(Half.bits(5.960_464_5e-8) == 0x0001)
        #expect(Half.value(0x0001) == 5.960_464_5e-8)
        #expect(Half.bits(0) == 0)
        #expect(Half.value(Half.bits(0.1)) == 0.099_975_586)
        // Round to nearest even at a tie: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
        #expect(Half.bits(1 + 1.0 / 2048) == 0x3C00)
        #expect(Half.bits(1 + 3.0 / 2048) == 0x3C02)
        for h in stride(from: 0, to: 0x7C00, by: 37) { #expect(Half.bits(Half.value(UInt16(h))) == UInt16(h)) }
    }
}
