import Foundation
import Testing
@testable import SQCodec
import TQAudio

@Suite struct TokenPackingTests {
    @Test func exactBytesForSmallRadix() throws {
        // 3 tokens of base 10 → V = 7 + 2·10 + 9·100 = 927 in bitLength(999) = 10 bits, LSB first.
        let bytes = SQTokenPacking.pack([7, 2, 9], codebookSize: 10)
        #expect(bytes == [0x9F, 0x03])
        #expect(try SQTokenPacking.unpack(bytes, count: 3, codebookSize: 10) == [7, 2, 9])
    }

    @Test func sizeIsTheInformationRate() {
        for size in [117_649, 250_047] {
            let count = 10_000
            let bits = SQTokenPacking.bitCount(count: count, codebookSize: size)
            let ideal = Double(count) * log2(Double(size))
            #expect(Double(bits) >= ideal)
            #expect(Double(bits) <= ideal * 1.001, "codebook \(size): \(bits) bits vs \(ideal)")
        }
        #expect(SQTokenPacking.bitCount(count: 128, codebookSize: 117_649) == 2157)
    }

    @Test(arguments: [2, 3, 10, 60, 256, 117_649, 250_047, 1 << 20])
    func seededRoundTrips(codebookSize: Int) throws {
        for seed in UInt64(1)...20 {
            var g = SplitMix64(seed: seed &* 7919 &+ UInt64(codebookSize))
            let count = Int.random(in: 0...700, using: &g)
            let tokens = (0..<count).map { _ in Int32(Int.random(in: 0..<codebookSize, using: &g)) }
            let bytes = SQTokenPacking.pack(tokens, codebookSize: codebookSize)
            #expect(bytes.count == SQTokenPacking.byteCount(count: count, codebookSize: codebookSize), "seed \(seed)")
            let back = try SQTokenPacking.unpack(bytes, count: count, codebookSize: codebookSize)
            #expect(back == tokens, "seed \(seed), codebook \(codebookSize), count \(count)")
        }
    }

    @Test func extremesRoundTrip() throws {
        let size = 117_649
        for tokens in [[Int32](repeating: 0, count: 300), [Int32](repeating: Int32(size - 1), count: 300)] {
            #expect(try SQTokenPacking.unpack(SQTokenPacking.pack(tokens, codebookSize: size), count: 300, codebookSize: size) == tokens)
        }
    }

    @Test func damagedPayloadsThrow() throws {
        let size = 117_649
        // All-ones groups exceed 117649^n − 1.
        let n = 5
        let bytes = [UInt8](repeating: 0xFF, count: SQTokenPacking.byteCount(count: n, codebookSize: size))
        #expect(throws: SQTokenPackingError.self) { try SQTokenPacking.unpack(bytes, count: n, codebookSize: size) }
        let good = SQTokenPacking.pack([1, 2, 3, 4, 5], codebookSize: size)
        #expect(throws: SQTokenPackingError.lengthMismatch(expected: good.count, found: good.count - 1)) {
            try SQTokenPacking.unpack(Array(good.dropLast()), count: 5, codebookSize: size)
        }
        #expect(throws: SQTokenPackingError.self) { try SQTokenPacking.unpack(good, count: Int.max, codebookSize: size) }
        #expect(throws: SQTokenPackingError.invalidCount(-1)) { try SQTokenPacking.unpack(good, count: -1, codebookSize: size) }
        #expect(throws: SQTokenPackingError.invalidCodebookSize(1)) { try SQTokenPacking.unpack(good, count: 5, codebookSize: 1) }
        var padded = good
        padded[padded.count - 1] |= 0x80  // 5 · 16.84 → 85 bits: bit 87 is padding
        #expect(throws: SQTokenPackingError.nonzeroPadding) { try SQTokenPacking.unpack(padded, count: 5, codebookSize: size) }
    }
}
