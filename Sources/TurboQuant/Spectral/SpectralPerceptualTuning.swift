/// The perceptual tuning's encoder choices (`SpectralTuning.perceptual`): not part of the format,
/// so changing one changes which valid version-4 stream is written, never whether it decodes.
extension SpectralEncoder {
    enum Perceptual {
        /// Low-pass cut-off (Hz) by rate per channel (bits per second): the bands above are not
        /// coded at all, neither coefficients nor energy. Noise bands cost only their scale (about
        /// 2–3 bits per band and block), so the cut-off stays high; it only drops where even the
        /// scales would take a noticeable share of the rate. Pairs (minimum rate, cut-off), the
        /// first that the rate reaches applies.
        static let cutoffs: [(bitsPerSecond: Double, hz: Double)] = [(28000, 20000), (20000, 16000), (12000, 12000), (0, 8000)]
        /// The same below 32 kHz (speech, 8 kHz Nyquist and less): none from 20 kbit/s, 7 kHz
        /// under. Measured (docs/SPECTRAL.md, "Perceptual tuning", 16 kHz speech, frames of 512,
        /// version 3): PESQ-WB means 3.44 / 4.16 / 4.44 at 16 / 24 / 32 kbit/s without a
        /// cut-off, 3.48 / 4.19 / 4.45 at 7.5 kHz, 3.55 / 4.17 / 4.39 at 7 kHz, 3.45 / 4.04 / 4.22
        /// at 6 kHz; version 4 (frames of 256, its side information cheaper) at 24 / 32 kbit/s
        /// 4.506 / 4.575 with 7.5 kHz, 4.508 / 4.577 without (item 7; development builds with
        /// the setting behind a temporary hook, not reproducible from a commit).
        static let cutoffsBelow32kHz: [(bitsPerSecond: Double, hz: Double)] = [(20000, .infinity), (0, 7000)]

        /// The cut-off for `target`; nil (no low-pass) at an SNR target.
        static func cutoffHz(target: SpectralTarget, sampleRate: Int, channelCount: Int) -> Double? {
            guard let x = target.bitsPerSample(sampleRate: sampleRate, channelCount: channelCount) else { return nil }
            let perChannel = x * Double(sampleRate)
            return (sampleRate < 32000 ? cutoffsBelow32kHz : cutoffs).first { perChannel >= $0.bitsPerSecond }?.hz
        }

        /// Frame size and short blocks below 32 kHz (speech): N = 256 with 4 short blocks (16 ms
        /// at 16 kHz, short blocks of 64) from 20 kbit/s per channel, N = 512 with 8 below, instead
        /// of `SpectralParameters.recommendedFrameSize`'s 1024. Measured on 16 kHz speech (PESQ-WB
        /// means at 16 / 24 / 32 kbit/s, with the cut-offs above): 3.55 / 4.19 / 4.45 with 512,
        /// 3.37 / 4.21 / 4.48 with 256; with 1024 and no cut-off 3.41 / 4.06 / 4.31. From 32 kHz
        /// up the recommended 2048 with 8 short blocks stays.
        static let framesBelow32kHz: [(bitsPerSecond: Double, frameSize: Int, shortBlocks: Int)] = [(20000, 256, 4), (0, 512, 8)]

        /// (frame size, short block count) for `target`; an SNR target takes the lowest rate's.
        static func frame(target: SpectralTarget, sampleRate: Int, channelCount: Int) -> (frameSize: Int, shortBlocks: Int) {
            guard sampleRate < 32000 else { return (SpectralParameters.recommendedFrameSize(sampleRate: sampleRate), 8) }
            let perChannel = target.bitsPerSample(sampleRate: sampleRate, channelCount: channelCount).map { $0 * Double(sampleRate) } ?? 0
            let row = framesBelow32kHz.first { perChannel >= $0.bitsPerSecond } ?? framesBelow32kHz[framesBelow32kHz.count - 1]
            return (row.frameSize, row.shortBlocks)
        }

        /// Below 32 kHz packets of about this many seconds instead of 8 frames (128 ms with the
        /// frames of 256 at 16 kHz): each packet costs its container framing (28 bytes), its
        /// range coders' flush and (version 4) its first frame's unpredicted side information,
        /// about 2 kbit/s at 8 frames of 256, 7 % of 32 kbit/s. A second (62 frames of 256 at
        /// 16 kHz, version 4's most) is as long as an Ogg page of Opus; seeking still lands on
        /// the sample, it only decodes up to a second more. Measured (docs/SPECTRAL.md,
        /// "Perceptual tuning", items 6 and 7): version 3, PESQ-WB at 16 / 24 / 32 kbit/s 3.82 /
        /// 4.41 / 4.53 with 8 frames, 3.87 / 4.44 / 4.54 with 16, 3.91 / 4.45 / 4.55 with 32;
        /// version 4 at 24 / 32 kbit/s 4.506 / 4.575 with half a second, 4.512 / 4.577 with a
        /// second (development builds, as above). From 32 kHz up the 8 frames stay (341 ms of
        /// 2048 at 48 kHz).
        static let packetSecondsBelow32kHz = 1.0

        /// Frames per packet for the perceptual frame size `frameSize`, within what the version
        /// the tuning writes allows.
        static func framesPerPacket(frameSize: Int, sampleRate: Int) -> Int {
            let standard = SpectralParameters.defaultFramesPerPacket
            guard sampleRate < 32000, frameSize > 0 else { return standard }
            let most = SpectralParameters(formatVersion: SpectralTuning.perceptual.formatVersion).allowedFramesPerPacket.upperBound
            let frames = (packetSecondsBelow32kHz * Double(sampleRate) / Double(frameSize)).rounded()
            return Int(min(max(frames, Double(standard)), Double(most)))
        }

        /// Whether attack blocks get the pre-echo guard (`SpectralFrameEncoder.transientMarginDB`,
        /// 35 dB under their own energy): from 32 kHz up, as in the MSE tuning, and wherever short
        /// blocks are longer than `unguardedShortBlock`. Below 32 kHz the perceptual frames'
        /// short blocks are 64 samples (4 ms at 16 kHz), so pre-echo stays inside the ear's
        /// backward masking, and the guard's finer steps on speech's many onsets cost the rest
        /// of the frame its bits. Measured (docs/SPECTRAL.md, "Perceptual tuning", item 6):
        /// PESQ-WB at 16 / 24 / 32 kbit/s 3.59 / 4.36 / 4.52 with the 35 dB guard, 3.71 / 4.38 /
        /// 4.53 at 25 dB, 3.78 / 4.40 / 4.53 at 15 dB, 3.82 / 4.41 / 4.53 without; music's
        /// ViSQOL at 64 kbit/s does not move (4.49 with and without), and there the guard stays.
        static func guardsPreEcho(sampleRate: Int, shortBlockSize: Int) -> Bool {
            sampleRate >= 32000 || shortBlockSize > unguardedShortBlock
        }

        /// Short blocks of at most this many samples go without the guard below 32 kHz: those of
        /// `framesBelow32kHz` (a caller's own larger frame size keeps the guard).
        static let unguardedShortBlock = 64

        /// The masking strength (`SpectralMasking.ranges` index) every frame is coded with: the
        /// strongest (K = 18 quarter octaves, 27 dB) from 32 kHz up, none below. Measured
        /// (docs/SPECTRAL.md, "Perceptual tuning"): on 48 kHz music at 64 kbit/s ViSQOL 4.37 /
        /// 4.38 / 4.43 / 4.48 at strengths 0…3 (wider ranges, other slopes: within 0.005 of
        /// strength 3); on 16 kHz speech at 24 kbit/s PESQ-WB 3.78 / – / 3.71 / 3.46 at 0, 2, 3:
        /// speech's harmonics want their precision, and PESQ has no use for the masking (frames of
        /// 512 at 16 kHz, no cut-off: 3.44 / 4.16 / 4.44 at 16 / 24 / 32 kbit/s with none, 3.23 / 3.97 / 4.42
        /// at q = 1).
        static let maskingStrengthFrom32kHz = 3
        static let maskingStrengthBelow32kHz = 0

        static func maskingStrength(target: SpectralTarget, sampleRate: Int) -> Int {
            sampleRate >= 32000 ? maskingStrengthFrom32kHz : maskingStrengthBelow32kHz
        }

        /// How far each frame's step follows the frame's energy (`SpectralChunk.stepOffsets`):
        /// noise power ∝ E_f^γ instead of one water level θ for every frame of a ~30 s chunk
        /// (reverse water-filling over time, γ = 0, leaves quiet passages with the loud ones'
        /// noise: at low rates audible in speech's softer syllables and pauses). Measured on the
        /// first 10 s of four recordings each (docs/SPECTRAL.md, "Perceptual tuning"): 16 kHz
        /// speech, PESQ-WB means at 16 / 24 / 32 kbit/s, 3.43 / 4.21 / 4.46 with γ = 0, 3.47 /
        /// 4.31 / 4.51 at 0.15, 3.55 / 4.35 / 4.52 at 0.3, 3.58 / 4.36 / 4.52 at 0.4, 3.58 / 4.36
        /// / 4.52 at 0.5, 3.59 / 4.35 / 4.52 at 0.7, 3.57 / 4.34 / 4.52 at 1; 48 kHz stereo music,
        /// ViSQOL at 64 / 96 / 128 kbit/s, 4.48 / 4.57 / 4.63 with γ = 0, 4.49 / 4.58 / 4.63 at
        /// 0.4, 4.49 / 4.58 / 4.63 at 0.7 (a development sweep, not reproducible from a commit:
        /// docs/SPECTRAL.md item 5). One value for every rate. An encoder choice: each frame
        /// carries its own step index.
        static let loudnessExponent = 0.4

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
