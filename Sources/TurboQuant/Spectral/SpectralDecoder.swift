import TQAudio
import TQContainer

/// The decoder of spectral TurboQuant (docs/SPECTRAL.md).
///
/// The encoder delays its input by N/2; frame f completes the delayed samples [fN − N/2, fN + N/2),
/// i.e. the input samples [(f − 1)N, fN) (frame 0 gives nothing back). After `reset()` (a lost
/// packet) the next packet decodes on its own; only its first N samples lack the overlap of the
/// lost frame before them and are not alias-free, and the N samples before the loss come from
/// the last intact frame's overlap alone (`finish()`).
public struct SpectralDecoder: PacketDecoder {
    public let parameters: SpectralParameters
    public let sampleRate: Int
    public let channelCount: Int
    let transform: SpectralTransform
    var frameDecoder: SpectralFrameDecoder
    /// Per channel: the overlap [fN + N/2, fN + 3N/2) left by the last frame f.
    private var overlap: [Float]
    private var expectedFrame: Int? = nil
    private var coefficients: [Float]
    private var span: [Float]
    private var scratch: [Float]

    public init(header: TQAHeader) throws(SpectralError) {
        guard header.codec == .spectral else { throw .notSpectralStream(header.codec) }
        let p = try SpectralParameters(decoding: header.codecParameters)
        guard p.fits(channelCount: header.channelCount) else {
            throw .packetTooLarge(framesPerPacket: p.framesPerPacket, frameSize: p.frameSize, channelCount: header.channelCount,
                                 limit: Packet.maxDecodedSamples)
        }
        parameters = p
        sampleRate = header.sampleRate
        channelCount = header.channelCount
        transform = SpectralTransform(parameters: p)
        frameDecoder = SpectralFrameDecoder(bands: SpectralBands(parameters: p, seed: header.seed), channels: header.channelCount,
                                            fillsNoise: p.fillsNoise, seed: header.seed,
                                            masking: SpectralMasking.pair(parameters: p, sampleRate: header.sampleRate),
                                            predictsSideInformation: p.predictsSideInformation)
        overlap = [Float](repeating: 0, count: header.channelCount * p.frameSize)
        coefficients = [Float](repeating: 0, count: header.channelCount * p.frameSize)
        span = [Float](repeating: 0, count: 2 * p.frameSize)
        scratch = [Float](repeating: 0, count: transform.scratchCount)
    }

    public mutating func reset() {
        expectedFrame = nil
        for i in overlap.indices { overlap[i] = 0 }
    }

    /// The input samples [(E − 1)N, EN) after the last frame E − 1 decoded, from its overlap
    /// alone: the frame that would complete them (the first of the next packet) is not there,
    /// so they keep the window's fade and uncancelled aliasing, which is still far closer to the
    /// signal than silence. Called when the next packet is lost (salvage) and at the end of the
    /// stream, where these samples lie past the stream's length and are cut.
    public mutating func finish() throws -> [DecodedAudio] {
        guard let e = expectedFrame, e >= 1 else { return [] }
        let n = parameters.frameSize
        let tail = AudioBuffer(sampleRate: sampleRate, channelCount: channelCount, planar: overlap)
        expectedFrame = nil
        return [DecodedAudio(firstFrame: UInt64(e - 1) * UInt64(n), buffer: tail)]
    }

    public mutating func decode(_ packet: Packet) throws -> [DecodedAudio] {
        let n = parameters.frameSize, ch = channelCount
        guard packet.firstFrame % UInt64(n) == 0, packet.firstFrame / UInt64(n) < UInt64(Int32.max) else {
            throw SpectralError.misalignedPacket(packet: Int(packet.index), firstFrame: packet.firstFrame, frameSize: n)
        }
        let f0 = Int(packet.firstFrame / UInt64(n))
        // After a gap (lost packets), what the last packet left in its overlap comes first.
        var result: [DecodedAudio] = []
        if expectedFrame != f0 {
            if let e = expectedFrame, e < f0 { result = try finish() }
            reset()
        }
        var d = RangeDecoder(packet.payload)
        let count = Int(d.decodeBits(count: 6))
        guard count >= 1 && count <= parameters.maxFramesInPacket else {
            throw SpectralError.frameCountOutOfRange(packet: Int(packet.index), frames: count, limit: parameters.maxFramesInPacket)
        }
        guard UInt64(count * n) >= UInt64(packet.frameCount) else {
            throw SpectralError.frameCountMismatch(packet: Int(packet.index), frames: count, samples: packet.frameCount)
        }
        frameDecoder.beginPacket(&d)
        let start = max(0, (f0 - 1) * n)
        let end = (f0 + count - 1) * n
        var out = [Float](repeating: 0, count: ch * (end - start))
        let outFrames = end - start
        let transform = transform
        for i in 0 ..< count {
            let f = f0 + i
            let info = coefficients.withUnsafeMutableBufferPointer { co in frameDecoder.decode(&d, frame: f, into: co.baseAddress!) }
            guard let info, d.overrun == 0 else {
                // Damage in the first frame of a packet that continues the last one leaves that
                // packet's overlap for `finish()`; later frames have replaced it with this one's.
                if i > 0 { reset() }
                throw SpectralError.damagedFrame(packet: Int(packet.index), frame: i)
            }
            // Emit input samples [(f − 1)N, fN) ∩ [start, end).
            let from = (f - 1) * n
            let skip = max(0, start - from)
            span.withUnsafeMutableBufferPointer { spb in
                overlap.withUnsafeMutableBufferPointer { ovb in
                    coefficients.withUnsafeBufferPointer { cob in
                        scratch.withUnsafeMutableBufferPointer { scb in
                            out.withUnsafeMutableBufferPointer { dst in
                                let sp = spb.baseAddress!
                                for c in 0 ..< ch {
                                    let o = ovb.baseAddress! + c * n
                                    sp.update(from: o, count: n)
                                    (sp + n).update(repeating: 0, count: n)
                                    transform.synthesize(coefficients: cob.baseAddress! + c * n, isShort: info.isShort, prevShort: info.prevShort,
                                                         nextShort: info.nextShort, span: sp, scratch: scb.baseAddress!)
                                    o.update(from: sp + n, count: n)
                                    if skip < n {
                                        (dst.baseAddress! + c * outFrames + from + skip - start).update(from: sp + skip, count: n - skip)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        expectedFrame = f0 + count
        guard end > start else { return result }
        return result + [DecodedAudio(firstFrame: UInt64(start), buffer: AudioBuffer(sampleRate: sampleRate, channelCount: ch, planar: out))]
    }
}
