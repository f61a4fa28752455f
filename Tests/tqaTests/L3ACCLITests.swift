import Foundation
import Testing

/// `--codec l3ac` end to end with seeded random weights for the full-size 1kbps model
/// (`tqa models --random-weights DIR --codec l3ac`): the CLI path, not codec quality.
@Suite struct L3ACCLITests {
    /// Random 1kbps weights (seed 7) and a 2-channel 22.05 kHz input of `seconds`.
    func setUp(_ dir: ScratchDirectory, seconds: String = "1.3") throws -> String {
        let weights = dir.file("l3ac-1kbps")
        let made = try CLI.run(["models", "--random-weights", weights, "--codec", "l3ac", "--model", "1kbps", "--seed", "7"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stderr.contains("L3AC 1kbps"), "\(made.stderr)")
        #expect(try CLI.run(["synth", "--type", "demo", "--duration", seconds, "--sample-rate", "22050", "--channels", "2",
                             "-o", dir.file("in.wav")]).status == 0)
        return weights
    }

    @Test func encodeInfoTokensDecodeTest() throws {
        let dir = try ScratchDirectory()
        let weights = try setUp(dir)
        let enc = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "l3ac", "--model", "1kbps",
                               "--weights", weights])
        #expect(enc.status == 0 && !enc.crashed, "\(enc.stderr)")
        #expect(enc.stderr.contains("l3ac 1kbps"), "\(enc.stderr)")

        let info = jsonObject(try CLI.run(["info", dir.file("x.tqa"), "--json"]).stdout)
        #expect(info["codec"] as? String == "l3ac")
        #expect((info["sample_rate"] as? NSNumber)?.intValue == 16_000)
        #expect((info["channels"] as? NSNumber)?.intValue == 2)

        let tokens = jsonObject(try CLI.run(["tokens", dir.file("x.tqa"), "--json"]).stdout)
        #expect(tokens["codec"] as? String == "l3ac" && tokens["model"] as? String == "1kbps")
        #expect((tokens["tokens_per_second"] as? NSNumber)?.doubleValue == 59.26)
        let channels = tokens["channels"] as? [[NSNumber]] ?? []
        // 1.3 s at 22.05 kHz is 20,800 samples at 16 kHz: ⌈20,800 / 270⌉ = 78 tokens (L3AC pads
        // to one hop, not a whole window).
        #expect(channels.count == 2 && channels.allSatisfy { $0.count == 78 }, "\(channels.map(\.count))")
        #expect(channels.joined().allSatisfy { (0..<117_649).contains($0.intValue) })

        let model = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("model.wav"), "--weights", weights])
        #expect(model.status == 0, "\(model.stderr)")
        let m = jsonObject(try CLI.run(["info", dir.file("model.wav"), "--json"]).stdout)
        #expect((m["sample_rate"] as? NSNumber)?.intValue == 16_000 && (m["frames"] as? NSNumber)?.intValue == 20_800)
        let source = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("source.wav"), "--weights", weights, "--rate", "source"])
        #expect(source.status == 0, "\(source.stderr)")
        let s = jsonObject(try CLI.run(["info", dir.file("source.wav"), "--json"]).stdout)
        #expect((s["sample_rate"] as? NSNumber)?.intValue == 22_050)

        let test = try CLI.run(["test", dir.file("x.tqa"), "--weights", weights])
        #expect(test.status == 0, "\(test.stderr)")

        // A span: the tokens whose hop of 270 samples meets it.
        let span = jsonObject(try CLI.run(["tokens", dir.file("x.tqa"), "--json", "--skip", "2700", "--until", "5400"]).stdout)
        let all = channels.map { $0.map(\.intValue) }
        #expect(span["first_token"] as? Int == 10)
        #expect(span["channels"] as? [[Int]] == all.map { Array($0[10 ..< 20]) })
        let part = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("part.wav"), "--weights", weights,
                                "--skip", "2700", "--until", "5400"])
        #expect(part.status == 0, "\(part.stderr)")
        let p = jsonObject(try CLI.run(["info", dir.file("part.wav"), "--json"]).stdout)
        #expect((p["frames"] as? NSNumber)?.intValue == 2700)
    }

    @Test func missingAndWrongWeightsAreClearErrors() throws {
        let dir = try ScratchDirectory()
        #expect(try CLI.run(["synth", "--duration", "0.2", "-o", dir.file("in.wav")]).status == 0)
        let missing = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "l3ac", "--model", "3kbps",
                                   "--weights", dir.file("nowhere")])
        #expect(missing.status == 1 && !missing.crashed)
        #expect(missing.stderr.hasPrefix("error: no L3AC weights for model 3kbps"), "\(missing.stderr)")
        #expect(missing.stderr.contains("huggingface.co/zhai-lw/L3AC under weights/3kbps.v1/"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.tqa")))
        // 6kbps is an SQCodec model, not an L3AC one.
        let unknown = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "l3ac", "--model", "6kbps"])
        #expect(unknown.status == 64 && unknown.stderr.hasPrefix("error: --model must be one of 0k75bps, 1kbps, 1k5bps, 3kbps"),
                "\(unknown.stderr)")
        #expect(try CLI.run(["models", "--random-weights", dir.file("w"), "--codec", "l3ac", "--model", "1kbps"]).status == 0)
        let wrong = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "l3ac", "--model", "3kbps",
                                 "--weights", dir.file("w")])
        #expect(wrong.status == 1 && wrong.stderr.hasPrefix("error: tensor ") && !wrong.crashed, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("(wrong --model?)"), "\(wrong.stderr)")
        // SQCodec weights are not L3AC weights of the same name.
        #expect(try CLI.run(["models", "--random-weights", dir.file("sq"), "--model", "3kbps"]).status == 0)
        let family = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "l3ac", "--model", "3kbps",
                                  "--weights", dir.file("sq")])
        #expect(family.status == 1 && !family.crashed, "\(family.stderr)")
        let random = try CLI.run(["models", "--random-weights", dir.file("w"), "--codec", "l3ac", "--model", "6kbps"])
        #expect(random.status != 0 && random.stderr.contains("unknown L3AC model 6kbps"), "\(random.stderr)")
    }

    @Test func modelsListsBothFamilies() throws {
        let out = try CLI.run(["models", "--json"])
        let rows = (try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]]) ?? []
        let l3ac = rows.filter { $0["codec"] as? String == "l3ac" }
        #expect(l3ac.map { $0["model"] as? String ?? "" } == ["0k75bps", "1kbps", "1k5bps", "3kbps"])
        #expect(rows.filter { $0["codec"] as? String == "sqcodec" }.count == 7)
        let r3 = l3ac.last
        #expect((r3?["codebook_size"] as? NSNumber)?.intValue == 250_047)
        #expect((r3?["weights"] as? String)?.hasSuffix(".cache/l3ac/3kbps.v1") == true)
        let only = try CLI.run(["models", "--codec", "l3ac"])
        #expect(only.status == 0 && only.stdout.contains("huggingface.co/zhai-lw/L3AC") && !only.stdout.contains("12kbps_24khz"))
    }

    @Test func benchRunsL3AC() throws {
        let dir = try ScratchDirectory()
        let weights = try setUp(dir, seconds: "0.5")
        let b = try CLI.run(["bench", "-i", dir.file("in.wav"), "--codec", "l3ac", "--model", "1kbps", "--weights", weights,
                             "--repeats", "1", "--threads", "1", "--no-seed"])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(b.stdout.contains("codec: l3ac 1kbps") && b.stdout.contains("tqa l3ac (1 thread)"), "\(b.stdout)")
    }
}
