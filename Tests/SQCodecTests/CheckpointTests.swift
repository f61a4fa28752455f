import Foundation
import Testing
import TQAudio
@testable import SQCodec

/// The torch `.pt` and `.safetensors` readers, the tensor checks, and hostile inputs.
@Suite struct CheckpointTests {
    static func fixtureFile(_ fixture: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Fixture.root().appendingPathComponent(fixture).appendingPathComponent(file)))
    }

    @Test func readsTorchStateDict() throws {
        let t = try TorchCheckpoint.tensors(bytes: try Self.fixtureFile("small_compressed", "quantizer.pt"), file: "quantizer.pt")
        #expect(Set(t.keys) == ["project_in.weight", "project_in.bias", "project_out.weight", "project_out.bias"])
        #expect(t["project_in.weight"]?.shape == [3, 24])
        #expect(t["project_out.bias"]?.shape == [24])
        let enc = try TorchCheckpoint.tensors(bytes: try Self.fixtureFile("small_compressed", "encoder.pt"), file: "encoder.pt")
        #expect(enc["blocks.0.conv_2.parametrizations.weight.original1"]?.shape == [8, 81, 1])
        #expect(enc["blocks.0.conv_2.parametrizations.weight.original0"]?.shape == [8, 1, 1])
        // A model without cache tokens stores an empty cache_token, backed by a 0-byte storage.
        let en = try TorchCheckpoint.tensors(bytes: try Self.fixtureFile("small_compressed", "en_encoder.pt"), file: "en_encoder.pt")
        #expect(en["cache_token"] == StoredTensor(shape: [1, 0, 24], values: []))
    }

    /// Issue 17.4: a tensor read from a file is converted to floats only when a layer asks for
    /// it, after the shape check, and converts to the values the file holds.
    @Test func fileTensorsAreConvertedOnlyWhenAsked() throws {
        let bytes = try Self.fixtureFile("small_compressed", "quantizer.pt")
        let t = try TorchCheckpoint.tensors(bytes: bytes, file: "quantizer.pt")
        let w = try #require(t["project_in.weight"])
        #expect(!w.isConverted)
        #expect(w.count == 3 * 24 && w.values.count == 3 * 24)
        #expect(w.values.allSatisfy { $0.isFinite } && w.values.contains { $0 != 0 })
        let store = TensorStore(module: "quantizer", tensors: t)
        #expect(throws: CheckpointError.shapeMismatch(tensor: "quantizer.project_in.weight", expected: [24, 3], found: [3, 24])) {
            _ = try store.tensor("project_in.weight", shape: [24, 3])
        }
        #expect(try store.tensor("project_in.weight", shape: [3, 24]) == w.values)
        // The same tensor through safetensors: identical values, also unconverted until asked.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sq-lazy-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try writeSafetensors(t, to: tmp)
        let s = try SafeTensors.read(bytes: [UInt8](try Data(contentsOf: tmp)), file: tmp.path).tensors
        #expect(s["project_in.weight"]?.isConverted == false)
        #expect(s["project_in.weight"] == w)
    }

    @Test func torchAndSafetensorsLoadersAgreeOnTheModel() throws {
        // small_compressed ships .pt files, small_local .safetensors; both build and match the reference
        // (ParityTests). Here: a directory mixing the two formats loads the same values.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sq-mixed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let src = Fixture.root().appendingPathComponent("small_compressed")
        let all = try CheckpointDirectory.load(src, model: "small_compressed", modules: SQCodecModel.moduleNames)
        for m in SQCodecModel.moduleNames where m != "decoder" {
            try FileManager.default.copyItem(at: src.appendingPathComponent("\(m).pt"), to: tmp.appendingPathComponent("\(m).pt"))
        }
        try writeSafetensors(all["decoder"]!, to: tmp.appendingPathComponent("decoder.safetensors"))
        let mixed = try CheckpointDirectory.load(tmp, model: "small_compressed", modules: SQCodecModel.moduleNames)
        #expect(mixed == all)
    }

    @Test func missingExtraAndMisshapedTensorsAreNamed() throws {
        let f = try Fixture("small_local")
        let all = try CheckpointDirectory.load(f.directory, model: f.name, modules: SQCodecModel.moduleNames)
        var missing = all
        missing["decoder"]!["blocks.2.merge_layer.0.weight"] = nil
        #expect(throws: CheckpointError.missingTensor("decoder.blocks.2.merge_layer.0.weight")) {
            try SQCodecModel(configuration: f.configuration, tensors: missing)
        }
        var extra = all
        extra["encoder"]!["blocks.99.weight"] = StoredTensor(shape: [1], values: [0])
        #expect(throws: CheckpointError.unexpectedTensor("encoder.blocks.99.weight")) {
            try SQCodecModel(configuration: f.configuration, tensors: extra)
        }
        var shaped = all
        shaped["quantizer"]!["project_in.bias"] = StoredTensor(shape: [1, 3], values: [0, 0, 0])
        #expect(throws: CheckpointError.shapeMismatch(tensor: "quantizer.project_in.bias", expected: [3], found: [1, 3])) {
            try SQCodecModel(configuration: f.configuration, tensors: shaped)
        }
        // The wrong configuration for these weights.
        var other = f.configuration
        other.featureDim = 32
        #expect(throws: CheckpointError.self) { try SQCodecModel(configuration: other, tensors: all) }
    }

    /// `tqa models --random-weights` (and the benchmarks' weights) must give the same tensors
    /// for a seed from one build to the next: values are drawn in the order the layers ask for
    /// them, module by module in `moduleNames` order. Golden bit patterns of each module's first
    /// tensor (sorted by name) for the 6kbps shape, seed 1.
    @Test func randomWeightsAreTheSameForASeed() throws {
        let t = try RandomWeights.tensors(for: SQCodecConfiguration.named("6kbps")!, seed: 1)
        let expected: [String: (String, [UInt32])] = [
            "encoder": ("blocks.0.blocks.0.1.bias", [1028504711, 1036355363]),
            "quantizer": ("project_in.bias", [1023630923, 1036515742]),
            "decoder": ("blocks.0.bias", [982293588, 3171280553]),
            "en_encoder": ("local_trans.dynamic_pos_bias.mlp.0.bias", [3166635523, 1023421926]),
            "en_decoder": ("local_trans.dynamic_pos_bias.mlp.0.bias", [1030240714, 1032169456]),
        ]
        for m in SQCodecModel.moduleNames {
            let (name, bits) = expected[m]!
            #expect(t[m]?.keys.sorted().first == name, "seed 1, \(m): first tensor")
            #expect(t[m]?[name]?.values.prefix(2).map(\.bitPattern) == bits, "seed 1, \(m): the values drawn for \(name) changed")
        }
    }

    /// A model built for one half reads only that half's modules (the others' files may be
    /// absent) and gives the tokens and samples of the whole model.
    @Test(arguments: Fixture.names)
    func halfModelsReadTheirModulesOnly(name: String) throws {
        let f = try Fixture(name)
        let whole = try f.model()
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sq-half-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (parts, modules) in [(SQCodecModel.Parts.encoding, ["encoder", "en_encoder", "quantizer"]),
                                 (.decoding, ["quantizer", "en_decoder", "decoder"])] {
            #expect(Set(parts.modules) == Set(modules))
            let dir = tmp.appendingPathComponent("\(parts.rawValue)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for file in try FileManager.default.contentsOfDirectory(atPath: f.directory.path)
            where modules.contains((file as NSString).deletingPathExtension) {
                try FileManager.default.copyItem(at: f.directory.appendingPathComponent(file), to: dir.appendingPathComponent(file))
            }
            let half = try SQCodecModel(configuration: f.configuration, directory: dir, parts: parts)
            #expect(half.parts == parts)
            if parts == .encoding {
                #expect(half.encode(f.vector("input")) == whole.encode(f.vector("input")), "\(name): encoding half")
            } else {
                #expect(try half.decode(f.tokens) == whole.decode(f.tokens), "\(name): decoding half")
            }
            #expect(throws: CheckpointError.self) { try SQCodecModel(configuration: f.configuration, directory: dir, parts: .all) }
        }
    }

    @Test func missingWeightsSayWhereToGetThem() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sq-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let config = SQCodecConfiguration.named("6kbps")!
        do {
            _ = try SQCodecModel(configuration: config, directory: tmp)
            Issue.record("loading from an empty directory succeeded")
        } catch let e as CheckpointError {
            guard case .weightsNotFound(let model, _, _, _) = e else { Issue.record("wrong error \(e)"); return }
            #expect(model == "6kbps")
            #expect(e.description.contains("huggingface.co/zhai-lw/SQCodec"))
            #expect(e.description.contains("encoder.pt"))
        }
        #expect(SQCodecModel.defaultDirectory(for: config).path.hasSuffix(".cache/sq_codec/6kbps.v0"))
    }

    @Test func truncatedTorchFilesThrow() throws {
        let bytes = try Self.fixtureFile("small_compressed", "quantizer.pt")
        for n in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: CheckpointError.self, "truncated at \(n)") {
                try TorchCheckpoint.tensors(bytes: Array(bytes[..<n]), file: "q.pt")
            }
        }
    }

    @Test func corruptedTorchFilesNeverCrash() throws {
        let bytes = try Self.fixtureFile("small_compressed", "quantizer.pt")
        var g = SplitMix64(seed: 42)
        for trial in 0..<3000 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...4, using: &g) {
                b[Int.random(in: 0..<b.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
            }
            do {
                let t = try TorchCheckpoint.tensors(bytes: b, file: "q.pt")
                let total = t.values.reduce(0) { $0 + $1.values.count }
                #expect(total * 4 <= b.count, "trial \(trial): \(total) values from \(b.count) bytes")
            } catch is CheckpointError {
            } catch {
                Issue.record("trial \(trial): unexpected error \(error)")
            }
        }
    }

    @Test func picklesCannotCallArbitraryGlobals() {
        // PROTO 2, GLOBAL 'os system', SHORT_BINSTRING 'echo', TUPLE1, REDUCE, STOP
        var p: [UInt8] = [0x80, 2, 0x63] + Array("os\nsystem\n".utf8) + [0x55, 4] + Array("echo".utf8) + [0x85, 0x52, 0x2E]
        #expect(throws: CheckpointError.self) { try PickleReader(file: "evil").read(p[...]) }
        p = [0x80, 2, 0xFF]
        #expect(throws: CheckpointError.unsupportedPickleOpcode(file: "x", offset: 2, opcode: 0xFF)) {
            try PickleReader(file: "x").read(p[...])
        }
        // BINUNICODE claiming 4 GB.
        p = [0x80, 2, 0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x41]
        #expect(throws: CheckpointError.self) { try PickleReader(file: "x").read(p[...]) }
    }

    @Test func hostileSafetensorsThrow() throws {
        let good = try Self.fixtureFile("small_local", "quantizer.safetensors")
        #expect(try SafeTensors.read(bytes: good, file: "q").tensors.count == 4)
        var huge = good
        for i in 0..<8 { huge[i] = 0xFF }
        #expect(throws: CheckpointError.self) { try SafeTensors.read(bytes: huge, file: "q") }
        for n in stride(from: 0, to: good.count, by: 13) {
            #expect(throws: CheckpointError.self, "truncated at \(n)") { try SafeTensors.read(bytes: Array(good[..<n]), file: "q") }
        }
        let header = #"{"w":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,4]}}"#
        var b = [UInt8]()
        var n = UInt64(header.utf8.count)
        for _ in 0..<8 { b.append(UInt8(n & 0xFF)); n >>= 8 }
        b += Array(header.utf8) + [0, 0, 0, 0]
        #expect(throws: CheckpointError.tensorOutOfBounds(tensor: "w")) { try SafeTensors.read(bytes: b, file: "x") }
    }
}

/// Writes float32 tensors as a .safetensors file (test helper).
func writeSafetensors(_ tensors: [String: StoredTensor], to url: URL) throws {
    var header: [String: Any] = [:]
    var data = [UInt8]()
    for name in tensors.keys.sorted() {
        let t = tensors[name]!
        let begin = data.count
        for v in t.values { let u = v.bitPattern; for i in 0..<4 { data.append(UInt8((u >> (8 * UInt32(i))) & 0xFF)) } }
        header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [begin, data.count]]
    }
    let json = try JSONSerialization.data(withJSONObject: header)
    var out = [UInt8]()
    var n = UInt64(json.count)
    for _ in 0..<8 { out.append(UInt8(n & 0xFF)); n >>= 8 }
    out += json
    out += data
    try Data(out).write(to: url)
}

@Test func loadByNameChecksTheName() {
    #expect(throws: SQCodecError.unknownModel(name: "7kbps", known: SQCodecConfiguration.published.map(\.name))) {
        try SQCodecModel.load(model: "7kbps")
    }
    #expect(throws: CheckpointError.self) {
        try SQCodecModel.load(model: "6kbps", weightsDirectory: URL(fileURLWithPath: "/nonexistent-sq-weights"))
    }
}
