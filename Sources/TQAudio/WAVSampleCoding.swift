/// Conversion between interleaved little-endian WAV samples and planar `Float`.
///
/// Integer scales are powers of two, so every integer sample maps to an exact float:
///
/// | format | to float            | from float (x clipped to [−1, 1 − 1 LSB]) |
/// | ------ | ------------------- | ----------------------------------------- |
/// | u8     | (v − 128) / 128     | clamp(round(x·128) + 128, 0, 255)          |
/// | s16    | v / 32768           | clamp(round(x·32768), −32768, 32767)       |
/// | s24    | v / 8388608         | clamp(round(x·2²³), −2²³, 2²³ − 1)         |
/// | s32    | v / 2147483648      | clamp(round(x·2³¹), −2³¹, 2³¹ − 1)         |
/// | f32    | as is               | as is                                     |
/// | f64    | rounded to Float    | widened                                   |
///
/// `round` is to nearest, ties away from zero. NaN encodes as 0 in integer formats; floats keep
/// NaN and ±Inf. The reference implementations live in the tests.
enum WAVSampleCoding {
    /// Decodes `frames` interleaved frames of `channels` channels from `src` into
    /// `dst[c * channelStride + f]`. Returns how many decoded samples are NaN or ±Inf (always 0
    /// for integer formats).
    static func decode(_ src: UnsafeRawPointer, frames: Int, channels: Int, format: SampleFormat,
                       into dst: UnsafeMutablePointer<Float>, channelStride: Int) -> Int {
        // Blocks of frames keep the interleaved source in cache while each channel is picked out.
        var nonFinite = 0
        var start = 0
        while start < frames {
            let n = min(blockFrames, frames - start)
            nonFinite += decodeBlock(src + start * channels * format.bytesPerSample, frames: n, channels: channels,
                                     format: format, into: dst + start, channelStride: channelStride)
            start += n
        }
        return nonFinite
    }

    static let blockFrames = 2048

    private static func decodeBlock(_ src: UnsafeRawPointer, frames: Int, channels: Int, format: SampleFormat,
                                    into dst: UnsafeMutablePointer<Float>, channelStride: Int) -> Int {
        let bps = format.bytesPerSample, align = channels * bps
        var nonFinite = 0
        for c in 0..<channels {
            let s = src + c * bps
            let d = dst + c * channelStride
            switch format {
            case .u8:
                for f in 0..<frames { d[f] = Float(Int(s.load(fromByteOffset: f * align, as: UInt8.self)) - 128) * (1 / 128) }
            case .s16:
                for f in 0..<frames {
                    d[f] = Float(Int16(littleEndian: s.loadUnaligned(fromByteOffset: f * align, as: Int16.self))) * (1 / 32768)
                }
            case .s24:
                for f in 0..<frames {
                    let p = s + f * align
                    let u = UInt32(p.load(as: UInt8.self)) << 8 | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 16
                        | UInt32(p.load(fromByteOffset: 2, as: UInt8.self)) << 24
                    d[f] = Float(Int32(bitPattern: u) >> 8) * (1 / 8_388_608)
                }
            case .s32:
                for f in 0..<frames {
                    d[f] = Float(Int32(littleEndian: s.loadUnaligned(fromByteOffset: f * align, as: Int32.self))) * (1 / 2_147_483_648)
                }
            case .f32:
                for f in 0..<frames {
                    let v = Float(bitPattern: UInt32(littleEndian: s.loadUnaligned(fromByteOffset: f * align, as: UInt32.self)))
                    d[f] = v
                    nonFinite &+= v.isFinite ? 0 : 1
                }
            case .f64:
                for f in 0..<frames {
                    let v = Float(Double(bitPattern: UInt64(littleEndian: s.loadUnaligned(fromByteOffset: f * align, as: UInt64.self))))
                    d[f] = v
                    nonFinite &+= v.isFinite ? 0 : 1
                }
            }
        }
        return nonFinite
    }

    /// Encodes planar `src[c * channelStride + f]` as `frames` interleaved frames into `dst`,
    /// which must hold `frames * channels * format.bytesPerSample` bytes.
    static func encode(_ src: UnsafePointer<Float>, frames: Int, channels: Int, channelStride: Int,
                       format: SampleFormat, into dst: UnsafeMutableRawPointer) {
        var start = 0
        while start < frames {
            let n = min(blockFrames, frames - start)
            encodeBlock(src + start, frames: n, channels: channels, channelStride: channelStride, format: format,
                        into: dst + start * channels * format.bytesPerSample)
            start += n
        }
    }

    private static func encodeBlock(_ src: UnsafePointer<Float>, frames: Int, channels: Int, channelStride: Int,
                                    format: SampleFormat, into dst: UnsafeMutableRawPointer) {
        let bps = format.bytesPerSample, align = channels * bps
        for c in 0..<channels {
            let s = src + c * channelStride
            let d = dst + c * bps
            switch format {
            case .u8:
                for f in 0..<frames {
                    d.storeBytes(of: UInt8(truncatingIfNeeded: quantize(s[f], 128, -128, 127) + 128), toByteOffset: f * align, as: UInt8.self)
                }
            case .s16:
                if channels == 2 && c == 0 {
                    // Both channels in one loop: interleaved stores the vectorizer can pair up.
                    let r = src + channelStride
                    for f in 0..<frames {
                        d.storeBytes(of: s16(s[f]).littleEndian, toByteOffset: f * 4, as: Int16.self)
                        d.storeBytes(of: s16(r[f]).littleEndian, toByteOffset: f * 4 + 2, as: Int16.self)
                    }
                } else if channels != 2 {
                    for f in 0..<frames { d.storeBytes(of: s16(s[f]).littleEndian, toByteOffset: f * align, as: Int16.self) }
                }
            case .s24:
                for f in 0..<frames {
                    let v = UInt32(bitPattern: quantize(s[f], 8_388_608, -8_388_608, 8_388_607))
                    let p = d + f * align
                    p.storeBytes(of: UInt8(v & 0xFF), as: UInt8.self)
                    p.storeBytes(of: UInt8((v >> 8) & 0xFF), toByteOffset: 1, as: UInt8.self)
                    p.storeBytes(of: UInt8((v >> 16) & 0xFF), toByteOffset: 2, as: UInt8.self)
                }
            case .s32:
                for f in 0..<frames {
                    d.storeBytes(of: quantize(s[f], 2_147_483_648, -2_147_483_648, 2_147_483_647).littleEndian,
                                 toByteOffset: f * align, as: Int32.self)
                }
            case .f32:
                for f in 0..<frames { d.storeBytes(of: s[f].bitPattern.littleEndian, toByteOffset: f * align, as: UInt32.self) }
            case .f64:
                for f in 0..<frames { d.storeBytes(of: Double(s[f]).bitPattern.littleEndian, toByteOffset: f * align, as: UInt64.self) }
            }
        }
    }

    /// `round(x · 32768)` clamped to the s16 range, ties away from zero, NaN 0, computed in Float
    /// as `Int16(v + (v < 0 ? −½ : ½))` of the clamped v = x·32768 (x·32768 is exact, and so is
    /// adding ½ below 2^15, so this equals `quantize`). The truncation toward zero is done
    /// without a trapping conversion, so that loops over it vectorize: t + 1.5·2^23 rounds t
    /// (|t| ≤ 32768.5) to the nearest integer, corrected by one toward zero where that rounded
    /// away; the float's bit pattern minus that of 1.5·2^23 is then the integer.
    @inline(__always)
    static func s16(_ x: Float) -> Int16 {
        var v = x * 32768
        v = v < -32768 ? -32768 : v
        v = v > 32767 ? 32767 : v
        v = v.isNaN ? 0 : v
        let t = v + (v < 0 ? -0.5 : 0.5)
        let magic: Float = 12_582_912
        var a = t + magic
        let r = a - magic
        a = t >= 0 ? (r > t ? a - 1 : a) : (r < t ? a + 1 : a)
        return Int16(truncatingIfNeeded: Int32(bitPattern: a.bitPattern) &- Int32(bitPattern: magic.bitPattern))
    }

    /// `round(x · scale)` clamped to `[lo, hi]`, ties away from zero; NaN gives 0.
    ///
    /// Clamping before rounding gives the same result as after, since `lo` and `hi` are
    /// integers. `x · scale + 0.5` is exact in `Double` for every `Float` x that matters (24
    /// significant bits plus at most 31 of scale), so truncation rounds correctly without a
    /// libm call.
    @inline(__always)
    static func quantize(_ x: Float, _ scale: Double, _ lo: Double, _ hi: Double) -> Int32 {
        var v = Double(x) * scale
        v = v < lo ? lo : v
        v = v > hi ? hi : v
        v = v.isNaN ? 0 : v
        return Int32(v + (v < 0 ? -0.5 : 0.5))
    }
}
