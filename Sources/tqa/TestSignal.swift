import Foundation
import TQAudio
import TQCodecs
import TQContainer

/// The TEST side of `tqa compare`: a WAV file read as it is, or a .tqa file decoded in memory
/// (strict: a damaged file is an error) and resampled to the reference's rate when its own
/// differs, in bounded memory.
final class TestSignal {
    let channelCount: Int
    /// The rate of what `read()` returns.
    let sampleRate: Int
    private(set) var warnings: [String] = []
    private var wav: WAVReader?
    private var stream: TQAStreamDecoder?
    private var resampler: ResamplerStream?
    private var finished = false
    /// For a resampled sqcodec file: the source's length, where the output stops.
    private var frameLimit: UInt64?
    private var framesOut: UInt64 = 0

    init(path: String, referenceRate: Int, weights: String?, threads: Int) throws {
        let head = try ByteSource(path: path).read(upTo: 4)
        guard head == TQAHeader.magic else {
            let r = try WAVReader(path: path)
            wav = r
            channelCount = r.format.channelCount
            sampleRate = r.format.sampleRate
            return
        }
        let reader = try TQAReader(path: path)
        let h = reader.header
        stream = TQAStreamDecoder(reader: reader, decoder: try CodecRegistry.decoder(h, weights: weights, threads: threads),
                                  salvage: false, threads: threads)
        channelCount = h.channelCount
        if h.sampleRate != referenceRate && referenceRate > 0 {
            resampler = ResamplerStream(Resampler(inputRate: h.sampleRate, outputRate: referenceRate), channelCount: h.channelCount)
            sampleRate = referenceRate
            if h.frameCount != TQAHeader.unknownFrameCount, let p = try? Codecs.all.parameters(of: h),
               p.sourceSampleRate(of: h) == referenceRate {
                frameLimit = p.sourceFrameCount(of: h)
            } else {
                warnings.append("\(path) holds audio at \(h.sampleRate) Hz; resampled to the reference's \(referenceRate) Hz")
            }
        } else {
            sampleRate = h.sampleRate
        }
    }

    /// The next frames, or nil at the end.
    func read() throws -> AudioBuffer? {
        if let w = wav { return try w.read(maxFrames: Pipeline.chunkFrames) }
        guard let stream, !finished else { return nil }
        while true {
            var out: AudioBuffer
            if let b = try stream.next() {
                out = resampler != nil ? resampler!.push(b) : b
            } else {
                finished = true
                guard resampler != nil else { return nil }
                out = resampler!.finish()
            }
            if let limit = frameLimit { out.truncate(toFrames: Int(clamping: limit - min(limit, framesOut))) }
            framesOut += UInt64(out.frameCount)
            if out.frameCount > 0 { return out }
            if finished { return nil }
        }
    }
}
