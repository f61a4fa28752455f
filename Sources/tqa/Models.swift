import ArgumentParser
import Foundation
import SQCodec
import TQAudio

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the SQCodec and L3AC models and where their weights are looked for.",
        discussion: """
            The two families share model names (0k75bps, 1k5bps, 3kbps): --codec picks one.

            Examples:
              tqa models --json --codec l3ac
              tqa models --random-weights weights --model 6kbps
              tqa models --random-weights weights-l3ac --codec l3ac --model 1kbps --seed 3
            """)

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: ArgumentHelp("Write seeded random weights for --model into DIR (for tests and benchmarks; not a codec).", valueName: "DIR"),
            completion: .directory)
    var randomWeights: String?

    @Option(help: "The family: sqcodec or l3ac (default: both when listing, sqcodec with --random-weights).")
    var codec: ModelFamily?

    @Option(help: "With --random-weights: the model (default 6kbps for sqcodec, 1kbps for l3ac).")
    var model: String?

    @Option(help: "With --random-weights: the seed.")
    var seed: UInt64 = 1

    func run() throws {
        if let dir = randomWeights {
            let family = codec ?? .sqcodec
            let model = self.model ?? (family == .l3ac ? "1kbps" : "6kbps")
            guard let c = family.named(model) else {
                throw CLIError("unknown \(family.displayName) model \(model); the models are \(family.published.map(\.name).joined(separator: ", "))")
            }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let tensors = try RandomWeights.tensors(for: c, seed: seed)
            for (module, t) in tensors {
                let file = try OutputFile(path: "\(dir)/\(module).safetensors", overwrite: true)
                try file.write(RandomWeights.safetensors(t))
                try file.commit()
            }
            StandardStream.report("\(dir): random weights for \(family.displayName) \(model) (seed \(seed)), \(tensors.values.reduce(0) { $0 + $1.count }) tensors; they make noise, not speech")
            return
        }
        let families = codec.map { [$0] } ?? ModelFamily.allCases
        let rows = families.flatMap(\.published).map { c -> [String: Any] in
            let dir = SQCodecModel.defaultDirectory(for: c).path
            let present = SQCodecModel.moduleNames.allSatisfy {
                FileManager.default.fileExists(atPath: "\(dir)/\($0).pt") || FileManager.default.fileExists(atPath: "\(dir)/\($0).safetensors")
            }
            return ["codec": c.family.rawValue, "model": c.name, "sample_rate": c.sampleRate, "tokens_per_second": c.tokensPerSecond,
                    "codebook_size": c.codebookSize, "bitrate_bps": c.bitrate, "weights": dir, "weights_present": present]
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        print(pad("codec", 9) + pad("model", 14) + pad("rate Hz", 9) + pad("tokens/s", 10) + pad("codebook", 10) + pad("bitrate bps", 13) + "weights")
        for r in rows {
            print(pad(r["codec"] as! String, 9) + pad(r["model"] as! String, 14) + pad("\(r["sample_rate"]!)", 9) + pad(fmt(r["tokens_per_second"] as! Double), 10)
                  + pad("\(r["codebook_size"]!)", 10) + pad(fmt(r["bitrate_bps"] as! Double, 1), 13)
                  + ((r["weights_present"] as! Bool) ? "" : "(missing) ") + (r["weights"] as! String))
        }
        for f in families {
            print("\(f.displayName) weights are published at \(f.publishedAt) (weights/<model>.\(f.modelVersion)/*.pt); tqa never downloads them.")
        }
    }
}

struct Tokens: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the SQCodec or L3AC token indices of a .tqa file, per channel.",
        discussion: """
            Examples:
              tqa encode input.wav -o tokens.tqa --codec sqcodec --weights random-6kbps
              tqa tokens tokens.tqa
              tqa tokens --json tokens.tqa
            """)

    @Argument(help: "An sqcodec or l3ac .tqa file, or - for standard input.", completion: .file(extensions: ["tqa"]))
    var file: String

    @Flag(help: "Print JSON: {\"model\", \"sample_rate\", \"tokens_per_second\", \"channels\": [[…], …]}; with a span, also \"first_token\".")
    var json = false

    @OptionGroup(title: "Span (the tokens that meet it)")
    var span: SpanOptions

    func run() throws {
        try StandardStream.refuseTerminals(input: file, output: nil)
        let reader = try TQAReader(path: StandardStream.input(file))
        let h = reader.header
        guard let family = ModelFamily.allCases.first(where: { $0.codec == h.codec }) else {
            throw CLIError("\(file) uses the \(h.codec) codec; tokens are for sqcodec and l3ac files")
        }
        let p = try SQCodecParameters(decoding: h.codecParameters)
        guard let c = family.named(p.model) else { throw CLIError("\(file) names an unknown \(family.displayName) model \(p.model)") }
        var channels = [[Int32]](repeating: [], count: h.channelCount)
        let cut = try span.isSet ? TokenSpan(span, reader: reader, configuration: c, file: file) : nil
        while let packet = try reader.next() {
            if let cut, packet.firstFrame >= cut.frames.upperBound { break }
            for (i, t) in try SQCodecPacketTokens.tokens(of: packet, configuration: c, parameters: p, channelCount: h.channelCount).enumerated() {
                channels[i] += cut?.trim(t, packetFirstFrame: packet.firstFrame) ?? t[...]
            }
        }
        if let cut, channels[0].isEmpty { throw CLIError(span.pastEndMessage(file, frames: reader.nextFrame, sampleRate: h.sampleRate)) }
        if json {
            var o: [String: Any] = ["codec": family.rawValue, "model": p.model, "sample_rate": c.sampleRate, "tokens_per_second": (c.tokensPerSecond * 100).rounded() / 100,
                                    "channels": channels.map { $0.map { Int($0) } }]
            if let cut { o["first_token"] = cut.tokens.lowerBound }
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(family.rawValue) model \(p.model), \(c.sampleRate) Hz, \(fmt(c.tokensPerSecond)) tokens/s, \(h.channelCount) ch")
            for (i, t) in channels.enumerated() { print("ch\(i) (\(t.count)): " + t.map(String.init).joined(separator: " ")) }
        }
    }
}

import TQContainer

extension ModelFamily: ExpressibleByArgument {}
