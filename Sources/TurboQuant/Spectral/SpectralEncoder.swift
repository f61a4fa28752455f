import Foundation
import TQAudio
import TQContainer

/// The encoder of spectral TurboQuant (`CodecID.spectral`, docs/SPECTRAL.md).
///
/// Audio is buffered into chunks of about 30 s (whole packets). For each chunk: transient
/// detection picks long or short blocks per frame, the MDCT runs once, stereo bands pick L/R or
/// M/S, and one step index g (one water level θ = Δ²/12 for all bands, channels and frames) is
/// searched on the Gaussian model to meet the target, then refined on the measured size or
/// noise of real coding passes. Packets hold `framesPerPacket` whole frames in one range-coder
/// stream.
public struct SpectralEncoder: PacketEncoder {
    public var codec: CodecID { .spectral }
    public let seed: UInt64
    public var codecParameters: [UInt8] { parameters.encoded }
    public let parameters: SpectralParameters
    public let sampleRate: Int
    public let channelCount: Int
    public let target: SpectralTarget
    public let tuning: SpectralTuning

    let transform: SpectralTransform
    let bands: SpectralBands
    /// Bands from these up (long, short blocks) are never coded: the perceptual low-pass.
    let bandLimit: (long: Int, short: Int)
    /// Version 3: the masking model and the strength every frame is coded with.
    let masking: (long: SpectralMasking, short: SpectralMasking)?
    let maskingStrength: Int
    /// How far frames' steps follow their loudness (`Perceptual.loudnessExponent`; 0: one step).
    let loudnessExponent: Double
    /// Whether short frames' attack blocks get the pre-echo guard (`Perceptual.guardsPreEcho`).
    let guardsPreEcho: Bool
    /// Input not yet coded, per channel; input[c][0] is sample `inputStart`.
    private var input: [[Float]]
    private var inputStart = 0
    private var received = 0
    private var nextFrame = 0
    private var previousShort = false
    /// Bits the previous chunks spent under (positive) or over their budget.
    private var carryBits = 0.0
    /// Measured bits over the model's estimate at the chosen step, from the last chunk: the
    /// model misses side information and the heavier-than-Gaussian tails of real bands.
    private var rateCorrection = Tuning.initialRateCorrection
    /// Energy of the coefficients coded so far, and of their quantization error (the MDCT is
    /// orthogonal, so their ratio is the SNR of the decoded audio, up to the edges).
    private var codedSignalEnergy = 0.0
    private var codedNoiseEnergy = 0.0

    /// The SNR of everything coded so far, from the coding passes' own error; +∞ when nothing
    /// was lost, nil before any audio was coded.
    public var measuredSNRDB: Double? {
        guard codedSignalEnergy > 0 else { return nil }
        return codedNoiseEnergy > 0 ? 10 * log10(codedSignalEnergy / codedNoiseEnergy) : .infinity
    }

    /// Chunk length in packets (≈ `Tuning.chunkSeconds`, within `Tuning.maxChunkCoefficients`).
    let chunkPackets: Int

    /// `frameSize` nil: `SpectralParameters.recommendedFrameSize` for the rate (2048 from 32 kHz
    /// up, 1024 below), or under `.perceptual` `Perceptual.frame` (below 32 kHz 512, or 256 with
    /// 4 short blocks from 20 kbit/s per channel, and packets of about a second,
    /// `Perceptual.framesPerPacket`). The frame size goes into the header, so decoding needs no
    /// option.
    public init(sampleRate: Int, channelCount: Int, target: SpectralTarget = .bitsPerSample(4), seed: UInt64,
                frameSize: Int? = nil, tuning: SpectralTuning = .mse) throws(SpectralError) {
        var parameters = SpectralParameters(frameSize: frameSize ?? SpectralParameters.recommendedFrameSize(sampleRate: sampleRate),
                                            formatVersion: tuning.formatVersion)
        if frameSize == nil && tuning == .perceptual {
            (parameters.frameSize, parameters.shortBlockCount) = Perceptual.frame(target: target, sampleRate: sampleRate, channelCount: channelCount)
            parameters.framesPerPacket = Perceptual.framesPerPacket(frameSize: parameters.frameSize, sampleRate: sampleRate)
        }
        try self.init(sampleRate: sampleRate, channelCount: channelCount, target: target, seed: seed, parameters: parameters, tuning: tuning)
    }

    /// `tuning` sets the parameters' version (`SpectralTuning.formatVersion`).
    public init(sampleRate: Int, channelCount: Int, target: SpectralTarget, seed: UInt64,
                parameters: SpectralParameters, tuning: SpectralTuning = .mse) throws(SpectralError) {
        var requested = parameters
        requested.formatVersion = tuning.formatVersion
        try requested.validate()
        guard AudioLimits.channelCounts.contains(channelCount) else {
            throw .channelCountOutOfRange(channelCount, range: AudioLimits.channelCounts)
        }
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.target = target
        self.tuning = tuning
        self.seed = seed
        // Packets of many channels hold fewer frames, within `Packet.maxDecodedSamples`.
        let parameters = requested.fitted(channelCount: channelCount)
        self.parameters = parameters
        transform = SpectralTransform(parameters: parameters)
        bands = SpectralBands(parameters: parameters, seed: seed)
        let cutoff = tuning == .perceptual ? Perceptual.cutoffHz(target: target, sampleRate: sampleRate, channelCount: channelCount) : nil
        bandLimit = (Perceptual.bandLimit(bands.long, sampleRate: sampleRate, hz: cutoff),
                     Perceptual.bandLimit(bands.short, sampleRate: sampleRate, hz: cutoff))
        masking = SpectralMasking.pair(parameters: parameters, sampleRate: sampleRate)
        maskingStrength = masking == nil ? 0 : Perceptual.maskingStrength(target: target, sampleRate: sampleRate)
        loudnessExponent = masking == nil ? 0 : Perceptual.loudnessExponent
        guardsPreEcho = tuning == .mse || Perceptual.guardsPreEcho(sampleRate: sampleRate, shortBlockSize: parameters.shortBlockSize)
        input = Array(repeating: [], count: channelCount)
        // ~30 s, but at most 4 Mi coefficients per chunk array (many channels, high rates).
        let framesPerChunk = max(1, Tuning.chunkSeconds * max(sampleRate, 1) / parameters.frameSize)
        let framesByMemory = max(1, Tuning.maxChunkCoefficients / (channelCount * parameters.frameSize))
        chunkPackets = max(1, min(framesPerChunk, framesByMemory) / parameters.framesPerPacket)
    }

    public mutating func encode(_ buffer: AudioBuffer) throws -> [Packet] {
        precondition(buffer.channelCount == channelCount, "channel count changed")
        // Finite and within ±CodecInput.maxMagnitude (`PacketEncoder.encode`), so that no
        // variance, logarithm or integer conversion downstream can overflow.
        for c in 0 ..< channelCount { input[c].append(contentsOf: buffer.channel(c)) }
        received += buffer.frameCount
        var packets: [Packet] = []
        let n = parameters.frameSize
        let chunkFrames = chunkPackets * parameters.framesPerPacket
        // A chunk [f0, f1) needs delayed samples up to (f1 + 1)·N + N/16 (`transientLookahead`)
        // for the next frame's mode; wait for half a chunk more, so that the last chunk (at
        // finish) is never a sliver.
        while (nextFrame + chunkFrames + chunkFrames / 2 + 1) * n + transientLookahead - n / 2 <= received {
            packets += codeChunk(to: nextFrame + chunkFrames, totalFrames: nil)
        }
        return packets
    }

    public mutating func finish() throws -> [Packet] {
        let n = parameters.frameSize
        guard received > 0 else { return [] }
        // The last frame f must complete the delayed signal up to T + N/2: fN + N/2 ≥ T + N/2.
        let frameTotal = (received + n - 1) / n + 1
        var packets: [Packet] = []
        let chunkFrames = chunkPackets * parameters.framesPerPacket
        while nextFrame < frameTotal {
            var to = min(frameTotal, nextFrame + chunkFrames)
            if frameTotal - to <= chunkFrames / 2 { to = frameTotal }  // no sliver of a last chunk
            // Nor a chunk that would start at or after the end of the input (its packets could
            // not continue the timeline): the last frame only completes the delayed signal.
            if to * n >= received { to = frameTotal }
            packets += codeChunk(to: to, totalFrames: frameTotal)
        }
        return packets
    }

    // MARK: chunk

    /// One chunk's frames: nextFrame ..< `end`, of `totalFrames` when the input has ended.
    private struct ChunkSpan {
        let first: Int
        let end: Int
        let totalFrames: Int?
        var frames: Int { end - first }
        /// Whether this chunk ends the stream (its last packet is followed by the trailer).
        var isFinal: Bool { totalFrames == end }
        /// Whether frame f is a real frame of the stream (the chunk's last mode, for the frame
        /// after it, may lie past the end).
        func exists(_ f: Int) -> Bool { f < (totalFrames ?? Int.max) }
    }

    /// A coded chunk: its packets, their size in bits with container overhead, their squared error.
    private typealias CodedChunk = (packets: [Packet], bits: Int, noise: Double)

    /// Codes frames nextFrame ..< f1 into packets: choose the block modes, then the water level
    /// that meets the target (at a rate, within the chunk's budget), code, and keep the history
    /// the next chunk needs.
    private mutating func codeChunk(to f1: Int, totalFrames: Int?) -> [Packet] {
        let span = ChunkSpan(first: nextFrame, end: f1, totalFrames: totalFrames)
        let budget = rateBudget(span)
        let (modes, coefficients) = chooseBlockModes(span, budget: budget)
        // Stereo decisions and band statistics.
        var chunk = SpectralChunk(firstFrame: span.first, frames: span.frames, channels: channelCount,
                                  modes: modes, coefficients: coefficients)
        chunk.prepare(bands: bands, masking: masking, maskingStrength: maskingStrength, loudness: loudnessExponent)
        let result: CodedChunk
        switch target {
        case .bitsPerSample, .bitsPerSecond: result = codeAtRate(chunk, span: span, budget: budget)
        case .snr(let db): result = codeAtSNR(chunk, db: db)
        }
        codedSignalEnergy += chunk.signalEnergy
        codedNoiseEnergy += result.noise
        keepHistory(after: span, lastMode: modes[span.frames])
        return result.packets
    }

    /// Packets of a chunk of `frames` frames.
    private func packetCount(frames: Int) -> Int {
        (frames + parameters.framesPerPacket - 1) / parameters.framesPerPacket
    }

    /// The bits the chunk may spend at `.bitsPerSample` (0 at an SNR): its samples' share of the
    /// target less the container's packets (and header or trailer on the first or last chunk),
    /// plus the earlier chunks' surplus or deficit within `Tuning.carryFraction`.
    private func rateBudget(_ span: ChunkSpan) -> Double {
        guard let x = target.bitsPerSample(sampleRate: sampleRate, channelCount: channelCount) else { return 0 }
        let n = parameters.frameSize
        let packets = packetCount(frames: span.frames)
        let covered = min(span.end * n, received) - span.first * n
        var budget = x * Double(channelCount * covered)
        // The coded size (`code`) counts each packet's container overhead; `.bitsPerSample`
        // takes it off its budget once more (its streams stay as they were).
        if case .bitsPerSample = target { budget -= Double(packets * Packet.overheadSize * 8) }
        budget += min(max(carryBits, -Tuning.carryFraction * budget), Tuning.carryFraction * budget)
        if span.first == 0 { budget -= Double(TQAHeader.encodedSize(parameterBytes: parameters.encoded.count) * 8) }
        if span.isFinal { budget -= Double(Packet.trailerSize * 8) }
        return max(budget, Double(packets * Tuning.minBudgetBitsPerPacket))
    }

    /// Bits of the frame headers of a chunk of `frames` frames.
    private func frameHeaderBits(frames: Int) -> Double {
        Double(frames * Tuning.frameHeaderBits)
    }

    /// The block mode of every frame of the span (index 0 the frame before it, index i + 1 frame
    /// first + i, the last the frame after it) and the transforms made with them. Attacks force
    /// short blocks; the other frames take short blocks when that is cheaper at a provisional
    /// water level (speech often is: better time resolution).
    private func chooseBlockModes(_ span: ChunkSpan, budget: Double) -> (modes: [Bool], coefficients: [Float]) {
        let f0 = span.first, f1 = span.end, frames = span.frames, n = parameters.frameSize, channels = channelCount
        var modes = [previousShort]
        for (f, attack) in zip(f0 ... f1, transients(frames: f0 ... f1)) { modes.append(span.exists(f) && attack) }
        var coefficients = analyze(frames: f0 ..< f1, modes: modes)
        let g0 = provisionalStepIndex(span, modes: modes, coefficients: coefficients, budget: budget)
        let allShort = [Bool](repeating: true, count: modes.count)
        let shortCoefficients = analyze(frames: f0 ..< f1, modes: allShort)
        let initial = modes
        var changed = false
        for i in 0 ..< frames where !modes[i + 1] && span.exists(f0 + i + 1) {
            let long = frameCost(coefficients, frame: i, short: false, g: g0)
            let short = frameCost(shortCoefficients, frame: i, short: true, g: g0)
            if short < Tuning.shortCostRatio * long - Tuning.shortCostMarginBits { modes[i + 1] = true; changed = true }
        }
        guard changed else { return (modes, coefficients) }
        // Reuse a frame's first or all-short transform when its window slopes are the same.
        var redo: [Int] = []
        coefficients.withUnsafeMutableBufferPointer { co in
            shortCoefficients.withUnsafeBufferPointer { sh in
                for i in 0 ..< frames {
                    let same = modes[i] == initial[i] && modes[i + 1] == initial[i + 1] && modes[i + 2] == initial[i + 2]
                    if same { continue }
                    if modes[i] && modes[i + 1] && modes[i + 2] {
                        let o = i * channels * n
                        for t in 0 ..< channels * n { co[o + t] = sh[o + t] }
                    } else {
                        redo.append(i)
                    }
                }
            }
        }
        analyze(frames: f0 ..< f1, modes: modes, only: redo, into: &coefficients)
        return (modes, coefficients)
    }

    /// The model's step index for the chunk's target with the attack-forced modes only: the
    /// water level at which block switching compares costs.
    private func provisionalStepIndex(_ span: ChunkSpan, modes: [Bool], coefficients: [Float], budget: Double) -> Double {
        var provisional = SpectralChunk(firstFrame: span.first, frames: span.frames, channels: channelCount,
                                        modes: modes, coefficients: coefficients)
        provisional.prepare(bands: bands, statisticsOnly: true, loudness: loudnessExponent)
        switch target {
        case .bitsPerSample, .bitsPerSecond:
            return provisional.statistics.stepIndex(forBits: budget / rateCorrection - frameHeaderBits(frames: span.frames))
        case .snr(let db):
            return provisional.statistics.stepIndex(forNoise: provisional.signalEnergy / pow(10, db / 10))
        }
    }

    // MARK: water level at a rate

    /// Codes the chunk within `budget` bits: a first step index from the model (calibrated on a
    /// sampled pass), then full passes until the size is close enough; then carries the surplus
    /// and adapts the rate correction for the next chunk.
    private mutating func codeAtRate(_ chunk: SpectralChunk, span: ChunkSpan, budget: Double) -> CodedChunk {
        let headerBits = frameHeaderBits(frames: span.frames)
        let g = initialStepIndex(chunk, budget: budget, headerBits: headerBits, packets: packetCount(frames: span.frames))
        let (result, finalG) = refineRate(chunk, from: g, budget: budget, headerBits: headerBits)
        carryBits = budget - Double(result.bits)
        adaptRateCorrection(chunk, g: finalG, bits: result.bits, headerBits: headerBits)
        return result
    }

    /// The model's step index for `budget`, scaled by the rate correction; for chunks of at
    /// least `Tuning.calibrationMinFrames`, recalibrated on every `Tuning.calibrationStride`-th
    /// frame coded for real.
    private func initialStepIndex(_ chunk: SpectralChunk, budget: Double, headerBits: Double, packets: Int) -> Double {
        var g = chunk.statistics.stepIndex(forBits: budget / rateCorrection - headerBits)
        guard chunk.frames >= Tuning.calibrationMinFrames else { return g }
        let stride = Tuning.calibrationStride
        let sampled = codedBits(chunk, g: g, everyKthFrame: stride)
        let modelled = chunk.statistics.estimateBits(g: g, everyKthFrame: stride)
        if modelled > 0 && sampled > 0 {
            let range = Tuning.calibrationRatioRange
            let ratio = min(max(sampled / modelled, range.lowerBound), range.upperBound)
            let reserve = Double(packets * Tuning.calibrationReserveBitsPerPacket)
            g = chunk.statistics.stepIndex(forBits: (budget - reserve) / ratio - headerBits)
        }
        return g
    }

    /// Codes the chunk at g, then moves g (by the secant through the last two passes, or by
    /// the model shifted to the last measurement) until the size is within
    /// `Tuning.rateTolerance` of the budget, g settles, or `Tuning.maxRatePasses` more passes
    /// were made. Returns the last pass and its g.
    private func refineRate(_ chunk: SpectralChunk, from g0: Double, budget: Double, headerBits: Double) -> (CodedChunk, g: Double) {
        var g = g0
        var result = code(chunk, g: g)
        var history = [(g, Double(result.bits))]
        for _ in 0 ..< Tuning.maxRatePasses {
            let actual = Double(result.bits)
            if abs(actual - budget) <= Tuning.rateTolerance * budget { break }
            let next: Double
            if history.count >= 2, let (ga, ba) = history.dropLast().last, abs(actual - ba) > Tuning.minSecantBits {
                next = g + (budget - actual) * (g - ga) / (actual - ba)  // secant
            } else {
                // Shift the model by the measured offset.
                let offset = actual - (chunk.statistics.estimate(g: g).bits + headerBits)
                next = chunk.statistics.stepIndex(forBits: budget - offset - headerBits)
            }
            let ng = min(max(next, 0), Double(SpectralStep.maxIndex))
            if abs(ng - g) < Tuning.minStepChange { break }
            g = ng
            let candidate = code(chunk, g: g)
            history.append((g, Double(candidate.bits)))
            result = candidate
        }
        return (result, g)
    }

    /// The next chunk's rate correction: this chunk's coded bits over the model's estimate at
    /// the step index it was coded with, within `Tuning.rateCorrectionRange`.
    private mutating func adaptRateCorrection(_ chunk: SpectralChunk, g: Double, bits: Int, headerBits: Double) {
        let modelled = chunk.statistics.estimate(g: g).bits + headerBits
        let range = Tuning.rateCorrectionRange
        if modelled > 0 { rateCorrection = min(max(Double(bits) / modelled, range.lowerBound), range.upperBound) }
    }

    // MARK: water level at an SNR

    /// Codes the chunk at the model's step index for the noise goal, then corrects g on the
    /// measured noise (Δg = 16·log2(noise/goal)) up to `Tuning.maxSNRPasses` times, until the
    /// noise is within (`Tuning.snrAcceptedNoiseRatio`, 1] of the goal.
    private func codeAtSNR(_ chunk: SpectralChunk, db: Double) -> CodedChunk {
        let goal = chunk.signalEnergy / pow(10, db / 10)
        var g = chunk.statistics.stepIndex(forNoise: goal)
        var result = code(chunk, g: g)
        for _ in 0 ..< Tuning.maxSNRPasses where goal > 0 && result.noise > 0 {
            let ratio = result.noise / goal
            if ratio <= 1 && ratio > Tuning.snrAcceptedNoiseRatio { break }
            // Noise ∝ Δ² and Δ = 2^(8 − g/32): Δg = 16·log2(noise/goal), aim 0.1 dB better.
            let ng = min(max(g + Tuning.stepIndicesPerNoiseOctave * log2(ratio) + Tuning.snrAimStepIndices, 0),
                         Double(SpectralStep.maxIndex))
            if abs(ng - g) < Tuning.minStepChange { break }
            g = ng
            result = code(chunk, g: g)
        }
        return result
    }

    // MARK: history

    /// Advances past the span, keeping what the next chunk needs: the last frame's mode (the
    /// next chunk's first "previous" mode) and the input from N + N/2 before its first frame
    /// (its first span and the transient detector's history).
    private mutating func keepHistory(after span: ChunkSpan, lastMode: Bool) {
        let n = parameters.frameSize
        nextFrame = span.end
        previousShort = lastMode
        let keepFrom = max(0, span.end * n - n - n / 2)
        if keepFrom > inputStart {
            for c in 0 ..< channelCount { input[c].removeFirst(min(input[c].count, keepFrom - inputStart)) }
            inputStart = keepFrom
        }
    }

    /// Codes the chunk at fractional step index g (dithered per frame); returns packets, their
    /// total size in bits including container overhead, and the squared error.
    private func code(_ chunk: SpectralChunk, g: Double) -> CodedChunk {
        let n = parameters.frameSize, k = parameters.framesPerPacket
        var packets: [Packet] = []
        var bits = 0
        var noise = 0.0
        var frameCoder = frameEncoder()
        var i = 0
        while i < chunk.frames {
            var count = min(k, chunk.frames - i)
            let firstSample = (chunk.firstFrame + i) * n
            // Never leave a packet that would start at or after the end of the input.
            if i + count < chunk.frames && (chunk.firstFrame + i + count) * n >= received { count = chunk.frames - i }
            var e = RangeEncoder()
            e.encodeBits(UInt32(count), count: 6)
            frameCoder.beginPacket(&e)
            for j in i ..< i + count {
                noise += frameCoder.encode(chunk, frame: j, g: chunk.stepIndex(frame: j, g: g), &e)
            }
            let payload = e.finish()
            let frameCount = max(1, min(count * n, received - firstSample))
            packets.append(Packet(firstFrame: UInt64(firstSample), frameCount: UInt32(frameCount), payload: payload))
            bits += (payload.count + Packet.overheadSize) * 8
            i += count
        }
        return (packets, bits, noise)
    }

    /// Transforms of frames `range` (coefficients frames × channels × N) with the given modes
    /// (index 0: the frame before the range, last: the frame after).
    private func analyze(frames range: Range<Int>, modes: [Bool]) -> [Float] {
        var coefficients = [Float](repeating: 0, count: range.count * channelCount * parameters.frameSize)
        analyze(frames: range, modes: modes, only: Array(0 ..< range.count), into: &coefficients)
        return coefficients
    }

    /// Transforms the frames `only` (indices within `range`) into `coefficients`.
    private func analyze(frames range: Range<Int>, modes: [Bool], only: [Int], into coefficients: inout [Float]) {
        let n = parameters.frameSize, channels = channelCount
        var span = [Float](repeating: 0, count: 2 * n)
        var scratch = [Float](repeating: 0, count: transform.scratchCount)
        coefficients.withUnsafeMutableBufferPointer { co in
            span.withUnsafeMutableBufferPointer { sp in
                scratch.withUnsafeMutableBufferPointer { scr in
                    for i in only {
                        for c in 0 ..< channels {
                            gather(channel: c, from: (range.lowerBound + i) * n - n / 2, count: 2 * n, into: sp.baseAddress!)
                            transform.analyze(span: sp.baseAddress!, isShort: modes[i + 1], prevShort: modes[i], nextShort: modes[i + 2],
                                              coefficients: co.baseAddress! + (i * channels + c) * n, scratch: scr.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// High-rate cost of frame i in bits at step index g: Σ over bands above the water level θ of
    /// w·½·log2(σ²/θ) plus the scale's side information.
    private func frameCost(_ coefficients: [Float], frame i: Int, short: Bool, g: Double) -> Double {
        let n = parameters.frameSize
        let theta = Float(exp2(2 * (8 - g / 32)) / 12)
        var bits: Float = 0
        coefficients.withUnsafeBufferPointer { co in
            for c in 0 ..< channelCount {
                let x = co.baseAddress! + (i * channelCount + c) * n
                for entry in bands.entries(short: short) {
                    var sum: Float = 0
                    for t in entry.offset ..< entry.offset + entry.width { sum += x[t] * x[t] }
                    let v = sum / Float(entry.width)
                    if v > theta { bits += 0.5 * Float(entry.width) * log2f(v / theta) + Float(BandStatistics.sideBitsPerBand) }
                }
            }
        }
        return Double(bits)
    }

    /// A frame encoder for this stream's version and low-pass.
    private func frameEncoder() -> SpectralFrameEncoder {
        SpectralFrameEncoder(bands: bands, channels: channelCount, fillsNoise: parameters.fillsNoise, bandLimit: bandLimit,
                             masking: masking, maskingStrength: maskingStrength, guardsPreEcho: guardsPreEcho,
                             predictsSideInformation: parameters.predictsSideInformation)
    }

    /// Range-coder bits of frames 0, k, 2k, … of the chunk at step index g (payload only).
    private func codedBits(_ chunk: SpectralChunk, g: Double, everyKthFrame k: Int) -> Double {
        var frameCoder = frameEncoder()
        var e = RangeEncoder()
        frameCoder.beginPacket(&e)
        var j = 0
        while j < chunk.frames {
            _ = frameCoder.encode(chunk, frame: j, g: chunk.stepIndex(frame: j, g: g), &e)
            j += k
        }
        return Double(e.tell)
    }

    // MARK: input

    /// dst[0..<count] ← channel c of the delayed signal x'[t] = x[t − N/2] from t0, zero outside
    /// the input. The delay puts the first frame's rising slope over silence (TDAC needs a partner).
    private func gather(channel c: Int, from t0: Int, count: Int, into dst: UnsafeMutablePointer<Float>) {
        let base = t0 - parameters.frameSize / 2 - inputStart
        input[c].withUnsafeBufferPointer { src in
            if base >= 0 && base + count <= src.count {
                dst.update(from: src.baseAddress! + base, count: count)
                return
            }
            for i in 0 ..< count {
                let t = base + i
                dst[i] = t >= 0 && t < src.count ? src[t] : 0
            }
        }
    }

    /// Delayed samples past a frame that its transient detection reads: the guard sub-blocks
    /// after it (N/16).
    private var transientLookahead: Int {
        parameters.frameSize / Tuning.transientSubBlocks * Tuning.transientGuard
    }

    /// Whether each frame of `frames` holds an attack: a sub-block (N/16) of the first difference,
    /// within the frame or N/16 around it, carrying ≥ 16× (12 dB) the mean energy of the 8
    /// sub-blocks before (`Tuning.transientSubBlocks`, `transientGuard`, `transientEnergyRatio`,
    /// `transientHistory`). Each sub-block's energy is computed once for the whole range.
    ///
    /// Sub-block j holds delayed samples [j·N/16, (j + 1)·N/16); frame f is checked at sub-blocks
    /// 16f − 1 … 16f + 16, its own 16 and one guard on each side, each against the 8 before it.
    private func transients(frames: ClosedRange<Int>) -> [Bool] {
        let perFrame = Tuning.transientSubBlocks, history = Tuning.transientHistory, guardBlocks = Tuning.transientGuard
        let n = parameters.frameSize, b = n / perFrame
        // Sub-blocks checked for frame f: perFrame·f − guard ..< perFrame·(f + 1) + guard, each
        // with `history` before it.
        let checked = perFrame + 2 * guardBlocks
        let first = frames.lowerBound * perFrame - guardBlocks - history
        let last = frames.upperBound * perFrame + perFrame + guardBlocks - 1
        var energies = [Double](repeating: 0, count: last - first + 1)
        for c in 0 ..< channelCount {
            input[c].withUnsafeBufferPointer { src in
                for j in first ... last {
                    var e = 0.0
                    let u0 = j * b - 1 - n / 2 - inputStart
                    if u0 >= 0 && u0 + b < src.count {
                        var prev = src[u0]
                        for u in u0 + 1 ... u0 + b {
                            let x = src[u]
                            let d = Double(x - prev)
                            e += d * d
                            prev = x
                        }
                    } else {
                        var prev: Float = 0
                        for t in j * b - 1 ..< (j + 1) * b {
                            let u = t - n / 2 - inputStart
                            let x: Float = u >= 0 && u < src.count ? src[u] : 0
                            if t >= j * b { let d = Double(x - prev); e += d * d }
                            prev = x
                        }
                    }
                    energies[j - first] += e
                }
            }
        }
        let floor = Double(b) * Tuning.transientFloorPerSample
        return frames.map { f in
            // Index in `energies` of frame f's first checked sub-block.
            let start = f * perFrame - guardBlocks - first
            for k in start ..< start + checked {
                var past = 0.0
                for q in k - history ..< k { past += energies[q] }
                if energies[k] > Tuning.transientEnergyRatio * past / Double(history) + floor { return true }
            }
            return false
        }
    }
}
