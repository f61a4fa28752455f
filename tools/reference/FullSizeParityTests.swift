import Foundation
import Testing
import TQAudio
import TQContainer
@testable import SQCodec

/// Full-size parity of both families against the generators' `--full` output (not part of the
/// package's tests: the vectors are ~100 MB and need the Python references). See README.md.
///
///     SQCODEC_FULL_VECTORS=DIR   make_vectors.py DIR --full 6kbps 0k75bps [--gap]
///     L3AC_FULL_VECTORS=DIR      make_l3ac_vectors.py DIR --full 0k75bps 1kbps 1k5bps 3kbps
///
/// A family whose variable is unset is left out (one of them must be set); a model whose
/// directory is missing under a set one is an issue. Uses `int32Values`, `maxAbsDifference` and
/// `snrDB` of Tests/SQCodecTests/FixtureSupport.swift.
///
/// Targets (issues 4 and 16): tokens identical on at least 99.9 % of frames; decoding the
/// reference's tokens within 1e-4 maximum absolute error of the reference's decoding;
/// encode→decode at least 40 dB SNR against the reference's own encode→decode output.
private let cases: [(ModelFamily, String)] =
    ["6kbps", "0k75bps"].map { (.sqcodec, $0) } + ["0k75bps", "1kbps", "1k5bps", "3kbps"].map { (.l3ac, $0) }

private func vectorsVariable(_ family: ModelFamily) -> String { family == .l3ac ? "L3AC_FULL_VECTORS" : "SQCODEC_FULL_VECTORS" }

@Test(arguments: cases)
func fullSizeParity(family: ModelFamily, model: String) throws {
    let env = ProcessInfo.processInfo.environment
    guard let rootPath = env[vectorsVariable(family)] else {
        if ModelFamily.allCases.allSatisfy({ env[vectorsVariable($0)] == nil }) {
            Issue.record("set SQCODEC_FULL_VECTORS and/or L3AC_FULL_VECTORS to the directories written with --full")
        }
        return
    }
    let name = "\(family.rawValue) \(model)"
    let dir = URL(fileURLWithPath: rootPath).appendingPathComponent(model)
    let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("vectors.safetensors")))
    let read = try SafeTensors.read(bytes: bytes, file: model, floatOnly: false)
    let meta = read.metadata
    let provenance = "seed \(meta["seed"] ?? "?"), perturbation scale \(meta["perturbation_scale"] ?? "?"), "
        + "torch \(meta["torch"] ?? "?"), \(family.rawValue) \(meta[family == .l3ac ? "l3ac" : "sq-codec"] ?? "?"), "
        + "\(meta["seconds"] ?? "?") s input"
    print("\(name): vectors from \(meta["generator"] ?? "?") with \(provenance)")
    let refTokens = int32Values(read.raw["tokens"]!, bytes: bytes)
    let config = try #require(family.named(model))
    var clock = ContinuousClock.now
    let m = try SQCodecModel(configuration: config, directory: dir)
    print("\(name): load \(ContinuousClock.now - clock)"); clock = .now
    let tokens = m.encode(read.tensors["input"]!.values)
    print("\(name): encode \(ContinuousClock.now - clock)"); clock = .now
    let same = zip(tokens, refTokens).filter { $0 == $1 }.count
    let decodedRef = try m.decode(refTokens)
    print("\(name): decode \(ContinuousClock.now - clock)")
    let reference = read.tensors["decoded"]!.values
    let err = maxAbsDifference(decodedRef, reference)
    let snr = snrDB(reference: reference, try m.decode(tokens))
    let percent = 100 * Double(same) / Double(max(1, refTokens.count))
    let summary = "\(name): tokens \(same)/\(refTokens.count) identical (\(String(format: "%.2f", percent)) %); "
        + "decode max abs error \(err); encode→decode SNR \(String(format: "%.1f", snr)) dB"
    print(summary)
    #expect(tokens.count == refTokens.count, "\(summary) [\(provenance)]")
    #expect(Double(same) >= 0.999 * Double(refTokens.count), "token target 99.9 %: \(summary) [\(provenance)]")
    #expect(err <= 1e-4, "decode target 1e-4: \(summary) [\(provenance)]")
    #expect(snr >= 40, "SNR target 40 dB: \(summary) [\(provenance)]")

    // As a .tqa in packets (the default, ~20 s for 6kbps, 54 s for 0k75bps): `tqa decode --whole`
    // (WholeSequenceDecoder) decodes them as one sequence, as the reference does (issue 16: ≥ 40 dB
    // on 60 s); the default packet-by-packet decode is printed beside it.
    let input = read.tensors["input"]!.values
    var encoder = try SQCodecEncoder(model: m, sampleRate: config.sampleRate, channelCount: 1)
    let buffer = AudioBuffer(sampleRate: config.sampleRate, channelCount: 1, planar: input)
    let packets = try encoder.encode(buffer) + encoder.finish()
    let header = TQAHeader(codec: .sqcodec, sourceFormat: .f32, sampleRate: config.sampleRate, channelCount: 1,
                           frameCount: UInt64(input.count), seed: 0, codecParameters: encoder.codecParameters)
    func decodeAll(_ d: inout some PacketDecoder) throws -> [Float] {
        var out: [Float] = []
        for p in packets { for a in try d.decode(p) { out += a.buffer.channel(0) } }
        for a in try d.finish() { out += a.buffer.channel(0) }
        return out
    }
    var whole = try SQCodecDecoder.whole(header: header, model: m)
    var streaming = try SQCodecDecoder(header: header, model: m)
    let n = min(input.count, reference.count)
    let wholeSNR = fullSizeSNR(reference: Array(reference.prefix(n)), Array(try decodeAll(&whole).prefix(n)))
    let streamingSNR = fullSizeSNR(reference: Array(reference.prefix(n)), Array(try decodeAll(&streaming).prefix(n)))
    let packetSummary = "\(model): \(packets.count) packets; --whole \(String(format: "%.1f", wholeSNR)) dB, "
        + "packet by packet \(String(format: "%.1f", streamingSNR)) dB against the reference's whole-input decode"
    print(packetSummary)
    #expect(wholeSNR >= 40, "whole-sequence target 40 dB: \(packetSummary) [\(provenance)]")
}
