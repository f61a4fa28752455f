import Foundation

/// The coefficient model of the spectral codec: after a band's randomized Hadamard rotation its
/// coefficients are taken as i.i.d. N(0, σ²), quantized with a uniform step Δ, deadzone rounding
/// offset ρ and centroid reconstruction. Everything — integer frequency tables, centroids,
/// expected rate and distortion — follows from the band's scale index s alone, σ/Δ = 2^(s/4)
/// (docs/SPECTRAL.md, "Coefficient model").
///
/// Magnitude m = ⌊|y|/Δ + ρ⌋. For σ/Δ ≥ 16 (s ≥ `splitFrom`) the k = ⌊s/4⌋ − 3 low bits of m are
/// sent raw (they are nearly uniform) and only m >> k is modelled, at a scale σ/(Δ·2^k) in [8, 16).
/// Symbols above the table's last value go through an escape with an Elias-gamma style tail.
///
/// Tables are computed once with IEEE basic operations only (`DeterministicMath`), so encoder
/// and decoder agree bit for bit on every machine; `GaussianModelTests` pins their checksum.
public struct CoefficientModel: Sendable {
    /// Raw low bits k.
    public let shift: Int
    /// Magnitudes (of m >> k) coded directly are 0 ..< escape; escape means "≥ escape", followed
    /// by the excess.
    public let escape: Int
    /// Cumulative frequencies of the signed symbols, total 2^totalBits. Symbol of magnitude
    /// h = m >> k (capped at escape) and sign: k = 0: 0 for m = 0, else 2h − 1 + negative;
    /// k > 0: 2h + negative (the sign is sent even when m = 0: rare at σ/Δ ≥ 16).
    public let cumulative: [UInt32]
    /// lookup[v >> (totalBits − lookupBits)]: the largest symbol whose cumulative start is ≤ that
    /// value's bucket start; decoding scans forward from it (buckets of 16 values: the scan
    /// almost never moves). Decoder-side only, not part of the bitstream.
    public let lookup: [UInt8]
    /// Bits of the decoder's lookup index.
    public static let lookupBits = 11
    /// Rounding offset ρ of the quantizer (0.5 = plain rounding).
    public let rounding: Float
    /// Reconstruction magnitude (Δ units) for m = 1 ..< centroids.count; index 0 unused.
    public let centroids: [Float]
    /// Expected bits per coefficient (modelled symbol, raw bits, sign) under the model.
    public let bitsPerCoefficient: Double
    /// Expected squared error per coefficient, in units of Δ².
    public let distortion: Double

    init(shift: Int, escape: Int, cumulative: [UInt32], rounding: Float, centroids: [Float], bitsPerCoefficient: Double, distortion: Double,
         lookup shared: [UInt8]? = nil) {
        self.shift = shift
        self.escape = escape
        self.cumulative = cumulative
        self.rounding = rounding
        self.centroids = centroids
        self.bitsPerCoefficient = bitsPerCoefficient
        self.distortion = distortion
        if let shared {
            lookup = shared
            return
        }
        let bucket = UInt32(1 << (GaussianModel.totalBits - CoefficientModel.lookupBits))
        var lut = [UInt8](repeating: 0, count: 1 << CoefficientModel.lookupBits)
        var sym = 0
        for i in 0 ..< lut.count {
            while cumulative[sym + 1] <= UInt32(i) * bucket { sym += 1 }
            lut[i] = UInt8(sym)
        }
        lookup = lut
    }
}

public enum GaussianModel {
    public static let totalBits = 15
    /// Lowest coded scale index (σ/Δ = 2^(−8/4) = 0.25); `off` is one below.
    public static let minScale = -8
    /// Highest scale index (σ/Δ = 2^31.75).
    public static let maxScale = 127
    /// The "band not coded" scale: decoded as zeros.
    public static let off = minScale - 1
    /// First scale index whose low bits are sent raw.
    public static let splitFrom = 16

    /// Models for s = minScale … maxScale (index s − minScale).
    public static let models: [CoefficientModel] = {
        var direct: [CoefficientModel] = []
        for s in minScale ..< splitFrom { direct.append(makeDirect(scale: s)) }
        let split = (0 ..< 4).map { makeSplit(phase: $0) }
        var all = direct
        for s in splitFrom ... maxScale {
            let k = s / 4 - 3
            let base = split[s % 4]
            all.append(CoefficientModel(shift: k, escape: base.escape, cumulative: base.cumulative, rounding: 0.5, centroids: [0],
                                        bitsPerCoefficient: base.bitsPerCoefficient + Double(k), distortion: base.distortion,
                                        lookup: base.lookup))
        }
        return all
    }()

    @inline(__always)
    public static func model(scale s: Int) -> CoefficientModel { models[s - minScale] }

    // MARK: table construction (IEEE basic operations only)

    /// Direct model, k = 0, for σ/Δ = 2^(s/4) < 16: chooses ρ by minimising D + λR with the
    /// high-rate slope λ = ln2/6 (Δ = 1), then builds the table.
    static func makeDirect(scale s: Int) -> CoefficientModel {
        let sigma = DeterministicMath.exp2(Double(s) / 4)
        var best: CoefficientModel? = nil
        var bestCost = Double.infinity
        let lambda = 0.6931471805599453 / 6
        for step in 0 ... 7 {
            let rho = 0.5 - 0.05 * Double(step)
            let m = build(sigma: sigma, rounding: rho, shift: 0)
            let cost = m.distortion + lambda * m.bitsPerCoefficient
            if cost < bestCost { bestCost = cost; best = m }
        }
        return best!
    }

    /// Model of m >> k for σ' = 2^(3 + phase/4), cells [j, j+1).
    static func makeSplit(phase: Int) -> CoefficientModel {
        build(sigma: DeterministicMath.exp2(3 + Double(phase) / 4), rounding: 0.5, shift: 1)
    }

    /// Builds one table. shift 0: cells of m are [0, 1−ρ), [m−ρ, m+1−ρ); shift > 0: the modelled
    /// value is the coarse index with unit cells, reconstruction uniform (distortion 1/12).
    static func build(sigma: Double, rounding rho: Double, shift: Int) -> CoefficientModel {
        let total = 1 << totalBits
        let offset = shift == 0 ? rho : 0.0
        // Alphabet: values up to ~7σ, at least 2, at most 100, plus the escape (≤ 202 signed symbols).
        let valueCount = max(2, min(100, Int(7 * sigma + 2)))
        var probs = [Double](repeating: 0, count: valueCount + 1)
        var lower = 0.0
        for m in 0 ..< valueCount {
            let upper = Double(m + 1) - offset
            probs[m] = DeterministicMath.foldedGaussian(from: lower, to: upper, sigma: sigma)
            lower = upper
        }
        probs[valueCount] = DeterministicMath.foldedGaussian(from: lower, to: Double.infinity, sigma: sigma)
        // Signed symbols (see `CoefficientModel.cumulative`), integer frequencies each ≥ 1 summing
        // to `total`; the rounding remainder goes to the most probable symbol.
        var signedProbs: [Double] = []
        if shift == 0 {
            signedProbs.append(probs[0])
            for m in 1 ... valueCount { signedProbs.append(probs[m] / 2); signedProbs.append(probs[m] / 2) }
        } else {
            for m in 0 ... valueCount { signedProbs.append(probs[m] / 2); signedProbs.append(probs[m] / 2) }
        }
        var freq = signedProbs.map { max(1, Int(($0 * Double(total - signedProbs.count)).rounded(.down)) + 1) }
        let excess = freq.reduce(0, +) - total
        var top = 0
        for i in freq.indices where freq[i] > freq[top] { top = i }
        freq[top] -= excess
        var cum: [UInt32] = [0]
        for f in freq { cum.append(cum.last! + UInt32(f)) }
        /// Probability the table gives magnitude m (both signs).
        func tableProbability(_ m: Int) -> Double {
            let f = shift == 0 ? (m == 0 ? freq[0] : freq[2 * m - 1] + freq[2 * m]) : freq[2 * m] + freq[2 * m + 1]
            return Double(f) / Double(total)
        }
        // Centroids and expected rate/distortion (shift 0 only; shift > 0 is uniform-ish).
        var centroids: [Float] = [0]
        var bits = 0.0, dist = 0.0
        var a = 0.0
        for m in 0 ... valueCount {
            let p = probs[m]
            let b = m < valueCount ? Double(m + 1) - offset : Double.infinity
            bits -= p * DeterministicMath.log2(tableProbability(m))
            if m > 0 || shift > 0 { bits += p }  // sign
            if shift == 0 {
                if m > 0 && m < valueCount {
                    let c = p > 1e-300 ? DeterministicMath.gaussianFirstMoment(from: a, to: b, sigma: sigma) / p : (a + b) / 2
                    let cc = min(max(c, a), b)
                    centroids.append(Float(cc))
                    dist += DeterministicMath.gaussianSecondMoment(from: a, to: b, sigma: sigma) - 2 * cc * DeterministicMath.gaussianFirstMoment(from: a, to: b, sigma: sigma) + cc * cc * p
                } else if m == 0 {
                    dist += DeterministicMath.gaussianSecondMoment(from: a, to: b, sigma: sigma)
                } else {
                    dist += p / 12  // escape tail: rare
                    bits += p * 8
                }
            }
            a = b
        }
        if shift > 0 { dist = 1.0 / 12 }
        return CoefficientModel(shift: 0, escape: valueCount, cumulative: cum, rounding: Float(rho), centroids: centroids,
                                bitsPerCoefficient: bits, distortion: dist)
    }
}
