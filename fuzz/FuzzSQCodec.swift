// libFuzzer target: the neural packet decoders, sqcodec (codec id 3) and l3ac (codec id 4), each
// with a tiny random-weight model; every input is decoded by both.
// Input: frame count (u16 LE), first block (u8), then the packet payload. Any bytes must end in
// a thrown ContainerError or codec error (`CodecError`: SQCodecStreamError) or finite audio of
// the declared length, never a crash or another error.
import SQCodec
import TQAudio
import TQContainer

private enum Tiny {
    static let sqcodec = SQCodecConfiguration(
        name: "tiny", sampleRate: 16_000, featureDim: 24, compressRates: [2, 3], encoderDims: [8, 12, 16],
        encoderDepths: [1, 1, 2], decodeRates: [3, 2], decoderDims: [16, 12, 8], decoderDepths: [2, 1, 1],
        levels: [5, 4, 3], enCoderDepth: 2, enCoderWindowSize: 8, enCoderCompressRate: 1)
    /// L3AC's compressed transformers (rate 2) and super-FSQ; its last block may be short.
    static let l3ac = L3ACConfiguration(
        name: "tiny-l3ac", featureDim: 24, compressRates: [2, 3], encoderDims: [8, 12, 16],
        encoderDepths: [1, 1, 2], decodeRates: [3, 2], decoderDims: [16, 12, 8], decoderDepths: [2, 1, 1],
        levels: [7, 6, 3], enCoderDepth: 3, enCoderWindowSize: 4, enCoderCompressRate: 2).backbone
    static let models = [try! RandomWeights.model(sqcodec, seed: 5), try! RandomWeights.model(l3ac, seed: 6)]
    static func header(_ c: SQCodecConfiguration) -> TQAHeader {
        TQAHeader(codec: c.family.codec, sourceFormat: .s16, sampleRate: 16_000, channelCount: 1,
                  frameCount: TQAHeader.unknownFrameCount, seed: 0,
                  codecParameters: SQCodecParameters(model: c.name, sourceSampleRate: 16_000, blocksPerPacket: 4).encoded())
    }
}

private func decode(_ bytes: [UInt8], model: SQCodecModel) {
    let frames = UInt32(bytes[0]) | UInt32(bytes[1]) << 8
    let first = UInt64(bytes[2]) * UInt64(model.configuration.blockLength)
    let packet = Packet(index: 0, firstFrame: first, frameCount: frames, payload: Array(bytes[3...]))
    guard var decoder = try? SQCodecDecoder(header: Tiny.header(model.configuration), model: model) else { return }
    do {
        var out = try decoder.decode(packet)
        out += try decoder.finish()
        for d in out {
            precondition(d.buffer.frameCount == Int(frames), "decoded \(d.buffer.frameCount) frames, the packet declares \(frames)")
            precondition(d.buffer.samples.allSatisfy { $0.isFinite }, "non-finite audio")
        }
    } catch is ContainerError {
    } catch is any CodecError {
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSQCodec(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard size >= 3, let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for model in Tiny.models { decode(bytes, model: model) }
    return 0
}
