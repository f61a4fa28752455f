import TQAudio
import Testing
@testable import TurboQuant

@Suite struct HadamardTests {
    /// H[i][j] = (−1)^popcount(i & j) / √n, the Sylvester ordering.
    func naive(_ x: [Float]) -> [Float] {
        let n = x.count
        return (0..<n).map { i in
            var s: Double = 0
            for j in 0..<n { s += ((i & j).nonzeroBitCount % 2 == 0 ? 1 : -1) * Double(x[j]) }
            return Float(s / Double(n).squareRoot())
        }
    }

    @Test(arguments: [2, 4, 8, 16, 64, 128, 512])
    func fastTransformMatchesMatrix(n: Int) {
        let seed: UInt64 = 7 + UInt64(n)
        var rng = SplitMix64(seed: seed)
        let x = (0..<n).map { _ in Float(Int64(bitPattern: rng.next()) >> 40) / Float(1 << 23) }
        var y = x
        y.withUnsafeMutableBufferPointer { Hadamard.transform($0) }
        let ref = naive(x)
        for i in 0..<n { #expect(abs(y[i] - ref[i]) < 1e-5, "seed \(seed) i=\(i)") }
        // Its own inverse.
        y.withUnsafeMutableBufferPointer { Hadamard.transform($0) }
        for i in 0..<n { #expect(abs(y[i] - x[i]) < 1e-5, "seed \(seed)") }
    }

    @Test func rotationIsOrthonormalAndSeeded() {
        let r = HadamardRotation(size: 256, seed: 42)
        #expect(r.signs == HadamardRotation(size: 256, seed: 42).signs)
        #expect(r.signs != HadamardRotation(size: 256, seed: 43).signs)
        #expect(Array(HadamardRotation(size: 512, seed: 42).signs.prefix(256)) == r.signs)
        var rng = SplitMix64(seed: 1)
        let x = (0..<256).map { _ in Float(Int64(bitPattern: rng.next()) >> 40) / Float(1 << 23) }
        var y = x
        y.withUnsafeMutableBufferPointer { r.rotate($0) }
        let e0 = x.reduce(0) { $0 + $1 * $1 }, e1 = y.reduce(0) { $0 + $1 * $1 }
        #expect(abs(e0 - e1) / e0 < 1e-5)
        y.withUnsafeMutableBufferPointer { r.unrotate($0) }
        for i in 0..<256 { #expect(abs(y[i] - x[i]) < 1e-5) }
    }
}
