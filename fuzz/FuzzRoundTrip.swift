// libFuzzer target: any WAV the reader accepts, encoded and decoded again (turbo or spectral,
// settings from the input's last byte). The decode must keep the frame and channel counts and
// give finite samples, whatever the input's values (NaN, ±Inf, 3.4e38, …).
import TQAudio
import TQCodecs
import TQContainer
import TurboQuant

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoundTrip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    guard let reader = try? WAVReader(bytes: bytes), let x = try? reader.read(maxFrames: 1 << 14) else { return 0 }
    let b = Int(bytes.last ?? 0)
    let encoder: any PacketEncoder
    if b & 0x40 != 0 {
        let p = SpectralParameters(frameSize: 256, shortBlockCount: 4, framesPerPacket: 1 + (b & 3))
        guard let e = try? SpectralEncoder(sampleRate: x.sampleRate, channelCount: x.channelCount,
                                           target: .bitsPerSample(Double(1 + (b & 7))), seed: UInt64(b), parameters: p,
                                           tuning: b & 0x20 != 0 ? .perceptual : .mse) else { return 0 }
        encoder = e
    } else {
        let p = TurboParameters(bits: 1 + (b & 7), blockSize: 64 << ((b >> 3) & 3), residual: b & 0x80 != 0, blocksPerPacket: 1 + (b >> 5 & 1))
        guard let e = try? TurboEncoder(parameters: p, channelCount: x.channelCount, seed: UInt64(b)) else { return 0 }
        encoder = e
    }
    do {
        let sink = MemorySink()
        let enc = try TQAStreamEncoder(encoder: encoder, sink: sink, sampleRate: x.sampleRate, channelCount: x.channelCount, sourceFormat: .f32)
        try enc.write(x)
        try enc.finish()
        let r = try TQAReader(bytes: sink.bytes)
        let d = try Codecs.all.decoder(for: r.header)
        let stream = TQAStreamDecoder(reader: r, decoder: d)
        var frames = 0
        while let y = try stream.next() {
            precondition(y.channelCount == x.channelCount, "channel count changed")
            precondition(y.samples.allSatisfy { $0.isFinite }, "non-finite sample decoded")
            frames += y.frameCount
        }
        precondition(frames == x.frameCount, "\(x.frameCount) frames in, \(frames) out")
    } catch {
        preconditionFailure("a valid stream failed to round-trip: \(error)")
    }
    return 0
}
