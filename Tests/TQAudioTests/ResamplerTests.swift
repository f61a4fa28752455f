import Foundation
import Testing
@testable import TQAudio

@Suite struct ResamplerTests {
    func sine(_ frequency: Double, rate: Int, frames: Int, amplitude: Double = 0.5, phase: Double = 0.3) -> [Float] {
        (0..<frames).map { Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate) + phase)) }
    }

    /// Amplitude of the best fit `a·sin + b·cos` at `frequency`, and the SNR (dB) of `y` against
    /// `reference`, both over `range`.
    func compare(_ y: [Float], _ reference: [Float], frequency: Double, rate: Int, range: Range<Int>) -> (amplitude: Double, snrDB: Double) {
        var (ss, sc, cc, ys, yc, signal, noise) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        for i in range {
            let w = 2 * Double.pi * frequency * Double(i) / Double(rate)
            let (s, c) = (sin(w), cos(w))
            ss += s * s; sc += s * c; cc += c * c
            ys += Double(y[i]) * s; yc += Double(y[i]) * c
            signal += Double(reference[i]) * Double(reference[i])
            noise += (Double(y[i]) - Double(reference[i])) * (Double(y[i]) - Double(reference[i]))
        }
        let det = ss * cc - sc * sc
        let a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det
        return ((a * a + b * b).squareRoot(), 10 * log10(signal / max(noise, 1e-30)))
    }

    func mono(_ x: [Float], _ rate: Int) -> AudioBuffer { AudioBuffer(sampleRate: rate, channels: [x]) }

    @Test(arguments: [1000.0, 6000.0])
    func passbandToneSurvives44100To16000AndBack(frequency: Double) {
        let n = 22050
        let x = sine(frequency, rate: 44100, frames: n)
        let down = Resampler(inputRate: 44100, outputRate: 16000)(mono(x, 44100))
        #expect(down.frameCount == 8000 && down.sampleRate == 16000)
        let ideal16 = sine(frequency, rate: 16000, frames: 8000)
        let d = compare(Array(down.samples), ideal16, frequency: frequency, rate: 16000, range: 800..<7200)
        #expect(abs(20 * log10(d.amplitude / 0.5)) < 0.1)
        #expect(d.snrDB >= 70, "\(d.snrDB) dB")

        let back = Resampler(inputRate: 16000, outputRate: 44100)(down)
        #expect(back.frameCount == n)
        let r = compare(Array(back.samples), x, frequency: frequency, rate: 44100, range: 2000..<(n - 2000))
        #expect(abs(20 * log10(r.amplitude / 0.5)) < 0.1, "\(20 * log10(r.amplitude / 0.5)) dB")
        #expect(r.snrDB >= 70, "\(r.snrDB) dB")
    }

    @Test(arguments: [8500.0, 10000.0, 15000.0, 21000.0])
    func aboveNyquistToneIsRemoved(frequency: Double) {
        let x = sine(frequency, rate: 44100, frames: 22050, amplitude: 1)
        let y = Resampler(inputRate: 44100, outputRate: 16000)(mono(x, 44100))
        let middle = y.samples[800..<7200]
        let rms = (middle.map { Double($0) * Double($0) }.reduce(0, +) / Double(middle.count)).squareRoot()
        let attenuation = -20 * log10(rms / (1 / 2.0.squareRoot()))
        #expect(attenuation >= 70, "\(attenuation) dB")
    }

    @Test func lengthIsCeilingOfTheRatio() {
        let r = Resampler(inputRate: 44100, outputRate: 16000)
        #expect(r.upFactor == 160 && r.downFactor == 441)
        for (n, expected) in [(0, 0), (1, 1), (441, 160), (1000, 363), (44100, 16000)] {
            #expect(r.outputFrameCount(forInput: n) == expected)
            #expect(r(AudioBuffer(sampleRate: 44100, channelCount: 2, frameCount: n)).frameCount == expected)
        }
        #expect(Resampler(inputRate: 16000, outputRate: 48000).outputFrameCount(forInput: 5) == 15)
    }

    @Test(arguments: [(16000, 48000, 800, 2400), (48000, 16000, 2400, 800), (44100, 24000, 4410, 2400)])
    func noGroupDelay(input: Int, output: Int, impulseAt: Int, peakAt: Int) {
        var x = [Float](repeating: 0, count: 2 * impulseAt)
        x[impulseAt] = 1
        let y = Resampler(inputRate: input, outputRate: output)(mono(x, input)).samples
        let peak = y.indices.max { y[$0] < y[$1] }
        #expect(peak == peakAt)
    }

    @Test func streamingEqualsWholeBuffer() {
        for (seed, rates) in zip(UInt64(1)..., [(44100, 16000), (16000, 44100), (48000, 44100), (44100, 44099)]) {
            var g = SplitMix64(seed: seed)
            let input = randomBuffer(channels: 2, frames: 3000, sampleRate: rates.0, seed: seed)
            let r = Resampler(inputRate: rates.0, outputRate: rates.1)
            let whole = r(input)
            var stream = ResamplerStream(r, channelCount: 2)
            var out = AudioBuffer(sampleRate: rates.1, channelCount: 2, frameCount: 0)
            var start = 0
            while start < input.frameCount {
                let n = min(input.frameCount - start, Int.random(in: 0...400, using: &g))
                out.append(stream.push(input.frames(start ..< start + n)))
                start += n
            }
            out.append(stream.finish())
            #expect(out == whole, "seed \(seed)")
            #expect(out.frameCount == r.outputFrameCount(forInput: 3000), "seed \(seed)")
        }
    }

    @Test func hugeRatioUsesTheInterpolatedPrototype() {
        let r = Resampler(inputRate: 44100, outputRate: 44099)
        #expect(r.table.isEmpty && !r.prototype.isEmpty)
        let x = sine(3000, rate: 44100, frames: 8000)
        let y = r(mono(x, 44100)).samples
        let ideal = sine(3000, rate: 44099, frames: y.count)
        let c = compare(Array(y), ideal, frequency: 3000, rate: 44099, range: 500..<7500)
        #expect(c.snrDB >= 70, "\(c.snrDB) dB")
    }

    @Test func channelsAreIndependentAndEqualRatesPassThrough() {
        let left = sine(440, rate: 48000, frames: 4800), right = sine(5000, rate: 48000, frames: 4800)
        let r = Resampler(inputRate: 48000, outputRate: 24000)
        let both = r(AudioBuffer(sampleRate: 48000, channels: [left, right]))
        #expect(both.channel(0) == r(mono(left, 48000)).channel(0))
        #expect(both.channel(1) == r(mono(right, 48000)).channel(0))
        let same = AudioBuffer(sampleRate: 16000, channels: [left, right])
        #expect(Resampler(inputRate: 16000, outputRate: 16000)(same) == same)
    }

    @Test func kaiserPieces() {
        #expect(abs(Resampler.besselI0(0) - 1) < 1e-15)
        #expect(abs(Resampler.besselI0(1) - 1.2660658777520082) < 1e-14)
        #expect(Resampler.gcd(44100, 16000) == 100)
    }
}
