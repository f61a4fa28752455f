/// The perceptual tuning's encoder choices (`SpectralTuning.perceptual`): not part of the format,
/// so changing one changes which valid version-3 stream is written, never whether it decodes.
extension SpectralEncoder {
    enum Perceptual {
        /// Low-pass cut-off (Hz) by rate per channel (bits per second): the bands above are not
        /// coded at all, neither coefficients nor energy. Noise bands cost only their scale (about
        /// 2–3 bits per band and block), so the cut-off stays high; it only drops where even the
        /// scales would take a noticeable share of the rate. Pairs (minimum rate, cut-off), the
        /// first that the rate reaches applies.
        static let cutoffs: [(bitsPerSecond: Double, hz: Double)] = [(28000, 20000), (20000, 16000), (12000, 12000), (0, 8000)]

        /// The cut-off for `target`; nil (no low-pass) at an SNR target.
        static func cutoffHz(target: SpectralTarget, sampleRate: Int) -> Double? {
            guard case .bitsPerSample(let x) = target else { return nil }
            let perChannel = x * Double(sampleRate)
            return cutoffs.first { perChannel >= $0.bitsPerSecond }?.hz
        }

        /// Bands of `layout` that start below `hz` (all when nil).
        static func bandLimit(_ layout: BandLayout, sampleRate: Int, hz: Double?) -> Int {
            guard let hz else { return layout.bandCount }
            let nyquist = Double(sampleRate) / 2
            var b = 0
            while b < layout.bandCount && Double(layout.edges[b]) * nyquist / Double(layout.blockSize) < hz { b += 1 }
            return max(1, b)
        }
    }
}
