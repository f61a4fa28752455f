import TQAudio
import Testing
@testable import TurboQuant

@Suite struct RangeCoderTests {
    enum Op { case symbol(Int, [UInt32], Int, Bool); case bits(UInt32, Int) }

    /// Random tables on both lanes and raw bits; after every symbol the decoder's tell equals
    /// the encoder's.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func roundTripAndTellAgreement(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var ops: [Op] = []
        var e = RangeEncoder()
        var tells: [Int] = []
        for _ in 0 ..< 20_000 {
            if rng.next() % 4 == 0 {
                let n = Int(rng.next() % 17)
                let v = UInt32(truncatingIfNeeded: rng.next()) & ((1 << UInt32(n)) &- 1)
                ops.append(.bits(v, n))
                e.encodeBits(v, count: n)
            } else {
                let totalBits = Int(rng.next() % 15) + 1
                let alphabet = Int(rng.next() % UInt64(min(40, 1 << totalBits))) + 1
                // Random frequencies ≥ 1 summing to 2^totalBits.
                var cuts = Set<UInt32>()
                while cuts.count < alphabet - 1 { cuts.insert(UInt32(rng.next() % UInt64((1 << totalBits) - 1)) + 1) }
                let cum = [0] + cuts.sorted() + [UInt32(1 << totalBits)]
                let s = Int(rng.next() % UInt64(alphabet))
                let second = rng.next() % 2 == 0
                ops.append(.symbol(s, cum, totalBits, second))
                if second {
                    e.encodeSecond(cumulative: cum[s], frequency: cum[s + 1] - cum[s], totalBits: totalBits)
                } else {
                    e.encode(cumulative: cum[s], frequency: cum[s + 1] - cum[s], totalBits: totalBits)
                }
            }
            tells.append(e.tell)
        }
        let bytes = e.finish()
        // Overhead: each lane's flush (≤ 40 bits), L₀ (3 bytes here), the last raw byte's padding.
        #expect(abs(bytes.count * 8 - tells.last!) <= 40 + 40 + 24 + 8, "seed \(seed): \(bytes.count) bytes for tell \(tells.last!)")
        var d = RangeDecoder(bytes)
        for (i, op) in ops.enumerated() {
            switch op {
            case .bits(let v, let n):
                #expect(d.decodeBits(count: n) == v, "seed \(seed) op \(i)")
            case .symbol(let s, let cum, let tb, let second):
                var got = 0
                if second {
                    let v = d.peekSecond(totalBits: tb)
                    while cum[got + 1] <= v { got += 1 }
                    d.consumeSecond(cumulative: cum[got], frequency: cum[got + 1] - cum[got])
                } else {
                    got = cum.withUnsafeBufferPointer { d.decode(cumulative: $0, totalBits: tb) }
                }
                #expect(got == s, "seed \(seed) op \(i)")
            }
            if d.tell != tells[i] { Issue.record("seed \(seed): tell differs after op \(i): \(d.tell) vs \(tells[i])"); break }
        }
        #expect(d.overrun == 0, "seed \(seed)")
        // A valid stream is read exactly to its length: one byte less is an overrun.
        var t = RangeDecoder(bytes, end: bytes.count - 1)
        for op in ops {
            switch op {
            case .bits(_, let n): _ = t.decodeBits(count: n)
            case .symbol(_, let cum, let tb, let second):
                if second {
                    let v = t.peekSecond(totalBits: tb)
                    var got = 0
                    while cum[got + 1] <= v { got += 1 }
                    t.consumeSecond(cumulative: cum[got], frequency: cum[got + 1] - cum[got])
                } else {
                    _ = cum.withUnsafeBufferPointer { t.decode(cumulative: $0, totalBits: tb) }
                }
            }
        }
        #expect(t.overrun > 0, "seed \(seed)")
    }

    @Test func skewedProbabilitiesCostTheirEntropy() {
        // A symbol of probability 1/2^15 costs ~15 bits; 1 − 2^-15 costs ~0.
        var e = RangeEncoder()
        let cum: [UInt32] = [0, 32767, 32768]
        for _ in 0 ..< 10_000 { e.encode(cumulative: 0, frequency: 32767, totalBits: 15) }
        #expect(e.tell < 16)
        for _ in 0 ..< 100 { e.encode(cumulative: 32767, frequency: 1, totalBits: 15) }
        #expect(e.tell >= 1490 && e.tell <= 1520)
        let bytes = e.finish()
        var d = RangeDecoder(bytes)
        for i in 0 ..< 10_100 {
            let s = cum.withUnsafeBufferPointer { d.decode(cumulative: $0, totalBits: 15) }
            if s != (i < 10_000 ? 0 : 1) { Issue.record("symbol \(i)"); break }
        }
    }

    /// Truncated or random input never traps, reads a bounded number of bytes and flags overrun.
    @Test func hostileInputIsBounded() {
        var rng = SplitMix64(seed: 77)
        for trial in 0 ..< 200 {
            let bytes = (0 ..< Int(rng.next() % 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var d = RangeDecoder(bytes)
            let cum: [UInt32] = [0, 1, 2, 30000, 32768]
            for _ in 0 ..< 1000 {
                _ = cum.withUnsafeBufferPointer { d.decode(cumulative: $0, totalBits: 15) }
                _ = d.decodeBits(count: 16)
            }
            #expect(d.overrun > 0, "trial \(trial)")
        }
        // Empty input.
        var d = RangeDecoder([])
        _ = d.decodeWideBits(count: 64)
        #expect(d.overrun >= 4)
    }
}
