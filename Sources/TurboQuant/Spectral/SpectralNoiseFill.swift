import TQAudio

/// Energy preservation of parameter version 3 (`--tune perceptual`, docs/SPECTRAL.md "Perceptual
/// tuning"): a band whose variance is below the coded range keeps its energy as a scale index
/// under `GaussianModel.minScale` (a *noise band*) and decodes as seeded noise of that energy; a
/// coded band of low scale gets its zeros (coefficients inside the deadzone) filled so that its
/// energy comes back to the coded scale's. The noise is the stream's own: seeded from the header
/// seed, the frame, block, channel and band, so every decoder writes the same samples.
enum SpectralNoiseFill {
    /// The "not coded" scale of version 3: decoded as zeros. Scales `off + 1 … minScale − 1` are
    /// noise bands. s − off still fits the 8 raw bits of an absolute scale (0…191).
    static let off = -64
    /// Coded bands below this scale index (σ/Δ < 2^(8/4) = 4) get their zeros filled: above it
    /// fewer than ~10 % of the coefficients fall in the deadzone and the band's energy is already
    /// within 0.1 dB.
    static let zeroFillScaleLimit = 8

    /// σ/Δ of scale index s: 2^(s/4), from `DeterministicMath` (identical on every machine).
    static let quarterOctaves: [Float] = (0 ..< 4).map { Float(DeterministicMath.exp2(Double($0) / 4)) }
    static func ratio(scale s: Int) -> Float {
        let q = s >> 2  // floor
        return quarterOctaves[s - 4 * q] * Float(DeterministicMath.exp2Integer(q))
    }

    /// The seed of one band's noise.
    @inline(__always)
    static func bandSeed(stream: UInt64, frame: Int, block: Int, channel: Int, band: Int) -> UInt64 {
        stream ^ (UInt64(truncatingIfNeeded: frame) &* 0x9E37_79B9_7F4A_7C15)
            ^ (UInt64(block) << 16 | UInt64(channel) << 24 | UInt64(band) << 40)
    }

    /// x[0..<count] ← ±level with seeded random signs: noise of mean square level² (a noise
    /// band's MDCT coefficients; no rotation needed).
    @inline(__always)
    static func fill(_ x: UnsafeMutablePointer<Float>, count: Int, level: Float, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let magnitude = level.magnitude.bitPattern
        var t = 0
        while t < count {
            var bits = rng.next()
            for u in t ..< min(count, t + 64) {
                // The sign bit from the random bit: no branch on random data.
                x[u] = Float(bitPattern: magnitude | UInt32(truncatingIfNeeded: bits & 1) << 31)
                bits >>= 1
            }
            t += 64
        }
    }

    /// Fills the zeros of a decoded band (rotated domain) with ±a, seeded, so that its energy
    /// reaches count·σ̂²; a is capped at the root mean square of a uniform value inside the
    /// deadzone, (1 − ρ)·Δ/√3, so that filling never claims more than the quantizer hid there.
    @inline(__always)
    static func restore(_ x: UnsafeMutablePointer<Float>, count: Int, sigma: Float, step: Float, rounding rho: Float, seed: UInt64) {
        var energy: Float = 0
        var zeros: UInt32 = 0
        for t in 0 ..< count {
            energy += x[t] * x[t]
            zeros &+= isZero(x[t])
        }
        let deficit = Float(count) * sigma * sigma - energy
        guard zeros > 0, deficit > 0 else { return }
        let cap = (1 - rho) * step * 0.57735026
        let magnitude = min((deficit / Float(zeros)).squareRoot(), cap).bitPattern
        // The k-th zero of the band takes the k-th random bit as its sign. Branch-free (masks,
        // not conditions): which coefficients are zero is data the predictor cannot learn.
        var rng = SplitMix64(seed: seed)
        var bits = rng.next(), left: UInt32 = 64
        for t in 0 ..< count {
            let zero = isZero(x[t]), mask = 0 &- zero
            let filled = magnitude | UInt32(truncatingIfNeeded: bits & 1) << 31
            x[t] = Float(bitPattern: x[t].bitPattern & ~mask | filled & mask)
            bits >>= UInt64(zero)
            left -= zero
            if left == 0 { bits = rng.next(); left = 64 }
        }
    }

    /// 1 for ±0, else 0, computed without a branch.
    @inline(__always)
    private static func isZero(_ v: Float) -> UInt32 { ((v.bitPattern & 0x7FFF_FFFF) &- 1) >> 31 }
}
