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

    let transform: SpectralTransform
    let bands: SpectralBands
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
    private var rateCorrection = 1.04
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

    /// Chunk length in packets (≈ 30 s at 44.1 kHz stereo with 2048-sample frames, 8 per packet).
    let chunkPackets: Int

    /// `frameSize` nil: `SpectralParameters.recommendedFrameSize` for the rate (2048 from 32 kHz
    /// up, 1024 below). The frame size goes into the header, so decoding needs no option.
    public init(sampleRate: Int, channelCount: Int, target: SpectralTarget = .bitsPerSample(4), seed: UInt64, frameSize: Int? = nil) {
        self.init(sampleRate: sampleRate, channelCount: channelCount, target: target, seed: seed,
                  parameters: SpectralParameters(frameSize: frameSize ?? SpectralParameters.recommendedFrameSize(sampleRate: sampleRate)))
    }

    public init(sampleRate: Int, channelCount: Int, target: SpectralTarget, seed: UInt64, parameters: SpectralParameters) {
        precondition(parameters.isValid, "invalid spectral parameters")
        precondition(AudioLimits.channelCounts.contains(channelCount), "channel count out of range")
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.target = target
        self.seed = seed
        // Packets of many channels hold fewer frames, within `Packet.maxDecodedSamples`.
        let parameters = parameters.fitted(channelCount: channelCount)
        self.parameters = parameters
        transform = SpectralTransform(parameters: parameters)
        bands = SpectralBands(parameters: parameters, seed: seed)
        input = Array(repeating: [], count: channelCount)
        // ~30 s, but at most 4 Mi coefficients per chunk array (many channels, high rates).
        let framesPer30s = max(1, 30 * max(sampleRate, 1) / parameters.frameSize)
        let framesByMemory = max(1, (4 << 20) / (channelCount * parameters.frameSize))
        chunkPackets = max(1, min(framesPer30s, framesByMemory) / parameters.framesPerPacket)
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
        // A chunk [f0, f1) needs delayed samples up to (f1 + 1)·N + N/16 for the next frame's mode;
        // wait for half a chunk more, so that the last chunk (at finish) is never a sliver.
        while (nextFrame + chunkFrames + chunkFrames / 2 + 1) * n + n / 16 - n / 2 <= received {
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

    /// Codes frames nextFrame ..< f1 into packets.
    private mutating func codeChunk(to f1: Int, totalFrames: Int?) -> [Packet] {
        let f0 = nextFrame, n = parameters.frameSize, channels = channelCount
        let frames = f1 - f0
        let final = totalFrames == f1
        // Modes: index 0 is frame f0 − 1, index i + 1 is frame f0 + i, last is frame f1.
        // Attacks force short blocks; the other frames take short blocks when that is cheaper
        // at a provisional water level (speech often is: better time resolution).
        var modes = [previousShort]
        for (f, attack) in zip(f0 ... f1, transients(frames: f0 ... f1)) { modes.append(f < (totalFrames ?? Int.max) && attack) }
        let packetCount = (frames + parameters.framesPerPacket - 1) / parameters.framesPerPacket
        let covered = min(f1 * n, received) - f0 * n
        var budget = 0.0
        if case .bitsPerSample(let x) = target {
            budget = x * Double(channels * covered) - Double(packetCount * Packet.overheadSize * 8)
            budget += min(max(carryBits, -0.05 * budget), 0.05 * budget)
            if f0 == 0 { budget -= Double(TQAHeader.encodedSize(parameterBytes: parameters.encoded.count) * 8) }
            if final { budget -= Double(Packet.trailerSize * 8) }
            budget = max(budget, Double(packetCount * 64))
        }
        let frameHeaderBits = Double(frames * (3 + SpectralStep.bits))
        var coefficients = analyze(frames: f0 ..< f1, modes: modes)
        var provisional = SpectralChunk(firstFrame: f0, frames: frames, channels: channels, modes: modes, coefficients: coefficients)
        provisional.prepare(bands: bands, statisticsOnly: true)
        let g0: Double
        switch target {
        case .bitsPerSample: g0 = provisional.statistics.stepIndex(forBits: budget / rateCorrection - frameHeaderBits)
        case .snr(let db): g0 = provisional.statistics.stepIndex(forNoise: provisional.signalEnergy / pow(10, db / 10))
        }
        var allShort = modes
        for i in allShort.indices { allShort[i] = true }
        let shortCoefficients = analyze(frames: f0 ..< f1, modes: allShort)
        var changed = false
        for i in 0 ..< frames where !modes[i + 1] && f0 + i < (totalFrames ?? Int.max) - 1 {
            let long = frameCost(coefficients, frame: i, short: false, g: g0)
            let short = frameCost(shortCoefficients, frame: i, short: true, g: g0)
            if short < 0.98 * long - 8 { modes[i + 1] = true; changed = true }
        }
        if changed {
            // Reuse a frame's first or all-short transform when its window slopes are the same.
            let initial = provisional.modes
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
        }
        // Stereo decisions and band statistics.
        var chunk = SpectralChunk(firstFrame: f0, frames: frames, channels: channels, modes: modes, coefficients: coefficients)
        chunk.prepare(bands: bands)
        var g: Double
        var result: (packets: [Packet], bits: Int, noise: Double)
        switch target {
        case .bitsPerSample:
            let estimate = { (g: Double) in chunk.statistics.estimate(g: g).bits + frameHeaderBits }
            g = chunk.statistics.stepIndex(forBits: budget / rateCorrection - frameHeaderBits)
            if frames >= 16 {
                // Calibrate the model on every 4th frame, coded for real: 1/4 of a pass that
                // usually saves a whole second one.
                let sampled = codedBits(chunk, g: g, everyKthFrame: 4)
                let modelled = chunk.statistics.estimateBits(g: g, everyKthFrame: 4)
                if modelled > 0 && sampled > 0 {
                    let ratio = min(max(sampled / modelled, 0.7), 1.5)
                    g = chunk.statistics.stepIndex(forBits: (budget - Double(packetCount * 48)) / ratio - frameHeaderBits)
                }
            }
            result = code(chunk, g: g)
            var history = [(g, Double(result.bits))]
            for _ in 0 ..< 4 {
                let actual = Double(result.bits)
                if abs(actual - budget) <= 0.008 * budget { break }
                let next: Double
                if history.count >= 2, let (ga, ba) = history.dropLast().last, abs(actual - ba) > 1 {
                    next = g + (budget - actual) * (g - ga) / (actual - ba)  // secant
                } else {
                    // Shift the model by the measured offset.
                    let offset = actual - estimate(g)
                    next = chunk.statistics.stepIndex(forBits: budget - offset - frameHeaderBits)
                }
                let ng = min(max(next, 0), Double(SpectralStep.maxIndex))
                if abs(ng - g) < 0.01 { break }
                g = ng
                let candidate = code(chunk, g: g)
                history.append((g, Double(candidate.bits)))
                result = candidate
            }
            carryBits = budget - Double(result.bits)
            let modelled = estimate(g)
            if modelled > 0 { rateCorrection = min(max(Double(result.bits) / modelled, 0.8), 1.3) }
        case .snr(let db):
            let goal = chunk.signalEnergy / pow(10, db / 10)
            g = chunk.statistics.stepIndex(forNoise: goal)
            result = code(chunk, g: g)
            for _ in 0 ..< 3 where goal > 0 && result.noise > 0 {
                let ratio = result.noise / goal
                if ratio <= 1 && ratio > 0.93 { break }
                // Noise ∝ Δ² and Δ = 2^(8 − g/32): Δg = 16·log2(noise/goal), aim 0.1 dB better.
                let ng = min(max(g + 16 * log2(ratio) + 0.55, 0), Double(SpectralStep.maxIndex))
                if abs(ng - g) < 0.01 { break }
                g = ng
                result = code(chunk, g: g)
            }
        }
        codedSignalEnergy += chunk.signalEnergy
        codedNoiseEnergy += result.noise
        // Advance: keep history for the next chunk's transient detector and first span.
        nextFrame = f1
        previousShort = modes[frames]
        let keepFrom = max(0, f1 * n - n - n / 2)
        if keepFrom > inputStart {
            for c in 0 ..< channels { input[c].removeFirst(min(input[c].count, keepFrom - inputStart)) }
            inputStart = keepFrom
        }
        return result.packets
    }

    /// Codes the chunk at fractional step index g (dithered per frame); returns packets, their
    /// total size in bits including container overhead, and the squared error.
    private func code(_ chunk: SpectralChunk, g: Double) -> (packets: [Packet], bits: Int, noise: Double) {
        let n = parameters.frameSize, k = parameters.framesPerPacket
        var packets: [Packet] = []
        var bits = 0
        var noise = 0.0
        var frameCoder = SpectralFrameEncoder(bands: bands, channels: channelCount)
        var i = 0
        while i < chunk.frames {
            var count = min(k, chunk.frames - i)
            let firstSample = (chunk.firstFrame + i) * n
            // Never leave a packet that would start at or after the end of the input.
            if i + count < chunk.frames && (chunk.firstFrame + i + count) * n >= received { count = chunk.frames - i }
            var e = RangeEncoder()
            e.encodeBits(UInt32(count), count: 6)
            for j in i ..< i + count {
                let gf = Int((g + SpectralChunk.dither(chunk.firstFrame + j)).rounded(.down))
                noise += frameCoder.encode(chunk, frame: j, g: min(max(gf, 0), SpectralStep.maxIndex), &e)
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

    /// Range-coder bits of frames 0, k, 2k, … of the chunk at step index g (payload only).
    private func codedBits(_ chunk: SpectralChunk, g: Double, everyKthFrame k: Int) -> Double {
        var frameCoder = SpectralFrameEncoder(bands: bands, channels: channelCount)
        var e = RangeEncoder()
        var j = 0
        while j < chunk.frames {
            let gf = Int((g + SpectralChunk.dither(chunk.firstFrame + j)).rounded(.down))
            _ = frameCoder.encode(chunk, frame: j, g: min(max(gf, 0), SpectralStep.maxIndex), &e)
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

    /// Whether each frame of `frames` holds an attack: a sub-block (N/16) of the first difference,
    /// within the frame or N/16 around it, carrying ≥ 16× (12 dB) the mean energy of the 8
    /// sub-blocks before. Each sub-block's energy is computed once for the whole range.
    private func transients(frames: ClosedRange<Int>) -> [Bool] {
        let n = parameters.frameSize, b = n / 16
        let first = frames.lowerBound * 16 - 9, last = frames.upperBound * 16 + 16
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
        let floor = Double(b) * 1e-10
        return frames.map { f in
            let base = f * 16 - 9 - first
            for k in base + 8 ... base + 25 {
                var past = 0.0
                for q in k - 8 ..< k { past += energies[q] }
                if energies[k] > 16 * past / 8 + floor { return true }
            }
            return false
        }
    }
}

/// Band entries of both block kinds: (first coefficient, width, rotation) per band of a frame.
struct SpectralBands: Sendable {
    let long: BandLayout
    let short: BandLayout
    let shortBlockCount: Int
    let shortSize: Int
    /// Per frame kind: the frame's band entries in coding order (block-major).
    let longEntries: [(offset: Int, width: Int, band: Int)]
    let shortEntries: [(offset: Int, width: Int, band: Int)]

    init(parameters p: SpectralParameters, seed: UInt64) {
        let lg = BandLayout(blockSize: p.frameSize, seed: seed)
        let sh = BandLayout(blockSize: p.shortBlockSize, seed: seed)
        long = lg
        short = sh
        shortBlockCount = p.shortBlockCount
        shortSize = p.shortBlockSize
        longEntries = (0 ..< lg.bandCount).map { (lg.edges[$0], lg.edges[$0 + 1] - lg.edges[$0], $0) }
        var se: [(offset: Int, width: Int, band: Int)] = []
        for j in 0 ..< p.shortBlockCount {
            for b in 0 ..< sh.bandCount {
                se.append((j * p.shortBlockSize + sh.edges[b], sh.edges[b + 1] - sh.edges[b], b))
            }
        }
        shortEntries = se
    }

    func entries(short isShort: Bool) -> [(offset: Int, width: Int, band: Int)] { isShort ? shortEntries : longEntries }
    func layout(short isShort: Bool) -> BandLayout { isShort ? short : long }
    func blockCount(short isShort: Bool) -> Int { isShort ? shortBlockCount : 1 }
}
