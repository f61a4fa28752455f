import Foundation
import Testing
import TQAudio

/// `tqa decode --whole` (issue 16) end to end, seeded random full-size weights of SQCodec 6kbps
/// and L3AC 1kbps.
@Suite struct WholeDecodeCLITests {
    /// A file of one packet decodes exactly as the whole sequence already: `--whole` gives the
    /// same samples (within float rounding); it refuses a span.
    @Test(arguments: [("sqcodec", "6kbps"), ("l3ac", "1kbps")])
    func wholeMatchesSinglePacketDecodeAndRefusesASpan(codec: String, model: String) throws {
        let dir = try ScratchDirectory()
        let weights = dir.file("w")
        #expect(try CLI.run(["models", "--random-weights", weights, "--codec", codec, "--model", model, "--seed", "11"]).status == 0)
        #expect(try CLI.run(["synth", "--type", "demo", "--duration", "1.5", "--sample-rate", "16000", "-o", dir.file("in.wav")]).status == 0)
        let enc = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", codec, "--model", model, "--weights", weights])
        #expect(enc.status == 0, "\(enc.stderr)")
        let streaming = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("s.wav"), "--weights", weights, "--format", "f32"])
        let whole = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("w.wav"), "--weights", weights, "--format", "f32", "--whole"])
        #expect(streaming.status == 0 && whole.status == 0, "\(streaming.stderr) \(whole.stderr)")
        let a = try WAVReader.readAll(path: dir.file("s.wav")), b = try WAVReader.readAll(path: dir.file("w.wav"))
        #expect(a.frameCount == 24_000 && b.frameCount == a.frameCount)
        let diff = zip(a.channel(0), b.channel(0)).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(diff <= 1e-5, "--whole differs by \(diff) from the one-packet decode")

        let span = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("span.wav"), "--weights", weights, "--whole", "--skip", "100"])
        #expect(span.status == 64 && span.stderr.contains("--whole decodes whole files"), "\(span.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("span.wav")))
    }
}
