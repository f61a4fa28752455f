import Foundation
@testable import SQCodec

/// One L3AC parity fixture made by `tools/reference/make_l3ac_vectors.py --small`: the
/// configuration, the weights directory and the reference vectors.
struct L3ACFixture {
    let name: String
    let directory: URL
    let configuration: L3ACConfiguration
    let vectors: [String: StoredTensor]
    let int32: [String: [Int32]]
    let metadata: [String: String]

    static let names = ["l3ac_small_local", "l3ac_small_compressed", "l3ac_small_compressed2"]

    init(_ name: String, root: URL = Fixture.root()) throws {
        self.name = name
        let files = try ReferenceFiles(root.appendingPathComponent(name, isDirectory: true), name: name)
        directory = files.directory
        configuration = L3ACFixture.configuration(json: files.config, name: name)
        vectors = files.vectors
        metadata = files.metadata
        int32 = files.int32
    }

    /// A configuration from l3ac's `network_config` keys (as written to config.json).
    static func configuration(json j: [String: Any], name: String) -> L3ACConfiguration {
        func ints(_ k: String) -> [Int] { (j[k] as! [Any]).map { ($0 as! NSNumber).intValue } }
        func int(_ k: String) -> Int { (j[k] as! NSNumber).intValue }
        let vq = j["vq_config"] as! [String: Any]
        precondition(vq["name"] as? String == "super_fsq" && int("en_coder_cache_size") == 0)
        return L3ACConfiguration(
            name: name, sampleRate: int("sample_rate"), modelVersion: j["model_version"] as! String,
            featureDim: int("feature_dim"),
            compressRates: ints("compress_rates"), encoderDims: ints("encoder_dims"), encoderDepths: ints("encoder_depths"),
            decodeRates: ints("decode_rates"), decoderDims: ints("decoder_dims"), decoderDepths: ints("decoder_depths"),
            useNorm: (j["use_norm"] as! NSNumber).boolValue,
            levels: (vq["levels"] as! [Any]).map { ($0 as! NSNumber).intValue },
            enCoderDepth: int("en_coder_depth"), enCoderWindowSize: int("en_coder_window_size"),
            enCoderCompressRate: int("en_coder_compress_rate"))
    }

    func vector(_ key: String) -> [Float] { vectors[key]!.values }

    /// `(rows, cols)` of a 2-D vector.
    func shape(_ key: String) -> (Int, Int) { let s = vectors[key]!.shape; return (s[0], s[1]) }

    /// The quantizer (`project_in`, super-FSQ, `project_out`) from the fixture's `quantizer` weights.
    func quantizer() throws -> Quantizer<SuperFSQ> {
        let tensors = try CheckpointDirectory.load(directory, model: name, modules: ["quantizer"])
        let store = TensorStore(module: "quantizer", tensors: tensors["quantizer"]!)
        let q = try Quantizer(store.scope(""), featureDim: configuration.featureDim,
                              quantizer: SuperFSQ(levels: configuration.levels))
        try store.checkAllUsed()
        return q
    }
}

extension L3ACFixture {
    /// All five modules' tensors, as `L3ACModel` takes them.
    func tensors() throws -> [String: [String: StoredTensor]] {
        try CheckpointDirectory.load(directory, model: name, modules: L3ACModel.moduleNames)
    }

    func model() throws -> L3ACModel { try L3ACModel(configuration: configuration, tensors: tensors()) }
}
