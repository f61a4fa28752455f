import Foundation
@testable import SQCodec

/// One parity fixture made by `tools/reference/make_vectors.py`: the configuration, the weights
/// directory and the reference vectors.
struct Fixture {
    let name: String
    let directory: URL
    let configuration: SQCodecConfiguration
    let vectors: [String: StoredTensor]
    let tokens: [Int32]
    let metadata: [String: String]

    static let names = ["small_local", "small_compressed", "small_compressed_cache"]

    static func root() -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures", isDirectory: true)
    }

    init(_ name: String, root: URL = Fixture.root()) throws {
        self.name = name
        let files = try ReferenceFiles(root.appendingPathComponent(name, isDirectory: true), name: name)
        directory = files.directory
        configuration = Fixture.configuration(json: files.config, name: name)
        vectors = files.vectors
        metadata = files.metadata
        tokens = files.int32["tokens"]!
    }

    /// A configuration from sq-codec's `network_config` keys (as written to config.json).
    static func configuration(json j: [String: Any], name: String) -> SQCodecConfiguration {
        func ints(_ k: String) -> [Int] { (j[k] as! [Any]).map { ($0 as! NSNumber).intValue } }
        func int(_ k: String) -> Int { (j[k] as! NSNumber).intValue }
        let vq = j["vq_config"] as! [String: Any]
        return SQCodecConfiguration(
            name: name, sampleRate: int("sample_rate"), featureDim: int("feature_dim"),
            compressRates: ints("compress_rates"), encoderDims: ints("encoder_dims"), encoderDepths: ints("encoder_depths"),
            decodeRates: ints("decode_rates"), decoderDims: ints("decoder_dims"), decoderDepths: ints("decoder_depths"),
            useNorm: (j["use_norm"] as! NSNumber).boolValue,
            levels: (vq["codebook_dim"] as! [Any]).map { ($0 as! NSNumber).intValue },
            enCoderDepth: int("en_coder_depth"), enCoderWindowSize: int("en_coder_window_size"),
            enCoderCompressRate: int("en_coder_compress_rate"), enCoderCacheSize: int("en_coder_cache_size"))
    }

    func vector(_ key: String) -> [Float] { vectors[key]!.values }

    func model() throws -> SQCodecModel { try SQCodecModel(configuration: configuration, directory: directory) }
}

/// The files of a reference fixture directory (SQCodec's or L3AC's): `config.json` and
/// `vectors.safetensors`, with its float tensors, its I32 tensors and its metadata.
struct ReferenceFiles {
    let directory: URL
    let config: [String: Any]
    let vectors: [String: StoredTensor]
    let int32: [String: [Int32]]
    let metadata: [String: String]

    init(_ directory: URL, name: String) throws {
        self.directory = directory
        config = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("config.json"))) as! [String: Any]
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("vectors.safetensors")))
        let read = try SafeTensors.read(bytes: bytes, file: name, floatOnly: false)
        vectors = read.tensors
        metadata = read.metadata
        int32 = read.raw.filter { $0.value.dtype == "I32" }.mapValues { int32Values($0, bytes: bytes) }
    }
}

/// The values of an `I32` tensor of a safetensors file read from `bytes`.
func int32Values(_ raw: (dtype: String, shape: [Int], range: Range<Int>), bytes: [UInt8]) -> [Int32] {
    precondition(raw.dtype == "I32")
    return stride(from: raw.range.lowerBound, to: raw.range.upperBound, by: 4).map { o in
        Int32(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24)
    }
}

/// `max |a − b|`.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxAbsDifference: \(a.count) vs \(b.count) values")
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
}

/// `10 log10(Σ ref² / Σ (ref − x)²)`, in dB.
func snrDB(reference: [Float], _ x: [Float]) -> Double {
    precondition(reference.count == x.count)
    var s = 0.0, n = 0.0
    for i in 0..<x.count {
        s += Double(reference[i]) * Double(reference[i])
        let d = Double(reference[i]) - Double(x[i])
        n += d * d
    }
    return n == 0 ? .infinity : 10 * log10(s / n)
}
