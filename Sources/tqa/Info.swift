import ArgumentParser
import Foundation
import TQAudio
import TQContainer
import TurboQuant

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a .tqa or WAV file.")

    @Argument(help: "A .tqa or WAV file.")
    var file: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let head = try ByteSource(path: file).read(upTo: 4)
        var o: [String: Any] = ["file": file]
        if head == TQAHeader.magic {
            let reader = try TQAReader(path: file)
            let h = reader.header
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            o["type"] = "tqa"
            o["codec"] = h.codec.description
            o["sample_rate"] = h.sampleRate
            o["channels"] = h.channelCount
            o["source_format"] = h.sourceFormat.description
            o["seed"] = h.seed
            o["bytes"] = size
            o["parameters"] = describe(h)
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
            let r = try WAVReader(path: file)
            let f = r.format
            o["type"] = "wav"
            o["sample_rate"] = f.sampleRate
            o["channels"] = f.channelCount
            o["sample_format"] = f.sampleFormat.description
            if let n = f.frameCount { o["frames"] = n; o["duration_s"] = Double(n) / Double(f.sampleRate) }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for k in o.keys.sorted() { print("\(k.padding(toLength: 16, withPad: " ", startingAt: 0)) \(text(o[k]!))") }
        }
    }

    private func text(_ v: Any) -> String {
        if let d = v as? Double { return fmt(d, 3) }
        if let p = v as? [String: Any] { return p.keys.sorted().map { "\($0)=\(p[$0]!)" }.joined(separator: " ") }
        return "\(v)"
    }

    private func describe(_ h: TQAHeader) -> [String: Any] {
        switch h.codec {
        case .turbo:
            guard let p = try? TurboParameters(decoding: h.codecParameters) else { return ["error": "malformed"] }
            return ["bits": p.bits, "block": p.blockSize, "residual": p.residual, "blocks_per_packet": p.blocksPerPacket]
        case .spectral:
            guard let p = try? SpectralParameters(decoding: h.codecParameters) else { return ["error": "malformed"] }
            return ["frame": p.frameSize, "short_blocks": p.shortBlockCount, "frames_per_packet": p.framesPerPacket,
                    "window": p.window == .sine ? "sine" : "vorbis"]
        default:
            return ["bytes": h.codecParameters.count]
        }
    }
}
