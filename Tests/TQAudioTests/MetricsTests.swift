import Foundation
import Testing
@testable import TQAudio

@Suite struct MetricsTests {
    func tone(_ n: Int, _ f: Double, rate: Int = 16_000, amplitude: Double = 0.5) -> [Float] {
        (0..<n).map { Float(amplitude * sin(2 * Double.pi * f * Double($0) / Double(rate))) }
    }

    @Test func knownSNRAndMSE() {
        let x = tone(32_000, 440)
        // test = 0.9·x: error = 0.1·x, SNR = 20 dB exactly; MSE = 0.01·mean(x²) = 0.01·0.125.
        let y = x.map { $0 * 0.9 }
        let m = FidelityMetrics.compare(AudioBuffer(sampleRate: 16_000, channels: [x]), AudioBuffer(sampleRate: 16_000, channels: [y]))
        #expect(abs(m.snrDB - 20) < 1e-3)
        #expect(abs(m.mse - 0.00125) < 1e-6)
        #expect(abs(m.correlation - 1) < 1e-9)
        #expect(abs(m.peakReference - 0.5) < 1e-4 && abs(m.peakTest - 0.45) < 1e-4 && abs(m.peakDelta - 0.05) < 1e-4)
        // Every segment has the same SNR.
        #expect(abs(m.segmentalSNRDB - 20) < 1e-2)
        // The spectra differ by 20·log10(0.9) dB wherever the tone's power is above the floor.
        #expect(m.lsdDB > 0 && m.lsdDB < 1)
    }

    @Test func identicalSignals() {
        let x = AudioBuffer(sampleRate: 16_000, channels: [tone(10_000, 300), tone(10_000, 500)])
        let m = FidelityMetrics.compare(x, x)
        #expect(m.snrDB == .infinity && m.mse == 0 && m.lsdDB == 0)
        #expect(m.segmentalSNRDB == 100)
    }

    @Test func chunkedEqualsWhole() {
        let seed: UInt64 = 31
        var rng = Xoshiro(seed: seed)
        let n = 50_000
        let a = (0..<n).map { _ in Float(0.3 * rng.gaussian()) }, b = a.map { $0 + Float(0.01 * rng.gaussian()) }
        let x = AudioBuffer(sampleRate: 44_100, channels: [a]), y = AudioBuffer(sampleRate: 44_100, channels: [b])
        let whole = FidelityMetrics.compare(x, y)
        var acc = MetricsAccumulator(channelCount: 1, sampleRate: 44_100)
        var start = 0
        while start < n {
            let len = min(n - start, Int(rng.next() % 7000) + 1)
            acc.add(reference: x.frames(start ..< start + len), test: y.frames(start ..< start + len))
            start += len
        }
        let m = acc.overall
        #expect(abs(m.snrDB - whole.snrDB) < 1e-9, "seed \(seed)")
        #expect(abs(m.segmentalSNRDB - whole.segmentalSNRDB) < 1e-9, "seed \(seed)")
        #expect(abs(m.lsdDB - whole.lsdDB) < 1e-6, "seed \(seed)")
        #expect(abs(whole.snrDB - 29.54) < 0.2, "seed \(seed): noise 0.01 under 0.3 is about 29.5 dB")
    }

    @Test func perChannelAndPooled() {
        let a = tone(8000, 200), b = tone(8000, 700)
        let x = AudioBuffer(sampleRate: 16_000, channels: [a, b])
        let y = AudioBuffer(sampleRate: 16_000, channels: [a.map { $0 * 0.9 }, b.map { $0 * 0.99 }])
        var acc = MetricsAccumulator(channelCount: 2, sampleRate: 16_000)
        acc.add(reference: x, test: y)
        #expect(abs(acc.channels[0].snrDB - 20) < 1e-3 && abs(acc.channels[1].snrDB - 40) < 1e-3)
        #expect(acc.overall.snrDB > 20 && acc.overall.snrDB < 40)
    }
}

@Suite struct SignalSynthTests {
    @Test func shapesAndDeterminism() {
        for kind in SignalSynth.Kind.allCases {
            var o = SignalSynth.Options()
            o.duration = 0.5; o.sampleRate = 22_050; o.channels = 2; o.spikes = 2
            let a = SignalSynth.make(kind, o), b = SignalSynth.make(kind, o)
            #expect(a == b, "\(kind)")
            #expect(a.frameCount == 11_025 && a.channelCount == 2)
            #expect(a.samples.allSatisfy { $0.isFinite && abs($0) <= 1 }, "\(kind)")
            #expect(a.samples.contains { abs($0) == 0.98 }, "\(kind): spikes")
        }
    }

    @Test func noiseHasItsAmplitude() {
        var o = SignalSynth.Options()
        o.duration = 2; o.amplitude = 0.2; o.sampleRate = 48_000
        let x = SignalSynth.make(.noise, o)
        let rms = (x.samples.reduce(0.0) { $0 + Double($1 * $1) } / Double(x.samples.count)).squareRoot()
        #expect(abs(rms - 0.2) < 0.005, "seed \(o.seed)")
    }
}
