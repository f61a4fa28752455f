/// The masking model of parameter version 3 (docs/SPECTRAL.md, "Perceptual tuning"): per band of
/// a block, a step offset k_b ≥ 0 in quarter octaves (Δ_b = Δ·2^(k_b/4), so the band's noise is
/// 1.5·k_b dB above the water level θ = Δ²/12). Encoder and decoder compute it alike from the
/// block's decoded scale indices (the band energies relative to Δ), the frame's masking strength
/// and the sample rate, in integer arithmetic, so it costs no bits besides the strength (2 raw
/// bits per frame) and every machine agrees on it.
///
/// The threshold of band b is the strongest of the block's bands after a spreading function over
/// the Bark scale: m_b = max_j (s_j − spread(j → b)), the penalty summed band by band (each
/// neighbour step's ⌊Δz·slope⌋, so two linear sweeps compute it), falling 10 dB per Bark towards higher
/// frequencies and 25 dB per Bark towards lower ones (the asymmetry of simultaneous masking; the
/// slopes of MPEG psychoacoustic model 1 and of Schroeder's spreading function at moderate
/// levels). The water level then follows the threshold's shape: k_b = clamp(m_b − max m + K, 0, K)
/// with K = `ranges[strength]`, so the loudest threshold's bands get a step K quarter octaves
/// coarser and bands whose threshold lies K or more below it keep θ; it is invariant to the
/// overall level (it moves with g), which keeps the encoder's rate search on one water level.
/// Above `hfStartHz` the step grows by one quarter octave per `hfHzPerStep` more (the ear's
/// threshold in quiet rises steeply there), capped at `hfMax`.
struct SpectralMasking: Sendable {
    /// K per frame strength 0…3, in quarter octaves: 0 is reverse water-filling (flat θ).
    static let ranges: [Int32] = [0, 6, 12, 18]
    static let strengthBits = 2
    /// Spreading slopes in scale units (1.5 dB) per 1/8 Bark, as fractions of 64: 10 dB/Bark up,
    /// 25 dB/Bark down.
    static let upSlope64: Int32 = 53
    static let downSlope64: Int32 = 133
    static let hfStartHz = 15000
    static let hfHzPerStep = 1000
    static let hfMax: Int32 = 6

    /// The models of a stream's long and short blocks; nil before version 3.
    static func pair(parameters p: SpectralParameters, sampleRate: Int) -> (long: SpectralMasking, short: SpectralMasking)? {
        guard p.fillsNoise else { return nil }
        return (SpectralMasking(layout: BandLayout(blockSize: p.frameSize, seed: 0), sampleRate: sampleRate),
                SpectralMasking(layout: BandLayout(blockSize: p.shortBlockSize, seed: 0), sampleRate: sampleRate))
    }

    /// Band centres in 1/8 Bark, and the static high-frequency offset, per band.
    let bark8: [Int32]
    let highFrequency: [Int32]

    init(layout: BandLayout, sampleRate: Int) {
        var z: [Int32] = [], hf: [Int32] = []
        for b in 0 ..< layout.bandCount {
            // Centre frequency in Hz (integer), Bark by Traunmüller's rational formula
            // z = 26.81·f/(1960 + f) − 0.53: basic operations only, the same on every machine.
            let centre = (layout.edges[b] + layout.edges[b + 1]) * sampleRate / (4 * layout.blockSize)
            let f = Double(centre)
            let bark = 26.81 * f / (1960 + f) - 0.53
            z.append(Int32((8 * bark).rounded(.down)))
            hf.append(Int32(min(Int(Self.hfMax), max(0, (centre - Self.hfStartHz) / Self.hfHzPerStep))))
        }
        bark8 = z
        highFrequency = hf
    }

    /// k[0..<bandCount] for the scales of one block and channel (off and noise bands take part
    /// with their scale index) at `strength` 0…3.
    @inline(__always)
    func offsets(scales: UnsafePointer<Int32>, bandCount: Int, strength: Int, into k: UnsafeMutablePointer<Int32>) {
        let range = Self.ranges[strength]
        guard range > 0 else {
            for b in 0 ..< bandCount { k[b] = 0 }
            return
        }
        // Two sweeps (the spreading is piecewise linear in Bark, so the max over all maskers
        // is a running max): upwards with the 10 dB/Bark slope, downwards with 25 dB/Bark, each
        // step's penalty rounded down on its own.
        var loudest = Int32.min
        bark8.withUnsafeBufferPointer { z in
            var m = Int32.min / 2
            for b in 0 ..< bandCount {
                if b > 0 { m -= ((z[b] - z[b - 1]) * Self.upSlope64) >> 6 }
                m = max(m, scales[b])
                k[b] = m
            }
            m = Int32.min / 2
            for b in stride(from: bandCount - 1, through: 0, by: -1) {
                if b < bandCount - 1 { m -= ((z[b + 1] - z[b]) * Self.downSlope64) >> 6 }
                m = max(m, scales[b])
                k[b] = max(k[b], m)
                loudest = max(loudest, k[b])
            }
        }
        for b in 0 ..< bandCount {
            k[b] = min(max(k[b] - loudest + range, 0), range) + (strength > 0 ? highFrequency[b] : 0)
        }
    }

    /// The same on the encoder's unrounded values (2·log2 σ² − 32, any common offset), for the
    /// rate model: k[0..<count] as Floats.
    func offsets(logVariances l: UnsafePointer<Float>, bandCount: Int, strength: Int, into k: UnsafeMutablePointer<Float>) {
        let range = Float(Self.ranges[strength])
        guard range > 0 else {
            for b in 0 ..< bandCount { k[b] = 0 }
            return
        }
        var loudest = -Float.infinity
        var m: Float = -1e30
        for b in 0 ..< bandCount {
            if b > 0 { m -= Float(((bark8[b] - bark8[b - 1]) * Self.upSlope64) >> 6) }
            m = max(m, max(l[b], -1e6))
            k[b] = m
        }
        m = -1e30
        for b in stride(from: bandCount - 1, through: 0, by: -1) {
            if b < bandCount - 1 { m -= Float(((bark8[b + 1] - bark8[b]) * Self.downSlope64) >> 6) }
            m = max(m, max(l[b], -1e6))
            k[b] = max(k[b], m)
            loudest = max(loudest, k[b])
        }
        for b in 0 ..< bandCount { k[b] = min(max(k[b] - loudest + range, 0), range) + Float(highFrequency[b]) }
    }
}
