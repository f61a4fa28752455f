import Foundation
import Testing
import TQAudio

/// `--tune perceptual` and `--bitrate` through the CLI: every sample format and channel count
/// round-trips, the file lands on the rate, and the codecs without a rate in bits per second say
/// what they take instead.
@Suite(.serialized) struct PerceptualCLITests {
    func music(rate: Int, channels: Int, seconds: Double, seed: UInt64) -> AudioBuffer {
        var rng = SplitMix64(seed: seed)
        let n = Int(seconds * Double(rate))
        return AudioBuffer(sampleRate: rate, channels: (0 ..< channels).map { c in
            let noise = rng.noise(n, sigma: 0.02)
            return (0 ..< n).map { t in 0.3 * sinf(Float(t) * 0.031 * Float(c + 1)) + 0.1 * sinf(Float(t) * 0.27) + noise[t] }
        })
    }

    @Test func everySampleFormatAndChannelCountRoundTrips() throws {
        let d = try ScratchDirectory()
        for (i, format) in SampleFormat.allCases.enumerated() {
            for channels in 1 ... 8 {
                let seed = UInt64(i * 16 + channels)
                let x = music(rate: [16000, 44100, 48000][channels % 3], channels: channels, seconds: 0.3, seed: seed)
                try writeBytes(WAVWriter.bytes(of: x, format: format), to: d.file("in.wav"))
                let enc = try CLI.run(["encode", d.file("in.wav"), "-o", d.file("p.tqa"), "--codec", "spectral", "--tune", "perceptual",
                                       "--bitrate", "\(48 * channels)k", "--force", "-q"])
                #expect(enc.status == 0, "seed \(seed) \(format) \(channels) ch: \(enc.stderr)")
                let dec = try CLI.run(["decode", d.file("p.tqa"), "-o", d.file("back.wav"), "--force", "-q"])
                #expect(dec.status == 0, "seed \(seed) \(format) \(channels) ch: \(dec.stderr)")
                let y = try WAVReader.readAll(path: d.file("back.wav"))
                #expect(y.frameCount == x.frameCount && y.channelCount == channels && y.sampleRate == x.sampleRate,
                        "seed \(seed) \(format) \(channels) ch")
                let info = try CLI.run(["info", d.file("p.tqa"), "--json"])
                #expect(info.stdout.contains("perceptual"), "seed \(seed): \(info.stdout) \(info.stderr)")
            }
        }
    }

    /// A 12 s file lands within 2 % of --bitrate (header and container included), both tunings.
    @Test func fileLandsOnTheBitrate() throws {
        let d = try ScratchDirectory()
        let x = music(rate: 44100, channels: 2, seconds: 12, seed: 77)
        try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: d.file("in.wav"))
        for tune in ["mse", "perceptual"] {
            for rate in [64_000.0, 128_000.0] {
                let o = try CLI.run(["encode", d.file("in.wav"), "-o", d.file("r.tqa"), "--codec", "spectral", "--tune", tune,
                                     "--bitrate", "\(Int(rate / 1000))k", "--force", "-q"])
                #expect(o.status == 0, "\(o.stderr)")
                let reached = Double(readBytes(d.file("r.tqa")).count * 8) / 12
                #expect(abs(reached / rate - 1) < 0.02, "seed 77 \(tune): \(reached) bit/s for \(rate)")
            }
        }
    }

    @Test func optionsAreSpectralOnesAndExclusive() throws {
        let d = try ScratchDirectory()
        try writeBytes(WAVWriter.bytes(of: music(rate: 16000, channels: 1, seconds: 0.2, seed: 3), format: .s16), to: d.file("in.wav"))
        let cases: [([String], String)] = [
            (["--bitrate", "96k"], "--bitrate is a spectral option, and the codec is turbo; add --codec spectral (turbo sets its rate with --bits"),
            (["--codec", "sqcodec", "--bitrate", "6k"], "--bitrate is a spectral option, and the codec is sqcodec; add --codec spectral (sqcodec's rate is its --model's"),
            (["--tune", "perceptual"], "--tune is a spectral option, and the codec is turbo"),
            (["--codec", "spectral", "--bitrate", "96k", "--bits-per-sample", "2"], "give one of --bits-per-sample, --bitrate and --snr"),
            (["--codec", "spectral", "--bitrate", "96k", "--snr", "20"], "give one of --bits-per-sample, --bitrate and --snr"),
            (["--codec", "spectral", "--bitrate", "10"], "--bitrate must be in 100...100M"),
        ]
        for (args, message) in cases {
            let o = try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa")] + args)
            #expect(o.status == 64 && o.stderr.hasPrefix("error: \(message)"), "\(args): status \(o.status), \(o.stderr)")
            #expect(!FileManager.default.fileExists(atPath: d.file("x.tqa")))
        }
        for bad in ["fast", "-1k", "k", "12x"] {
            let o = try CLI.run(["encode", d.file("in.wav"), "-o", d.file("x.tqa"), "--codec", "spectral", bad.hasPrefix("f") ? "--tune" : "--bitrate", bad])
            #expect(o.status == 64, "\(bad): \(o.stderr)")
        }
        for (arg, ok) in [("1.5M", true), ("96000", true), ("32K", true)] {
            let o = try CLI.run(["encode", d.file("in.wav"), "-o", d.file("ok.tqa"), "--codec", "spectral", "--bitrate", arg, "--force", "-q"])
            #expect((o.status == 0) == ok, "\(arg): \(o.stderr)")
        }
    }
}
