import Foundation
import Testing
import TQAudio
import TQContainer
import TurboQuant

/// The `tqa` command line tool end to end: exit codes, messages, outputs.
@Suite(.serialized) struct CLITests {
    /// `error: …` on stderr, exit status 1, no crash report.
    func expectError(_ o: CLI.Output, contains: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 1, "exit status \(o.status), stderr: \(o.stderr)", sourceLocation: sourceLocation)
        #expect(o.stderr.hasPrefix("error: "), "stderr: \(o.stderr)", sourceLocation: sourceLocation)
        #expect(o.stderr.contains(contains), "stderr lacks \"\(contains)\": \(o.stderr)", sourceLocation: sourceLocation)
        #expect(!o.crashed, "crashed: \(o.stderr)", sourceLocation: sourceLocation)
    }

    func expectSuccess(_ o: CLI.Output, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 0 && !o.crashed, "exit status \(o.status), stderr: \(o.stderr)", sourceLocation: sourceLocation)
    }

    /// A short noise WAV made by `tqa synth`.
    func synth(_ path: String, _ extra: [String] = []) throws {
        expectSuccess(try CLI.run(["synth", "--type", "noise", "--amplitude", "0.3", "--duration", "0.5", "--spikes", "0", "-o", path] + extra))
    }

    @Test func badInputsGiveOneLineErrors() throws {
        let d = try ScratchDirectory()
        expectError(try CLI.run(["encode", d.file("missing.wav"), "-o", d.file("x.tqa")]), contains: "missing.wav")
        try writeBytes(Array("hello, this is not audio\n".utf8), to: d.file("text.wav"))
        expectError(try CLI.run(["encode", d.file("text.wav"), "-o", d.file("x.tqa")]), contains: "not a WAV file")
        // IMA ADPCM: tag 0x0011, 4 bits, block align 256, 505 samples per block.
        let fmt: [UInt8] = [0x11, 0x00, 0x01, 0x00, 0x40, 0x1F, 0x00, 0x00, 0xD7, 0x0F, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x02, 0x00, 0xF9, 0x01]
        try writeBytes(wavBytes(fmt: fmt, data: Array(repeating: 0x11, count: 512)), to: d.file("adpcm.wav"))
        let o = try CLI.run(["encode", d.file("adpcm.wav"), "-o", d.file("x.tqa")])
        expectError(o, contains: "IMA ADPCM (format 0x0011)")
        #expect(o.stderr.contains("PCM and float WAV"))
        expectError(try CLI.run(["decode", d.file("text.wav"), "-o", d.file("y.wav")]), contains: "not a .tqa file")
        expectError(try CLI.run(["info", d.file("missing.tqa")]), contains: "missing.tqa")
        // Nothing was left behind by the failures.
        #expect(d.contents() == ["adpcm.wav", "text.wav"])
    }

    @Test func outputsAreNotOverwrittenWithoutForceAndNeverTheInput() throws {
        let d = try ScratchDirectory()
        try synth(d.file("a.wav"))
        let input = readBytes(d.file("a.wav"))
        try writeBytes([1, 2, 3], to: d.file("a.tqa"))
        expectError(try CLI.run(["encode", d.file("a.wav"), "-o", d.file("a.tqa")]), contains: "--force")
        #expect(readBytes(d.file("a.tqa")) == [1, 2, 3])
        expectSuccess(try CLI.run(["encode", d.file("a.wav"), "-o", d.file("a.tqa"), "--force"]))
        #expect(readBytes(d.file("a.tqa")).prefix(4) == [0x54, 0x51, 0x41, 0x1A])
        // The input as output, directly and through another spelling, even with --force.
        expectError(try CLI.run(["encode", d.file("a.wav"), "-o", d.file("a.wav"), "--force"]), contains: "is the input file")
        expectError(try CLI.run(["encode", d.file("a.wav"), "-o", d.path + "/./a.wav", "--force"]), contains: "is the input file")
        expectError(try CLI.run(["decode", d.file("a.tqa"), "-o", d.file("a.tqa"), "--force"]), contains: "is the input file")
        #expect(readBytes(d.file("a.wav")) == input)
        #expect(d.contents() == ["a.tqa", "a.wav"])
    }

    @Test func damagedFilesStrictAndSalvage() throws {
        let d = try ScratchDirectory()
        try synth(d.file("a.wav"), ["--duration", "2", "--sample-rate", "16000"])
        expectSuccess(try CLI.run(["encode", d.file("a.wav"), "-o", d.file("a.tqa")]))
        var bytes = readBytes(d.file("a.tqa"))
        bytes[bytes.count / 2] ^= 0x20
        try writeBytes(bytes, to: d.file("bad.tqa"))
        let strict = try CLI.run(["decode", d.file("bad.tqa"), "-o", d.file("strict.wav")])
        expectError(strict, contains: "damaged")
        #expect(strict.stderr.contains("--salvage"))
        #expect(!FileManager.default.fileExists(atPath: d.file("strict.wav")))
        let salvage = try CLI.run(["decode", d.file("bad.tqa"), "-o", d.file("salvaged.wav"), "--salvage"])
        expectSuccess(salvage)
        #expect(salvage.stderr.contains("warning: ") && salvage.stderr.contains("is damaged") && salvage.stderr.contains("replaced by silence"), "\(salvage.stderr)")
        // Issue 17.11: what salvage reports does not tell the user to do what it is doing.
        #expect(!salvage.stderr.contains("--salvage"), "\(salvage.stderr)")
        let info = jsonObject(try CLI.run(["info", d.file("salvaged.wav"), "--json"]).stdout)
        #expect(info["frames"] as? Int == 32_000)

        // Trailing garbage: strict refuses, salvage keeps all audio and names the garbage.
        try writeBytes(readBytes(d.file("a.tqa")) + Array("garbage".utf8), to: d.file("tail.tqa"))
        expectError(try CLI.run(["decode", d.file("tail.tqa"), "-o", d.file("t.wav")]), contains: "garbage")
        let t = try CLI.run(["decode", d.file("tail.tqa"), "-o", d.file("t.wav"), "--salvage"])
        expectSuccess(t)
        #expect(t.stderr.contains("garbage"), "\(t.stderr)")
        // Truncated: strict refuses and says so.
        try writeBytes(Array(readBytes(d.file("a.tqa")).dropLast(100)), to: d.file("cut.tqa"))
        expectError(try CLI.run(["decode", d.file("cut.tqa"), "-o", d.file("c.wav")]), contains: "truncated")
        expectSuccess(try CLI.run(["decode", d.file("cut.tqa"), "-o", d.file("c.wav"), "--salvage"]))
    }

    /// Issue 17.2: a 62-byte file whose header and end marker agree on 2^40 frames of 32
    /// channels at 768 kHz (both CRCs valid) made `--salvage` write 4 GiB and go on. Now the
    /// silence is held to 256 frames per byte of file, and the rest is reported as not written.
    @Test func forgedTotalsCannotMakeSalvageWriteWithoutEnd() throws {
        let d = try ScratchDirectory()
        var header = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 768_000, channelCount: 32, frameCount: 1 << 40,
                               seed: 1, codecParameters: TurboParameters(bits: 4, blockSize: 64, blocksPerPacket: 1).encoded()).encoded()
        var end = ByteWriter()
        end.append(Array("TQAE".utf8)); end.u32(0); end.u64(1 << 40); end.u32(CRC32.checksum(end.bytes))
        header += end.bytes
        try writeBytes(header, to: d.file("forged.tqa"))
        let r = try CLI.run(["decode", d.file("forged.tqa"), "-o", d.file("out.wav"), "--salvage", "--format", "s16"])
        expectSuccess(r)
        #expect(r.stderr.contains("not written"), "\(r.stderr)")
        let info = jsonObject(try CLI.run(["info", d.file("out.wav"), "--json"]).stdout)
        #expect(info["frames"] as? Int == 62 * 256, "\(info)")
        expectError(try CLI.run(["decode", d.file("forged.tqa"), "-o", d.file("strict.wav")]), contains: "end marker")
    }

    @Test func synthEncodeDecodeCompareRoundTrip() throws {
        let d = try ScratchDirectory()
        expectSuccess(try CLI.run(["synth", "--type", "noise", "--amplitude", "0.2", "--spikes", "0", "--duration", "1",
                                   "--sample-rate", "44100", "--channels", "2", "-o", d.file("n.wav")]))
        expectSuccess(try CLI.run(["encode", d.file("n.wav"), "-o", d.file("n.tqa"), "--bits", "6"]))
        expectSuccess(try CLI.run(["decode", d.file("n.tqa"), "-o", d.file("n2.wav")]))
        let c = try CLI.run(["compare", d.file("n.wav"), d.file("n2.wav"), "--json"])
        expectSuccess(c)
        let j = jsonObject(c.stdout)
        for key in ["mse", "snr_db", "correlation", "peak_reference", "peak_test", "peak_delta", "segmental_snr_db", "lsd_db", "channels", "frames", "sample_rate"] {
            #expect(j[key] != nil, "compare --json lacks \(key): \(c.stdout)")
        }
        #expect(j["frames"] as? Int == 44100 && j["sample_rate"] as? Int == 44100)
        #expect((j["channels"] as? [Any])?.count == 2)
        // Issue 2's floor: white noise at 6 bits + residual ≥ 34.5 dB.
        let snr = j["snr_db"] as? Double ?? 0
        #expect(snr >= 34.5, "SNR \(snr) dB")
        // The seed's spelling gives the same numbers.
        let seedStyle = jsonObject(try CLI.run(["compare", "-f1", d.file("n.wav"), "-f2", d.file("n2.wav"), "--json"]).stdout)
        #expect(seedStyle["snr_db"] as? Double == snr)

        let info = jsonObject(try CLI.run(["info", d.file("n.tqa"), "--json"]).stdout)
        #expect(info["type"] as? String == "tqa" && info["codec"] as? String == "turbo")
        #expect(info["channels"] as? Int == 2 && info["sample_rate"] as? Int == 44100 && info["frames"] as? Int == 44100)
        #expect(info["source_format"] as? String == "f32")
        #expect(info["bits_per_sample"] != nil && info["bitrate_kbps"] != nil && info["duration_s"] != nil)
        let wavInfo = jsonObject(try CLI.run(["info", d.file("n2.wav"), "--json"]).stdout)
        #expect(wavInfo["type"] as? String == "wav" && wavInfo["channels"] as? Int == 2)
    }

    @Test func sampleFormatsAreRestoredOrChosen() throws {
        let d = try ScratchDirectory()
        for source in ["s16", "s24", "f32"] {
            try synth(d.file("\(source).wav"), ["--format", source, "--channels", "2"])
            expectSuccess(try CLI.run(["encode", d.file("\(source).wav"), "-o", d.file("\(source).tqa")]))
            expectSuccess(try CLI.run(["decode", d.file("\(source).tqa"), "-o", d.file("\(source)-back.wav")]))
            let back = jsonObject(try CLI.run(["info", d.file("\(source)-back.wav"), "--json"]).stdout)
            #expect(back["sample_format"] as? String == source, "default decode of a \(source) source: \(back)")
            #expect(back["channels"] as? Int == 2, "stereo stays stereo")
            for target in ["s16", "s24", "f32"] {
                let out = d.file("\(source)-as-\(target).wav")
                expectSuccess(try CLI.run(["decode", d.file("\(source).tqa"), "-o", out, "--format", target]))
                let j = jsonObject(try CLI.run(["info", out, "--json"]).stdout)
                #expect(j["sample_format"] as? String == target && j["channels"] as? Int == 2, "\(source) → \(target): \(j)")
            }
        }
    }

    @Test func runWithoutInputPrintsAReport() throws {
        let o = try CLI.run(["run", "--threads", "2"])
        expectSuccess(o)
        for word in ["built-in demo", "compressed", "bits/sample", "ratio", "SNR", "speed"] {
            #expect(o.stdout.contains(word), "run report lacks \(word): \(o.stdout)")
        }
    }

    @Test func hadamardAlignedSignalIsNoWorseThanNoise() throws {
        func snr(_ type: String) throws -> Double {
            let o = try CLI.run(["simulate", "--type", type, "--duration", "2", "--spikes", "0", "--bits", "4", "--amplitude", "0.3"])
            expectSuccess(o)
            let line = o.stdout.split(separator: "\n").first { $0.hasPrefix("SNR") } ?? ""
            return Double(line.split(separator: " ").dropFirst().first ?? "") ?? -.infinity
        }
        let h = try snr("hadamard"), n = try snr("noise")
        #expect(h.isFinite && n.isFinite)
        #expect(h >= n - 3, "hadamard \(h) dB vs noise \(n) dB")
    }

    @Test func manyFilesAtOnceAreByteIdenticalToOneAtATime() throws {
        let d = try ScratchDirectory()
        let names = ["a", "b", "c"]
        for (i, n) in names.enumerated() {
            expectSuccess(try CLI.run(["synth", "--type", ["noise", "chirp", "demo"][i], "--duration", "1.5", "--sample-rate", "22050",
                                       "--channels", "\(i + 1)", "-o", d.file("\(n).wav")]))
        }
        let inputs = names.map { d.file("\($0).wav") }
        try FileManager.default.createDirectory(atPath: d.file("together"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: d.file("alone"), withIntermediateDirectories: false)
        expectSuccess(try CLI.run(["encode"] + inputs + ["--output-dir", d.file("together"), "--jobs", "3"]))
        for n in names { expectSuccess(try CLI.run(["encode", d.file("\(n).wav"), "-o", d.file("alone/\(n).tqa"), "--threads", "1"])) }
        for n in names {
            let a = readBytes(d.file("together/\(n).tqa")), b = readBytes(d.file("alone/\(n).tqa"))
            #expect(!a.isEmpty && a == b, "\(n).tqa differs between --jobs 3 and one at a time")
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: d.file("together")).sorted()) == ["a.tqa", "b.tqa", "c.tqa"])
    }

    /// A tolerated header oddity is a warning; a refused one an error naming it.
    @Test func headerOdditiesWarnOrAreRefused() throws {
        let d = try ScratchDirectory()
        // Mono 16-bit at 8 kHz with block align 0, then 3.
        func fmt(blockAlign: UInt8) -> [UInt8] { [0x01, 0x00, 0x01, 0x00, 0x40, 0x1F, 0x00, 0x00, 0x80, 0x3E, 0x00, 0x00, blockAlign, 0x00, 0x10, 0x00] }
        try writeBytes(wavBytes(fmt: fmt(blockAlign: 0), data: [UInt8](repeating: 0, count: 1600)), to: d.file("zero.wav"))
        let o = try CLI.run(["encode", d.file("zero.wav"), "-o", d.file("zero.tqa")])
        expectSuccess(o)
        #expect(o.stderr.contains("warning: \(d.file("zero.wav")): its 'fmt ' chunk declares a block align of 0"), "\(o.stderr)")
        try writeBytes(wavBytes(fmt: fmt(blockAlign: 3), data: [UInt8](repeating: 0, count: 1600)), to: d.file("three.wav"))
        expectError(try CLI.run(["encode", d.file("three.wav"), "-o", d.file("three.tqa")]), contains: "block align of 3 bytes")
        #expect(d.contents() == ["three.wav", "zero.tqa", "zero.wav"])
    }

    /// Two inputs that would be written to one output (same name in --output-dir) are refused
    /// before anything is encoded, naming both; with one job or several.
    @Test func inputsThatShareAnOutputAreRefused() throws {
        let d = try ScratchDirectory()
        for dir in ["dup1", "dup2", "out"] { try FileManager.default.createDirectory(atPath: d.file(dir), withIntermediateDirectories: false) }
        try synth(d.file("dup1/a.wav"))
        try synth(d.file("dup2/a.wav"))
        try synth(d.file("dup2/b.wav"))
        for jobs in ["1", "2"] {
            let o = try CLI.run(["encode", d.file("dup1/a.wav"), d.file("dup2/b.wav"), d.file("dup2/a.wav"),
                                 "--output-dir", d.file("out"), "--jobs", jobs])
            expectError(o, contains: d.file("dup1/a.wav"))
            #expect(o.stderr.contains(d.file("dup2/a.wav")), "--jobs \(jobs): \(o.stderr)")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: d.file("out"))) == [], "--jobs \(jobs) wrote outputs")
        }
        // The same directory spelt two ways is the same output.
        let o = try CLI.run(["encode", d.file("dup1/a.wav"), d.file("dup2/a.wav"), "--output-dir", d.path + "/out/./", "--jobs", "2"])
        expectError(o, contains: "dup2/a.wav")
        // Beside their inputs they do not collide.
        expectSuccess(try CLI.run(["encode", d.file("dup1/a.wav"), d.file("dup2/a.wav"), "--jobs", "2"]))
        #expect(FileManager.default.fileExists(atPath: d.file("dup1/a.tqa")) && FileManager.default.fileExists(atPath: d.file("dup2/a.tqa")))
    }

    @Test func nonFiniteFloatSamplesWarnAndDecodeFinite() throws {
        let d = try ScratchDirectory()
        var samples = (0..<2000).map { Float(sin(Double($0) * 0.03)) * 0.5 }
        samples[10] = .nan; samples[500] = .infinity; samples[1500] = -.infinity
        let data = samples.flatMap { s -> [UInt8] in let b = s.bitPattern; return (0..<4).map { UInt8(truncatingIfNeeded: b >> (8 * $0)) } }
        let fmt: [UInt8] = [0x03, 0x00, 0x01, 0x00, 0x40, 0x1F, 0x00, 0x00, 0x00, 0x7D, 0x00, 0x00, 0x04, 0x00, 0x20, 0x00]
        try writeBytes(wavBytes(fmt: fmt, data: data), to: d.file("nan.wav"))
        let e = try CLI.run(["encode", d.file("nan.wav"), "-o", d.file("nan.tqa")])
        expectSuccess(e)
        #expect(e.stderr.contains("warning: ") && e.stderr.contains("3 NaN or infinite samples"), "\(e.stderr)")
        expectSuccess(try CLI.run(["decode", d.file("nan.tqa"), "-o", d.file("back.wav")]))
        let y = try WAVReader.readAll(path: d.file("back.wav"))
        #expect(y.frameCount == 2000 && y.samples.allSatisfy { $0.isFinite })
        // Finite but absurd values (float WAVs reach 3.4e38) are clipped, with a warning.
        samples[10] = 1e30; samples[500] = -3e38; samples[1500] = 100
        let huge = samples.flatMap { s -> [UInt8] in let b = s.bitPattern; return (0..<4).map { UInt8(truncatingIfNeeded: b >> (8 * $0)) } }
        try writeBytes(wavBytes(fmt: fmt, data: huge), to: d.file("huge.wav"))
        let h = try CLI.run(["encode", d.file("huge.wav"), "-o", d.file("huge.tqa")])
        expectSuccess(h)
        #expect(h.stderr.contains("warning: ") && h.stderr.contains("3 samples beyond"), "\(h.stderr)")
        expectSuccess(try CLI.run(["decode", d.file("huge.tqa"), "-o", d.file("huge-back.wav")]))
        #expect(try WAVReader.readAll(path: d.file("huge-back.wav")).samples.allSatisfy { $0.isFinite })
    }
}
