import Foundation
import TQAudio
import TQContainer
@testable import TurboQuant

/// Shared helpers of the spectral codec tests: signal generators and an in-memory round trip.
enum SpectralTestSupport {
    /// A music-like test signal: a few decaying harmonic notes over low-passed noise, per channel
    /// slightly different (correlated stereo).
    static func music(sampleRate: Int, channels: Int, frames: Int, seed: UInt64) -> AudioBuffer {
        var rng = SplitMix64(seed: seed)
        var out: [[Float]] = []
        var shared = [Float](repeating: 0, count: frames)
        var lp: Float = 0
        for t in 0 ..< frames {
            let u = Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1)
            lp = 0.97 * lp + 0.03 * u
            shared[t] = lp
        }
        let notes: [Double] = [220, 277.18, 329.63, 440]
        for c in 0 ..< channels {
            var x = [Float](repeating: 0, count: frames)
            for t in 0 ..< frames {
                let time = Double(t) / Double(sampleRate)
                var v = 0.0
                for (i, f) in notes.enumerated() {
                    let phaseTime = (time + Double(i) * 0.37).truncatingRemainder(dividingBy: 1.5)
                    let env = exp(-3 * phaseTime)
                    for h in 1 ... 5 where f * Double(h) < Double(sampleRate) / 2 {
                        v += env * 0.08 / Double(h) * sin(2 * Double.pi * f * Double(h) * time + Double(c) * 0.3)
                    }
                }
                x[t] = Float(v) + shared[t] * (c % 2 == 0 ? 1 : 0.8)
            }
            out.append(x)
        }
        return AudioBuffer(sampleRate: sampleRate, channels: out)
    }

    struct RoundTrip {
        var decoded: AudioBuffer
        var packets: [Packet]
        var header: TQAHeader
        /// Payload plus container overhead per packet (24 + 4 bytes), header and end marker.
        var fileBits: Int
    }

    /// Encodes `buffer` in pieces of `piece` frames, decodes, trims to the input length.
    static func roundTrip(_ buffer: AudioBuffer, target: SpectralTarget, frameSize: Int = 2048, seed: UInt64 = 7,
                          piece: Int = 4096, tuning: SpectralTuning = .mse) throws -> RoundTrip {
        var buffer = buffer
        CodecInput.condition(&buffer)  // as TQAStreamEncoder does
        var enc = try SpectralEncoder(sampleRate: buffer.sampleRate, channelCount: buffer.channelCount, target: target, seed: seed, frameSize: frameSize,
                                      tuning: tuning)
        var packets: [Packet] = []
        var at = 0
        while at < buffer.frameCount {
            let end = min(buffer.frameCount, at + piece)
            packets += try enc.encode(buffer.frames(at ..< end))
            at = end
        }
        packets += try enc.finish()
        let header = TQAHeader(codec: .spectral, sourceFormat: .f32, sampleRate: buffer.sampleRate, channelCount: buffer.channelCount,
                               frameCount: UInt64(buffer.frameCount), seed: seed, codecParameters: enc.codecParameters)
        var dec = try SpectralDecoder(header: header)
        var out = AudioBuffer(sampleRate: buffer.sampleRate, channelCount: buffer.channelCount, frameCount: 0)
        for p in packets {
            for d in try dec.decode(p) {
                precondition(Int(d.firstFrame) == out.frameCount, "decoded audio is not contiguous")
                out.append(d.buffer)
            }
        }
        for d in try dec.finish() { out.append(d.buffer) }
        out.truncate(toFrames: buffer.frameCount)
        var bytes = header.encodedSize + 20
        for p in packets { bytes += p.payload.count + 28 }
        let bits = bytes * 8
        return RoundTrip(decoded: out, packets: packets, header: header, fileBits: bits)
    }

    /// 10·log10(Σx² / Σ(x − y)²) over all channels.
    static func snr(_ x: AudioBuffer, _ y: AudioBuffer) -> Double {
        var s = 0.0, e = 0.0
        let xs = x.samples, ys = y.samples
        for i in 0 ..< xs.count {
            let a = Double(xs[i]), b = i < ys.count ? Double(ys[i]) : 0
            s += a * a
            e += (a - b) * (a - b)
        }
        return e == 0 ? .infinity : 10 * log10(s / e)
    }
}
