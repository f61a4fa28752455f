/// Parameter version 4's side information (docs/SPECTRAL.md, "Perceptual tuning", item 7): a
/// frame's step index, each block's active band count and band scales are coded against what the
/// previous frame and block of the same kind coded in the same packet, instead of as raw bits and
/// one fixed delta table. The state starts empty at every packet, so a packet still decodes
/// alone (random access unchanged). Encoder and decoder side by side; decoders bound every value
/// and report damage instead of trapping.
struct SideInformationPrediction {
    /// The previous frame's step index g in this packet.
    var step: Int?
    /// Per block kind (0 long, 1 short) and channel: the last block's scales, active count and
    /// block step index; `active[i] < 0` when there is none yet in this packet.
    private(set) var scales: [Int32]
    private(set) var active: [Int]
    private(set) var blockStep: [Int]
    let channels: Int
    let stride: Int

    init(channels: Int, maxBands: Int) {
        self.channels = channels
        stride = maxBands
        scales = [Int32](repeating: 0, count: 2 * channels * maxBands)
        active = [Int](repeating: -1, count: 2 * channels)
        blockStep = [Int](repeating: 0, count: 2 * channels)
    }

    /// Forgets everything: the start of a packet.
    mutating func reset() {
        step = nil
        for i in active.indices { active[i] = -1 }
    }

    func slot(short: Bool, channel: Int) -> Int { (short ? channels : 0) + channel }

    /// Calls `body` with the last block of this kind and channel, or nil.
    func withPrevious<R>(short: Bool, channel: Int, _ body: ((scales: UnsafePointer<Int32>, active: Int, blockStep: Int)?) -> R) -> R {
        let i = slot(short: short, channel: channel)
        guard active[i] >= 0 else { return body(nil) }
        return scales.withUnsafeBufferPointer { body(($0.baseAddress! + i * stride, active[i], blockStep[i])) }
    }

    /// Remembers the block just coded.
    mutating func remember(short: Bool, channel: Int, scales s: UnsafePointer<Int32>, bandCount: Int, active a: Int, blockStep gb: Int) {
        let i = slot(short: short, channel: channel)
        for b in 0 ..< bandCount { scales[i * stride + b] = s[b] }
        active[i] = a
        blockStep[i] = gb
    }
}

enum SideCoding {
    /// Residuals −limit…limit, then an escape (followed by the value as raw bits).
    static let scaleLimit = 20
    static let stepLimit = 60

    /// Scale residual tables by band width (4, 8, 16, 32, ≥ 64 coefficients): a band's scale is
    /// estimated from its own w coefficients, so narrow bands' scales scatter more. Fitted on the
    /// residuals of 16 kHz speech (frames of 256) and 48 kHz music (2048) at 32 and 96 kbit/s:
    /// P(0) ≈ 0.10, 0.13, 0.14, 0.22, 0.30 and ratios 0.76, 0.68, 0.64, 0.48, 0.44; the two
    /// kinds of audio gave the same fit for the same width.
    static let scaleTables: [[UInt32]] = [
        ScaleCoding.geometricTable(first: 3476, ratio64: 49, limit: scaleLimit),
        ScaleCoding.geometricTable(first: 4459, ratio64: 44, limit: scaleLimit),
        ScaleCoding.geometricTable(first: 5068, ratio64: 41, limit: scaleLimit),
        ScaleCoding.geometricTable(first: 6584, ratio64: 31, limit: scaleLimit),
        ScaleCoding.geometricTable(first: 6443, ratio64: 28, limit: scaleLimit),
    ]
    /// `scaleTables` end to end (each `scaleTableStride` long), for the decoder's loop.
    static let scaleTableStride = 2 * scaleLimit + 3
    static let flatScaleTables: [UInt32] = scaleTables.flatMap { $0 }
    /// Frame-to-frame step index changes (the loudness offsets and the rate dither move g):
    /// P(0) ≈ 0.16, ratio 0.82.
    static let stepTable = ScaleCoding.geometricTable(first: 2590, ratio64: 52, limit: stepLimit)

    @inline(__always)
    static func scaleTable(width: Int) -> Int { min(max(Int.bitWidth - width.leadingZeroBitCount - 3, 0), scaleTables.count - 1) }

    // MARK: step index

    static func encodeStep(_ g: Int, previous: Int?, _ e: inout RangeEncoder) {
        guard let previous else { return e.encodeBits(UInt32(g), count: SpectralStep.bits) }
        encodeResidual(g - previous, table: stepTable, limit: stepLimit, &e) { $0.encodeBits(UInt32(g), count: SpectralStep.bits) }
    }

    static func decodeStep(previous: Int?, _ d: inout RangeDecoder) -> Int? {
        guard let previous else { return Int(d.decodeBits(count: SpectralStep.bits)) }
        let r = decodeResidual(table: stepTable, limit: stepLimit, &d)
        let g = r.map { previous + $0 } ?? Int(d.decodeBits(count: SpectralStep.bits))
        return (0 ... SpectralStep.maxIndex).contains(g) ? g : nil
    }

    // MARK: active band count

    /// One raw bit "as the previous block of this kind and channel", else the count's raw bits.
    static func encodeActive(_ active: Int, bandCount: Int, previous: Int, _ e: inout RangeEncoder) {
        if previous >= 0 {
            e.encodeBits(active == previous ? 1 : 0, count: 1)
            if active == previous { return }
        }
        e.encodeBits(UInt32(active), count: ScaleCoding.countBits(bandCount))
    }

    static func decodeActive(bandCount: Int, previous: Int, _ d: inout RangeDecoder) -> Int? {
        if previous >= 0 && d.decodeBits(count: 1) == 1 { return previous }
        let a = Int(d.decodeBits(count: ScaleCoding.countBits(bandCount)))
        return a <= bandCount ? a : nil
    }

    // MARK: scales

    /// The prediction of band b's scale: band 0 from the previous block's band 0, moved by the
    /// change of step (a scale is 4·log2(σ/Δ), and Δ halves every 32 step indices); band b ≥ 1
    /// from band b − 1 plus ¾ of the previous block's step from b − 1 to b, where the previous
    /// block coded both (otherwise band b − 1 alone).
    @inline(__always)
    static func prediction(band b: Int, scales s: UnsafePointer<Int32>, previous p: UnsafePointer<Int32>?, previousActive: Int,
                           stepChange: Int, off: Int32) -> Int {
        if b == 0 { return Int(p![0]) + ((stepChange + 4) >> 3) }
        if let p, b < previousActive, p[b] != off, p[b - 1] != off {
            return Int(s[b - 1]) + ((3 * Int(p[b] - p[b - 1]) + 2) >> 2)
        }
        return Int(s[b - 1])
    }

    /// Codes scales[0..<active]; `previous` is the last block of this kind and channel in the
    /// packet (nil: none, band 0 goes as raw bits).
    static func encodeScales(_ scales: UnsafePointer<Int32>, active: Int, edges: [Int], off: Int,
                             previous: (scales: UnsafePointer<Int32>, active: Int, blockStep: Int)?, blockStep: Int, _ e: inout RangeEncoder) {
        guard active > 0 else { return }
        let p = previous.flatMap { $0.active > 0 ? $0 : nil }
        for b in 0 ..< active {
            let s = Int(scales[b])
            if b == 0 && p == nil {
                e.encodeBits(UInt32(s - off), count: ScaleCoding.absoluteBits)
                continue
            }
            let pred = prediction(band: b, scales: scales, previous: p?.scales, previousActive: p?.active ?? 0,
                                  stepChange: blockStep - (p?.blockStep ?? 0), off: Int32(off))
            encodeResidual(s - pred, table: scaleTables[scaleTable(width: edges[b + 1] - edges[b])], limit: scaleLimit, &e) {
                $0.encodeBits(UInt32(s - off), count: ScaleCoding.absoluteBits)
            }
        }
    }

    /// Decodes scales[0..<bandCount] (off from `active` up); false when a value is out of range.
    static func decodeScales(_ scales: UnsafeMutablePointer<Int32>, active: Int, bandCount: Int, edges: [Int], off: Int,
                             previous: (scales: UnsafePointer<Int32>, active: Int, blockStep: Int)?, blockStep: Int,
                             _ d: inout RangeDecoder) -> Bool {
        for b in 0 ..< bandCount { scales[b] = Int32(off) }
        let p = previous.flatMap { $0.active > 0 ? $0 : nil }
        return flatScaleTables.withUnsafeBufferPointer { tables in
            edges.withUnsafeBufferPointer { e in
                for b in 0 ..< active {
                    var s: Int
                    if b == 0 && p == nil {
                        s = Int(d.decodeBits(count: ScaleCoding.absoluteBits)) + off
                    } else {
                        let at = scaleTable(width: e[b + 1] - e[b]) * scaleTableStride
                        let sym = d.decode(cumulative: UnsafeBufferPointer(rebasing: tables[at ..< at + scaleTableStride]),
                                           totalBits: GaussianModel.totalBits)
                        if sym == 2 * scaleLimit + 1 {
                            s = Int(d.decodeBits(count: ScaleCoding.absoluteBits)) + off
                        } else {
                            s = prediction(band: b, scales: scales, previous: p?.scales, previousActive: p?.active ?? 0,
                                           stepChange: blockStep - (p?.blockStep ?? 0), off: Int32(off)) + sym - scaleLimit
                        }
                    }
                    guard s >= off && s <= GaussianModel.maxScale else { return false }
                    scales[b] = Int32(s)
                }
                return true
            }
        }
    }

    // MARK: residuals

    @inline(__always)
    static func encodeResidual(_ r: Int, table: [UInt32], limit: Int, _ e: inout RangeEncoder, escaped: (inout RangeEncoder) -> Void) {
        let sym = abs(r) <= limit ? r + limit : 2 * limit + 1
        e.encode(cumulative: table[sym], frequency: table[sym + 1] - table[sym], totalBits: GaussianModel.totalBits)
        if sym == 2 * limit + 1 { escaped(&e) }
    }

    /// The residual, or nil for the escape (the caller reads the raw value).
    @inline(__always)
    static func decodeResidual(table: [UInt32], limit: Int, _ d: inout RangeDecoder) -> Int? {
        let sym = table.withUnsafeBufferPointer { d.decode(cumulative: $0, totalBits: GaussianModel.totalBits) }
        return sym == 2 * limit + 1 ? nil : sym - limit
    }
}
