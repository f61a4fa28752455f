import Foundation
import Testing
import TQAudio

/// Options belong to a codec (issue 14.7): one the chosen codec does not use is a usage error
/// (exit 64) naming its codec; a target that cannot be met is a warning with the value reached.
@Suite(.serialized) struct CodecOptionCLITests {
    func input(_ d: ScratchDirectory, seconds: Double = 0.5, seed: UInt64 = 9) throws -> String {
        var rng = SplitMix64(seed: seed)
        let n = Int(seconds * 16_000)
        let x = AudioBuffer(sampleRate: 16_000, channels: [rng.noise(n, sigma: 0.1), rng.noise(n, sigma: 0.1)])
        try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: d.file("in.wav"))
        return d.file("in.wav")
    }

    @Test func optionsOfAnotherCodecExit64() throws {
        let d = try ScratchDirectory()
        let wav = try input(d)
        let cases: [([String], String)] = [
            (["--snr", "40"], "--snr is a spectral option, and the codec is turbo; add --codec spectral"),
            (["--bits-per-sample", "2"], "--bits-per-sample is a spectral option, and the codec is turbo"),
            (["--codec", "spectral", "--bits", "2"], "--bits is a turbo option, and the codec is spectral; add --codec turbo"),
            (["--codec", "spectral", "--block", "1024"], "--block is a turbo option"),
            (["--codec", "spectral", "--no-residual"], "--no-residual is a turbo option"),
            (["--model", "6kbps"], "--model is a sqcodec and l3ac option, and the codec is turbo; add --codec sqcodec or --codec l3ac"),
            (["--codec", "spectral", "--weights", "w"], "--weights is a sqcodec and l3ac option"),
            (["--codec", "l3ac", "--bits", "3"], "--bits is a turbo option, and the codec is l3ac; add --codec turbo"),
            (["--codec", "sqcodec", "--seed", "3"], "--seed is a turbo and spectral option, and the codec is sqcodec"),
            (["--codec", "sqcodec", "--bits", "3"], "--bits is a turbo option"),
        ]
        for (args, message) in cases {
            let o = try CLI.run(["encode", wav, "-o", d.file("x.tqa")] + args)
            #expect(o.status == 64 && o.stderr.hasPrefix("error: \(message)"), "\(args): status \(o.status), \(o.stderr)")
            #expect(!FileManager.default.fileExists(atPath: d.file("x.tqa")))
        }
        // The same check in run and bench; simulate's --seed and --block also make its signal.
        let run = try CLI.run(["run", "-i", wav, "--snr", "30"])
        #expect(run.status == 64 && run.stderr.contains("--snr is a spectral option"), "\(run.stderr)")
        let bench = try CLI.run(["bench", "-i", wav, "--codec", "spectral", "--bits", "3", "--no-seed"])
        #expect(bench.status == 64 && bench.stderr.contains("--bits is a turbo option"), "\(bench.stderr)")
        let sim = try CLI.run(["simulate", "--type", "hadamard", "--duration", "0.1", "--codec", "spectral", "--seed", "3", "--block", "256"])
        #expect(sim.status == 0, "\(sim.stderr)")
        let simBad = try CLI.run(["simulate", "--duration", "0.1", "--snr", "20"])
        #expect(simBad.status == 64, "\(simBad.stderr)")
        // An option of the chosen codec is fine, and its default needs no option.
        for args in [["--bits", "3", "--block", "256", "--no-residual", "--seed", "4"], ["--codec", "spectral", "--snr", "20", "--seed", "4"]] {
            let o = try CLI.run(["encode", wav, "-o", d.file("ok.tqa"), "--force", "-q"] + args)
            #expect(o.status == 0, "\(args): \(o.stderr)")
        }
    }

    @Test func unmetTargetsWarnWithTheValueReached() throws {
        let d = try ScratchDirectory()
        let wav = try input(d)
        let floor = try CLI.run(["encode", wav, "-o", d.file("low.tqa"), "--codec", "spectral", "--bits-per-sample", "0.01"])
        #expect(floor.status == 0, "\(floor.stderr)")
        let reached = Double(readBytes(d.file("low.tqa")).count * 8) / Double(2 * 8_000)
        #expect(reached > 0.0105)
        #expect(floor.stderr.contains("warning: \(wav): --bits-per-sample 0.010 cannot be met; reached \(String(format: "%.3f", reached)) bits/sample"),
                "\(floor.stderr)")
        let met = try CLI.run(["encode", wav, "-o", d.file("four.tqa"), "--codec", "spectral", "--bits-per-sample", "4"])
        #expect(met.status == 0 && !met.stderr.contains("warning"), "\(met.stderr)")
        let high = try CLI.run(["encode", wav, "-o", d.file("high.tqa"), "--codec", "spectral", "--snr", "150"])
        #expect(high.status == 0 && high.stderr.contains("warning: \(wav): --snr 150.0 cannot be met; reached "), "\(high.stderr)")
        let snr = try CLI.run(["encode", wav, "-o", d.file("snr.tqa"), "--codec", "spectral", "--snr", "30"])
        #expect(snr.status == 0 && !snr.stderr.contains("warning"), "\(snr.stderr)")
    }
}
