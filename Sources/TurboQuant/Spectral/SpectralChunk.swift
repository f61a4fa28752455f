import Foundation

/// The encoder's view of a chunk of frames after the MDCT: coefficients (frames × channels × N,
/// stereo bands already in M/S where chosen, then each band rotated up to version 3), per-band variances and the
/// statistics the step search runs on.
struct SpectralChunk {
    let firstFrame: Int
    let frames: Int
    let channels: Int
    /// modes[i + 1] is frame i's "short blocks" flag; modes[0] the previous frame's, modes[frames + 1] the next's.
    let modes: [Bool]
    var coefficients: [Float]
    /// Band entries per frame (the larger of the long and short counts).
    var entryStride = 0
    /// Per frame and entry: the two channels are coded as (M, S) = ((L + R)/√2, (L − R)/√2).
    var midSide: [Bool] = []
    /// Per frame, channel and entry: mean square, and 2·log2(mean square) − 32.
    var variances: [Float] = []
    var logVariances: [Float] = []
    var statistics = BandStatistics()
    var signalEnergy = 0.0

    init(firstFrame: Int, frames: Int, channels: Int, modes: [Bool], coefficients: [Float]) {
        self.firstFrame = firstFrame
        self.frames = frames
        self.channels = channels
        self.modes = modes
        self.coefficients = coefficients
    }

    /// The dither's increment per frame: the golden ratio's fractional part (√5 − 1)/2, whose
    /// multiples frac(k·φ⁻¹) spread most evenly over [0, 1) for every run of consecutive frames
    /// (Weyl sequence; the three-gap theorem), so that even a short chunk averages to g.
    static let ditherIncrement = 0.6180339887498949
    /// Frame numbers are taken modulo this prime before the multiplication, so that the product
    /// stays small enough (< 2^20) for its fractional part to keep ~32 bits of precision.
    static let ditherPeriod = 1_000_003

    /// An equidistributed offset in [0, 1) for frame f: per-frame step indices ⌊g + dither⌋
    /// average to g, so that the rate can be set finer than one step. Encoder-only (each frame
    /// carries its own step index).
    static func dither(_ f: Int) -> Double {
        let x = Double(f % ditherPeriod) * ditherIncrement
        return x - x.rounded(.down)
    }

    /// The step index frame `j` of the chunk is coded with at the chunk's (fractional) step
    /// index g: g plus the frame's loudness offset (`BandStatistics.offset`) plus its dither,
    /// rounded down, within the format's range.
    func stepIndex(frame j: Int, g: Double) -> Int {
        let gf = Int((g + statistics.offset(frame: j) + Self.dither(firstFrame + j)).rounded(.down))
        return min(max(gf, 0), SpectralStep.maxIndex)
    }

    /// A stereo band is coded as M/S when the product of its M and S energies is below this
    /// fraction of the product of its L and R energies. At high rate a band costs ½·log2 of its
    /// variance per coefficient and channel, so the products compare the two pairs' bits: M/S
    /// must save log2(1/0.95)/2 ≈ 0.037 bits per coefficient, so that near-ties (where M/S only
    /// moves noise between channels) stay L/R. Tuned on the bench corpus.
    static let midSideEnergyRatio: Float = 0.95
    /// Energy per coefficient below which a channel's band counts as this small in the M/S
    /// decision (far below any audible level), so that a silent band does not zero a product
    /// and decide on the other channel alone.
    static let midSideEnergyFloor: Float = 1e-24

    /// Mean energy per coefficient of the band entries `entries` of frame i (all when nil),
    /// the largest over channels.
    func blockEnergy(frame i: Int, entries: Range<Int>?, width: Int, layout: BandLayout?) -> Float {
        let count = statistics.frameStarts[i + 1] - statistics.frameStarts[i]
        let perChannel = count / channels
        let range = entries ?? 0 ..< perChannel
        var best: Float = 0
        for c in 0 ..< channels {
            var sum: Float = 0
            for e in range {
                let idx = (i * channels + c) * entryStride + e
                sum += variances[idx] * statistics.widths[statistics.frameStarts[i] + c * perChannel + e]
            }
            best = max(best, sum / Float(width))
        }
        return best
    }

    /// M/S decisions, band rotations (`SpectralBands.rotates`) and statistics; with `statisticsOnly`, the statistics of
    /// the coefficients as they are (for provisional decisions).
    ///
    /// With a masking model (version 3), the statistics' log-variances are lowered by each
    /// band's masking offset k (`SpectralMasking`), so that the rate model sees the scale the
    /// band is coded with (s − k); `logVariances` stay the bands' energies.
    mutating func prepare(bands: SpectralBands, statisticsOnly: Bool = false,
                          masking: (long: SpectralMasking, short: SpectralMasking)? = nil, maskingStrength: Int = 0,
                          loudness: Double = 0) {
        let n = bands.long.blockSize
        entryStride = max(bands.longEntries.count, bands.shortEntries.count)
        let stride = entryStride, ch = channels
        midSide = [Bool](repeating: false, count: frames * stride)
        variances = [Float](repeating: 0, count: frames * ch * stride)
        logVariances = [Float](repeating: -1e9, count: frames * ch * stride)
        statistics.reserve(frames * ch * stride)
        var energy = 0.0
        let half = Float(0.5).squareRoot()
        var frameEnergies = [Double](repeating: 0, count: loudness > 0 ? frames : 0)
        coefficients.withUnsafeMutableBufferPointer { co in
            for i in 0 ..< frames {
                let energyBefore = energy
                defer { if loudness > 0 { frameEnergies[i] = energy - energyBefore } }
                statistics.frameStarts.append(statistics.widths.count)
                let entries = bands.entries(short: modes[i + 1])
                let base = co.baseAddress! + i * ch * n
                if ch == 2 && !statisticsOnly {
                    let l = base, r = base + n
                    for (e, entry) in entries.enumerated() {
                        var el: Float = 0, er: Float = 0, em: Float = 0, es: Float = 0
                        for t in entry.offset ..< entry.offset + entry.width {
                            let a = l[t], b = r[t]
                            el += a * a; er += b * b
                            let m = a + b, s = a - b
                            em += m * m; es += s * s
                        }
                        em *= 0.5; es *= 0.5
                        let tiny = Self.midSideEnergyFloor * Float(entry.width)
                        if max(em, tiny) * max(es, tiny) < Self.midSideEnergyRatio * max(el, tiny) * max(er, tiny) {
                            midSide[i * stride + e] = true
                            for t in entry.offset ..< entry.offset + entry.width {
                                let a = l[t], b = r[t]
                                l[t] = (a + b) * half
                                r[t] = (a - b) * half
                            }
                        }
                    }
                }
                let rotations = bands.layout(short: modes[i + 1]).rotations
                for c in 0 ..< ch {
                    let x = base + c * n
                    for (e, entry) in entries.enumerated() {
                        if !statisticsOnly && bands.rotates { rotations[entry.band].rotate(UnsafeMutableBufferPointer(start: x + entry.offset, count: entry.width)) }
                        var sum: Float = 0
                        for t in entry.offset ..< entry.offset + entry.width { sum += x[t] * x[t] }
                        energy += Double(sum)
                        let v = sum / Float(entry.width)
                        let idx = (i * ch + c) * stride + e
                        variances[idx] = v
                        logVariances[idx] = v > 0 ? 2 * log2f(v) - 32 : -1e9
                        statistics.append(width: entry.width, variance: v)
                    }
                    if let masking, maskingStrength > 0 {
                        let model = modes[i + 1] ? masking.short : masking.long
                        let nb = bands.layout(short: modes[i + 1]).bandCount
                        let first = statistics.logVariances.count - entries.count
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: nb) { k in
                            statistics.logVariances.withUnsafeMutableBufferPointer { lv in
                                for block in 0 ..< entries.count / nb {
                                    let at = lv.baseAddress! + first + block * nb
                                    model.offsets(logVariances: at, bandCount: nb, strength: maskingStrength, into: k.baseAddress!)
                                    for b in 0 ..< nb { at[b] -= k[b] }
                                }
                            }
                        }
                    }
                }
            }
        }
        statistics.frameStarts.append(statistics.widths.count)
        signalEnergy = energy
        if loudness > 0 { statistics.frameOffsets = Self.stepOffsets(frameEnergies: frameEnergies, loudness: loudness) }
    }

    /// Frames' step offsets that make the noise follow the frames' energies E_f to the power γ
    /// (`loudness`): Δ_f² ∝ E_f^γ, i.e. g_f = g − 16·γ·(log2 E_f − mean), within
    /// ±`maxStepOffset`; energies count from 60 dB under the chunk's loudest frame. γ = 0 is
    /// reverse water-filling over time (one θ for the whole chunk).
    static func stepOffsets(frameEnergies e: [Double], loudness gamma: Double) -> [Double] {
        guard let loudest = e.max(), loudest > 0 else { return [Double](repeating: 0, count: e.count) }
        let logs = e.map { log2(max($0, loudest * 1e-6)) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        return logs.map { min(max(-16 * gamma * ($0 - mean), -maxStepOffset), maxStepOffset) }
    }

    /// The largest step offset a frame's loudness gives, in step indices (96: 18 dB of Δ).
    /// Measured with γ = 0.4 on 16 kHz speech (PESQ-WB means at 16 / 24 / 32 kbit/s): 3.50 /
    /// 4.32 / 4.51 at 24, 3.58 / 4.36 / 4.52 at 48, 3.59 / 4.36 / 4.53 at 96 and at 160 (a
    /// development sweep, docs/SPECTRAL.md "Perceptual tuning" item 5).
    static let maxStepOffset = 96.0
}
