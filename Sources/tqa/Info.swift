import ArgumentParser
import Foundation
import TQAudio
import TQCodecs
import TQContainer

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a .tqa or WAV file; for a .tqa file, check its packets.",
        discussion: """
            For a .tqa file, every packet's CRC and the timeline are checked (no decoding; \
            `tqa test` also decodes). For both, the WAV metadata kept (LIST/INFO tags as `tags`, \
            every chunk with its size and place as `chunks`) is listed. A damaged file is still described, with a `damage` entry \
            (the first damaged packet, as `tqa decode` would meet it, and what salvage reading \
            finds in the whole file), then an `error:` line on stderr names the packet and the \
            exit status is 1.

            Examples:
              tqa info song.tqa
              tqa info --json song.tqa
              tqa info input.wav
            """)

    @Argument(help: "A .tqa or WAV file, or - for standard input.", completion: .file(extensions: ["tqa", "wav"]))
    var file: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        // Standard input is read once, into memory: a damaged .tqa is scanned twice.
        let piped = file == StandardStream.dash ? try StandardInput.readAll() : nil
        let head = try piped.map { Array($0.prefix(4)) } ?? ByteSource(path: file).read(upTo: 4)
        var o: [String: Any] = ["file": file]
        var damage: ContainerError?
        if head == TQAHeader.magic {
            let scan = try piped.map { try TQAScan.bytes($0) } ?? TQAScan.file(file)
            let h = scan.header
            let size = piped?.count ?? (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            o["type"] = "tqa"
            o["codec"] = h.codec.description
            o["sample_rate"] = h.sampleRate
            o["channels"] = h.channelCount
            o["source_format"] = h.sourceFormat.description
            o["seed"] = h.seed
            o["bytes"] = size
            o["parameters"] = Codecs.all.summary(of: h)
            o["packets"] = scan.isIntact ? scan.packets : scan.intactPackets
            o["integrity"] = scan.isIntact ? "ok" : "damaged"
            describe(metadata: scan.metadata, into: &o)
            if let e = scan.firstDamage {
                damage = e
                o["damage"] = describe(scan, e)
            }
            if h.frameCount != TQAHeader.unknownFrameCount {
                let frames = Double(h.frameCount)
                o["frames"] = h.frameCount
                o["duration_s"] = frames / Double(h.sampleRate)
                if frames > 0 {
                    o["bits_per_sample"] = Double(size) * 8 / (frames * Double(h.channelCount))
                    o["bitrate_kbps"] = Double(size) * 8 / (frames / Double(h.sampleRate)) / 1000
                }
            }
        } else {
            let r = try piped.map { try WAVReader(bytes: $0) } ?? WAVReader(path: file)
            let f = r.format
            o["type"] = "wav"
            o["sample_rate"] = f.sampleRate
            o["channels"] = f.channelCount
            o["sample_format"] = f.sampleFormat.description
            if let n = f.frameCount { o["frames"] = n; o["duration_s"] = Double(n) / Double(f.sampleRate) }
            describe(metadata: r.metadata, into: &o)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            // Tags and chunk ids come from the file: escaped, like everything printed.
            for k in o.keys.sorted() { print("\(k.padding(toLength: 16, withPad: " ", startingAt: 0)) \(text(o[k]!))".escapedForTerminal) }
        }
        if let e = damage { throw CLIError("\(file) is damaged: \(e)") }
    }

    /// The `damage` entry: the first damage, then salvage reading's view of the whole file.
    private func describe(_ scan: TQAScan, _ first: ContainerError) -> [String: Any] {
        var d: [String: Any] = ["first": first.description, "regions": scan.damagedRegions.count,
                                "dropped_packets": scan.droppedPackets, "intact_packets": scan.intactPackets]
        if let i = first.packetIndex { d["packet"] = i }
        if let b = first.byteOffset { d["offset"] = b }
        return d
    }

    /// `tags` (the LIST/INFO text, by common name: title, artist, …) and `chunks` (every
    /// metadata chunk: id, list type, bytes, place), when there are any.
    private func describe(metadata: [RIFFChunk], into o: inout [String: Any]) {
        guard !metadata.isEmpty else { return }
        var tags: [String: String] = [:]
        for c in metadata { for t in RIFFInfoTags(c)?.tags ?? [] { tags[t.name] = t.value } }
        if !tags.isEmpty { o["tags"] = tags }
        o["chunks"] = metadata.map { c -> [String: Any] in
            var d: [String: Any] = ["id": c.name, "bytes": c.body.count, "place": MetadataPlace.name(c.placement)]
            if let t = c.listType { d["list"] = String(decoding: t, as: UTF8.self) }
            return d
        }
    }

    private func text(_ v: Any) -> String {
        if let d = v as? Double { return fmt(d, 3) }
        if let chunks = v as? [[String: Any]] {
            return chunks.map { c in
                "'\(c["id"]!)'" + (c["list"].map { " \($0)" } ?? "") + " \(c["bytes"]!) bytes \(c["place"]!)"
            }.joined(separator: ", ")
        }
        if let p = v as? [String: Any] {
            return p.keys.sorted().map { k in
                let s = "\(p[k]!)"
                return s.contains(" ") ? "\(k)=\"\(s)\"" : "\(k)=\(s)"
            }.joined(separator: " ")
        }
        return "\(v)"
    }
}
