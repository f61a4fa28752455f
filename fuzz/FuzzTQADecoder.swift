// libFuzzer target: the .tqa reader and every codec decoder in this build (`Codecs.all`, but
// sqcodec and l3ac), strict and salvage.
// A damaged stream must end in a thrown error (strict) or a report (salvage), never a crash;
// salvage output must never exceed the frame count the stream declares, nor its silence the
// reader's budget (`TQAReader.silenceBudget`).
import TQAudio
import TQCodecs
import TQContainer

/// Every codec in the build but sqcodec and l3ac, whose decoders need a model's weights:
/// FuzzSQCodec fuzzes both with tiny random-weight models.
private let codecs = Codecs.all.excluding(.sqcodec, .l3ac)

/// Caps the work one input may cause: a forged header may declare 2^64 frames, which salvage
/// fills with silence piece by piece; the fuzzer stops after this many frames.
private let frameBudget: UInt64 = 1 << 18

private func run(_ bytes: [UInt8], salvage: Bool) {
    guard let reader = try? TQAReader(bytes: bytes), let d = try? codecs.decoder(for: reader.header) else { return }
    let stream = TQAStreamDecoder(reader: reader, decoder: d, salvage: salvage)
    do {
        while let b = try stream.next() {
            precondition(b.channelCount == reader.header.channelCount)
            if let total = stream.totalFrames { precondition(stream.framesOut <= total, "more frames than declared") }
            // Silence salvage invents is held to what the file justifies, end marker or not.
            precondition(stream.report.lostFrames <= reader.silenceBudget, "more silence than the budget")
            if stream.framesOut > frameBudget { return }
        }
    } catch {
        // Salvage reads from memory never fail: damage goes into the report.
        precondition(!salvage, "salvage decoding threw: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTQADecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    run(bytes, salvage: false)
    run(bytes, salvage: true)
    return 0
}
