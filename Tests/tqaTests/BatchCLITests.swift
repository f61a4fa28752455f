import Foundation
import Testing
import TQAudio

/// Default names, several inputs, `--shard` and skipping complete outputs (issue 14.3).
@Suite(.serialized) struct BatchCLITests {
    /// `count` short WAVs named w0.wav, w1.wav, … of seeded noise.
    func corpus(_ d: ScratchDirectory, count: Int, seed: UInt64 = 17) throws -> [String] {
        var rng = SplitMix64(seed: seed)
        return try (0..<count).map { i in
            let x = AudioBuffer(sampleRate: 8_000, channels: [rng.noise(800 + 100 * i, sigma: 0.1)])
            let path = d.file("w\(i).wav")
            try writeBytes(WAVWriter.bytes(of: x, format: .s16), to: path)
            return path
        }
    }

    @Test func defaultNamesBesideTheInput() throws {
        let d = try ScratchDirectory()
        let inputs = try corpus(d, count: 1)
        let e = try CLI.run(["encode", inputs[0], "--threads", "1"])
        #expect(e.status == 0 && e.stdout.isEmpty, "\(e.stderr)")
        #expect(e.stderr.contains("w0.tqa: turbo"), "the summary goes to stderr: \(e.stderr)")
        #expect(FileManager.default.fileExists(atPath: d.file("w0.tqa")))
        // Decoding to the default name: w0.wav is there (the input) and whole, so it is skipped,
        // never replaced.
        let before = readBytes(inputs[0])
        let skip = try CLI.run(["decode", d.file("w0.tqa")])
        #expect(skip.status == 0 && skip.stderr.contains("w0.wav: exists and is complete, skipped"), "\(skip.stderr)")
        #expect(readBytes(inputs[0]) == before)
        try FileManager.default.removeItem(atPath: inputs[0])
        let o = try CLI.run(["decode", d.file("w0.tqa")])
        #expect(o.status == 0 && o.stdout.isEmpty, "\(o.stderr)")
        #expect((try? WAVReader(path: inputs[0]).format.frameCount) == 800)
        #expect(d.contents() == ["w0.tqa", "w0.wav"], "\(d.contents())")
        // The input named as its own output is refused, not skipped as complete.
        for args in [["encode", inputs[0], "-o", inputs[0]], ["decode", d.file("w0.tqa"), "-o", d.file("w0.tqa")]] {
            let own = try CLI.run(args + ["--force"])
            #expect(own.status == 1 && own.stderr.contains("is the input file"), "\(args): \(own.stderr)")
        }
        #expect(try CLI.run(["test", d.file("w0.tqa"), "-q"]).status == 0)
    }

    @Test func decodeTakesSeveralInputsAndListsEachFailure() throws {
        let d = try ScratchDirectory()
        let inputs = try corpus(d, count: 4)
        #expect(try CLI.run(["encode"] + inputs + ["--output-dir", d.file("tqa"), "--jobs", "2", "-q"]).status == 0)
        var tqas = (0..<4).map { d.file("tqa/w\($0).tqa") }
        try writeBytes([1, 2, 3], to: d.file("tqa/bad1.tqa"))
        try writeBytes(Array("not a tqa".utf8), to: d.file("tqa/bad2.tqa"))
        tqas += [d.file("tqa/bad1.tqa"), d.file("tqa/bad2.tqa")]
        let o = try CLI.run(["decode"] + tqas + ["--output-dir", d.file("wav"), "--jobs", "2", "--threads", "2"])
        #expect(o.status == 1 && !o.crashed, "\(o.stderr)")
        #expect(o.stderr.contains("error: 2 of 6 files failed:"), "\(o.stderr)")
        #expect(o.stderr.contains("bad1.tqa: ") && o.stderr.contains("bad2.tqa: "), "\(o.stderr)")
        #expect(o.stdout.isEmpty)
        let written = ((try? FileManager.default.contentsOfDirectory(atPath: d.file("wav"))) ?? []).sorted()
        #expect(written == ["w0.wav", "w1.wav", "w2.wav", "w3.wav"], "\(written)")
        for i in 0..<4 {
            let one = try CLI.run(["decode", d.file("tqa/w\(i).tqa"), "-o", d.file("one.wav"), "--force", "-q"])
            #expect(one.status == 0)
            #expect(readBytes(d.file("one.wav")) == readBytes(d.file("wav/w\(i).wav")), "a batch decode differs from one at a time")
        }
        let usage = try CLI.run(["decode", tqas[0], tqas[1], "-o", d.file("x.wav")])
        #expect(usage.status == 64 && usage.stderr.contains("--output-dir"), "\(usage.stderr)")
    }

    /// Every shard from 1/N to N/N, each given the inputs in another order: together they encode
    /// every input exactly once.
    @Test(arguments: [1, 3, 4, 9])
    func shardsCoverEveryInputOnce(count: Int) throws {
        let d = try ScratchDirectory()
        let inputs = try corpus(d, count: 7)
        var rng = SplitMix64(seed: UInt64(count))
        var seen: [String: Int] = [:]
        var sizes: [Int] = []
        for i in 1...count {
            let order = inputs.shuffled(using: &rng)
            let dir = d.file("shard\(i)")
            let o = try CLI.run(["encode"] + order + ["--shard", "\(i)/\(count)", "--output-dir", dir, "--threads", "1"])
            #expect(o.status == 0, "shard \(i)/\(count): \(o.stderr)")
            let made = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".tqa") }
            sizes.append(made.count)
            for m in made { seen[m, default: 0] += 1 }
            if made.isEmpty { #expect(o.stderr.contains("holds none of the 7 inputs"), "\(o.stderr)") }
        }
        #expect(seen.keys.sorted() == (0..<7).map { "w\($0).tqa" }, "union of \(count) shards: \(seen.keys.sorted())")
        #expect(seen.values.allSatisfy { $0 == 1 }, "an input was encoded by two shards: \(seen)")
        #expect(sizes.max()! - sizes.min()! <= 1, "unbalanced shards \(sizes)")
        // Documented: the paths sorted by their bytes, every N-th from the I-th.
        if count == 3 {
            let one = ((try? FileManager.default.contentsOfDirectory(atPath: d.file("shard1"))) ?? []).sorted()
            #expect(one == ["w0.tqa", "w3.tqa", "w6.tqa"], "\(one)")
        }
        for bad in ["0/3", "4/3", "1/0", "x", "1/2/3"] {
            let o = try CLI.run(["encode", inputs[0], "--shard", bad])
            #expect(o.status == 64, "--shard \(bad) was accepted")
        }
    }

    /// A re-run skips outputs that pass `tqa test` (or parse whole), refuses damaged ones
    /// without --force, and redoes everything with it.
    @Test func rerunsSkipCompleteOutputsUnlessForced() throws {
        let d = try ScratchDirectory()
        let inputs = try corpus(d, count: 3)
        #expect(try CLI.run(["encode"] + inputs + ["-q"]).status == 0)
        let inode = { (p: String) in (try? FileManager.default.attributesOfItem(atPath: p)[.systemFileNumber] as? Int) ?? -1 }
        let first = (0..<3).map { inode(d.file("w\($0).tqa")) }
        let again = try CLI.run(["encode"] + inputs)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.components(separatedBy: "exists and is complete, skipped").count == 4, "\(again.stderr)")
        #expect((0..<3).map { inode(d.file("w\($0).tqa")) } == first, "a complete output was rewritten")
        let quiet = try CLI.run(["encode"] + inputs + ["-q"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")

        // A damaged output (one packet's byte flipped) is not skipped, nor replaced without --force.
        var bytes = readBytes(d.file("w1.tqa"))
        bytes[bytes.count - 40] ^= 0x10
        try writeBytes(bytes, to: d.file("w1.tqa"))
        let refused = try CLI.run(["encode"] + inputs)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("w1.tqa exists and is not complete") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(readBytes(d.file("w1.tqa")) == bytes)
        let forced = try CLI.run(["encode"] + inputs + ["--force"])
        #expect(forced.status == 0 && !forced.stderr.contains("skipped"), "\(forced.stderr)")
        #expect(try CLI.run(["test", d.file("w1.tqa"), "-q"]).status == 0)

        // WAV outputs: a truncated one is not complete.
        #expect(try CLI.run(["decode", d.file("w0.tqa"), "-o", d.file("back.wav"), "-q"]).status == 0)
        let whole = readBytes(d.file("back.wav"))
        let skip = try CLI.run(["decode", d.file("w0.tqa"), "-o", d.file("back.wav")])
        #expect(skip.status == 0 && skip.stderr.contains("skipped"), "\(skip.stderr)")
        try writeBytes(Array(whole.dropLast(100)), to: d.file("back.wav"))
        let cut = try CLI.run(["decode", d.file("w0.tqa"), "-o", d.file("back.wav")])
        #expect(cut.status == 1 && cut.stderr.contains("not complete") && cut.stderr.contains("truncated"), "\(cut.stderr)")
        #expect(try CLI.run(["decode", d.file("w0.tqa"), "-o", d.file("back.wav"), "--force", "-q"]).status == 0)
        #expect(readBytes(d.file("back.wav")) == whole)
    }
}
