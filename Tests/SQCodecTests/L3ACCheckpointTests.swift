import Foundation
import Testing
@testable import SQCodec

/// L3AC's checkpoints: the default directory, the missing-weights error, a checkpoint of the
/// wrong model, parameter counts against docs/L3AC.md's table, random weights.
@Suite struct L3ACCheckpointTests {
    /// docs/L3AC.md's table (`sum(p.numel())` per module, torch 2.13, weight norm counted as g
    /// and v): encoder, quantizer, decoder, en_encoder, en_decoder.
    static let torchCounts: [String: [Int]] = [
        "0k75bps": [887_748, 1_670, 8_494_082, 748_044, 1_158_156],
        "1kbps": [869_316, 1_670, 8_494_082, 748_044, 1_158_156],
        "1k5bps": [869_316, 1_670, 8_494_082, 731_660, 1_158_156],
        "3kbps": [883_140, 1_670, 8_494_082, 234_438, 693_958],
    ]

    /// The values PyTorch counts beyond tqa's: the gains (`parametrizations.weight.original0`,
    /// one per output channel) of the weight-normed convolutions, which tqa folds into their
    /// weights and counts no more. Measured once against the table; the same for every model but
    /// in `en_encoder`, where only the compressed encoder's strided down-convolution (128
    /// outputs) is weight-normed.
    static func weightNormGains(_ module: String, compressed: Bool) -> Int {
        switch module {
        case "encoder": 3_900
        case "decoder": 16_361
        case "en_encoder": compressed ? 128 : 0
        default: 0
        }
    }

    /// `SQCodecModel.parameterCounts` (which sizes the checkpoint file limits) per module equals
    /// the table less the weight-norm gains.
    @Test(arguments: L3ACConfiguration.published.map(\.name))
    func parameterCountsMatchTheTable(model: String) throws {
        let c = try #require(L3ACConfiguration.named(model))
        let counts = try SQCodecModel.parameterCounts(c.backbone)
        for (i, module) in SQCodecModel.moduleNames.enumerated() {
            let ours = try #require(counts[module])
            let gains = Self.weightNormGains(module, compressed: c.usesCompressedTransformer)
            #expect(ours + gains == Self.torchCounts[model]![i], "\(model) \(module): \(ours) values + \(gains) gains")
        }
    }

    @Test func defaultDirectoryAndMissingWeights() throws {
        let c = try #require(L3ACConfiguration.named("1kbps"))
        #expect(L3ACModel.defaultDirectory(for: c).path.hasSuffix(".cache/l3ac/1kbps.v1"))
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("l3ac-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        do {
            _ = try L3ACModel.load(model: "1kbps", weightsDirectory: empty)
            Issue.record("loading from an empty directory succeeded")
        } catch let e as CheckpointError {
            guard case .weightsNotFound(let model, _, _, let family) = e else { Issue.record("wrong error \(e)"); return }
            #expect(model == "1kbps" && family == "L3AC")
            #expect(e.description.hasPrefix("no L3AC weights for model 1kbps"))
            #expect(e.description.contains("https://huggingface.co/zhai-lw/L3AC under weights/1kbps.v1/"), "\(e)")
            #expect(e.description.contains("en_decoder.pt"))
        }
        #expect(throws: SQCodecError.unknownModel(name: "6kbps", known: ["0k75bps", "1kbps", "1k5bps", "3kbps"])) {
            try L3ACModel.load(model: "6kbps", weightsDirectory: empty)
        }
    }

    /// 1kbps weights loaded as 3kbps: an error naming a tensor, never a model. Seed 11.
    @Test func checkpointOfAnotherModelNamesTheTensor() throws {
        let one = try #require(L3ACConfiguration.named("1kbps")), three = try #require(L3ACConfiguration.named("3kbps"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("l3ac-1kbps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (module, tensors) in try RandomWeights.tensors(for: one.backbone, seed: 11) {
            try Data(RandomWeights.safetensors(tensors)).write(to: dir.appendingPathComponent("\(module).safetensors"))
        }
        #expect(try L3ACModel(configuration: one, directory: dir, parts: .decoding).backbone.parts == .decoding)
        do {
            _ = try L3ACModel(configuration: three, directory: dir)
            Issue.record("1kbps weights loaded as 3kbps")
        } catch let e as CheckpointError {
            print("1kbps weights as 3kbps: \(e)")
            switch e {
            case .shapeMismatch, .missingTensor, .unexpectedTensor: #expect("\(e)".contains("."), "names no tensor: \(e)")
            default: Issue.record("not a tensor error: \(e)")
            }
        }
    }

    /// Seeded random weights are the same for a seed and give a working model of the family.
    @Test func randomWeightsMakeAnL3ACModel() throws {
        let f = try L3ACFixture("l3ac_small_compressed")
        let a = try RandomWeights.tensors(for: f.configuration.backbone, seed: 3)
        let b = try RandomWeights.tensors(for: f.configuration.backbone, seed: 3)
        #expect(a["quantizer"]?["project_in.weight"]?.values == b["quantizer"]?["project_in.weight"]?.values)
        #expect(a["en_encoder"]?["cache_token"] == nil)
        let model = try RandomWeights.model(f.configuration, seed: 3)
        let tokens = model.encode(StreamTests().signal(frames: 1000, channels: 1, seed: 3).channel(0).map { $0 })
        #expect(tokens.count == (1000 + f.configuration.hopLength - 1) / f.configuration.hopLength)
        #expect(tokens.allSatisfy { (0..<Int32(f.configuration.codebookSize)).contains($0) })
    }
}
