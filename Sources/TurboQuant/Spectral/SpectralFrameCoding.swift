import Foundation

/// One frame of the spectral bitstream, encoder and decoder side by side (docs/SPECTRAL.md,
/// "Frame"):
///
///     short (1) prevShort (1) nextShort (1) g (11; version 4: predicted, `SideCoding`)
///     version 3: masking strength (2); version 4: short frames only, boosted (1)
///     for each block (1 long, or shortBlockCount short):
///         short blocks only (version 4: of boosted frames): step boost (10), the block's step
///             index is min(g + boost, 2047)
///         for each channel: active band count, scale of band 0 (8 raw bits), scale deltas
///             (version 4: both predicted from the packet's previous block of the same kind)
///         stereo only: one M/S bit per band below the larger active count
///         for each channel, each coded band: the band's coefficients (rotated up to version 3)
struct SpectralFrameEncoder {
    let bands: SpectralBands
    let channels: Int
    /// Version 3: bands below the coded range keep their energy as noise bands.
    let fillsNoise: Bool
    /// Bands from this index up (long, short blocks) are never coded: the encoder's low-pass.
    let bandLimit: (long: Int, short: Int)
    /// Version 3: the masking model (long, short blocks) and the frames' strength (0…3).
    let masking: (long: SpectralMasking, short: SpectralMasking)?
    let maskingStrength: Int
    /// Whether attack blocks get the pre-echo guard (`transientMarginDB`); without it every
    /// boost is 0.
    let guardsPreEcho: Bool
    /// Version 4: side information predicted within a packet, the strength once per packet.
    let predictsSide: Bool
    private var side: SideInformationPrediction
    private var scales: [Int32]
    private var offsets: [Int32]
    private var active: [Int]

    init(bands: SpectralBands, channels: Int, fillsNoise: Bool = false, bandLimit: (long: Int, short: Int)? = nil,
         masking: (long: SpectralMasking, short: SpectralMasking)? = nil, maskingStrength: Int = 0, guardsPreEcho: Bool = true,
         predictsSideInformation: Bool = false) {
        self.bands = bands
        predictsSide = predictsSideInformation
        side = SideInformationPrediction(channels: channels, maxBands: bands.long.bandCount)
        self.guardsPreEcho = guardsPreEcho
        self.channels = channels
        self.fillsNoise = fillsNoise
        self.bandLimit = bandLimit ?? (bands.long.bandCount, bands.short.bandCount)
        self.masking = masking
        self.maskingStrength = maskingStrength
        scales = [Int32](repeating: 0, count: channels * bands.long.bandCount)
        offsets = [Int32](repeating: 0, count: channels * bands.long.bandCount)
        active = [Int](repeating: 0, count: channels)
    }

    /// Short blocks get a water level at least this far below their mean energy.
    static let transientMarginDB: Float = 35
    /// A short block is an attack block (it and its two neighbours get the pre-echo guard) when
    /// its mean energy exceeds this many times that of the block before it (9 dB), the loudest channel
    /// deciding. Encoder-only (the boosts are sent); tuned on the bench corpus.
    static let attackBlockEnergyRatio: Float = 8

    /// Step index increase that puts θ = Δ²/12 `transientMarginDB` below `meanEnergy`.
    static func transientBoost(meanEnergy: Float, g: Int) -> Int {
        let theta = meanEnergy * powf(10, -transientMarginDB / 10)
        // Tiny, huge or non-finite energies (subnormal or overflowing input) get no boost rather
        // than a log2 of 0 or ∞.
        guard theta > 0, theta.isFinite, (12 * theta).isFinite, 12 * theta > 0 else { return 0 }
        // Δ = 2^(8 − g/32) ⇒ g = 32·(8 − log2 Δ), Δ = √(12θ).
        let exact = 32 * (8 - 0.5 * log2f(12 * theta))
        guard exact.isFinite else { return 0 }
        let needed = Int(min(max(exact, -1e6), 1e6).rounded(.up))
        return min(max(needed - g, 0), (1 << SpectralStep.boostBits) - 1)
    }

    /// Starts a packet: version 4 writes the masking strength and forgets the previous packet's
    /// side information.
    mutating func beginPacket(_ e: inout RangeEncoder) {
        side.reset()
        if predictsSide { e.encodeBits(UInt32(maskingStrength), count: SpectralMasking.strengthBits) }
    }

    /// Codes frame `j` of the chunk at step index g; returns its squared error.
    mutating func encode(_ chunk: SpectralChunk, frame j: Int, g: Int, _ e: inout RangeEncoder) -> Double {
        let isShort = chunk.modes[j + 1]
        e.encodeBits(isShort ? 1 : 0, count: 1)
        e.encodeBits(chunk.modes[j] ? 1 : 0, count: 1)
        e.encodeBits(chunk.modes[j + 2] ? 1 : 0, count: 1)
        if predictsSide {
            SideCoding.encodeStep(g, previous: side.step, &e)
            side.step = g
        } else {
            e.encodeBits(UInt32(g), count: SpectralStep.bits)
            if fillsNoise { e.encodeBits(UInt32(maskingStrength), count: SpectralMasking.strengthBits) }
        }
        let layout = bands.layout(short: isShort)
        let nb = layout.bandCount, n = bands.long.blockSize, ch = channels, stride = chunk.entryStride
        let blockSize = layout.blockSize
        var noise = 0.0
        // Pre-echo guard: an attack block (mean energy ≥ 8× the block before it) and its two
        // neighbours (whose slopes overlap it and spread their noise before the attack) keep
        // their water level `transientMarginDB` under their own mean energy (loudest channel).
        var boosts = [Int](repeating: 0, count: bands.blockCount(short: isShort))
        if isShort && guardsPreEcho {
            let count = boosts.count
            var energies = [Float](repeating: 0, count: count)
            for block in 0 ..< count { energies[block] = chunk.blockEnergy(frame: j, entries: block * nb ..< (block + 1) * nb, width: blockSize, layout: layout) }
            let before: Float = j > 0 ? chunk.blockEnergy(frame: j - 1, entries: nil, width: n, layout: nil) : 0
            for block in 0 ..< count {
                let previous = block > 0 ? energies[block - 1] : before
                if energies[block] > Self.attackBlockEnergyRatio * previous {
                    for k in max(0, block - 1) ... min(count - 1, block + 1) {
                        boosts[k] = SpectralFrameEncoder.transientBoost(meanEnergy: energies[k], g: g)
                    }
                }
            }
        }
        let off = fillsNoise ? SpectralNoiseFill.off : GaussianModel.off
        let limit = isShort ? bandLimit.short : bandLimit.long
        let boosted = boosts.contains { $0 > 0 }
        if isShort && predictsSide { e.encodeBits(boosted ? 1 : 0, count: 1) }
        for block in 0 ..< bands.blockCount(short: isShort) {
            var gb = g
            if isShort && (boosted || !predictsSide) {
                e.encodeBits(UInt32(boosts[block]), count: SpectralStep.boostBits)
                gb = min(g + boosts[block], SpectralStep.maxIndex)
            }
            let step = SpectralStep.size(gb)
            let offset = Float(gb) / 8
            scales.withUnsafeMutableBufferPointer { sc in
                for c in 0 ..< ch {
                    var last = 0
                    for b in 0 ..< nb {
                        let idx = (j * ch + c) * stride + block * nb + b
                        var s = Int(chunk.logVariances[idx] + offset + 1024.5) - 1024
                        if b >= limit {
                            s = off
                            noise += Double(chunk.variances[idx]) * Double(layout.edges[b + 1] - layout.edges[b])
                        } else if s < GaussianModel.minScale {
                            // Not coded; version 3 keeps its energy (a noise band) when it is
                            // above the lowest noise scale. Counted as unrecovered either way.
                            noise += Double(chunk.variances[idx]) * Double(layout.edges[b + 1] - layout.edges[b])
                            if fillsNoise && s > off { last = b + 1 } else { s = off }
                        } else {
                            s = min(s, GaussianModel.maxScale)
                            last = b + 1
                        }
                        sc[c * nb + b] = Int32(s)
                    }
                    active[c] = last
                    if predictsSide {
                        let at = sc.baseAddress! + c * nb
                        SideCoding.encodeActive(last, bandCount: nb, previous: side.withPrevious(short: isShort, channel: c) { $0?.active ?? -1 }, &e)
                        side.withPrevious(short: isShort, channel: c) { previous in
                            SideCoding.encodeScales(at, active: last, edges: layout.edges, off: off, previous: previous, blockStep: gb, &e)
                        }
                        side.remember(short: isShort, channel: c, scales: at, bandCount: nb, active: last, blockStep: gb)
                    } else {
                        ScaleCoding.encode(sc.baseAddress! + c * nb, bandCount: nb, active: last, off: off, &e)
                    }
                    if let masking {
                        offsets.withUnsafeMutableBufferPointer { k in
                            (isShort ? masking.short : masking.long).offsets(scales: sc.baseAddress! + c * nb, bandCount: nb,
                                                                             strength: maskingStrength, into: k.baseAddress! + c * nb)
                        }
                    }
                }
            }
            if ch == 2 {
                for b in 0 ..< max(active[0], active[1]) {
                    e.encodeBits(chunk.midSide[j * stride + block * nb + b] ? 1 : 0, count: 1)
                }
            }
            chunk.coefficients.withUnsafeBufferPointer { co in
                for c in 0 ..< ch {
                    // Bands are already rotated (SpectralChunk.prepare).
                    let x = co.baseAddress! + (j * ch + c) * n + block * blockSize
                    for b in 0 ..< active[c] {
                        let k = masking == nil ? 0 : Int(offsets[c * nb + b])
                        let s = Int(scales[c * nb + b]) - k
                        let lo = layout.edges[b], w = layout.edges[b + 1] - lo
                        if s < GaussianModel.minScale {  // off, or a noise band
                            if k > 0 && Int(scales[c * nb + b]) >= GaussianModel.minScale {
                                noise += Double(chunk.variances[(j * ch + c) * stride + block * nb + b]) * Double(w)
                            }
                            continue
                        }
                        let bandStep = k == 0 ? step : step * SpectralNoiseFill.ratio(scale: k)
                        noise += Double(CoefficientCoding.encode(x + lo, count: w, scale: s, step: bandStep, &e))
                    }
                }
            }
        }
        return noise
    }
}

/// Decodes frames into MDCT coefficients (M/S undone), ready for `SpectralTransform.synthesize`.
struct SpectralFrameDecoder {
    let bands: SpectralBands
    let channels: Int
    /// Version 3: noise bands and zero filling (`SpectralNoiseFill`), seeded with `seed`.
    let fillsNoise: Bool
    let seed: UInt64
    /// Version 3: the masking model (long, short blocks).
    let masking: (long: SpectralMasking, short: SpectralMasking)?
    /// Version 4: side information predicted within a packet, the strength once per packet.
    let predictsSide: Bool
    private var side: SideInformationPrediction
    private var packetStrength = 0
    private var scales: [Int32]
    private var offsets: [Int32]
    private var active: [Int]
    private var midSide: [Bool]

    struct FrameInfo { var isShort: Bool; var prevShort: Bool; var nextShort: Bool }

    init(bands: SpectralBands, channels: Int, fillsNoise: Bool = false, seed: UInt64 = 0,
         masking: (long: SpectralMasking, short: SpectralMasking)? = nil, predictsSideInformation: Bool = false) {
        self.bands = bands
        predictsSide = predictsSideInformation
        side = SideInformationPrediction(channels: channels, maxBands: bands.long.bandCount)
        self.channels = channels
        self.fillsNoise = fillsNoise
        self.seed = seed
        self.masking = masking
        offsets = [Int32](repeating: 0, count: channels * bands.long.bandCount)
        scales = [Int32](repeating: 0, count: channels * bands.long.bandCount)
        active = [Int](repeating: 0, count: channels)
        midSide = [Bool](repeating: false, count: bands.long.bandCount)
    }

    /// Starts a packet: version 4 reads the masking strength and forgets the previous packet's
    /// side information.
    mutating func beginPacket(_ d: inout RangeDecoder) {
        side.reset()
        if predictsSide { packetStrength = Int(d.decodeBits(count: SpectralMasking.strengthBits)) }
    }

    /// Decodes frame `frame` (its index in the stream: it seeds the noise of versions 3 and 4)
    /// into coefficients[c·N ..< (c+1)·N]; nil when the stream is damaged.
    mutating func decode(_ d: inout RangeDecoder, frame: Int = 0, into coefficients: UnsafeMutablePointer<Float>) -> FrameInfo? {
        let info = FrameInfo(isShort: d.decodeBits(count: 1) == 1, prevShort: d.decodeBits(count: 1) == 1,
                             nextShort: d.decodeBits(count: 1) == 1)
        let g: Int, strength: Int
        if predictsSide {
            guard let step = SideCoding.decodeStep(previous: side.step, &d) else { return nil }
            g = step
            side.step = g
            strength = packetStrength
        } else {
            g = Int(d.decodeBits(count: SpectralStep.bits))
            strength = fillsNoise ? Int(d.decodeBits(count: SpectralMasking.strengthBits)) : 0
        }
        let layout = bands.layout(short: info.isShort)
        let nb = layout.bandCount, n = bands.long.blockSize, ch = channels, blockSize = layout.blockSize
        let half = Float(0.5).squareRoot()
        let off = fillsNoise ? SpectralNoiseFill.off : GaussianModel.off
        let boosted = info.isShort && (!predictsSide || d.decodeBits(count: 1) == 1)
        for block in 0 ..< bands.blockCount(short: info.isShort) {
            var gb = g
            if boosted { gb = min(g + Int(d.decodeBits(count: SpectralStep.boostBits)), SpectralStep.maxIndex) }
            let step = SpectralStep.size(gb)
            let ok = scales.withUnsafeMutableBufferPointer { sc in
                for c in 0 ..< ch {
                    if predictsSide {
                        let at = sc.baseAddress! + c * nb
                        let previousActive = side.withPrevious(short: info.isShort, channel: c) { $0?.active ?? -1 }
                        guard let a = SideCoding.decodeActive(bandCount: nb, previous: previousActive, &d) else { return false }
                        let ok = side.withPrevious(short: info.isShort, channel: c) { previous in
                            SideCoding.decodeScales(at, active: a, bandCount: nb, edges: layout.edges, off: off, previous: previous,
                                                    blockStep: gb, &d)
                        }
                        guard ok else { return false }
                        side.remember(short: info.isShort, channel: c, scales: at, bandCount: nb, active: a, blockStep: gb)
                        active[c] = a
                    } else {
                        guard let a = ScaleCoding.decode(sc.baseAddress! + c * nb, bandCount: nb, off: off, &d) else { return false }
                        active[c] = a
                    }
                    if let masking {
                        offsets.withUnsafeMutableBufferPointer { k in
                            (info.isShort ? masking.short : masking.long).offsets(scales: sc.baseAddress! + c * nb, bandCount: nb,
                                                                                  strength: strength, into: k.baseAddress! + c * nb)
                        }
                    }
                }
                return true
            }
            guard ok else { return nil }
            let pairActive = ch == 2 ? max(active[0], active[1]) : 0
            for b in 0 ..< nb { midSide[b] = b < pairActive && d.decodeBits(count: 1) == 1 }
            for c in 0 ..< ch {
                let x = coefficients + c * n + block * blockSize
                for b in 0 ..< nb {
                    let lo = layout.edges[b], w = layout.edges[b + 1] - lo
                    let s = Int(scales[c * nb + b])
                    if b >= active[c] || s == off {
                        for t in 0 ..< w { x[lo + t] = 0 }
                        continue
                    }
                    let k = masking == nil ? 0 : Int(offsets[c * nb + b])
                    if s - k < GaussianModel.minScale {
                        // Version 3 noise band: its energy as ±σ̂ with seeded signs, straight in
                        // the MDCT domain (no rotation: flat noise of the band's energy).
                        let bandSeed = SpectralNoiseFill.bandSeed(stream: seed, frame: frame, block: block, channel: c, band: b)
                        SpectralNoiseFill.fill(x + lo, count: w, level: step * SpectralNoiseFill.ratio(scale: s), seed: bandSeed)
                        continue
                    } else {
                        let bandStep = k == 0 ? step : step * SpectralNoiseFill.ratio(scale: k)
                        guard CoefficientCoding.decode(x + lo, count: w, scale: s - k, step: bandStep, &d) else { return nil }
                        if fillsNoise && s - k < SpectralNoiseFill.zeroFillScaleLimit {
                            let bandSeed = SpectralNoiseFill.bandSeed(stream: seed, frame: frame, block: block, channel: c, band: b)
                            SpectralNoiseFill.restore(x + lo, count: w, sigma: step * SpectralNoiseFill.ratio(scale: s), step: bandStep,
                                                      rounding: GaussianModel.model(scale: s - k).rounding, seed: bandSeed)
                        }
                    }
                    if bands.rotates { layout.rotations[b].unrotate(UnsafeMutableBufferPointer(start: x + lo, count: w)) }
                }
            }
            if ch == 2 {
                let l = coefficients + block * blockSize, r = coefficients + n + block * blockSize
                for b in 0 ..< pairActive where midSide[b] {
                    for t in layout.edges[b] ..< layout.edges[b + 1] {
                        let m = l[t], s = r[t]
                        l[t] = (m + s) * half
                        r[t] = (m - s) * half
                    }
                }
            }
        }
        return info
    }
}
