import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--codec sqcodec` end to end with seeded random weights for the full-size 6kbps model
/// (`tqa models --random-weights`): the CLI path, not codec quality.
@Suite struct SQCodecCLITests {
    @Test func encodeTokensDecodeWithRandomWeights() throws {
        let dir = try ScratchDirectory()
        let weights = dir.file("w6")
        let made = try CLI.run(["models", "--random-weights", weights, "--model", "6kbps", "--seed", "7"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try CLI.run(["synth", "--type", "demo", "--duration", "0.5", "--sample-rate", "22050", "--channels", "2", "-o", dir.file("in.wav")]).status == 0)

        let enc = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "sqcodec", "--model", "6kbps", "--weights", weights])
        #expect(enc.status == 0 && !enc.crashed, "\(enc.stderr)")
        let info = jsonObject(try CLI.run(["info", dir.file("x.tqa"), "--json"]).stdout)
        #expect(info["codec"] as? String == "sqcodec")
        #expect((info["sample_rate"] as? NSNumber)?.intValue == 16_000)
        #expect((info["channels"] as? NSNumber)?.intValue == 2)

        let tokens = jsonObject(try CLI.run(["tokens", dir.file("x.tqa"), "--json"]).stdout)
        #expect(tokens["model"] as? String == "6kbps")
        #expect((tokens["tokens_per_second"] as? NSNumber)?.doubleValue == 355.56)
        let channels = tokens["channels"] as? [[NSNumber]] ?? []
        // 0.5 s at 16 kHz is one block of 13,500 samples: 300 tokens per channel.
        #expect(channels.count == 2 && channels.allSatisfy { $0.count == 300 })
        #expect(channels.joined().allSatisfy { (0..<117_649).contains($0.intValue) })

        let model = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("model.wav"), "--weights", weights])
        #expect(model.status == 0, "\(model.stderr)")
        let m = jsonObject(try CLI.run(["info", dir.file("model.wav"), "--json"]).stdout)
        #expect((m["sample_rate"] as? NSNumber)?.intValue == 16_000 && (m["frames"] as? NSNumber)?.intValue == 8_000)
        let source = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("source.wav"), "--weights", weights, "--rate", "source"])
        #expect(source.status == 0, "\(source.stderr)")
        let s = jsonObject(try CLI.run(["info", dir.file("source.wav"), "--json"]).stdout)
        #expect((s["sample_rate"] as? NSNumber)?.intValue == 22_050)
        let frames = (s["frames"] as? NSNumber)?.intValue ?? 0
        #expect(frames >= 11_025 && frames <= 11_028, "\(frames) frames back at the source rate")
    }

    /// Streaming decode: fed through a FIFO, `tqa decode` writes a packet's audio (to its
    /// temporary output) once the next packet has arrived, long before the input ends, and the
    /// result equals decoding the whole file.
    @Test func decodeWritesAudioBeforeTheInputEnds() throws {
        signal(SIGPIPE, SIG_IGN)
        let dir = try ScratchDirectory()
        let weights = try makeSQCodec6kbpsFile(in: dir)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("x.tqa"))))
        let whole = try CLI.run(["decode", dir.file("x.tqa"), "-o", dir.file("whole.wav"), "--weights", weights, "--threads", "1"])
        #expect(whole.status == 0, "\(whole.stderr)")

        let fifo = dir.file("fifo.tqa")
        #expect(mkfifo(fifo, 0o644) == 0)
        let running = try CLI.start(["decode", fifo, "-o", dir.file("streamed.wav"), "--weights", weights, "--threads", "1"])
        let fd = try InterruptTests().openWriter(fifo)
        // Everything but the last packet's tail: packets 1 and 2 are complete.
        let held = 200
        #expect(InterruptTests().writeAll(fd, Array(bytes[..<(bytes.count - held)])))
        // Packet 1's 20 s (640 KB of s16) must reach the temporary file while the input is still
        // open: at least one 256 KB flush of the output buffer.
        var written = 0
        let deadline = Date().addingTimeInterval(120)
        while written < 262_144 && Date() < deadline && running.process.isRunning {
            written = dir.contents().filter { $0.hasPrefix(".streamed.wav.tmp-") }
                .compactMap { try? FileManager.default.attributesOfItem(atPath: dir.file($0))[.size] as? Int }.max() ?? 0
            usleep(50_000)
        }
        #expect(written >= 262_144, "only \(written) bytes of audio written before the input ended")
        #expect(InterruptTests().writeAll(fd, Array(bytes[(bytes.count - held)...])))
        close(fd)
        let o = running.finish()
        #expect(o.status == 0, "\(o.stderr)")
        let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("streamed.wav")))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir.file("whole.wav")))
        #expect(a == b, "streamed decoding differs from decoding the file")
    }

    @Test func missingOrWrongWeightsAreClearErrors() throws {
        let dir = try ScratchDirectory()
        #expect(try CLI.run(["synth", "--duration", "0.2", "-o", dir.file("in.wav")]).status == 0)
        let missing = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "sqcodec", "--model", "3kbps", "--weights", dir.file("nowhere")])
        #expect(missing.status == 1 && !missing.crashed)
        #expect(missing.stderr.hasPrefix("error: no SQCodec weights for model 3kbps"))
        #expect(missing.stderr.contains("huggingface.co/zhai-lw/SQCodec"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.tqa")))
        let unknown = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "sqcodec", "--model", "7kbps"])
        #expect(unknown.status == 64 && unknown.stderr.hasPrefix("error: --model must be one of"))
        #expect(try CLI.run(["models", "--random-weights", dir.file("w"), "--model", "6kbps"]).status == 0)
        let wrong = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "sqcodec", "--model", "12kbps", "--weights", dir.file("w")])
        #expect(wrong.status == 1 && wrong.stderr.hasPrefix("error: ") && !wrong.crashed, "\(wrong.stderr)")
    }

    @Test func modelsListsTheSeven() throws {
        let out = try CLI.run(["models", "--json"])
        let rows = ((try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]]) ?? [])
            .filter { $0["codec"] as? String == "sqcodec" }
        #expect(rows.map { $0["model"] as? String ?? "" } == ["0k75bps", "1k5bps", "3kbps", "6kbps", "12kbps", "12kbps_24khz", "24kbps_24khz"])
        let r24 = rows.first { $0["model"] as? String == "12kbps_24khz" }
        #expect((r24?["sample_rate"] as? NSNumber)?.intValue == 24_000)
    }
}
