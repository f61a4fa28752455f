import Foundation

/// Seeded test and demo signals (the seed's generator and more). Same parameters and seed, same
/// samples, on every machine.
public enum SignalSynth {
    public enum Kind: String, CaseIterable, Sendable {
        case sine, square, noise, transient, chirp, demo
    }

    public struct Options: Sendable {
        public var frequency: Double = 440
        public var duration: Double = 2
        public var amplitude: Double = 0.1
        public var sampleRate: Int = 44_100
        public var channels: Int = 1
        /// Full-scale clicks placed at seeded random positions (the seed's "spikes").
        public var spikes: Int = 0
        public var seed: UInt64 = 42
        public init() {}
    }

    /// The signal `kind`; each channel is generated separately (different noise, phase offsets).
    public static func make(_ kind: Kind, _ o: Options) -> AudioBuffer {
        let n = max(0, Int((o.duration * Double(o.sampleRate)).rounded()))
        var rng = Xoshiro(seed: o.seed)
        var channels: [[Float]] = []
        for c in 0..<max(1, o.channels) {
            var x = [Float](repeating: 0, count: n)
            let sr = Double(o.sampleRate), a = o.amplitude, f = o.frequency
            let phase = Double(c) * 0.25 * Double.pi
            switch kind {
            case .sine:
                for i in 0..<n { x[i] = Float(a * sin(2 * .pi * f * Double(i) / sr + phase)) }
            case .square:
                for i in 0..<n { let s = sin(2 * .pi * f * Double(i) / sr + phase); x[i] = Float(s >= 0 ? a : -a) }
            case .noise:
                for i in 0..<n { x[i] = Float(a * rng.gaussian()) }
            case .transient:
                for i in 0..<n { x[i] = Float(0.01 * a * rng.gaussian()) }
            case .chirp:
                // Exponential sweep from 20 Hz to min(20 kHz, 0.45·rate) over the duration.
                let f0 = 20.0, f1 = min(20_000, 0.45 * sr), t = max(o.duration, 1e-9)
                let k = log(f1 / f0)
                for i in 0..<n {
                    let time = Double(i) / sr
                    x[i] = Float(a * sin(2 * .pi * f0 * t / k * (exp(time / t * k) - 1) + phase))
                }
            case .demo:
                x = demo(n: n, sampleRate: sr, channel: c, rng: &rng)
            }
            channels.append(x)
        }
        if o.spikes > 0 && n > 0 {
            var spikeRng = Xoshiro(seed: o.seed ^ 0x5B1C_E5)
            for _ in 0..<o.spikes {
                let at = Int(spikeRng.next() % UInt64(n))
                let v: Float = spikeRng.next() & 1 == 0 ? 0.98 : -0.98
                for c in channels.indices { channels[c][at] = v }
            }
        }
        return AudioBuffer(sampleRate: o.sampleRate, channels: channels)
    }

    /// A music-like demo: a chord progression of decaying plucked tones, a bass line, hi-hat
    /// noise bursts and a kick, slightly different per channel (stereo placement).
    static func demo(n: Int, sampleRate sr: Double, channel: Int, rng: inout Xoshiro) -> [Float] {
        var x = [Float](repeating: 0, count: n)
        let beat = 0.5  // seconds, 120 bpm
        let chords: [[Double]] = [[220, 277.18, 329.63], [196, 246.94, 293.66], [174.61, 220, 261.63], [196, 246.94, 329.63]]
        let pan = channel == 0 ? 0.8 : (channel == 1 ? 1.2 : 1.0)
        let beats = Int(Double(n) / sr / beat) + 1
        for b in 0..<beats {
            let start = Int(Double(b) * beat * sr)
            if start >= n { break }
            let chord = chords[(b / 4) % chords.count]
            let len = min(n - start, Int(beat * 2 * sr))
            for (k, f) in chord.enumerated() {
                let g = (k == 1 ? pan : 2 - pan) * 0.08
                for i in 0..<len {
                    let t = Double(i) / sr
                    let env = exp(-3 * t)
                    x[start + i] += Float(g * env * (sin(2 * .pi * f * t) + 0.3 * sin(4 * .pi * f * t) + 0.1 * sin(6 * .pi * f * t)))
                }
            }
            // Bass.
            let bass = chord[0] / 2
            for i in 0..<min(n - start, Int(beat * sr)) {
                let t = Double(i) / sr
                x[start + i] += Float(0.12 * exp(-4 * t) * sin(2 * .pi * bass * t))
            }
            // Kick on every other beat, hi-hat on the off-beat.
            if b % 2 == 0 {
                for i in 0..<min(n - start, Int(0.15 * sr)) {
                    let t = Double(i) / sr
                    x[start + i] += Float(0.3 * exp(-25 * t) * sin(2 * .pi * (50 + 100 * exp(-30 * t)) * t))
                }
            }
            let hat = start + Int(beat / 2 * sr)
            if hat < n {
                for i in 0..<min(n - hat, Int(0.05 * sr)) {
                    let t = Double(i) / sr
                    x[hat + i] += Float(0.04 * exp(-80 * t) * rng.gaussian())
                }
            }
        }
        return x
    }
}

/// xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64: fast, seeded, portable.
public struct Xoshiro: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spare: Double?

    public init(seed: UInt64) {
        var mix = SplitMix64(seed: seed)
        s = (mix.next(), mix.next(), mix.next(), mix.next())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Marsaglia polar method).
    public mutating func gaussian() -> Double {
        if let g = spare { spare = nil; return g }
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let m = (-2 * log(s) / s).squareRoot()
                spare = v * m
                return u * m
            }
        }
    }
}
