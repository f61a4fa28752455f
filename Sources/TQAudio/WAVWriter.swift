/// Writes a WAV file in streaming fashion: a header, then samples as they come, then the sizes
/// patched into the header by `finish()`.
///
/// Layout written to a file (all little-endian):
/// ```
/// "RIFF" riffSize "WAVE"
/// "JUNK" 28 <28 zero bytes>        space for a ds64 chunk (EBU Tech 3306), see below
/// metadata chunks placed `.beforeFormat`, in order
/// "fmt " 16 PCM                    | 18 IEEE float (cbSize 0) | 40 WAVE_FORMAT_EXTENSIBLE
/// "fact" 4 frameCount              float only (non-PCM formats carry a fact chunk)
/// metadata chunks placed `.beforeData`, in order
/// "data" dataSize samples… [pad byte when dataSize is odd]
/// metadata chunks placed `.afterData`, in order
/// ```
/// Metadata chunks (`RIFFChunk`) are written byte for byte as given; the `fmt `, `fact` and
/// JUNK/ds64 chunks are the writer's own, whatever the source had.
/// WAVE_FORMAT_EXTENSIBLE is used when there are more than two channels, with the speaker mask
/// of `WAVFormat.defaultChannelMask(channels:)`.
///
/// Files over 4 GiB: when the RIFF size no longer fits 32 bits, `finish()` turns the file into
/// RF64: `RIFF` becomes `RF64`, the `JUNK` chunk becomes `ds64` with the 64-bit sizes, and the
/// 32-bit size fields are set to 0xFFFFFFFF. Readers that know RF64 (tqa, ffmpeg, libsndfile,
/// sox) read it; smaller files are plain RIFF WAV with a JUNK chunk every reader skips.
///
/// Output goes through `OutputFile`: nothing appears under `path` until `finish()` succeeds.
///
/// Outputs that cannot seek (a FIFO, `/dev/stdout` on a pipe, a device) get their header once,
/// first: the exact header of `expectedFrames` frames when the caller knows that number
/// (canonical layout, no JUNK chunk; `finish()` then checks that exactly so many were written),
/// else a streaming header whose RIFF and `data` sizes (and `fact` frame count) are 0xFFFFFFFF,
/// which readers take as "read to the end of the input" (tqa, ffmpeg, libsndfile). After such a
/// `data` nothing can follow: chunks placed `.afterData` are then not written, and are listed
/// in `droppedMetadata`.
public final class WAVWriter {
    public let sampleRate: Int
    public let channelCount: Int
    public let sampleFormat: SampleFormat
    /// Frames written so far.
    public private(set) var framesWritten = 0

    private let file: OutputFile
    private var scratch: [UInt8] = []
    private var finished = false

    /// The frame count declared up front to an output that cannot seek, or nil.
    private let declaredFrames: Int?
    /// Metadata chunks written in the header (placed before `fmt ` or before `data`).
    private let leadingMetadata: [RIFFChunk]
    /// Metadata chunks to write after `data` in `finish()`.
    private var trailingMetadata: [RIFFChunk]
    /// Metadata chunks that could not be written (see the type's comment and `addMetadata`).
    public private(set) var droppedMetadata: [RIFFChunk] = []
    /// Whether the header was sent ahead to an output that cannot seek (nothing in it can change).
    private let headerIsFinal: Bool

    /// Creates the output for `path` (see `OutputFile`) and writes a provisional header, or the
    /// final one when the output cannot seek (see above).
    ///
    /// Any `SampleFormat` can be written; tqa itself writes s16, s24 and f32
    /// (`SampleFormat.writable`). `expectedFrames` is how many frames the caller will write, when
    /// it knows. `metadata` is written where each chunk is placed (see above). Throws
    /// `.file(.exists)` when `path` holds data and `overwrite` is false, `.invalidChannelCount`
    /// outside `AudioLimits.channelCounts`, `.invalidSampleRate` outside `AudioLimits.sampleRates`.
    public init(path: String, sampleRate: Int, channelCount: Int, sampleFormat: SampleFormat,
                overwrite: Bool = false, expectedFrames: Int? = nil, metadata: [RIFFChunk] = []) throws(WAVError) {
        guard AudioLimits.channelCounts.contains(channelCount) else { throw .invalidChannelCount(channelCount) }
        guard AudioLimits.sampleRates.contains(sampleRate) else { throw .invalidSampleRate(sampleRate) }
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.sampleFormat = sampleFormat
        leadingMetadata = metadata.filter { $0.placement != .afterData }
        trailingMetadata = metadata.placed(.afterData)
        do {
            file = try OutputFile(path: path, overwrite: overwrite)
            headerIsFinal = !file.isSeekable
            declaredFrames = file.isSeekable ? nil : expectedFrames
            if !file.isSeekable && expectedFrames == nil {
                droppedMetadata = trailingMetadata
                trailingMetadata = []
            }
            try file.write(file.isSeekable
                ? WAVWriter.header(sampleRate: sampleRate, channelCount: channelCount, format: sampleFormat, frames: 0, reserveDS64: true,
                                   metadata: leadingMetadata, trailingBytes: trailingMetadata.encodedSize)
                : WAVWriter.header(sampleRate: sampleRate, channelCount: channelCount, format: sampleFormat, frames: expectedFrames,
                                   reserveDS64: false, metadata: leadingMetadata, trailingBytes: trailingMetadata.encodedSize))
        } catch { throw .file(error) }
    }

    /// Adds metadata learned after the header was written (chunks that a .tqa made from a pipe
    /// carries at its end): chunks placed `.afterData` are written by `finish()` when the header
    /// can still be patched; any other chunk, and every chunk when the output cannot seek, goes
    /// to `droppedMetadata`.
    public func addMetadata(_ chunks: [RIFFChunk]) {
        for c in chunks {
            if c.placement == .afterData && !headerIsFinal { trailingMetadata.append(c) } else { droppedMetadata.append(c) }
        }
    }

    /// Appends the frames of `buffer`, which must have this writer's channel count and sample rate.
    public func write(_ buffer: AudioBuffer) throws(WAVError) {
        precondition(!finished, "write after finish")
        precondition(buffer.channelCount == channelCount, "channel count mismatch")
        precondition(buffer.sampleRate == sampleRate, "sample rate mismatch")
        let align = channelCount * sampleFormat.bytesPerSample
        let piece = max(1, (1 << 20) / align)
        var start = 0
        while start < buffer.frameCount {
            let n = min(piece, buffer.frameCount - start)
            if scratch.count != n * align { scratch = [UInt8](repeating: 0, count: n * align) }
            let (channels, format, total) = (channelCount, sampleFormat, buffer.frameCount)
            buffer.samples.withUnsafeBufferPointer { src in
                scratch.withUnsafeMutableBytes { dst in
                    WAVSampleCoding.encode(src.baseAddress! + start, frames: n, channels: channels, channelStride: total,
                                           format: format, into: dst.baseAddress!)
                }
            }
            do { try file.write(scratch) } catch { throw .file(error) }
            start += n
            framesWritten += n
        }
        // A reader at the other end of a pipe gets the audio as it is decoded, not 256 KB later.
        if !file.isSeekable { do { try file.flush() } catch { throw .file(error) } }
    }

    /// Writes the pad byte, patches the header sizes and renames the file into place. On an
    /// output that cannot seek, throws `.frameCountMismatch` when the header declared another
    /// number of frames than were written.
    public func finish() throws(WAVError) {
        precondition(!finished, "finish called twice")
        finished = true
        let dataBytes = framesWritten * channelCount * sampleFormat.bytesPerSample
        if let declared = declaredFrames, declared != framesWritten {
            file.abort()
            throw .frameCountMismatch(declared: declared, written: framesWritten)
        }
        do {
            if dataBytes & 1 == 1 { try file.write([0]) }
            for c in trailingMetadata { try file.write(c.encoded) }
            if file.isSeekable { try file.patch(WAVWriter.header(sampleRate: sampleRate, channelCount: channelCount, format: sampleFormat,
                                                     frames: framesWritten, reserveDS64: true, metadata: leadingMetadata,
                                                     trailingBytes: trailingMetadata.encodedSize), at: 0) }
            try file.commit()
        } catch { throw .file(error) }
    }

    /// Discards the output; `path` is untouched.
    public func abort() {
        finished = true
        file.abort()
    }

    /// A complete WAV file holding `buffer` in `format`: the canonical 44-byte header for PCM
    /// with one or two channels (no JUNK chunk), RF64 when the data exceeds 4 GiB; `metadata`
    /// where each chunk is placed.
    public static func bytes(of buffer: AudioBuffer, format: SampleFormat, metadata: [RIFFChunk] = []) -> [UInt8] {
        let trailing = metadata.placed(.afterData)
        var out = header(sampleRate: buffer.sampleRate, channelCount: buffer.channelCount, format: format,
                         frames: buffer.frameCount, reserveDS64: false, metadata: metadata.filter { $0.placement != .afterData },
                         trailingBytes: trailing.encodedSize)
        let headerCount = out.count
        let dataBytes = buffer.frameCount * buffer.channelCount * format.bytesPerSample
        out.append(contentsOf: repeatElement(0, count: dataBytes + (dataBytes & 1)))
        buffer.samples.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes { dst in
                WAVSampleCoding.encode(src.baseAddress!, frames: buffer.frameCount, channels: buffer.channelCount,
                                       channelStride: buffer.frameCount, format: format, into: dst.baseAddress! + headerCount)
            }
        }
        for c in trailing { out += c.encoded }
        return out
    }

    /// The header for `frames` frames, up to and including the `data` chunk's size field; for
    /// `frames == nil` a streaming header (RIFF, `data` and `fact` sizes 0xFFFFFFFF).
    ///
    /// With `reserveDS64` the header has the same length whatever `frames` is (JUNK or ds64),
    /// so a provisional header can be patched in place. `metadata` (chunks placed before `fmt `
    /// or before `data`) is written in the header; `trailingBytes` of chunks after `data` are
    /// counted in the RIFF size.
    static func header(sampleRate: Int, channelCount: Int, format: SampleFormat, frames: Int?, reserveDS64: Bool,
                       metadata: [RIFFChunk] = [], trailingBytes: Int = 0) -> [UInt8] {
        let streaming = frames == nil
        let frames = frames ?? 0
        let extensible = channelCount > 2
        let tag = format.isFloat ? WAVFormatTag.ieeeFloat : WAVFormatTag.pcm
        let fmtSize = extensible ? 40 : (format.isFloat ? 18 : 16)
        let hasFact = format.isFloat
        let dataBytes = UInt64(frames) * UInt64(channelCount * format.bytesPerSample)
        let dsSize = 28
        let headerWithoutDS = 12 + metadata.encodedSize + (8 + fmtSize) + (hasFact ? 12 : 0) + 8
        let riffSizeNoDS = UInt64(headerWithoutDS - 8) + dataBytes + (dataBytes & 1) + UInt64(trailingBytes)
        let rf64 = riffSizeNoDS + UInt64(8 + dsSize) > 0xFFFF_FFFF
        let withDS = reserveDS64 || rf64
        let riffSize = riffSizeNoDS + (withDS ? UInt64(8 + dsSize) : 0)

        var h = ByteWriter()
        h.reserveCapacity(headerWithoutDS + 8 + dsSize)
        h.ascii(rf64 ? "RF64" : "RIFF")
        h.u32(rf64 || streaming ? 0xFFFF_FFFF : UInt32(riffSize))
        h.ascii("WAVE")
        if withDS {
            h.ascii(rf64 ? "ds64" : "JUNK")
            h.u32(UInt32(dsSize))
            if rf64 {
                h.u64(riffSize)
                h.u64(dataBytes)
                h.u64(UInt64(frames))
                h.u32(0)  // table length
            } else {
                h.append(repeatElement(0, count: dsSize))
            }
        }
        let bytesPerSample = format.bytesPerSample
        for c in metadata.placed(.beforeFormat) { h.append(c.encoded) }
        h.ascii("fmt ")
        h.u32(UInt32(fmtSize))
        h.u16(extensible ? WAVFormatTag.extensible : tag)
        h.u16(UInt16(channelCount))
        h.u32(UInt32(sampleRate))
        h.u32(UInt32(sampleRate * channelCount * bytesPerSample))
        h.u16(UInt16(channelCount * bytesPerSample))
        h.u16(UInt16(format.bitsPerSample))
        if extensible {
            h.u16(22)
            h.u16(UInt16(format.bitsPerSample))
            h.u32(WAVFormat.defaultChannelMask(channels: channelCount))
            h.u16(tag)
            h.u16(0)
            h.append(WAVFormat.guidSuffix)
        } else if fmtSize == 18 {
            h.u16(0)
        }
        if hasFact {
            h.ascii("fact")
            h.u32(4)
            h.u32(rf64 || streaming || frames > 0xFFFF_FFFF ? 0xFFFF_FFFF : UInt32(frames))
        }
        for c in metadata.placed(.beforeData) { h.append(c.encoded) }
        h.ascii("data")
        h.u32(rf64 || streaming ? 0xFFFF_FFFF : UInt32(dataBytes))
        return h.bytes
    }
}
