/// Why a WAV file cannot be read or written.
///
/// Every case carries what was found, so that `description` can say what to do in one line.
/// The CLI prints it as `error: NAME: <description>`.
public enum WAVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first four bytes are not `RIFF`, `RF64` or `BW64` (`found` holds up to four bytes).
    case notRIFF(found: [UInt8])
    /// The RIFF form type (bytes 8–11) is not `WAVE`.
    case notWAVE(found: [UInt8])
    /// The file ends before a `fmt ` chunk.
    case missingFormatChunk
    /// The file ends after the `fmt ` chunk without a `data` chunk.
    case missingDataChunk
    /// A `fmt ` chunk shorter than the 16 bytes of PCMWAVEFORMAT, or an extensible one shorter
    /// than 40 bytes.
    case invalidFormatChunk(size: Int)
    /// The file ends inside the header, in the named chunk (`"RIFF"`, `"fmt "`, `"ds64"`).
    case truncated(chunk: String)
    /// A format tag tqa does not decode; `name` is the tag's common name, when known.
    case unsupportedFormat(tag: UInt16, name: String)
    /// WAVE_FORMAT_EXTENSIBLE with a subformat GUID that is neither PCM nor IEEE float.
    case unsupportedSubformat(guid: String)
    /// PCM or float with a bit depth tqa does not decode (PCM: 1–32, float: 32 or 64).
    case unsupportedBitDepth(bits: Int, tag: UInt16)
    /// A channel count outside `AudioLimits.channelCounts`.
    case invalidChannelCount(Int)
    /// A sample rate outside `AudioLimits.sampleRates`.
    case invalidSampleRate(Int)
    /// A PCM or float `fmt ` whose block align (bytes per frame) is not channels × container
    /// bytes, the only value these formats allow.
    case blockAlignMismatch(declared: Int, expected: Int)
    /// WAVE_FORMAT_EXTENSIBLE with valid bits per sample outside 1…`containerBits`
    /// (`wBitsPerSample`).
    case invalidValidBits(Int, containerBits: Int)
    /// A second `fmt ` chunk before `data`: which one describes the audio is ambiguous.
    case duplicateFormatChunk
    /// A header written ahead to an output that cannot seek (a pipe, a device) declared
    /// `declared` frames, and `written` were written.
    case frameCountMismatch(declared: Int, written: Int)
    /// Opening, reading, writing or committing the file failed.
    case file(FileError)

    public var description: String {
        switch self {
        case .notRIFF(let b):
            "not a WAV file (starts with \(WAVError.quote(b)), expected \"RIFF\"); tqa reads PCM and float WAV"
        case .notWAVE(let b):
            "a RIFF file of type \(WAVError.quote(b)), not \"WAVE\"; tqa reads PCM and float WAV"
        case .missingFormatChunk:
            "WAV file has no 'fmt ' chunk before its end; the file is truncated or damaged"
        case .missingDataChunk:
            "WAV file has no 'data' chunk; the file is truncated or damaged"
        case .invalidFormatChunk(let size):
            "WAV 'fmt ' chunk is \(size) bytes, too short to describe the audio; the file is damaged"
        case .truncated(let chunk):
            "WAV file ends inside its '\(chunk)' header; the file is truncated"
        case .unsupportedFormat(let tag, let name):
            "\(name) (format \(WAVError.hex(tag))); tqa reads PCM and float WAV, convert it first (e.g. ffmpeg -i IN -c:a pcm_s16le OUT.wav)"
        case .unsupportedSubformat(let guid):
            "WAVE_FORMAT_EXTENSIBLE with subformat \(guid); tqa reads PCM and float WAV"
        case .unsupportedBitDepth(let bits, let tag):
            tag == WAVFormatTag.ieeeFloat
                ? "\(bits)-bit float WAV; tqa reads 32- and 64-bit float"
                : "\(bits)-bit PCM WAV; tqa reads 1- to 32-bit PCM"
        case .invalidChannelCount(let n):
            "WAV file declares \(n) channels; tqa reads 1 to \(AudioLimits.maxChannels)"
        case .invalidSampleRate(let r):
            "WAV file declares a sample rate of \(r) Hz; tqa reads 1 Hz to \(AudioLimits.maxSampleRate / 1000) kHz"
        case .blockAlignMismatch(let declared, let expected):
            "WAV 'fmt ' chunk declares a block align of \(declared) bytes, but its channels and sample size make \(expected); the file is damaged"
        case .invalidValidBits(let bits, let container):
            "WAV 'fmt ' chunk declares \(bits) valid bits in \(container)-bit samples; valid bits must be 1 to \(container); the file is damaged"
        case .duplicateFormatChunk:
            "WAV file has a second 'fmt ' chunk; which one describes the audio is ambiguous"
        case .frameCountMismatch(let declared, let written):
            "the WAV header sent ahead to an output that cannot seek declares \(declared) frames, but \(written) were written"
        case .file(let e):
            e.description
        }
    }

    static func hex(_ tag: UInt16) -> String {
        let digits = String(tag, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Printable ASCII in quotes, anything else as hex bytes.
    static func quote(_ bytes: [UInt8]) -> String {
        if !bytes.isEmpty && bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
        }
        if bytes.isEmpty { return "nothing (empty file)" }
        return "bytes " + bytes.map { b in
            let d = String(b, radix: 16, uppercase: true)
            return d.count == 1 ? "0" + d : d
        }.joined(separator: " ")
    }
}

/// A deviation from the WAVE specification that `WAVReader` tolerates because real files have it;
/// the reader reports it in `quirks`, and the CLI warns.
public enum WAVFormatQuirk: Equatable, Sendable, CustomStringConvertible {
    /// `nBlockAlign` is 0; the block align is taken as channels × container bytes.
    case zeroBlockAlign
    /// `nBlockAlign` is channels × bits per sample, i.e. in bits instead of bytes (8 times too
    /// large); taken as channels × container bytes.
    case blockAlignInBits(declared: Int)
    /// WAVE_FORMAT_EXTENSIBLE with `wValidBitsPerSample` 0; every bit of the container is taken
    /// as valid.
    case zeroValidBits
    /// A metadata chunk (`chunk`, quoted as `WAVError.quote` does) of `size` bytes that would
    /// take the metadata kept over `RIFFChunk.maxTotalBytes`: skipped unread.
    case metadataOverLimit(chunk: String, size: UInt64)
    /// A chunk after `data` that declares `size` bytes and runs past the end of the file: it and
    /// anything after it are not kept.
    case truncatedChunk(chunk: String, size: UInt64)
    /// The `data` chunk declares `declaredBytes` but the file ends `presentBytes` into it (a
    /// truncated file); the frames that are there are read.
    case dataBeyondEnd(declaredBytes: UInt64, presentBytes: Int)

    public var description: String {
        switch self {
        case .zeroBlockAlign: "its 'fmt ' chunk declares a block align of 0; read as channels × sample size"
        case .blockAlignInBits(let d): "its 'fmt ' chunk declares a block align of \(d), in bits rather than bytes; read as \(d / 8) bytes"
        case .zeroValidBits: "its 'fmt ' chunk declares 0 valid bits per sample; read as the full sample size"
        case .metadataOverLimit(let c, let n):
            "its \(c) chunk of \(n) bytes would take its metadata over \(RIFFChunk.maxTotalBytes >> 20) MiB; that chunk is not kept"
        case .truncatedChunk(let c, let n):
            "its \(c) chunk after the audio declares \(n) bytes, more than the file holds; it and anything after it are not kept"
        case .dataBeyondEnd(let d, let p): "its 'data' chunk declares \(d) bytes but the file holds \(p) of them; the file is truncated, the frames that are there are read"
        }
    }
}

/// WAVE format tags (`wFormatTag`) that tqa decodes or names in its errors.
public enum WAVFormatTag {
    public static let pcm: UInt16 = 0x0001
    public static let ieeeFloat: UInt16 = 0x0003
    public static let extensible: UInt16 = 0xFFFE

    /// The common name of `tag`, or `"an unknown codec"` for tags not in the table.
    public static func name(_ tag: UInt16) -> String {
        switch tag {
        case 0x0001: "PCM"
        case 0x0002: "Microsoft ADPCM"
        case 0x0003: "IEEE float"
        case 0x0006: "A-law"
        case 0x0007: "µ-law"
        case 0x0010: "OKI ADPCM"
        case 0x0011: "IMA ADPCM"
        case 0x0016: "ITU G.723 ADPCM"
        case 0x0031: "GSM 6.10"
        case 0x0040: "ITU G.721 ADPCM"
        case 0x0050: "MPEG audio"
        case 0x0055: "MP3"
        case 0x0092: "Dolby AC-3 (S/PDIF)"
        case 0x00FF: "AAC"
        case 0x0160: "Windows Media Audio"
        case 0x0161: "Windows Media Audio 9"
        case 0x0162: "Windows Media Audio 9 Professional"
        case 0x0163: "Windows Media Audio 9 Lossless"
        case 0x1610: "HE-AAC (ADTS)"
        case 0x2000: "Dolby AC-3"
        case 0x2001: "DTS"
        case 0x674F: "Ogg Vorbis"
        case 0x6750: "Ogg Vorbis"
        case 0x6751: "Ogg Vorbis"
        case 0xF1AC: "FLAC"
        case 0xFFFE: "WAVE_FORMAT_EXTENSIBLE"
        default: "an unknown codec"
        }
    }
}
