import Foundation
@testable import TQAudio

/// Builds RIFF/WAV files byte by byte for the tests, and reference sample conversions.
enum WAVBytes {
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    static func le64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// `id size body [pad]`; `declaredSize` overrides the size field.
    static func chunk(_ id: String, _ body: [UInt8], declaredSize: Int? = nil, pad: Bool = true) -> [UInt8] {
        ascii(id) + le32(declaredSize ?? body.count) + body + (pad && body.count % 2 == 1 ? [0] : [])
    }

    /// A 16-byte PCMWAVEFORMAT body, plus `cbSize` when given.
    static func fmt(tag: Int = 1, channels: Int, rate: Int, bits: Int, cbSize: Int? = nil) -> [UInt8] {
        let align = channels * ((bits + 7) / 8)
        return le16(tag) + le16(channels) + le32(rate) + le32(rate * align) + le16(align) + le16(bits)
            + (cbSize.map { le16($0) } ?? [])
    }

    /// A 40-byte WAVE_FORMAT_EXTENSIBLE body with the subformat `{0000xxxx-0000-0010-8000-00AA00389B71}`.
    static func fmtExtensible(subformat: Int, channels: Int, rate: Int, bits: Int, validBits: Int? = nil,
                              mask: Int = 0, guidTail: [UInt8]? = nil) -> [UInt8] {
        fmt(tag: 0xFFFE, channels: channels, rate: rate, bits: bits, cbSize: 22) + le16(validBits ?? bits) + le32(mask)
            + le16(subformat) + [0, 0] + (guidTail ?? [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])
    }

    /// `RIFF size WAVE chunks…`; `riffSize` overrides the size field.
    static func riff(_ chunks: [UInt8]..., riffSize: Int? = nil, magic: String = "RIFF", form: String = "WAVE") -> [UInt8] {
        let body = chunks.reduce([], +)
        return ascii(magic) + le32(riffSize ?? body.count + 4) + ascii(form) + body
    }

    /// Interleaved little-endian s16 bytes.
    static func s16(_ values: [Int]) -> [UInt8] { values.flatMap { le16($0) } }
}

/// Reference conversions, written plainly to check the unsafe loops against.
enum ReferenceCoding {
    static func quantize(_ x: Float, _ format: SampleFormat) -> Float {
        func q(_ scale: Double, _ lo: Double, _ hi: Double) -> Float {
            if x.isNaN { return 0 }
            return Float(min(max((Double(x) * scale).rounded(), lo), hi) / scale)
        }
        switch format {
        case .u8: return q(128, -128, 127)
        case .s16: return q(32768, -32768, 32767)
        case .s24: return q(8_388_608, -8_388_608, 8_388_607)
        case .s32: return q(2_147_483_648, -2_147_483_648, 2_147_483_647)
        case .f32, .f64: return x
        }
    }
}

/// Uniform noise in ±1.1 (so that clipping is exercised).
func randomBuffer(channels: Int, frames: Int, sampleRate: Int = 44100, seed: UInt64) -> AudioBuffer {
    var g = SplitMix64(seed: seed)
    let planar = (0..<(channels * frames)).map { _ in Float.random(in: -1.1...1.1, using: &g) }
    return AudioBuffer(sampleRate: sampleRate, channelCount: channels, planar: planar)
}

func temporaryPath(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "tqa-wav-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + UUID().uuidString + "-" + name
}

func fileBytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

/// The WAVError `body` throws, or nil.
func wavError(_ body: () throws -> Void) -> WAVError? {
    do { try body(); return nil } catch { return error as? WAVError }
}
