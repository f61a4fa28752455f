import Foundation
import Testing
@testable import TQAudio

@Suite struct FFTTests {
    /// Plain O(n²) DFT in Double: the reference.
    static func naiveDFT(_ re: [Float], _ im: [Float], sign: Double) -> ([Double], [Double]) {
        let n = re.count
        var outR = [Double](repeating: 0, count: n), outI = [Double](repeating: 0, count: n)
        for k in 0 ..< n {
            for t in 0 ..< n {
                let a = sign * 2 * Double.pi * Double(t * k % n) / Double(n)
                outR[k] += Double(re[t]) * cos(a) - Double(im[t]) * sin(a)
                outI[k] += Double(re[t]) * sin(a) + Double(im[t]) * cos(a)
            }
        }
        return (outR, outI)
    }

    static func random(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0 ..< n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
    }

    @Test(arguments: [1, 2, 4, 8, 64, 512, 1024])
    func complexMatchesNaiveDFT(n: Int) {
        let seed = UInt64(n) * 7 + 1
        let re = Self.random(n, seed: seed), im = Self.random(n, seed: seed + 1)
        let fft = FFT(size: n)
        let (fr, fi) = fft.forward(re: re, im: im)
        let (nr, ni) = Self.naiveDFT(re, im, sign: -1)
        var maxErr = 0.0
        for k in 0 ..< n { maxErr = max(maxErr, abs(Double(fr[k]) - nr[k]), abs(Double(fi[k]) - ni[k])) }
        #expect(maxErr < 1e-5 * Double(n).squareRoot() * 4, "n \(n) seed \(seed) error \(maxErr)")
    }

    @Test func inverseUndoesForward() {
        let n = 256, seed: UInt64 = 5
        let re = Self.random(n, seed: seed), im = Self.random(n, seed: seed + 1)
        let fft = FFT(size: n)
        var (r, i) = fft.forward(re: re, im: im)
        r.withUnsafeMutableBufferPointer { rp in i.withUnsafeMutableBufferPointer { ip in fft.inverse(re: rp, im: ip) } }
        for k in 0 ..< n {
            #expect(abs(r[k] / Float(n) - re[k]) < 1e-5, "seed \(seed)")
            #expect(abs(i[k] / Float(n) - im[k]) < 1e-5, "seed \(seed)")
        }
    }

    @Test(arguments: [2, 4, 16, 1024])
    func realMatchesNaiveDFT(n: Int) {
        let seed = UInt64(n) + 11
        let x = Self.random(n, seed: seed)
        let (fr, fi) = RealFFT(size: n).forward(x)
        let (nr, ni) = Self.naiveDFT(x, [Float](repeating: 0, count: n), sign: -1)
        #expect(fr.count == n / 2 + 1)
        for k in 0 ... n / 2 {
            #expect(abs(Double(fr[k]) - nr[k]) < 1e-4 * Double(n).squareRoot(), "n \(n) bin \(k) seed \(seed)")
            #expect(abs(Double(fi[k]) - ni[k]) < 1e-4 * Double(n).squareRoot(), "n \(n) bin \(k) seed \(seed)")
        }
    }
}
