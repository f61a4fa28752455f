import TQAudio
import Testing
@testable import TurboQuant

@Suite struct LloydMaxTests {
    @Test(arguments: [(1, 0.3634), (2, 0.1175), (3, 0.03455), (4, 0.009500)])
    func distortionMatchesKnownValues(bits: Int, expected: Double) {
        let cb = LloydMaxCodebook.gaussian(bits: bits)
        #expect(abs(cb.distortion - expected) / expected < 0.002, "b=\(bits): \(cb.distortion)")
    }

    @Test func oneBitLevelsAreTheHalfNormalMean() {
        // E|X| = √(2/π) for X ~ N(0,1).
        let cb = LloydMaxCodebook.gaussian(bits: 1)
        #expect(abs(Double(cb.levels[1]) - (2 / Double.pi).squareRoot()) < 1e-6)
        #expect(cb.levels[0] == -cb.levels[1])
    }

    @Test(arguments: 1...8)
    func levelsAreSymmetricAndSorted(bits: Int) {
        let cb = LloydMaxCodebook.gaussian(bits: bits)
        #expect(cb.levels.count == 1 << bits)
        for i in 1..<cb.levels.count { #expect(cb.levels[i] > cb.levels[i - 1]) }
        for i in 0..<cb.levels.count { #expect(cb.levels[i] == -cb.levels[cb.levels.count - 1 - i]) }
        // High-resolution theory: D ≈ (π√3/2)·4^(−b) for large b.
        if bits >= 5 { #expect(abs(cb.distortion * Double(1 << (2 * bits)) / (Double.pi * 3.0.squareRoot() / 2) - 1) < 0.1) }
    }

    /// The lookup the encoder runs (`LloydMaxCodebook.Lookup`, in `TurboBlockCoder`) against a
    /// linear search.
    @Test(arguments: 1...8)
    func fastIndexEqualsNearestLevel(bits: Int) {
        let codebook = LloydMaxCodebook.gaussian(bits: bits)
        codebook.withLookup { cb in checkLookup(cb, bits: bits) }
    }

    private func checkLookup(_ cb: LloydMaxCodebook.Lookup, bits: Int) {
        let seed: UInt64 = 0xC0DE_0000 + UInt64(bits)
        var rng = SplitMix64(seed: seed)
        for _ in 0..<20_000 {
            let x = Float(Double(rng.next() >> 11) / Double(1 << 53) * 14 - 7)
            var best = 0
            for k in 1..<cb.levels.count where abs(x - cb.levels[k]) < abs(x - cb.levels[best]) { best = k }
            let got = cb.index(x)
            // Ties at a boundary may go either way; the distance must match.
            #expect(abs(x - cb.levels[got]) == abs(x - cb.levels[best]), "seed \(seed) x=\(x)")
        }
        // Exact boundaries and extremes.
        for b in cb.boundaries { #expect(cb.index(b) >= 0 && cb.index(b) < cb.levels.count) }
        #expect(cb.index(1e30) == cb.levels.count - 1)
        #expect(cb.index(-1e30) == 0)
    }

    @Test func gaussianTailIsAccurate() {
        // Q(x) reference values.
        let cases: [(Double, Double)] = [(0, 0.5), (1, 0.158_655_253_931_457), (2, 0.022_750_131_948_179), (3, 0.001_349_898_031_630), (5, 2.866_515_718_791e-7)]
        for (x, q) in cases { #expect(abs(DeterministicMath.normalTail(x) - q) / q < 1e-11, "Q(\(x))") }
        // The one deterministic exp (the spectral models' since the start, the codebooks' since
        // the two were merged; codebook levels unchanged): pinned to its bits, within 2 ulp of e⁻¹.
        let e1 = DeterministicMath.exp(-1)
        #expect(e1.bitPattern == 0x3FD7_8B56_362C_EF39, "exp(-1) = \(e1)")
        #expect(abs(e1 - 0.367_879_441_171_442_3) <= 2 * e1.ulp)
    }
}
