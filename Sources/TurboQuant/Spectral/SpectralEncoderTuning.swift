/// The spectral encoder's tuning: every number that steers `SpectralEncoder`'s choices (chunk
/// length, block switching, transient detection, the search for the water level) but is not part
/// of the format, so that changing one changes which valid stream is written, never whether it
/// decodes. Each value below is the one the golden files (`Tests/TurboQuantTests/GoldenTests`)
/// were written with: changing any of them changes the encoder's output bytes.
extension SpectralEncoder {
    enum Tuning {
        // MARK: chunks

        /// Seconds of audio per chunk. One water level serves a whole chunk, so a longer chunk
        /// spreads bits better between loud and quiet passages (reverse water-filling is optimal
        /// over everything it sees); 30 s keeps the delay and memory of a chunk moderate.
        static let chunkSeconds = 30
        /// At most this many coefficients (frames × channels × N) in a chunk's arrays, so that
        /// many channels or high rates shorten the chunk instead of growing memory (4 Mi floats,
        /// 16 MiB per array).
        static let maxChunkCoefficients = 4 << 20

        // MARK: rate budget (`.bitsPerSample`)

        /// Measured bits over the model's estimate assumed for the first chunk, before any was
        /// measured (`SpectralEncoder.rateCorrection`): the Gaussian model misses the side
        /// information and the heavier-than-Gaussian tails of real bands, by about 4 % on the
        /// bench corpus.
        static let initialRateCorrection = 1.04
        /// The bits earlier chunks spent under (or over) their budget move into this chunk's
        /// budget up to this fraction of it: the file's average rate stays on target without
        /// one badly predicted chunk starving or flooding the next.
        static let carryFraction = 0.05
        /// A chunk's budget is never below this many bits per packet, so that a tiny target or
        /// a short last chunk still leaves the search a positive goal.
        static let minBudgetBitsPerPacket = 64
        /// Fixed bits of every frame's header, which the band model does not count: the three
        /// block-mode flags (short, previous short, next short) and the step index g.
        static let frameHeaderBits = 3 + SpectralStep.bits

        // MARK: block switching

        /// A frame without an attack takes short blocks only when their estimated cost is below
        /// `shortCostRatio` × the long blocks' cost − `shortCostMarginBits`: the high-rate
        /// estimate (`frameCost`) is rough, and a frame that switches also changes its
        /// neighbours' windows, so short blocks must win clearly (2 % and 8 bits). Tuned on the
        /// bench corpus; speech often wins (better time resolution), steady music rarely.
        static let shortCostRatio = 0.98
        /// See `shortCostRatio`.
        static let shortCostMarginBits = 8.0

        // MARK: transient detection

        /// Sub-blocks per frame for the transient detector: energies of the first difference
        /// (which stresses the high frequencies that pre-echo makes audible) are measured over
        /// N/16 samples, half a short block at the default 8 short blocks per frame.
        static let transientSubBlocks = 16
        /// Sub-blocks before each one whose mean energy it is compared with (half a frame).
        static let transientHistory = 8
        /// Sub-blocks checked on either side of a frame's own N/2 … 3N/2 part of its window span,
        /// so that an attack at a frame boundary marks both frames.
        static let transientGuard = 1
        /// A sub-block is an attack when its energy is more than this times the mean of the
        /// `transientHistory` before it: 16× = 12 dB. Tuned on the bench corpus; frames with
        /// softer onsets still take short blocks when those are cheaper (`shortCostRatio`).
        static let transientEnergyRatio = 16.0
        /// Energy per sample of the first difference added to the threshold (−100 dB of full
        /// scale), so that the fluctuations of near-silence, far below hearing, are no attacks.
        static let transientFloorPerSample = 1e-10

        // MARK: water level at a rate

        /// Chunks of at least this many frames calibrate the model on a sampled coding pass
        /// before the first full pass (shorter ones go straight to full passes).
        static let calibrationMinFrames = 16
        /// The calibration pass codes every k-th frame: 1/4 of a pass that usually saves a whole
        /// second one.
        static let calibrationStride = 4
        /// The sampled pass's measured/modelled ratio is clamped to this range, so that a few
        /// unusual frames cannot throw the first full pass far off.
        static let calibrationRatioRange = 0.7 ... 1.5
        /// Bits per packet the calibrated budget sets aside for what one sampled stream does not
        /// show: each packet's own range-coder termination (both lanes' flush, the lane length,
        /// the padding of the raw bits) and its 6-bit frame count. Tuned on the bench corpus.
        static let calibrationReserveBitsPerPacket = 48
        /// Full passes stop once the coded size is within this fraction of the budget (0.8 %):
        /// closer costs more passes than it gains in rate accuracy, and the leftover carries
        /// into the next chunk (`carryFraction`).
        static let rateTolerance = 0.008
        /// At most this many full passes after the first, at a rate.
        static let maxRatePasses = 4
        /// Passes stop when the next step index differs from the last by less than this: g is
        /// dithered per frame, so so small a change flips almost no frame's step.
        static let minStepChange = 0.01
        /// The secant needs the last two passes' sizes this many bits apart, else the model's
        /// shift is used (a division by ~0 otherwise).
        static let minSecantBits = 1.0
        /// The next chunk's rate correction (measured / modelled bits at the chosen step) is
        /// clamped to this range, so that one odd chunk cannot mislead the next one's start.
        static let rateCorrectionRange = 0.8 ... 1.3

        // MARK: water level at an SNR

        /// At most this many passes after the first, at an SNR.
        static let maxSNRPasses = 3
        /// A pass is accepted when its noise is at most the goal and above this fraction of it:
        /// an SNR at most 0.32 dB (−10·log10 0.93) better than asked, not worth another pass.
        static let snrAcceptedNoiseRatio = 0.93
        /// Step indices per octave (factor 2) of noise: noise ∝ Δ² and Δ = 2^(8 − g/32), so
        /// Δg = 16·log2(noise/goal). A format fact (`SpectralStep`), named for the correction.
        static let stepIndicesPerNoiseOctave = 16.0
        /// Step indices the SNR correction aims below the estimate, ≈ 0.1 dB better than the
        /// goal (0.55/16 octave of noise), so that a pass lands inside the accepted range rather
        /// than just above the noise goal.
        static let snrAimStepIndices = 0.55
    }
}
