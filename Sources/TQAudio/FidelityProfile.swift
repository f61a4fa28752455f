import Foundation

/// How the error of a test signal is spread over frequency and time, for one channel: the
/// material of `tqa compare --plot`. Built by `MetricsAccumulator.profiles`.
public struct FidelityProfile: Sendable {
    /// The SNR of one octave band of the long-term spectra.
    public struct Band: Sendable, Equatable {
        public var lowHz: Double
        public var highHz: Double
        public var centerHz: Double
        /// 10·log10(Σ reference power / Σ error power) over the band's bins; +∞ without error,
        /// NaN when the reference has no power there.
        public var snrDB: Double
    }

    /// Frequency of each spectrum bin, Hz: k·rate/N for k = 1…N/2 (DC is left out: it has no
    /// place on a log-frequency axis).
    public var frequencies: [Double]
    /// Long-term (Welch: Hann frames of N = 2048, hop N/2, power averaged) spectrum of the
    /// reference, dB re a full-scale sine's peak bin (a full-scale sine reads 0 dB); −∞ where zero.
    public var referenceDB: [Double]
    /// The same for the error, reference − test.
    public var errorDB: [Double]
    /// Octave bands centred on 1 kHz·2^j (edges at centre/√2 and centre·√2), from the one holding
    /// 20 Hz up to the one holding Nyquist, each clipped to the bins it covers. Empty when the
    /// signal is shorter than one frame.
    public var bands: [Band]
    /// Length of one segment of `segmentSNRDB`, seconds (20 ms).
    public var segmentSeconds: Double
    /// SNR of each 20 ms segment, dB, clamped to [−10, 100]; NaN for a silent segment (as in
    /// `FidelityMetrics.segmentalSNRDB`).
    public var segmentSNRDB: [Double]

    /// From the sums of `frameCount` power spectra (N/2 + 1 bins each) of reference and error.
    public init(sampleRate: Int, fftSize: Int, fullScaleBinPower: Double, referencePowerSum: [Double], errorPowerSum: [Double],
                frameCount: Int, segmentSeconds: Double, segmentSNRDB: [Double]) {
        let binHz = Double(sampleRate) / Double(fftSize)
        let bins = 1 ..< referencePowerSum.count
        let scale = 1 / (Double(max(frameCount, 1)) * fullScaleBinPower)
        frequencies = bins.map { Double($0) * binHz }
        referenceDB = bins.map { 10 * log10(referencePowerSum[$0] * scale) }
        errorDB = bins.map { 10 * log10(errorPowerSum[$0] * scale) }
        self.segmentSeconds = segmentSeconds
        self.segmentSNRDB = segmentSNRDB
        bands = []
        guard frameCount > 0 else { return }
        let nyquist = Double(sampleRate) / 2
        var j = Int((log2(20.0 / 1000) ).rounded(.down))
        while true {
            let center = 1000 * pow(2, Double(j)), low = center / 2.0.squareRoot(), high = center * 2.0.squareRoot()
            if low >= nyquist { break }
            j += 1
            if high <= 20 { continue }
            var r = 0.0, e = 0.0
            for k in bins where Double(k) * binHz >= low && Double(k) * binHz < high { r += referencePowerSum[k]; e += errorPowerSum[k] }
            let snr = r == 0 ? Double.nan : (e == 0 ? .infinity : 10 * log10(r / e))
            bands.append(Band(lowHz: low, highHz: min(high, nyquist), centerHz: center, snrDB: snr))
        }
    }

    /// `segmentSNRDB` reduced to at most `count` points by averaging runs of segments (silent ones
    /// left out; NaN for an all-silent run): (start time in seconds, SNR dB) pairs.
    public func segmentSNRSeries(maxPoints count: Int) -> [(seconds: Double, snrDB: Double)] {
        guard !segmentSNRDB.isEmpty, count > 0 else { return [] }
        let run = (segmentSNRDB.count + count - 1) / count
        return stride(from: 0, to: segmentSNRDB.count, by: run).map { i in
            let values = segmentSNRDB[i ..< min(i + run, segmentSNRDB.count)].filter { !$0.isNaN }
            let mean = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
            return (Double(i) * segmentSeconds, mean)
        }
    }
}
