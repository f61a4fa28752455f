import TQAudio
import TQCodecs
import TQContainer
import TurboQuant

extension SplitMix64 {
    /// Roughly Gaussian noise of standard deviation `sigma` (sum of four uniforms).
    mutating func noise(_ n: Int, sigma: Float) -> [Float] {
        (0..<n).map { _ in
            var s: Float = 0
            for _ in 0..<4 { s += Float.random(in: -1...1, using: &self) }
            return s * sigma * 0.866
        }
    }
}

/// A turbo stream in memory, with where each packet starts.
struct TurboStream {
    let bytes: [UInt8]
    let header: TQAHeader
    /// Byte offsets of packets 0..<n, then of the end marker.
    let packetStarts: [Int]
    /// First frame and frame count of each packet.
    let packetFrames: [(first: Int, count: Int)]
    /// The clean decode, all frames.
    let clean: AudioBuffer

    var packetCount: Int { packetStarts.count - 1 }
    var totalFrames: Int { clean.frameCount }

    /// The packet holding byte `offset`, or nil for the header and end marker.
    func packet(containing offset: Int) -> Int? {
        (0..<packetCount).first { packetStarts[$0] <= offset && offset < packetStarts[$0 + 1] }
    }

    static func make(frames: Int, channels: Int, sampleRate: Int = 16_000, bits: Int = 4, block: Int = 64,
                     blocksPerPacket: Int = 2, residual: Bool = true, seed: UInt64 = 11) throws -> TurboStream {
        var rng = SplitMix64(seed: seed)
        let x = AudioBuffer(sampleRate: sampleRate, channels: (0..<channels).map { _ in rng.noise(frames, sigma: 0.1) })
        let p = TurboParameters(bits: bits, blockSize: block, residual: residual, blocksPerPacket: blocksPerPacket)
        let bytes = try encode(x, encoder: TurboEncoder(parameters: p, channelCount: channels, seed: seed))
        let reader = try TQAReader(bytes: bytes)
        var starts: [Int] = [], spans: [(Int, Int)] = []
        var at = reader.headerSize
        while Array(bytes[at..<at + 4]) == [0x54, 0x51, 0x41, 0x50] {
            starts.append(at)
            var r = ByteReader(bytes, offset: at + 4)
            let length = Int(r.u32()!); _ = r.u32(); let first = Int(r.u64()!), count = Int(r.u32()!)
            spans.append((first, count))
            at += 24 + length + 4
        }
        starts.append(at)
        let clean = try decode(bytes, salvage: false)
        guard clean.error == nil else { throw clean.error! }
        return TurboStream(bytes: bytes, header: reader.header, packetStarts: starts, packetFrames: spans, clean: clean.audio)
    }

    /// The clean decode with the frames of `lost` packets set to silence.
    func expected(losing lost: Set<Int>) -> AudioBuffer {
        var y = clean
        for k in lost {
            let (first, count) = packetFrames[k]
            for c in 0..<y.channelCount { y.withMutableChannel(c) { for i in first..<first + count { $0[i] = 0 } } }
        }
        return y
    }
}

func encode(_ x: AudioBuffer, encoder: any PacketEncoder, sourceFormat: SampleFormat = .f32) throws -> [UInt8] {
    let sink = MemorySink()
    let s = try TQAStreamEncoder(encoder: encoder, sink: sink, sampleRate: x.sampleRate, channelCount: x.channelCount, sourceFormat: sourceFormat)
    try s.write(x)
    try s.finish()
    return sink.bytes
}

struct DecodeOutcome {
    var audio: AudioBuffer
    /// What stopped a strict decode (nil: it ran to the end).
    var error: Error?
    var report: SalvageReport
}

/// Decodes `bytes` with the decoder its header names, collecting audio until the end or an error.
func decode(_ bytes: [UInt8], salvage: Bool) throws -> DecodeOutcome {
    let reader = try TQAReader(bytes: bytes)
    // sqcodec streams (which need a model's weights) are not decoded in these tests.
    let decoder = try Codecs.all.excluding(.sqcodec).decoder(for: reader.header)
    let stream = TQAStreamDecoder(reader: reader, decoder: decoder, salvage: salvage)
    var audio = AudioBuffer(sampleRate: reader.header.sampleRate, channelCount: reader.header.channelCount, frameCount: 0)
    do {
        while let b = try stream.next() { audio.append(b) }
    } catch {
        return DecodeOutcome(audio: audio, error: error, report: stream.report)
    }
    return DecodeOutcome(audio: audio, error: nil, report: stream.report)
}
