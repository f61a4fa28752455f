#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A band-limited sample-rate converter: Kaiser-windowed sinc, polyphase, any rational ratio.
///
/// With `L/M = outputRate/inputRate` reduced by their gcd, output frame `n` sits at input time
/// `tₙ = n·M/L` and is
///
///     y[n] = Σₖ x[k] · h(tₙ − k),   h(d) = 2ν·sinc(2νd) · I₀(β√(1 − (d/T)²)) / I₀(β),  |d| < T
///
/// (Kaiser 1974; Smith, "Digital Audio Resampling", ccrma.stanford.edu/~jos/resample), with `x`
/// taken as zero outside the input. The filter is symmetric about `tₙ`, so there is no group
/// delay: output frame 0 is input frame 0, and a signal keeps its timing.
///
/// Design, relative to the Nyquist frequency `f_N` of the lower of the two rates:
/// - pass band flat (ripple < 0.001 dB) up to 0.9·f_N,
/// - stop band from f_N on, attenuated by `stopbandDB` (default 90 dB; Kaiser's formulas give
///   β = 0.1102(A − 8.7) and the length (A − 7.95)/(2.285·Δω)),
/// - each polyphase row is normalized to unit DC gain.
///
/// Length: `outputFrameCount(forInput: n) = ⌈n·L/M⌉` frames, the same whether the input is
/// converted in one piece or streamed (`ResamplerStream`), and whatever the piece sizes.
///
/// Cost: about `2·T` multiply-adds per output sample, where `T ≈ 57` input samples when
/// upsampling and `57·M/L` when downsampling. Coefficients are tabulated per phase when
/// `L × taps ≤ 2²⁰`; otherwise (ratios like 44100:44099) they come from a finely sampled
/// prototype with linear interpolation (error below −100 dB). For downsampling by more than
/// about 2000:1 the half length is capped at 2¹⁷ input samples, which widens the transition band.
/// Equal rates pass the samples through untouched.
public struct Resampler: Sendable {
    public let inputRate: Int
    public let outputRate: Int
    /// `L` and `M`: `outputRate/inputRate` in lowest terms.
    public let upFactor: Int
    public let downFactor: Int
    /// Taps per output sample are `2·halfTaps`.
    let halfTaps: Int
    /// `upFactor` rows of `2·halfTaps` coefficients, or empty when `prototype` is used.
    let table: [Float]
    /// h(d) sampled at `d = i·prototypeStep`, i = 0…, for the interpolated path.
    let prototype: [Float]
    let prototypeStep: Double

    static let maxTableSize = 1 << 20
    static let maxHalfTaps = 1 << 17

    public init(inputRate: Int, outputRate: Int, stopbandDB: Double = 90) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        let g = Resampler.gcd(inputRate, outputRate)
        self.inputRate = inputRate
        self.outputRate = outputRate
        upFactor = outputRate / g
        downFactor = inputRate / g
        guard inputRate != outputRate else {
            halfTaps = 0; table = []; prototype = []; prototypeStep = 1
            return
        }
        // All frequencies in cycles per input sample.
        let low = Double(min(inputRate, outputRate)) / Double(inputRate)
        let cutoff = 0.95 * low / 2
        let transition = 0.1 * low / 2
        let beta = stopbandDB > 50 ? 0.1102 * (stopbandDB - 8.7) : 0.5842 * pow(stopbandDB - 21, 0.4) + 0.07886 * (stopbandDB - 21)
        let length = (stopbandDB - 7.95) / (2.285 * 2 * Double.pi * transition)
        let halfWidth = min(length / 2, Double(Resampler.maxHalfTaps - 1))
        let k = Int(halfWidth.rounded(.up)) + 1
        halfTaps = k
        let i0Beta = Resampler.besselI0(beta)
        func h(_ d: Double) -> Double {
            let r = d / halfWidth
            guard abs(r) < 1 else { return 0 }
            let x = 2 * cutoff * d
            let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
            return 2 * cutoff * sinc * Resampler.besselI0(beta * (1 - r * r).squareRoot()) / i0Beta
        }
        let l = upFactor
        if l * 2 * k <= Resampler.maxTableSize {
            var t = [Float](repeating: 0, count: l * 2 * k)
            for p in 0..<l {
                let frac = Double(p) / Double(l)
                var row = [Double](repeating: 0, count: 2 * k)
                for j in 0..<(2 * k) { row[j] = h(frac + Double(k - 1 - j)) }
                let sum = row.reduce(0, +)
                for j in 0..<(2 * k) { t[p * 2 * k + j] = Float(row[j] / sum) }
            }
            table = t; prototype = []; prototypeStep = 1
        } else {
            // 1024 points per zero crossing of the prototype's sinc, and at least 8192 in all.
            let step = min(1 / (2 * cutoff * 1024), halfWidth / 8192)
            let count = Int(halfWidth / step) + 2
            prototype = (0..<count).map { Float(h(Double($0) * step)) }
            prototypeStep = step
            table = []
        }
    }

    /// `⌈inputFrames · L / M⌉`.
    public func outputFrameCount(forInput inputFrames: Int) -> Int {
        (inputFrames * upFactor + downFactor - 1) / downFactor
    }

    /// `buffer` (at `inputRate`) converted to `outputRate`, channel by channel, with
    /// `outputFrameCount(forInput: buffer.frameCount)` frames.
    public func callAsFunction(_ buffer: AudioBuffer) -> AudioBuffer {
        var stream = ResamplerStream(self, channelCount: buffer.channelCount)
        var out = stream.push(buffer)
        out.append(stream.finish())
        return out
    }

    /// Writes output sample `k0, phase` of one channel: `x` points at input `k0 − halfTaps + 1`.
    @inline(__always)
    func sample(_ x: UnsafePointer<Float>, phase: Int, scratch: UnsafeMutablePointer<Float>) -> Float {
        let n = 2 * halfTaps
        if !table.isEmpty {
            return table.withUnsafeBufferPointer { Resampler.dot(x, $0.baseAddress! + phase * n, n) }
        }
        return Resampler.dot(x, scratch, n)
    }

    /// Fills `scratch` with the normalized coefficients of `phase` on the interpolated path.
    func interpolatedCoefficients(phase: Int, into scratch: UnsafeMutablePointer<Float>) {
        let frac = Double(phase) / Double(upFactor)
        let n = 2 * halfTaps
        var sum: Float = 0
        prototype.withUnsafeBufferPointer { p in
            for j in 0..<n {
                let pos = abs(frac + Double(halfTaps - 1 - j)) / prototypeStep
                let i = Int(pos)
                var c: Float = 0
                if i + 1 < p.count {
                    let w = Float(pos - Double(i))
                    c = p[i] + w * (p[i + 1] - p[i])
                }
                scratch[j] = c
                sum += c
            }
        }
        let inv = 1 / sum
        for j in 0..<n { scratch[j] *= inv }
    }

    /// `Σ a[i]·b[i]` over `n` floats, eight lanes at a time.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var s = (acc0 + acc1).sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// The modified Bessel function of the first kind, order 0, by its power series.
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let q = x * x / 4
        repeat {
            term *= q / (k * k)
            sum += term
            k += 1
        } while term > 1e-17 * sum
        return sum
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
