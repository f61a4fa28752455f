import Foundation
import Testing
@testable import TurboQuant

/// The integer tables encoder and decoder share: valid, and pinned bit for bit.
@Suite struct SpectralModelTests {
    @Test func tablesAreValid() {
        for (i, m) in GaussianModel.models.enumerated() {
            let s = i + GaussianModel.minScale
            #expect(m.cumulative.first == 0 && m.cumulative.last == UInt32(1 << GaussianModel.totalBits), "scale \(s)")
            #expect(zip(m.cumulative, m.cumulative.dropFirst()).allSatisfy { $0 < $1 }, "scale \(s): a zero frequency")
            #expect(m.cumulative.count - 1 == (m.shift == 0 ? 2 * m.escape + 1 : 2 * m.escape + 2), "scale \(s)")
            #expect(m.bitsPerCoefficient.isFinite && m.distortion > 0 && m.distortion < 1, "scale \(s)")
            for c in m.centroids.dropFirst().enumerated() { #expect(c.element > Float(c.offset + 1) - 1 && c.element < Float(c.offset + 2), "scale \(s)") }
        }
        // Rate grows and distortion/σ² falls with the scale.
        for s in GaussianModel.minScale ..< 40 {
            #expect(GaussianModel.model(scale: s + 1).bitsPerCoefficient > GaussianModel.model(scale: s).bitsPerCoefficient)
        }
    }

    /// FNV-1a over every table the decoder reads. A change here changes the bitstream: bump the
    /// parameter version. (Computed with IEEE basic operations only, so equal on every machine.)
    @Test func tablesChecksum() {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01B3 }
        for m in GaussianModel.models {
            mix(UInt64(m.shift)); mix(UInt64(m.escape)); mix(UInt64(m.rounding.bitPattern))
            for c in m.cumulative { mix(UInt64(c)) }
            for c in m.centroids { mix(UInt64(c.bitPattern)) }
        }
        for c in ScaleCoding.deltaCumulative { mix(UInt64(c)) }
        for g in 0 ... SpectralStep.maxIndex { mix(UInt64(SpectralStep.size(g).bitPattern)) }
        print("spectral tables checksum 0x\(String(h, radix: 16))")
        #expect(h == SpectralModelTests.pinned, "tables changed: 0x\(String(h, radix: 16))")
    }
    static let pinned: UInt64 = 0xdfd8_d34f_5af4_8f70

    @Test func deterministicMathMatchesLibm() {
        for x in stride(from: -30.0, through: 5, by: 0.37) {
            #expect(abs(DeterministicMath.exp(x) / Foundation.exp(x) - 1) < 1e-13)
        }
        for x in stride(from: 0.0, through: 6, by: 0.05) {
            #expect(abs(DeterministicMath.erf(x) - Foundation.erf(x)) < 1e-13, "\(x)")
        }
        for x in [1e-10, 0.3, 1, 1.5, 7, 1e6] { #expect(abs(DeterministicMath.log2(x) - Foundation.log2(x)) < 1e-12) }
    }

    @Test func bandLayouts() {
        for n in [64, 128, 256, 512, 1024, 2048, 4096, 8192] {
            let l = BandLayout(blockSize: n, seed: 1)
            #expect(l.edges.first == 0 && l.edges.last == n)
            for b in 0 ..< l.bandCount {
                let w = l.edges[b + 1] - l.edges[b]
                #expect(w >= 4 && w & (w - 1) == 0, "n \(n) band \(b)")
            }
        }
        #expect(BandLayout(blockSize: 2048, seed: 1).bandCount == 52)
    }
}
