/// What a WAV file holds: the layout of its `data` chunk.
///
/// ```
/// fmt chunk (little-endian)        offset size
///   wFormatTag                        0    2   1 PCM, 3 IEEE float, 0xFFFE extensible
///   nChannels                         2    2
///   nSamplesPerSec                    4    4
///   nAvgBytesPerSec                   8    4   ignored on read
///   nBlockAlign                      12    2   must be channels × container bytes
///   wBitsPerSample                   14    2
///   cbSize                           16    2   optional (absent in 16-byte chunks)
///   wValidBitsPerSample              18    2   extensible only; 1…wBitsPerSample
///   dwChannelMask                    20    4   extensible only
///   SubFormat GUID                   24   16   extensible only; first 2 bytes are the tag
/// ```
public struct WAVFormat: Sendable, Equatable {
    public var sampleRate: Int
    public var channelCount: Int
    /// The container format of each sample. PCM depths that are not a multiple of 8 (e.g. 12 or
    /// 20 bits) are stored left-justified in the next byte size and read as that size.
    public var sampleFormat: SampleFormat
    /// Frames in the `data` chunk, or nil when the writer did not know (a declared size of 0 or
    /// 0xFFFFFFFF): the reader then reads to end of file. A size of 0 at the very end of a file
    /// counts as known (0 frames). For sources of known size (files, memory) this is at most what
    /// the file holds; for pipes it is what the header declares.
    public var frameCount: Int?
    /// `dwChannelMask` of a WAVE_FORMAT_EXTENSIBLE file, else nil.
    public var channelMask: UInt32?

    public init(sampleRate: Int, channelCount: Int, sampleFormat: SampleFormat,
                frameCount: Int? = nil, channelMask: UInt32? = nil) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.sampleFormat = sampleFormat
        self.frameCount = frameCount
        self.channelMask = channelMask
    }

    /// Bytes per frame in the `data` chunk.
    public var blockAlign: Int { channelCount * sampleFormat.bytesPerSample }

    public var duration: Double? { frameCount.map { Double($0) / Double(sampleRate) } }

    /// Decodes a `fmt ` chunk body (at most the first 40 bytes matter), appending to `quirks`
    /// the deviations it tolerates.
    ///
    /// Checks, in order: the tag (so that ADPCM is reported as ADPCM, whatever its other fields),
    /// the channel count and the sample rate (`AudioLimits`), the bit depth, the valid bits of
    /// WAVE_FORMAT_EXTENSIBLE (1…wBitsPerSample), the block align (channels × container bytes).
    static func parse(fmt b: [UInt8], quirks: inout [WAVFormatQuirk]) throws(WAVError) -> WAVFormat {
        var r = ByteReader(b)
        guard var tag = r.u16(), let channelField = r.u16(), let rateField = r.u32(), r.u32() != nil,
              let blockAlignField = r.u16(), let bitsField = r.u16()
        else { throw .invalidFormatChunk(size: b.count) }
        let channels = Int(channelField), rate = Int(rateField), blockAlign = Int(blockAlignField), bits = Int(bitsField)
        var validBits: Int?
        var mask: UInt32?
        if tag == WAVFormatTag.extensible {
            guard r.u16() != nil, let valid = r.u16(), let channelMask = r.u32(), let guidBytes = r.bytes(16)
            else { throw .invalidFormatChunk(size: b.count) }
            validBits = Int(valid)
            mask = channelMask
            let guid = Array(guidBytes)
            guard guid[4...] == WAVFormat.guidSuffix[...] || guid[4...] == WAVFormat.ambisonicSuffix[...],
                  guid[2] == 0, guid[3] == 0
            else { throw .unsupportedSubformat(guid: WAVFormat.guidString(guid)) }
            tag = UInt16(guid[0]) | UInt16(guid[1]) << 8
        }
        guard tag == WAVFormatTag.pcm || tag == WAVFormatTag.ieeeFloat else {
            throw .unsupportedFormat(tag: tag, name: WAVFormatTag.name(tag))
        }
        guard AudioLimits.channelCounts.contains(channels) else { throw .invalidChannelCount(channels) }
        guard AudioLimits.sampleRates.contains(rate) else { throw .invalidSampleRate(rate) }
        let format: SampleFormat
        switch (tag, bits) {
        case (WAVFormatTag.pcm, 1...8): format = .u8
        case (WAVFormatTag.pcm, 9...16): format = .s16
        case (WAVFormatTag.pcm, 17...24): format = .s24
        case (WAVFormatTag.pcm, 25...32): format = .s32
        case (WAVFormatTag.ieeeFloat, 32): format = .f32
        case (WAVFormatTag.ieeeFloat, 64): format = .f64
        default: throw .unsupportedBitDepth(bits: bits, tag: tag)
        }
        if let valid = validBits {
            // 0 is written by Adobe Premiere Pro CC 2017 (ruuda/hound#50; ffmpeg and Audacity read
            // such files, taking the container size): tolerated.
            if valid == 0 {
                quirks.append(.zeroValidBits)
            } else if valid > bits {
                throw .invalidValidBits(valid, containerBits: bits)
            }
        }
        let expected = channels * format.bytesPerSample
        if blockAlign != expected {
            // Both occur in files that ffmpeg, SDL and Windows Media Player read: 0 in tuxmath's
            // sounds (libsdl-org/SDL#7714), the block align in bits from an encoder that forgot to
            // divide by 8 (pdeljanov/Symphonia#409). Tolerated; the block align is recomputed.
            if blockAlign == 0 {
                quirks.append(.zeroBlockAlign)
            } else if blockAlign == channels * bits && bits % 8 == 0 {
                quirks.append(.blockAlignInBits(declared: blockAlign))
            } else {
                throw .blockAlignMismatch(declared: blockAlign, expected: expected)
            }
        }
        return WAVFormat(sampleRate: rate, channelCount: channels, sampleFormat: format, channelMask: mask)
    }

    /// Bytes 4–15 of every KSDATAFORMAT_SUBTYPE_* GUID derived from a format tag
    /// (`{0000xxxx-0000-0010-8000-00AA00389B71}`).
    static let guidSuffix: [UInt8] = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
    /// Bytes 4–15 of the Ambisonic B-format subtypes (`{0000000x-0721-11D3-8644-C8C1CA000000}`).
    static let ambisonicSuffix: [UInt8] = [0x21, 0x07, 0xD3, 0x11, 0x86, 0x44, 0xC8, 0xC1, 0xCA, 0x00, 0x00, 0x00]

    /// A GUID in registry form, e.g. `{00000001-0000-0010-8000-00AA00389B71}`.
    static func guidString(_ g: [UInt8]) -> String {
        func h(_ bytes: [UInt8]) -> String {
            bytes.map { let d = String($0, radix: 16, uppercase: true); return d.count == 1 ? "0" + d : d }.joined()
        }
        return "{" + h(g[0..<4].reversed()) + "-" + h(g[4..<6].reversed()) + "-" + h(g[6..<8].reversed())
            + "-" + h(Array(g[8..<10])) + "-" + h(Array(g[10..<16])) + "}"
    }

    /// The speaker mask written for `channels` channels: mono FC, stereo FL FR, 3.0, quad, 5.0,
    /// 5.1, 6.1, 7.1; 9–18 channels take the first `channels` speaker bits; more get 0
    /// (no speaker assignment).
    public static func defaultChannelMask(channels: Int) -> UInt32 {
        switch channels {
        case 1: 0x4
        case 2: 0x3
        case 3: 0x7
        case 4: 0x33
        case 5: 0x37
        case 6: 0x3F
        case 7: 0x13F
        case 8: 0x63F
        case 9...18: UInt32((1 << channels) - 1)
        default: 0
        }
    }
}
