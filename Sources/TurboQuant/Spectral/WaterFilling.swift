import Foundation

/// The global quantizer step of a frame: Δ = 2^(8 − g/32), g ∈ 0…2047 sent as 11 raw bits.
/// The water level of reverse water-filling is θ = Δ²/12: a band is coded only when its
/// variance clears it by enough to pay (`GaussianModel.minScale`), and then gets distortion ≈ θ.
public enum SpectralStep {
    public static let bits = 11
    public static let maxIndex = (1 << bits) - 1
    /// Raw bits of a short block's step boost (pre-echo guard).
    public static let boostBits = 10
    static let fractions: [Double] = (0 ..< 32).map { DeterministicMath.exp2(-Double($0) / 32) }

    /// Δ for index g, identical on every machine.
    public static func size(_ g: Int) -> Float {
        Float(fractions[g & 31] * DeterministicMath.exp2Integer(8 - (g >> 5)))
    }
}

/// Per-band statistics of a chunk of frames, and the search for the step index that meets a rate
/// or a distortion target under the Gaussian model (reverse water-filling, Cover & Thomas §10.3.3:
/// one water level θ for every band of every channel and frame minimises total MSE at a rate).
struct BandStatistics {
    /// Coefficients in each band entry.
    var widths: [Float] = []
    /// 2·log2(σ²) − 32, so that the band's scale index is round(value + g/8).
    var logVariances: [Float] = []
    var variances: [Float] = []

    static let rates: [Double] = GaussianModel.models.map(\.bitsPerCoefficient)
    static let distortions: [Double] = GaussianModel.models.map(\.distortion)
    /// Side information estimate per coded band (scale delta), bits.
    static let sideBitsPerBand = 2.5

    mutating func reserve(_ n: Int) {
        widths.reserveCapacity(n); logVariances.reserveCapacity(n); variances.reserveCapacity(n)
    }

    mutating func append(width: Int, variance: Float) {
        widths.append(Float(width))
        variances.append(variance)
        logVariances.append(variance > 0 ? 2 * log2f(variance) - 32 : -1e9)
    }

    /// Entries of frame i: frameStarts[i] ..< frameStarts[i + 1].
    var frameStarts: [Int] = []

    /// Per frame: an offset added to g (`SpectralChunk.prepare`'s loudness-following steps of the
    /// perceptual tuning); empty: none.
    var frameOffsets: [Double] = []

    /// The step index offset of frame i.
    @inline(__always)
    func offset(frame i: Int) -> Double { frameOffsets.isEmpty ? 0 : frameOffsets[i] }

    /// Expected bits and squared error at a (fractional) step index g.
    func estimate(g: Double) -> (bits: Double, noise: Double) {
        guard !frameOffsets.isEmpty else { return estimate(g: g, entries: 0 ..< widths.count) }
        var bits = 0.0, noise = 0.0
        for i in 0 ..< frameStarts.count - 1 {
            let e = estimate(g: g + frameOffsets[i], entries: frameStarts[i] ..< frameStarts[i + 1])
            bits += e.bits
            noise += e.noise
        }
        return (bits, noise)
    }

    /// Expected bits of every k-th frame (frames 0, k, 2k, …).
    func estimateBits(g: Double, everyKthFrame k: Int) -> Double {
        var bits = 0.0
        var i = 0
        while i + 1 < frameStarts.count {
            bits += estimate(g: g + offset(frame: i), entries: frameStarts[i] ..< frameStarts[i + 1]).bits
            i += k
        }
        return bits
    }

    func estimate(g: Double, entries: Range<Int>) -> (bits: Double, noise: Double) {
        let offset = Float(g / 8)
        let step2 = exp2(2 * (8 - g / 32))
        var bits = 0.0, noise = 0.0
        let lo = GaussianModel.minScale, hi = GaussianModel.maxScale
        Self.rates.withUnsafeBufferPointer { rate in
            Self.distortions.withUnsafeBufferPointer { dist in
                for i in entries {
                    let s = Int(logVariances[i] + offset + 1024.5) - 1024  // round half up, no libm call
                    if s < lo {
                        noise += Double(widths[i] * variances[i])
                    } else {
                        let t = min(s, hi) - lo
                        bits += Double(widths[i]) * rate[t] + Self.sideBitsPerBand
                        noise += Double(widths[i]) * dist[t] * step2
                    }
                }
            }
        }
        return (bits, noise)
    }

    /// The g (fractional, within 0…maxIndex) whose estimated bits are closest to `bits`.
    func stepIndex(forBits target: Double) -> Double {
        search { estimate(g: $0).bits <= target }
    }

    /// The g whose estimated noise is closest to (not above) `noise`.
    func stepIndex(forNoise target: Double) -> Double {
        search { estimate(g: $0).noise >= target }
    }

    /// Bisection steps of the step index search: 2047 / 2^17 ≈ 0.016 of a step index, a change
    /// of Δ by 0.003 dB, finer than any rate or SNR target needs, for 17 model evaluations.
    static let searchIterations = 17

    /// Largest g in [0, maxIndex] for which `below(g)` holds (bits grow and noise falls with g).
    private func search(_ below: (Double) -> Bool) -> Double {
        var lo = 0.0, hi = Double(SpectralStep.maxIndex)
        if !below(lo) { return lo }
        if below(hi) { return hi }
        for _ in 0 ..< Self.searchIterations {
            let mid = (lo + hi) / 2
            if below(mid) { lo = mid } else { hi = mid }
        }
        return lo
    }
}
