// Writes the fuzzers' seed corpora: small valid files made by the project's own writers.
// Usage: seed-corpus DIR   (creates DIR/wav and DIR/tqa)
import Foundation
import TQAudio
import TQContainer
import TurboQuant

@main
struct SeedCorpus {
    static func main() throws {
        let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "corpus"
        for d in ["wav", "tqa"] { try FileManager.default.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true) }
        func save(_ dir: String, _ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/\(dir)/\(name)"))
        }

        // A short seeded signal: a sine, noise and one click, so every codec path is exercised.
        func signal(frames: Int, channels: Int, rate: Int) -> AudioBuffer {
            var state: UInt64 = 0x5EED
            var chans: [[Float]] = []
            for c in 0..<channels {
                var x = [Float](repeating: 0, count: frames)
                for i in 0..<frames {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let noise = Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
                    x[i] = 0.3 * sinf(Float(i) * 0.05 * Float(c + 1)) + 0.05 * noise
                }
                if frames > 10 { x[frames / 2] = 0.99 }
                chans.append(x)
            }
            return AudioBuffer(sampleRate: rate, channels: chans)
        }

        // WAV: every sample format the writer has, 1 and 2 channels.
        for (i, f) in [SampleFormat.s16, .s24, .f32].enumerated() {
            try save("wav", "pcm-\(f)-mono.wav", WAVWriter.bytes(of: signal(frames: 40, channels: 1, rate: 8000), format: f))
            try save("wav", "pcm-\(f)-stereo.wav", WAVWriter.bytes(of: signal(frames: 25 + i, channels: 2, rate: 44100), format: f))
        }
        // Hand-made headers the writer does not produce: 8-bit, 16-byte fmt without cbSize after a
        // LIST chunk, streaming data size, extensible float, RF64.
        func chunk(_ id: String, _ body: [UInt8]) -> [UInt8] {
            var w = ByteWriter(); w.append(Array(id.utf8)); w.u32(UInt32(body.count)); w.append(body)
            if body.count % 2 == 1 { w.u8(0) }
            return w.bytes
        }
        func fmt(tag: UInt16, channels: UInt16, rate: UInt32, bits: UInt16, extra: [UInt8]? = nil) -> [UInt8] {
            var w = ByteWriter()
            let align = channels * ((bits + 7) / 8)
            w.u16(tag); w.u16(channels); w.u32(rate); w.u32(rate * UInt32(align)); w.u16(align); w.u16(bits)
            if let e = extra { w.u16(UInt16(e.count)); w.append(e) }
            return w.bytes
        }
        func riff(_ magic: String = "RIFF", size: UInt32? = nil, chunks: [UInt8]) -> [UInt8] {
            var w = ByteWriter(); w.append(Array(magic.utf8)); w.u32(size ?? UInt32(chunks.count + 4)); w.append(Array("WAVE".utf8)); w.append(chunks)
            return w.bytes
        }
        let samples8: [UInt8] = (0..<33).map { UInt8(truncatingIfNeeded: 128 + $0 * 7) }
        try save("wav", "u8-list-odd.wav", riff(chunks: chunk("LIST", Array("INFOISFT\u{5}\0\0\0tqa\0\0".utf8)) + chunk("fmt ", fmt(tag: 1, channels: 1, rate: 11025, bits: 8)) + chunk("data", samples8)))
        var streaming = chunk("fmt ", fmt(tag: 1, channels: 2, rate: 48000, bits: 16, extra: []))
        streaming += Array("data".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + (0..<48).map { UInt8($0) }
        try save("wav", "s16-streaming.wav", riff(size: 0xFFFF_FFFF, chunks: streaming))
        var guid: [UInt8] = [3, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]
        var ext = ByteWriter(); ext.u16(32); ext.u32(3); ext.append(guid)
        let floats = WAVWriter.bytes(of: signal(frames: 12, channels: 2, rate: 96000), format: .f32).suffix(12 * 8)
        try save("wav", "extensible-f32.wav", riff(chunks: chunk("fmt ", fmt(tag: 0xFFFE, channels: 2, rate: 96000, bits: 32, extra: ext.bytes)) + chunk("data", Array(floats))))
        guid[0] = 1
        var ds64 = ByteWriter(); ds64.u64(0); ds64.u64(24); ds64.u64(12); ds64.u32(0)
        try save("wav", "rf64-s16.wav", riff("RF64", size: 0xFFFF_FFFF, chunks: chunk("ds64", ds64.bytes) + chunk("fmt ", fmt(tag: 1, channels: 1, rate: 22050, bits: 16))
            + Array("data".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + (0..<24).map { UInt8($0 * 9 & 0xFF) }))

        // Metadata chunks (issue 14.6) before fmt, before data and after data, one odd-sized.
        let metadataChunks = chunk("LIST", Array("INFOINAM\u{4}\0\0\0abc\0".utf8)) + chunk("fmt ", fmt(tag: 1, channels: 1, rate: 8000, bits: 16))
            + chunk("bext", [UInt8](repeating: 0, count: 40)) + chunk("data", (0..<40).map { UInt8($0) })
            + chunk("cue ", [1, 0, 0, 0] + [UInt8](repeating: 0, count: 24)) + chunk("iXML", Array("<x/>!".utf8))
        try save("wav", "s16-metadata.wav", riff(chunks: metadataChunks))

        // .tqa: turbo with small blocks and packets, so several packets fit in a few kB; spectral.
        func tqa(_ encoder: any PacketEncoder, _ x: AudioBuffer) throws -> [UInt8] {
            let sink = MemorySink()
            let s = try TQAStreamEncoder(encoder: encoder, sink: sink, sampleRate: x.sampleRate, channelCount: x.channelCount, sourceFormat: .s16)
            try s.write(x)
            try s.finish()
            return sink.bytes
        }
        let turbo: [(bits: Int, residual: Bool, channels: Int, frames: Int)] = [(1, false, 1, 200), (2, true, 1, 300), (4, true, 2, 150), (8, false, 1, 130), (6, true, 3, 64)]
        for t in turbo {
            let p = TurboParameters(bits: t.bits, blockSize: 64, residual: t.residual, blocksPerPacket: 1)
            let e = try TurboEncoder(parameters: p, channelCount: t.channels, seed: 7)
            try save("tqa", "turbo-b\(t.bits)\(t.residual ? "r" : "")-c\(t.channels).tqa", tqa(e, signal(frames: t.frames, channels: t.channels, rate: 16000)))
        }
        try save("tqa", "turbo-silent.tqa", tqa(try TurboEncoder(parameters: TurboParameters(bits: 3, blockSize: 64, blocksPerPacket: 2), channelCount: 1, seed: 1),
                                                 AudioBuffer(sampleRate: 8000, channelCount: 1, frameCount: 100)))
        // Forged totals (issue 17.2): a header and an end marker that agree on 2^40 frames, with
        // no packets, and after real packets; an end marker counting 0xFFFFFFFF packets.
        func endMarker(packets: UInt32, frames: UInt64) -> [UInt8] {
            var w = ByteWriter()
            w.append(Array("TQAE".utf8)); w.u32(packets); w.u64(frames); w.u32(CRC32.checksum(w.bytes))
            return w.bytes
        }
        let forgedHeader = TQAHeader(codec: .turbo, sourceFormat: .s16, sampleRate: 768_000, channelCount: 32, frameCount: 1 << 40, seed: 1,
                                     codecParameters: TurboParameters(bits: 4, blockSize: 64, blocksPerPacket: 1).encoded())
        try save("tqa", "forged-end-empty.tqa", forgedHeader.encoded() + endMarker(packets: 0, frames: 1 << 40))
        let real = try tqa(try TurboEncoder(parameters: TurboParameters(bits: 2, blockSize: 64, blocksPerPacket: 1), channelCount: 1, seed: 5),
                           signal(frames: 300, channels: 1, rate: 16000))
        var realHeader = try TQAReader(bytes: real).header
        let realHeaderSize = realHeader.encodedSize
        realHeader.frameCount = 1 << 40
        try save("tqa", "forged-end-after-packets.tqa", realHeader.encoded() + real[realHeaderSize ..< real.count - 20] + endMarker(packets: 0xFFFF_FFFF, frames: 1 << 40))
        // Format version 2: a metadata section after the header and one before the end marker.
        let meta = [RIFFChunk(id: "LIST", body: Array("INFOINAM\u{2}\0\0\0a\0".utf8), placement: .beforeFormat),
                    RIFFChunk(id: "cue ", body: [1, 0, 0, 0] + [UInt8](repeating: 0, count: 24), placement: .afterData)]
        for (name, lead, trail) in [("metadata-leading", meta, [RIFFChunk]()), ("metadata-both", Array(meta.prefix(1)), Array(meta.suffix(1)))] {
            let sink = MemorySink()
            let s = try TQAStreamEncoder(encoder: try TurboEncoder(parameters: TurboParameters(bits: 2, blockSize: 64, blocksPerPacket: 1),
                                                                   channelCount: 1, seed: 5),
                                         sink: sink, sampleRate: 16000, channelCount: 1, sourceFormat: .s16, metadata: lead)
            try s.write(signal(frames: 150, channels: 1, rate: 16000))
            try s.finish(trailingMetadata: trail)
            try save("tqa", "\(name).tqa", sink.bytes)
        }
        let sp = SpectralParameters(frameSize: 256, shortBlockCount: 4, framesPerPacket: 1)
        for (i, bps) in [1.0, 3.0].enumerated() {
            let e = try SpectralEncoder(sampleRate: 8000, channelCount: i + 1, target: .bitsPerSample(bps), seed: 3, parameters: sp)
            try save("tqa", "spectral-\(i + 1)ch.tqa", tqa(e, signal(frames: 700, channels: i + 1, rate: 8000)))
        }
        // Parameter version 4 (--tune perceptual): noise bands, masking offsets, unrotated bands,
        // side information predicted within a packet (several frames per packet here, so the
        // predictions run); at 32 kHz (strength 3) and 8 kHz (strength 0), mono and stereo.
        // Version 3 seeds are the golden files fuzz/run.sh copies in.
        let perceptual = SpectralParameters(frameSize: 256, shortBlockCount: 4, framesPerPacket: 4)
        for (i, rate) in [32000, 8000].enumerated() {
            let e = try SpectralEncoder(sampleRate: rate, channelCount: 2 - i, target: .bitsPerSecond(Double(24_000 * (2 - i))), seed: 3,
                                        parameters: perceptual, tuning: .perceptual)
            try save("tqa", "spectral-v4-\(2 - i)ch.tqa", tqa(e, signal(frames: 1400, channels: 2 - i, rate: rate)))
        }
    }
}
