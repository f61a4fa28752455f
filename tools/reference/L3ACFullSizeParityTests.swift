import Foundation
import Testing
@testable import SQCodec

/// Full-size L3AC parity against `make_l3ac_vectors.py OUT --full 0k75bps 1kbps 1k5bps 3kbps`
/// output (not part of the package's tests: the vectors need the Python reference). See
/// README.md ("L3AC reference vectors"). Uses `int32Values`, `maxAbsDifference` and `snrDB` of
/// Tests/SQCodecTests/FixtureSupport.swift.
///
/// Targets (issue 16): tokens identical on at least 99.9 % of frames; decoding the reference's
/// tokens within 1e-4 maximum absolute error of the reference's decoding; encode→decode at least
/// 40 dB SNR against the reference's own encode→decode output.
@Test(arguments: ["0k75bps", "1kbps", "1k5bps", "3kbps"])
func l3acFullSizeParity(model: String) throws {
    guard let rootPath = ProcessInfo.processInfo.environment["L3AC_FULL_VECTORS"] else {
        Issue.record("set L3AC_FULL_VECTORS to the directory written by make_l3ac_vectors.py --full")
        return
    }
    let dir = URL(fileURLWithPath: rootPath).appendingPathComponent(model)
    let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("vectors.safetensors")))
    let read = try SafeTensors.read(bytes: bytes, file: model, floatOnly: false)
    let meta = read.metadata
    let provenance = "seed \(meta["seed"] ?? "?"), perturbation scale \(meta["perturbation_scale"] ?? "?"), "
        + "torch \(meta["torch"] ?? "?"), l3ac \(meta["l3ac"] ?? "?"), \(meta["seconds"] ?? "?") s input"
    print("\(model): vectors from make_l3ac_vectors.py with \(provenance)")
    let refTokens = int32Values(read.raw["tokens"]!, bytes: bytes)
    let config = L3ACConfiguration.named(model)!
    var clock = ContinuousClock.now
    let tensors = try CheckpointDirectory.load(dir, model: model, modules: L3ACModel.moduleNames)
    let m = try L3ACModel(configuration: config, tensors: tensors)
    print("\(model): load \(ContinuousClock.now - clock)"); clock = .now
    let tokens = m.encode(read.tensors["input"]!.values)
    print("\(model): encode \(ContinuousClock.now - clock)"); clock = .now
    let same = zip(tokens, refTokens).filter { $0 == $1 }.count
    let decodedRef = try m.decode(refTokens)
    print("\(model): decode \(ContinuousClock.now - clock)")
    let reference = read.tensors["decoded"]!.values
    let err = maxAbsDifference(decodedRef, reference)
    let snr = snrDB(reference: reference, try m.decode(tokens))
    let percent = 100 * Double(same) / Double(max(1, refTokens.count))
    let summary = "\(model): tokens \(same)/\(refTokens.count) identical (\(String(format: "%.2f", percent)) %); "
        + "decode max abs error \(err); encode→decode SNR \(String(format: "%.1f", snr)) dB"
    print(summary)
    #expect(tokens.count == refTokens.count, "\(summary) [\(provenance)]")
    #expect(Double(same) >= 0.999 * Double(refTokens.count), "token target 99.9 %: \(summary) [\(provenance)]")
    #expect(err <= 1e-4, "decode target 1e-4: \(summary) [\(provenance)]")
    #expect(snr >= 40, "SNR target 40 dB: \(summary) [\(provenance)]")
}
