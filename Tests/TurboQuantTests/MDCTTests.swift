import TQAudio
import Foundation
import Testing
@testable import TurboQuant

@Suite struct MDCTTests {
    static func noise(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< n).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) }
    }

    @Test(arguments: [4, 16, 256])
    func forwardMatchesDefinition(n: Int) {
        let seed = UInt64(n)
        let x = Self.noise(2 * n, seed: seed)
        var out = [Float](repeating: 0, count: n), scratch = [Float](repeating: 0, count: n)
        let mdct = MDCT(size: n)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                scratch.withUnsafeMutableBufferPointer { sp in mdct.forward(xp.baseAddress!, op.baseAddress!, scratch: sp.baseAddress!) }
            }
        }
        for k in 0 ..< n {
            var ref = 0.0
            for i in 0 ..< 2 * n {
                ref += Double(x[i]) * cos(Double.pi / Double(n) * (Double(i) + 0.5 + Double(n) / 2) * (Double(k) + 0.5))
            }
            ref *= (2 / Double(n)).squareRoot()
            #expect(abs(Double(out[k]) - ref) < 1e-4, "n \(n) k \(k) seed \(seed)")
        }
    }

    /// Analysis then synthesis of a signal with a mixed long/short block sequence reconstructs it
    /// (TDAC) to better than 1e-6 of full scale, and the transform is orthogonal (Parseval).
    @Test(arguments: [MDCTWindow.sine, .vorbis])
    func perfectReconstructionWithBlockSwitching(window: MDCTWindow) {
        let p = SpectralParameters(frameSize: 512, shortBlockCount: 8, framesPerPacket: 4, window: window)
        let t = SpectralTransform(parameters: p)
        let n = p.frameSize, frames = 12
        let modes = [false, false, true, false, false, true, true, false, true, false, false, false, false, false]
        let seed: UInt64 = 42
        let x = Self.noise(frames * n, seed: seed)
        var y = [Float](repeating: 0, count: frames * n + 2 * n)
        var coefficientEnergy = 0.0
        var span = [Float](repeating: 0, count: 2 * n), coef = [Float](repeating: 0, count: n)
        var scratch = [Float](repeating: 0, count: t.scratchCount)
        for f in 0 ..< frames {
            for i in 0 ..< 2 * n {
                let idx = f * n - n / 2 + i
                span[i] = idx >= 0 && idx < x.count ? x[idx] : 0
            }
            span.withUnsafeBufferPointer { sp in coef.withUnsafeMutableBufferPointer { cp in scratch.withUnsafeMutableBufferPointer { sc in
                t.analyze(span: sp.baseAddress!, isShort: modes[f + 1], prevShort: modes[f], nextShort: modes[f + 2], coefficients: cp.baseAddress!, scratch: sc.baseAddress!)
            } } }
            coefficientEnergy += coef.reduce(0.0) { $0 + Double($1 * $1) }
            var out = [Float](repeating: 0, count: 2 * n)
            coef.withUnsafeBufferPointer { cp in out.withUnsafeMutableBufferPointer { op in scratch.withUnsafeMutableBufferPointer { sc in
                t.synthesize(coefficients: cp.baseAddress!, isShort: modes[f + 1], prevShort: modes[f], nextShort: modes[f + 2], span: op.baseAddress!, scratch: sc.baseAddress!)
            } } }
            for i in 0 ..< 2 * n { y[f * n + i] += out[i] }  // y index = sample + n/2
        }
        var maxErr: Float = 0
        var energy = 0.0
        // Samples [N/2, (frames − 1)·N + N/2) are complete: before N/2 the first frame's slope
        // has no partner (the codec delays its input by N/2 for that reason).
        for s in n / 2 ..< (frames - 1) * n + n / 2 { maxErr = max(maxErr, abs(y[s + n / 2] - x[s])) }
        for s in 0 ..< x.count { energy += Double(x[s] * x[s]) }
        #expect(maxErr < 1e-6, "window \(window) seed \(seed) max error \(maxErr)")
        // Parseval: the last frame's tail is cut, so compare loosely.
        #expect(abs(coefficientEnergy / energy - 1) < 0.05, "energy ratio \(coefficientEnergy / energy)")
    }
}

extension MDCTTests {
    @Test(arguments: [4, 16])
    func inverseMatchesDefinition(n: Int) {
        let X = Self.noise(n, seed: 9)
        var out = [Float](repeating: 0, count: 2 * n), scratch = [Float](repeating: 0, count: n)
        let mdct = MDCT(size: n)
        X.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                scratch.withUnsafeMutableBufferPointer { sp in mdct.inverse(xp.baseAddress!, op.baseAddress!, scratch: sp.baseAddress!) }
            }
        }
        for i in 0 ..< 2 * n {
            var ref = 0.0
            for k in 0 ..< n {
                ref += Double(X[k]) * cos(Double.pi / Double(n) * (Double(i) + 0.5 + Double(n) / 2) * (Double(k) + 0.5))
            }
            ref *= (2 / Double(n)).squareRoot()
            #expect(abs(Double(out[i]) - ref) < 1e-4, "n \(n) i \(i)")
        }
    }
}
