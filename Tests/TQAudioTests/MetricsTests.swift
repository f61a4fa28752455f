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

    /// A source band-limited to 100–2000 Hz at 16 kHz (the top three quarters of the spectrum
    /// empty) plus white noise at `snrDB`.
    func bandLimited(snrDB: Double, seed: UInt64) -> (AudioBuffer, AudioBuffer) {
        var rng = Xoshiro(seed: seed)
        let n = 32_000
        var x = [Float](repeating: 0, count: n)
        for _ in 0..<40 {
            let f = 100 + 1900 * Double(rng.next() % 10_000) / 10_000, phase = 2 * Double.pi * Double(rng.next() % 1000) / 1000
            for i in 0..<n { x[i] += Float(0.02 * sin(2 * Double.pi * f * Double(i) / 16_000 + phase)) }
        }
        let power = x.reduce(0.0) { $0 + Double($1 * $1) } / Double(n)
        let sigma = (power / pow(10, snrDB / 10)).squareRoot()
        let y = x.map { $0 + Float(sigma * rng.gaussian()) }
        return (AudioBuffer(sampleRate: 16_000, channels: [x]), AudioBuffer(sampleRate: 16_000, channels: [y]))
    }

    /// Issue 14.9: with the old floor (1e-10 absolute), the empty band's bins, where the test has
    /// only noise and the reference nothing, dominated the LSD (29 dB for a 36.7 dB SNR file).
    @Test func emptyBandDoesNotDominateLSD() {
        let seed: UInt64 = 7
        let (x, y) = bandLimited(snrDB: 40, seed: seed)
        let m = FidelityMetrics.compare(x, y)
        #expect(abs(m.snrDB - 40) < 0.5, "seed \(seed)")
        #expect(m.lsdDB < 1.5, "seed \(seed): LSD \(m.lsdDB) dB for 40 dB SNR noise")
        // Noise that fills the empty band at 10 dB below the signal is still seen.
        let (_, loud) = bandLimited(snrDB: 10, seed: seed)
        let l = FidelityMetrics.compare(x, loud)
        #expect(l.lsdDB > 5 && l.lsdDB > 4 * m.lsdDB, "seed \(seed): LSD \(l.lsdDB) dB for 10 dB SNR noise")
    }

    @Test func silentFramesAreLeftOutOfLSD() {
        // Silence, then a tone; the test adds faint noise (−90 dB FS) everywhere.
        var rng = Xoshiro(seed: 3)
        let x = [Float](repeating: 0, count: 16_000) + tone(16_000, 440)
        let y = x.map { $0 + Float(3e-5 * rng.gaussian()) }
        let m = FidelityMetrics.compare(AudioBuffer(sampleRate: 16_000, channels: [x]), AudioBuffer(sampleRate: 16_000, channels: [y]))
        #expect(m.lsdDB < 0.5, "seed 3: LSD \(m.lsdDB)")
        let silent = [Float](repeating: 0, count: 8000)
        #expect(FidelityMetrics.compare(AudioBuffer(sampleRate: 16_000, channels: [silent]), AudioBuffer(sampleRate: 16_000, channels: [silent])).lsdDB.isNaN)
    }

    @Test func profileSpectraBandsAndSegments() {
        let (x, y) = bandLimited(snrDB: 40, seed: 11)
        var acc = MetricsAccumulator(channelCount: 1, sampleRate: 16_000)
        acc.add(reference: x, test: y)
        let p = acc.profiles[0]
        #expect(p.frequencies.count == 1024 && p.frequencies[0] == 16_000.0 / 2048 && p.frequencies.last == 8000)
        #expect(p.referenceDB.count == 1024 && p.errorDB.count == 1024)
        // Octave bands from the one holding 20 Hz (11–22 Hz) to 8 kHz (clipped to Nyquist).
        #expect(p.bands.map(\.centerHz) == [15.625, 31.25, 62.5, 125, 250, 500, 1000, 2000, 4000, 8000])
        let band1k = p.bands.first { $0.centerHz == 1000 }!, band4k = p.bands.first { $0.centerHz == 4000 }!
        #expect(band1k.snrDB > 40, "\(band1k)")
        #expect(band4k.snrDB < 0, "\(band4k)")
        // White error: flat within a few dB between 3 and 7 kHz; the reference far below it there.
        let hi = p.frequencies.indices.filter { p.frequencies[$0] > 3000 && p.frequencies[$0] < 7000 }
        #expect(hi.allSatisfy { p.errorDB[$0] > p.referenceDB[$0] + 20 })
        #expect(p.segmentSNRDB.count == 100 && abs(p.segmentSeconds - 0.02) < 1e-12)
        let series = p.segmentSNRSeries(maxPoints: 30)
        #expect(series.count == 25 && series[1].seconds == 0.08)
        #expect(series.allSatisfy { abs($0.snrDB - 40) < 3 })
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
