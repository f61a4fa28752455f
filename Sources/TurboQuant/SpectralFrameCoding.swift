import Foundation

/// One frame of the spectral bitstream, encoder and decoder side by side (docs/SPECTRAL.md,
/// "Frame"):
///
///     short (1) prevShort (1) nextShort (1) g (11)
///     for each block (1 long, or shortBlockCount short):
///         short blocks only: step boost (8), the block's step index is min(g + boost, 2047)
///         for each channel: active band count, scale of band 0 (8 raw bits), scale deltas
///         stereo only: one M/S bit per band below the larger active count
///         for each channel, each coded band: the rotated band's coefficients
struct SpectralFrameEncoder {
    let bands: SpectralBands
    let channels: Int
    private var scales: [Int32]
    private var active: [Int]
    private var band: [Float]

    init(bands: SpectralBands, channels: Int) {
        self.bands = bands
        self.channels = channels
        scales = [Int32](repeating: 0, count: channels * bands.long.bandCount)
        active = [Int](repeating: 0, count: channels)
        band = [Float](repeating: 0, count: bands.long.blockSize)
    }

    /// Short blocks get a water level at least this far below their mean energy.
    static let transientMarginDB: Float = 36

    /// Step index increase that puts θ = Δ²/12 `transientMarginDB` below `meanEnergy`.
    static func transientBoost(meanEnergy: Float, g: Int) -> Int {
        guard meanEnergy > 0 else { return 0 }
        let theta = meanEnergy * powf(10, -transientMarginDB / 10)
        // Δ = 2^(8 − g/32) ⇒ g = 32·(8 − log2 Δ), Δ = √(12θ).
        let needed = Int((32 * (8 - 0.5 * log2f(12 * theta))).rounded(.up))
        return min(max(needed - g, 0), (1 << SpectralStep.boostBits) - 1)
    }

    /// Codes frame `j` of the chunk at step index g; returns its squared error.
    mutating func encode(_ chunk: SpectralChunk, frame j: Int, g: Int, _ e: inout RangeEncoder) -> Double {
        let isShort = chunk.modes[j + 1]
        e.encodeBits(isShort ? 1 : 0, count: 1)
        e.encodeBits(chunk.modes[j] ? 1 : 0, count: 1)
        e.encodeBits(chunk.modes[j + 2] ? 1 : 0, count: 1)
        e.encodeBits(UInt32(g), count: SpectralStep.bits)
        let layout = bands.layout(short: isShort)
        let nb = layout.bandCount, n = bands.long.blockSize, ch = channels, stride = chunk.entryStride
        let blockSize = layout.blockSize
        var noise = 0.0
        for block in 0 ..< bands.blockCount(short: isShort) {
            var gb = g
            if isShort {
                // Pre-echo guard: a short block's water level stays ≥ `transientMarginDB` below
                // its own mean energy (the loudest channel's), whatever the global level.
                var energy: Float = 0
                for c in 0 ..< ch {
                    var sum: Float = 0
                    for b in 0 ..< nb {
                        let idx = (j * ch + c) * stride + block * nb + b
                        sum += chunk.variances[idx] * Float(layout.edges[b + 1] - layout.edges[b])
                    }
                    energy = max(energy, sum / Float(blockSize))
                }
                let boost = SpectralFrameEncoder.transientBoost(meanEnergy: energy, g: g)
                e.encodeBits(UInt32(boost), count: SpectralStep.boostBits)
                gb = min(g + boost, SpectralStep.maxIndex)
            }
            let step = SpectralStep.size(gb)
            let offset = Float(gb) / 8
            scales.withUnsafeMutableBufferPointer { sc in
                for c in 0 ..< ch {
                    var last = 0
                    for b in 0 ..< nb {
                        let idx = (j * ch + c) * stride + block * nb + b
                        var s = Int(chunk.logVariances[idx] + offset + 1024.5) - 1024
                        if s < GaussianModel.minScale {
                            s = GaussianModel.off
                            noise += Double(chunk.variances[idx]) * Double(layout.edges[b + 1] - layout.edges[b])
                        } else {
                            s = min(s, GaussianModel.maxScale)
                            last = b + 1
                        }
                        sc[c * nb + b] = Int32(s)
                    }
                    active[c] = last
                    ScaleCoding.encode(sc.baseAddress! + c * nb, bandCount: nb, active: last, &e)
                }
            }
            if ch == 2 {
                for b in 0 ..< max(active[0], active[1]) {
                    e.encodeBits(chunk.midSide[j * stride + block * nb + b] ? 1 : 0, count: 1)
                }
            }
            chunk.coefficients.withUnsafeBufferPointer { co in
                band.withUnsafeMutableBufferPointer { tmp in
                    for c in 0 ..< ch {
                        let x = co.baseAddress! + (j * ch + c) * n + block * blockSize
                        for b in 0 ..< active[c] {
                            let s = Int(scales[c * nb + b])
                            if s == GaussianModel.off { continue }
                            let lo = layout.edges[b], w = layout.edges[b + 1] - lo
                            let buf = UnsafeMutableBufferPointer(rebasing: tmp[0 ..< w])
                            for t in 0 ..< w { buf[t] = x[lo + t] }  // already rotated (SpectralChunk)
                            noise += Double(CoefficientCoding.encode(buf.baseAddress!, count: w, scale: s, step: step, &e))
                        }
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
    private var scales: [Int32]
    private var active: [Int]
    private var midSide: [Bool]

    struct FrameInfo { var isShort: Bool; var prevShort: Bool; var nextShort: Bool }

    init(bands: SpectralBands, channels: Int) {
        self.bands = bands
        self.channels = channels
        scales = [Int32](repeating: 0, count: channels * bands.long.bandCount)
        active = [Int](repeating: 0, count: channels)
        midSide = [Bool](repeating: false, count: bands.long.bandCount)
    }

    /// Decodes one frame into coefficients[c·N ..< (c+1)·N]; nil when the stream is damaged.
    mutating func decode(_ d: inout RangeDecoder, into coefficients: UnsafeMutablePointer<Float>) -> FrameInfo? {
        let info = FrameInfo(isShort: d.decodeBits(count: 1) == 1, prevShort: d.decodeBits(count: 1) == 1,
                             nextShort: d.decodeBits(count: 1) == 1)
        let g = Int(d.decodeBits(count: SpectralStep.bits))
        let layout = bands.layout(short: info.isShort)
        let nb = layout.bandCount, n = bands.long.blockSize, ch = channels, blockSize = layout.blockSize
        let half = Float(0.5).squareRoot()
        for block in 0 ..< bands.blockCount(short: info.isShort) {
            var gb = g
            if info.isShort { gb = min(g + Int(d.decodeBits(count: SpectralStep.boostBits)), SpectralStep.maxIndex) }
            let step = SpectralStep.size(gb)
            let ok = scales.withUnsafeMutableBufferPointer { sc in
                for c in 0 ..< ch {
                    guard let a = ScaleCoding.decode(sc.baseAddress! + c * nb, bandCount: nb, &d) else { return false }
                    active[c] = a
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
                    if b >= active[c] || s == GaussianModel.off {
                        for t in 0 ..< w { x[lo + t] = 0 }
                        continue
                    }
                    guard CoefficientCoding.decode(x + lo, count: w, scale: s, step: step, &d) else { return nil }
                    layout.rotations[b].unrotate(UnsafeMutableBufferPointer(start: x + lo, count: w))
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
