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
    /// reference is below −70 dBFS RMS (`MetricsAccumulator.silenceDB`) are left out. NaN when no
    /// segment qualifies.
    public var segmentalSNRDB: Double
    /// Log-spectral distance in dB (Gray & Markel, "Distance measures for speech processing",
    /// IEEE Trans. ASSP 24(5), 1976; the RMS form used in speech enhancement and bandwidth
    /// extension), averaged over frames: per frame of 2048 samples (Hann window, hop 1024),
    ///
    ///     LSD = sqrt( mean over bins k = 0…1024 of (10·log10((|X_k|² + ε) / (|Y_k|² + ε)))² )
    ///
    /// with X the reference, Y the test, and ε = max(mean_k |X_k|² · 10^(−30/10), a full-scale
    /// sine's peak bin · 10^(−100/10)): a floor 30 dB below the frame's mean reference power
    /// (`MetricsAccumulator.lsdFloorDB`), at least −100 dB FS. Bins where both spectra are far
    /// below the frame's level count as equal, so an empty band (a band-limited source) adds
    /// little for small coding noise instead of dominating the mean. Frames whose reference is
    /// below −70 dB FS RMS (`MetricsAccumulator.silenceDB`) are left out. 0 for identical
    /// signals; NaN when no frame qualifies (shorter than one frame, or silent).
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
    /// Per channel: Σ over frames of the reference's and the error's power spectra, the frames
    /// summed, and each 20 ms segment's SNR (NaN when silent), for `profiles`.
    private var spectrumRef: [[Double]]
    private var spectrumErr: [[Double]]
    private var spectrumFrames: [Int]
    private var segmentSNR: [[Double]]
    private let segmentLength: Int
    /// FFT size of the spectral metrics (LSD, `profiles`); the hop is half of it.
    public static let lsdSize = 2048
    /// The LSD's floor below the frame's mean reference power, dB.
    public static let lsdFloorDB = -30.0
    /// The LSD's absolute floor, dB re a full-scale sine's peak bin.
    public static let lsdAbsoluteFloorDB = -100.0
    /// Segments (segmental SNR) and frames (LSD) whose reference mean square is below this,
    /// dB FS, count as silence and are left out.
    public static let silenceDB = -70.0
    private static let silencePower = pow(10, silenceDB / 10)
    /// |X_k|² of a full-scale sine (amplitude 1) at its bin, Hann window: (N/4)².
    static let fullScaleBinPower = Double(lsdSize / 4) * Double(lsdSize / 4)
    private let fft = RealFFT(size: MetricsAccumulator.lsdSize)
    private let window: [Float]

    public init(channelCount: Int, sampleRate: Int) {
        self.channelCount = channelCount
        self.sampleRate = sampleRate
        sums = Array(repeating: Sums(), count: channelCount)
        segRef = Array(repeating: [], count: channelCount)
        segTest = segRef; lsdRef = segRef; lsdTest = segRef
        spectrumRef = Array(repeating: Array(repeating: 0, count: MetricsAccumulator.lsdSize / 2 + 1), count: channelCount)
        spectrumErr = spectrumRef
        spectrumFrames = Array(repeating: 0, count: channelCount)
        segmentSNR = Array(repeating: [], count: channelCount)
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
                if p / Double(segmentLength) > MetricsAccumulator.silencePower {
                    let snr = e == 0 ? 100 : min(100, max(-10, 10 * log10(p / e)))
                    s.segSum += snr; s.segCount += 1
                    segmentSNR[c].append(snr)
                } else {
                    segmentSNR[c].append(.nan)
                }
                start += segmentLength
            }
            segRef[c].removeFirst(start); segTest[c].removeFirst(start)
            lsdRef[c] += r; lsdTest[c] += t
            let n = MetricsAccumulator.lsdSize
            start = 0
            while lsdRef[c].count - start >= n {
                var a = [Float](repeating: 0, count: n), b = a, e = a
                var power = 0.0
                for i in 0..<n {
                    let x = lsdRef[c][start + i], y = lsdTest[c][start + i]
                    power += Double(x) * Double(x)
                    a[i] = x * window[i]; b[i] = y * window[i]; e[i] = (x - y) * window[i]
                }
                let pa = fft.powerSpectrum(a), pb = fft.powerSpectrum(b), pe = fft.powerSpectrum(e)
                for k in 0..<pa.count { spectrumRef[c][k] += Double(pa[k]); spectrumErr[c][k] += Double(pe[k]) }
                spectrumFrames[c] += 1
                if power / Double(n) > MetricsAccumulator.silencePower {
                    s.lsdSum += MetricsAccumulator.logSpectralDistance(pa, pb); s.lsdCount += 1
                }
                start += n / 2
            }
            lsdRef[c].removeFirst(start); lsdTest[c].removeFirst(start)
            sums[c] = s
        }
        frames += reference.frameCount
    }

    /// One frame's LSD (see `FidelityMetrics.lsdDB`) of power spectra `x` (reference) and `y`.
    static func logSpectralDistance(_ x: [Float], _ y: [Float]) -> Double {
        let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
        let eps = max(mean * pow(10, lsdFloorDB / 10), fullScaleBinPower * pow(10, lsdAbsoluteFloorDB / 10))
        var d2 = 0.0
        for k in 0..<x.count {
            let d = 10 * log10((Double(x[k]) + eps) / (Double(y[k]) + eps))
            d2 += d * d
        }
        return (d2 / Double(x.count)).squareRoot()
    }

    /// Long-term spectra, per-band SNR and segmental SNR over time, per channel (for plots).
    public var profiles: [FidelityProfile] {
        (0..<channelCount).map { c in
            FidelityProfile(sampleRate: sampleRate, fftSize: MetricsAccumulator.lsdSize, fullScaleBinPower: MetricsAccumulator.fullScaleBinPower,
                            referencePowerSum: spectrumRef[c], errorPowerSum: spectrumErr[c], frameCount: spectrumFrames[c],
                            segmentSeconds: Double(segmentLength) / Double(sampleRate), segmentSNRDB: segmentSNR[c])
        }
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
