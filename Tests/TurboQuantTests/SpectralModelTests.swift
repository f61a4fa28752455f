import Foundation
import Testing
import TQAudio
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

    /// Version 4's side-information tables: integer-built, total 2^15, every symbol codable,
    /// symmetric, pinned like the models.
    @Test func sideTables() {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (table, limit) in SideCoding.scaleTables.map({ ($0, SideCoding.scaleLimit) }) + [(SideCoding.stepTable, SideCoding.stepLimit)] {
            #expect(table.count == 2 * limit + 3 && table.first == 0 && table.last == 1 << GaussianModel.totalBits)
            for i in 0 ..< table.count - 1 { #expect(table[i + 1] > table[i]) }
            for d in 1 ... limit {
                #expect(table[limit + d + 1] - table[limit + d] == table[limit - d + 1] - table[limit - d])
            }
            for c in table { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        }
        #expect(SideCoding.scaleTable(width: 4) == 0 && SideCoding.scaleTable(width: 16) == 2 && SideCoding.scaleTable(width: 512) == 4)
        #expect(h == 0xed84_3646_b55b_db0d, "side tables checksum 0x\(String(h, radix: 16))")
    }

    /// Random blocks of scales (with off bands, escapes and step changes) round-trip through the
    /// predicted coding, one packet of several blocks; out-of-range values are refused.
    @Test(arguments: [UInt64(3), 41, 977])
    func sideCodingRoundTrips(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let edges = BandLayout(blockSize: 256, seed: 0).edges, nb = edges.count - 1, off = SpectralNoiseFill.off
        var blocks: [(g: Int, active: Int, scales: [Int32])] = []
        var g = 700
        for _ in 0 ..< 40 {
            g = min(max(g + Int(rng.next() % 161) - 80, 0), SpectralStep.maxIndex)
            let active = Int(rng.next() % UInt64(nb + 1))
            var s = [Int32](repeating: Int32(off), count: nb)
            var level = Int(rng.next() % 100) - 40
            for b in 0 ..< active {
                let jump = rng.next() % 7 == 0
                let step = jump ? Int(rng.next() % 120) - 60 : Int(rng.next() % 9) - 4
                level += step
                level = min(max(level, off), GaussianModel.maxScale)
                s[b] = rng.next() % 9 == 0 ? Int32(off) : Int32(level)
            }
            blocks.append((g, active, s))
        }
        var e = RangeEncoder()
        var side = SideInformationPrediction(channels: 1, maxBands: nb)
        for blk in blocks {
            SideCoding.encodeStep(blk.g, previous: side.step, &e)
            side.step = blk.g
            let previous = side.withPrevious(short: false, channel: 0) { $0?.active ?? -1 }
            SideCoding.encodeActive(blk.active, bandCount: nb, previous: previous, &e)
            blk.scales.withUnsafeBufferPointer { s in
                side.withPrevious(short: false, channel: 0) { p in
                    SideCoding.encodeScales(s.baseAddress!, active: blk.active, edges: edges, off: off, previous: p, blockStep: blk.g, &e)
                }
                side.remember(short: false, channel: 0, scales: s.baseAddress!, bandCount: nb, active: blk.active, blockStep: blk.g)
            }
        }
        let bytes = e.finish()
        var d = RangeDecoder(bytes)
        side = SideInformationPrediction(channels: 1, maxBands: nb)
        var got = [Int32](repeating: 0, count: nb)
        for (i, blk) in blocks.enumerated() {
            let step = SideCoding.decodeStep(previous: side.step, &d)
            #expect(step == blk.g, "seed \(seed) block \(i)")
            side.step = step
            let previous = side.withPrevious(short: false, channel: 0) { $0?.active ?? -1 }
            let active = SideCoding.decodeActive(bandCount: nb, previous: previous, &d)
            #expect(active == blk.active, "seed \(seed) block \(i)")
            let ok = got.withUnsafeMutableBufferPointer { s in
                side.withPrevious(short: false, channel: 0) { p in
                    SideCoding.decodeScales(s.baseAddress!, active: blk.active, bandCount: nb, edges: edges, off: off, previous: p,
                                            blockStep: blk.g, &d)
                }
            }
            #expect(ok && got == blk.scales, "seed \(seed) block \(i)")
            got.withUnsafeBufferPointer { s in
                side.remember(short: false, channel: 0, scales: s.baseAddress!, bandCount: nb, active: blk.active, blockStep: blk.g)
            }
        }
        #expect(d.overrun == 0)
        // A forged residual that lands past the largest scale is refused: band 0 at the maximum,
        // band 1 one above it.
        var forged = RangeEncoder()
        forged.encodeBits(UInt32(GaussianModel.maxScale - off), count: ScaleCoding.absoluteBits)
        SideCoding.encodeResidual(1, table: SideCoding.scaleTables[0], limit: SideCoding.scaleLimit, &forged) { _ in }
        var fd = RangeDecoder(forged.finish())
        var out = [Int32](repeating: 0, count: nb)
        let accepted = out.withUnsafeMutableBufferPointer {
            SideCoding.decodeScales($0.baseAddress!, active: 2, bandCount: nb, edges: edges, off: off, previous: nil, blockStep: 0, &fd)
        }
        #expect(!accepted)
    }

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
