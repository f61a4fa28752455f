import Foundation

/// The encoder's view of a chunk of frames after the MDCT: coefficients (frames × channels × N,
/// stereo bands already in M/S where chosen, then each band rotated), per-band variances and the statistics the step
/// search runs on.
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

    /// An equidistributed offset in [0, 1) for frame f: per-frame step indices ⌊g + dither⌋
    /// average to g, so that the rate can be set finer than one step.
    static func dither(_ f: Int) -> Double {
        let x = Double(f % 1_000_003) * 0.6180339887498949
        return x - x.rounded(.down)
    }

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

    /// M/S decisions, band rotations and statistics; with `statisticsOnly`, the statistics of
    /// the coefficients as they are (for provisional decisions).
    mutating func prepare(bands: SpectralBands, statisticsOnly: Bool = false) {
        let n = bands.long.blockSize
        entryStride = max(bands.longEntries.count, bands.shortEntries.count)
        let stride = entryStride, ch = channels
        midSide = [Bool](repeating: false, count: frames * stride)
        variances = [Float](repeating: 0, count: frames * ch * stride)
        logVariances = [Float](repeating: -1e9, count: frames * ch * stride)
        statistics.reserve(frames * ch * stride)
        var energy = 0.0
        let half = Float(0.5).squareRoot()
        coefficients.withUnsafeMutableBufferPointer { co in
            for i in 0 ..< frames {
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
                        let tiny = 1e-24 * Float(entry.width)
                        if max(em, tiny) * max(es, tiny) < 0.95 * max(el, tiny) * max(er, tiny) {
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
                        if !statisticsOnly { rotations[entry.band].rotate(UnsafeMutableBufferPointer(start: x + entry.offset, count: entry.width)) }
                        var sum: Float = 0
                        for t in entry.offset ..< entry.offset + entry.width { sum += x[t] * x[t] }
                        energy += Double(sum)
                        let v = sum / Float(entry.width)
                        let idx = (i * ch + c) * stride + e
                        variances[idx] = v
                        logVariances[idx] = v > 0 ? 2 * log2f(v) - 32 : -1e9
                        statistics.append(width: entry.width, variance: v)
                    }
                }
            }
        }
        statistics.frameStarts.append(statistics.widths.count)
        signalEnergy = energy
    }
}
