import Foundation
import Testing
@testable import SQCodec

/// Full-size parity against `make_vectors.py OUT --full 6kbps 0k75bps` output (not part of the
/// package's tests: the vectors are ~100 MB and need the Python reference). See README.md.
@Test(arguments: ["6kbps", "0k75bps"])
func fullSizeParity(model: String) throws {
    let root = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SQCODEC_FULL_VECTORS"]!)
    let dir = root.appendingPathComponent(model)
    let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("vectors.safetensors")))
    let read = try SafeTensors.read(bytes: bytes, file: model, floatOnly: false)
    let raw = read.raw["tokens"]!
    let refTokens = stride(from: raw.range.lowerBound, to: raw.range.upperBound, by: 4).map { o in
        Int32(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24)
    }
    let config = SQCodecConfiguration.named(model)!
    var clock = ContinuousClock.now
    let m = try SQCodecModel(configuration: config, directory: dir)
    print("\(model): load \(ContinuousClock.now - clock)"); clock = .now
    let tokens = m.encode(read.tensors["input"]!.values)
    print("\(model): encode \(ContinuousClock.now - clock)"); clock = .now
    let same = zip(tokens, refTokens).filter { $0 == $1 }.count
    let decodedRef = try m.decode(refTokens)
    print("\(model): decode \(ContinuousClock.now - clock)")
    let err = fullSizeMaxAbs(decodedRef, read.tensors["decoded"]!.values)
    let snr = fullSizeSNR(reference: read.tensors["decoded"]!.values, try m.decode(tokens))
    print("\(model): tokens \(same)/\(refTokens.count) identical; decode max abs error \(err); encode→decode SNR \(snr) dB")
    #expect(tokens.count == refTokens.count)
    #expect(Double(same) >= 0.999 * Double(refTokens.count))
    #expect(err <= 1e-4)
    #expect(snr >= 40)
}

private func fullSizeMaxAbs(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

private func fullSizeSNR(reference: [Float], _ x: [Float]) -> Double {
    precondition(reference.count == x.count)
    var s = 0.0, n = 0.0
    for (r, v) in zip(reference, x) { s += Double(r) * Double(r); n += (Double(r) - Double(v)) * (Double(r) - Double(v)) }
    return n == 0 ? .infinity : 10 * log10(s / n)
}
