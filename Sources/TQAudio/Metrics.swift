import Foundation

/// Fidelity of one channel (or all channels pooled) of a test signal against its reference.
public struct FidelityMetrics: Sendable, Equatable {
    /// Mean squared error, full scale ±1.
    public var mse: Double
    /// 10·log10(Σref² / Σ(ref − test)²); +∞ when identical, −∞ for a silent reference.
    public var snrDB: Double
    /// Pearson correlation of the two signals (0 when either is constant).
    public var correlation: Double
    public var peakReference: Double
    public var peakTest: Double
    /// |peakReference − peakTest|.
    public var peakDelta: Double
    /// Mean over 20 ms segments of the segment SNR, each clamped to [−10, 100] dB; segments whose
    /// reference is below −70 dBFS RMS are left out. NaN when no segment qualifies.
    public var segmentalSNRDB: Double
    /// Log-spectral distance in dB: RMS over frequency of the difference of the 10·log10 power
    /// spectra (2048-point Hann frames, hop 1024, floor 1e-10), averaged over frames. NaN when
    /// the signals are shorter than one frame.
    public var lsdDB: Double
}

/// Accumulates fidelity metrics over a signal given in chunks, in bounded memory.
public struct MetricsAccumulator {
    public let channelCount: Int
    public let sampleRate: Int
    public private(set) var frames = 0

    private struct Sums {
        var ref2 = 0.0, err2 = 0.0, test2 = 0.0, cross = 0.0, refSum = 0.0, testSum = 0.0
        var peakRef = 0.0, peakTest = 0.0
        var segSum = 0.0, segCount = 0
        var lsdSum = 0.0, lsdCount = 0
        mutating func add(_ o: Sums) {
            ref2 += o.ref2; err2 += o.err2; test2 += o.test2; cross += o.cross; refSum += o.refSum; testSum += o.testSum
            peakRef = max(peakRef, o.peakRef); peakTest = max(peakTest, o.peakTest)
            segSum += o.segSum; segCount += o.segCount; lsdSum += o.lsdSum; lsdCount += o.lsdCount
        }
    }

    private var sums: [Sums]
    private var segRef: [[Float]]
    private var segTest: [[Float]]
    private var lsdRef: [[Float]]
    private var lsdTest: [[Float]]
    private let segmentLength: Int
    static let lsdSize = 2048
    private let fft = RealFFT(size: MetricsAccumulator.lsdSize)
    private let window: [Float]

    public init(channelCount: Int, sampleRate: Int) {
        self.channelCount = channelCount
        self.sampleRate = sampleRate
        sums = Array(repeating: Sums(), count: channelCount)
        segRef = Array(repeating: [], count: channelCount)
        segTest = segRef; lsdRef = segRef; lsdTest = segRef
        segmentLength = max(1, sampleRate / 50)
        let n = MetricsAccumulator.lsdSize
        window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
    }

    /// Adds the next frames; `reference` and `test` must have `channelCount` channels and the
    /// same frame count.
    public mutating func add(reference: AudioBuffer, test: AudioBuffer) {
        precondition(reference.channelCount == channelCount && test.channelCount == channelCount)
        precondition(reference.frameCount == test.frameCount)
        for c in 0..<channelCount {
            let r = Array(reference.channel(c)), t = Array(test.channel(c))
            var s = sums[c]
            for i in 0..<r.count {
                let a = Double(r[i]), b = Double(t[i]), d = a - b
                s.ref2 += a * a; s.test2 += b * b; s.err2 += d * d; s.cross += a * b
                s.refSum += a; s.testSum += b
                s.peakRef = max(s.peakRef, abs(a)); s.peakTest = max(s.peakTest, abs(b))
            }
            segRef[c] += r; segTest[c] += t
            var start = 0
            while segRef[c].count - start >= segmentLength {
                var e = 0.0, p = 0.0
                for i in start ..< start + segmentLength {
                    let a = Double(segRef[c][i]), d = a - Double(segTest[c][i])
                    p += a * a; e += d * d
                }
                if p / Double(segmentLength) > 1e-7 {
                    let snr = e == 0 ? 100 : min(100, max(-10, 10 * log10(p / e)))
                    s.segSum += snr; s.segCount += 1
                }
                start += segmentLength
            }
            segRef[c].removeFirst(start); segTest[c].removeFirst(start)
            lsdRef[c] += r; lsdTest[c] += t
            let n = MetricsAccumulator.lsdSize
            start = 0
            while lsdRef[c].count - start >= n {
                var a = [Float](repeating: 0, count: n), b = a
                for i in 0..<n { a[i] = lsdRef[c][start + i] * window[i]; b[i] = lsdTest[c][start + i] * window[i] }
                let pa = fft.powerSpectrum(a), pb = fft.powerSpectrum(b)
                var d2 = 0.0
                for k in 0..<pa.count {
                    let d = 10 * log10(Double(pa[k]) + 1e-10) - 10 * log10(Double(pb[k]) + 1e-10)
                    d2 += d * d
                }
                s.lsdSum += (d2 / Double(pa.count)).squareRoot(); s.lsdCount += 1
                start += n / 2
            }
            lsdRef[c].removeFirst(start); lsdTest[c].removeFirst(start)
            sums[c] = s
        }
        frames += reference.frameCount
    }

    /// Metrics per channel.
    public var channels: [FidelityMetrics] { sums.map { metrics($0, count: frames) } }

    /// Metrics over all channels pooled.
    public var overall: FidelityMetrics {
        var total = Sums()
        for s in sums { total.add(s) }
        return metrics(total, count: frames * channelCount)
    }

    private func metrics(_ s: Sums, count: Int) -> FidelityMetrics {
        let n = Double(max(count, 1))
        let snr = s.err2 == 0 ? (s.ref2 == 0 ? .nan : .infinity) : 10 * log10(s.ref2 / s.err2)
        let vr = s.ref2 / n - (s.refSum / n) * (s.refSum / n)
        let vt = s.test2 / n - (s.testSum / n) * (s.testSum / n)
        let cov = s.cross / n - (s.refSum / n) * (s.testSum / n)
        let corr = vr > 0 && vt > 0 ? cov / (vr * vt).squareRoot() : 0
        return FidelityMetrics(mse: s.err2 / n, snrDB: snr, correlation: corr, peakReference: s.peakRef, peakTest: s.peakTest,
                               peakDelta: abs(s.peakRef - s.peakTest),
                               segmentalSNRDB: s.segCount > 0 ? s.segSum / Double(s.segCount) : .nan,
                               lsdDB: s.lsdCount > 0 ? s.lsdSum / Double(s.lsdCount) : .nan)
    }
}

extension FidelityMetrics {
    /// Metrics of whole buffers, all channels pooled.
    public static func compare(_ reference: AudioBuffer, _ test: AudioBuffer) -> FidelityMetrics {
        var acc = MetricsAccumulator(channelCount: reference.channelCount, sampleRate: reference.sampleRate)
        acc.add(reference: reference, test: test)
        return acc.overall
    }
}
