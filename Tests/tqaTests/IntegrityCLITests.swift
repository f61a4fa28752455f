import Foundation
import Testing
import TQAudio
import TQContainer

/// `tqa test` and the packet scan of `tqa info` (issue 14.4).
@Suite(.serialized) struct IntegrityCLITests {
    /// A 2 s noise file encoded with turbo, and the byte offset where each packet starts.
    func encoded(_ d: ScratchDirectory) throws -> (path: String, packetOffsets: [Int]) {
        let wav = d.file("a.wav"), tqa = d.file("a.tqa")
        let s = try CLI.run(["synth", "--type", "noise", "--amplitude", "0.3", "--duration", "2", "--sample-rate", "16000", "--spikes", "0", "-o", wav])
        #expect(s.status == 0, "\(s.stderr)")
        let e = try CLI.run(["encode", wav, "-o", tqa])
        #expect(e.status == 0, "\(e.stderr)")
        let reader = try TQAReader(path: tqa)
        var offsets: [Int] = []
        while true {
            let at = reader.offset
            guard try reader.next() != nil else { break }
            offsets.append(at)
        }
        return (tqa, offsets)
    }

    @Test func intactFilePasses() throws {
        let d = try ScratchDirectory()
        let (tqa, offsets) = try encoded(d)
        #expect(offsets.count >= 4)
        let t = try CLI.run(["test", tqa])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.isEmpty)
        #expect(t.stderr.hasPrefix("\(tqa): ok (\(offsets.count) packets, 32000 frames"), "\(t.stderr)")
        #expect(try CLI.run(["test", "--quiet", tqa]).stderr.isEmpty)
        let i = try CLI.run(["info", "--json", tqa])
        #expect(i.status == 0 && i.stderr.isEmpty, "\(i.stderr)")
        let j = jsonObject(i.stdout)
        #expect(j["integrity"] as? String == "ok" && j["packets"] as? Int == offsets.count && j["damage"] == nil, "\(j)")
    }

    @Test func bitFlipNamesThePacket() throws {
        let d = try ScratchDirectory()
        let (tqa, offsets) = try encoded(d)
        var bytes = readBytes(tqa)
        bytes[offsets[2] + 30] ^= 0x04
        try writeBytes(bytes, to: d.file("bad.tqa"))
        let t = try CLI.run(["test", d.file("bad.tqa")])
        #expect(t.status == 1 && !t.crashed)
        #expect(t.stderr.hasPrefix("error: \(d.file("bad.tqa")): damaged: packet 2 at byte \(offsets[2]) is damaged (CRC"), "\(t.stderr)")
        #expect(t.stderr.split(separator: "\n").count == 1)
        let json = try CLI.run(["test", "--json", d.file("bad.tqa")])
        #expect(json.status == 1)
        let a = (try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) as? [[String: Any]] ?? []
        #expect(a.count == 1 && a[0]["ok"] as? Bool == false && a[0]["packet"] as? Int == 2 && a[0]["offset"] as? Int == offsets[2], "\(json.stdout)")

        // info describes the file, reports the damage, and exits 1 naming the packet.
        let i = try CLI.run(["info", "--json", d.file("bad.tqa")])
        #expect(i.status == 1 && !i.crashed)
        #expect(i.stderr.hasPrefix("error: ") && i.stderr.contains("packet 2 at byte \(offsets[2])"), "\(i.stderr)")
        let j = jsonObject(i.stdout)
        let damage = j["damage"] as? [String: Any] ?? [:]
        #expect(j["integrity"] as? String == "damaged" && j["codec"] as? String == "turbo", "\(j)")
        #expect(damage["packet"] as? Int == 2 && damage["offset"] as? Int == offsets[2] && damage["regions"] as? Int == 1, "\(damage)")
        #expect(damage["intact_packets"] as? Int == offsets.count - 1, "\(damage)")
        let text = try CLI.run(["info", d.file("bad.tqa")])
        #expect(text.status == 1 && text.stdout.contains("damaged") && text.stdout.contains("packet=2"), "\(text.stdout)")
    }

    @Test func truncatedFile() throws {
        let d = try ScratchDirectory()
        let (tqa, offsets) = try encoded(d)
        try writeBytes(Array(readBytes(tqa).prefix(offsets[3] + 10)), to: d.file("cut.tqa"))
        let t = try CLI.run(["test", d.file("cut.tqa")])
        #expect(t.status == 1 && t.stderr.hasPrefix("error: \(d.file("cut.tqa")): damaged: file is truncated") && t.stderr.contains("packet 3"), "\(t.stderr)")
        let i = try CLI.run(["info", d.file("cut.tqa")])
        #expect(i.status == 1 && i.stderr.contains("truncated"), "\(i.stderr)")
    }

    @Test func severalFilesOneLineEach() throws {
        let d = try ScratchDirectory()
        let (tqa, offsets) = try encoded(d)
        var bytes = readBytes(tqa)
        bytes[offsets[1] + 40] ^= 0x80
        try writeBytes(bytes, to: d.file("bad.tqa"))
        try writeBytes(Array("not audio".utf8), to: d.file("text.tqa"))
        let t = try CLI.run(["test", tqa, d.file("bad.tqa"), d.file("text.tqa"), tqa])
        #expect(t.status == 1 && !t.crashed && t.stdout.isEmpty)
        let lines = t.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(t.stderr)")
        guard lines.count == 4 else { return }
        #expect(lines[0].hasPrefix("\(tqa): ok") && lines[3].hasPrefix("\(tqa): ok"))
        #expect(lines[1].hasPrefix("error: \(d.file("bad.tqa")): damaged: packet 1 at byte \(offsets[1])"), "\(lines[1])")
        #expect(lines[2] == "error: \(d.file("text.tqa")): not a .tqa file (no TQA magic)", "\(lines[2])")
        // All intact: exit 0.
        #expect(try CLI.run(["test", tqa, tqa]).status == 0)
        // No file: an argument error.
        #expect(try CLI.run(["test"]).status == 64)
    }
}
