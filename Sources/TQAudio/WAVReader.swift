/// Reads a WAV file front to back in bounded memory.
///
/// ```
/// "RIFF" size "WAVE"  { chunk-id size body [pad byte if size is odd] } …
/// "RF64" 0xFFFFFFFF "WAVE" "ds64" (riffSize64, dataSize64, sampleCount64, …) …   (EBU Tech 3306)
/// ```
///
/// Chunks other than `fmt `, `ds64` and `data` (LIST, bext, iXML, cue, …) are kept in `metadata`
/// with their place (`RIFFChunk`; padding and `fact` are skipped), up to
/// `RIFFChunk.maxTotalBytes` in all; chunks beyond that are skipped unread and reported in
/// `quirks`. Chunks after `data`: for an input of known size (a file, memory) they are read at
/// once, before the samples, without moving the read position; for a pipe they can only be read
/// when the samples have been, so they join `metadata` once `read` returns nil
/// (`metadataMayFollow` says whether that can still happen). A chunk after `data` that runs past
/// the end of the input ends the list, with a quirk; the audio is read all the same.
///
/// Real-world files it accepts:
/// - a 16-byte `fmt ` without `cbSize`; a `fmt ` longer than needed (only its first 64 bytes are
///   kept, the rest is skipped, so a forged size costs nothing);
/// - odd-sized chunks followed by a pad byte;
/// - a `data` size of 0 or 0xFFFFFFFF (a streaming writer that never patched its header): the
///   data runs to end of file and `format.frameCount` is nil (unless the file ends right there:
///   then it is an empty file of 0 frames);
/// - RF64/BW64 (EBU Tech 3306), with the 64-bit data size from `ds64`;
/// - a `data` size larger than the file: the frames that are there are read;
/// - a last frame cut short: the partial frame is dropped;
/// - a block align of 0 or in bits, valid bits of 0 (WAVE_FORMAT_EXTENSIBLE): see `quirks`.
///
/// Refused: a block align other than channels × container bytes (besides those quirks), valid
/// bits above the container size, a second `fmt ` chunk.
///
/// Nothing is allocated from a declared size: memory is bounded by `read(maxFrames:)`'s request.
public final class WAVReader {
    public let format: WAVFormat
    /// The input's name (its path, or `<memory>`).
    public var name: String { source.name }
    /// How many NaN or ±Inf samples the float input held so far. They are passed through as is;
    /// the caller decides whether to refuse, clip or keep them.
    public private(set) var nonFiniteCount = 0
    /// Frames returned so far.
    public private(set) var framesRead = 0
    /// Deviations from the specification found in the header and tolerated (see `WAVFormatQuirk`).
    public private(set) var quirks: [WAVFormatQuirk] = []
    /// The file's metadata chunks in file order (see `RIFFChunk`): those before `data` once the
    /// reader is made, those after it too when the input's size is known, else once the samples
    /// are read.
    public private(set) var metadata: [RIFFChunk] = []
    /// True while chunks after `data` may still be found: a pipe whose `data` size is declared,
    /// before its samples have all been read.
    public var metadataMayFollow: Bool { trailingOffset != nil }
    /// Bytes of metadata kept so far (`RIFFChunk.encodedSize`), held to `RIFFChunk.maxTotalBytes`.
    private var metadataBytes = 0
    /// For a pipe with a declared `data` size: the input position where `data` (with its pad
    /// byte) ends, from where chunks are read once the samples are.
    private var trailingOffset: Int?

    private let source: ByteSource
    /// Bytes of `data` left to read, or nil when reading to end of file.
    private var dataBytesLeft: Int?
    private var finished = false
    /// True when `format.frameCount` was checked against the size of the input.
    private var frameCountIsVerified = false

    /// The largest `fmt `/`ds64` body kept in memory; the rest of a longer chunk is skipped.
    static let maxHeaderChunk = 64

    /// Opens `path` and parses the header up to the start of the samples.
    public convenience init(path: String) throws(WAVError) {
        let source: ByteSource
        do { source = try ByteSource(path: path) } catch { throw .file(error) }
        try self.init(source: source)
    }

    /// Parses a WAV file held in memory.
    public convenience init(bytes: [UInt8]) throws(WAVError) {
        try self.init(source: ByteSource(bytes: bytes))
    }

    /// Parses the header from `source`, leaving it at the first sample.
    public init(source: ByteSource) throws(WAVError) {
        self.source = source
        let riff: [UInt8]
        do { riff = try source.read(upTo: 12) } catch { throw .file(error) }
        let magic = Array(riff.prefix(4))
        let isRF64 = magic == Array("RF64".utf8) || magic == Array("BW64".utf8)
        guard magic == Array("RIFF".utf8) || isRF64 else { throw .notRIFF(found: magic) }
        guard riff.count == 12 else { throw .truncated(chunk: "RIFF") }
        guard riff[8..<12].elementsEqual("WAVE".utf8) else { throw .notWAVE(found: Array(riff[8..<12])) }

        var ds64DataSize: UInt64?
        var parsed: WAVFormat?
        var found: [WAVFormatQuirk] = []
        var riffFields = ByteReader(riff, offset: 4)
        let riffSize = UInt64(riffFields.u32()!)  // 12 bytes checked above
        while true {
            let header: [UInt8]
            do { header = try source.read(upTo: 8) } catch { throw .file(error) }
            guard header.count == 8 else {
                throw parsed == nil ? .missingFormatChunk : .missingDataChunk
            }
            let id = String(decoding: header[0..<4], as: UTF8.self)
            var fields = ByteReader(header, offset: 4)
            let size = UInt64(fields.u32()!)  // 8 bytes checked above
            switch id {
            case "fmt ":
                guard parsed == nil else { throw .duplicateFormatChunk }
                let body = try WAVReader.readHeaderChunk(source, size: size, chunk: id)
                parsed = try WAVFormat.parse(fmt: body, quirks: &found)
            case "ds64" where isRF64:
                let body = try WAVReader.readHeaderChunk(source, size: size, chunk: id)
                var ds64 = ByteReader(body, offset: 8)
                guard body.count >= 16, let dataSize = ds64.u64() else { throw .truncated(chunk: id) }
                ds64DataSize = dataSize
            case "data":
                guard var fmt = parsed else { throw .missingFormatChunk }
                var declared: UInt64? = size == 0 || size == 0xFFFF_FFFF ? nil : size
                var trailing: TrailingCursor?
                if size == 0, let total = source.size, total == source.position { declared = 0 }  // truly empty
                if isRF64 && size == 0xFFFF_FFFF { declared = ds64DataSize.flatMap { $0 == 0 ? nil : $0 } }
                if var d = declared {
                    let dataStart = source.position
                    if let total = source.size {
                        let present = max(0, total - source.position)
                        if d > UInt64(present) { found.append(.dataBeyondEnd(declaredBytes: d, presentBytes: present)) }
                        d = min(d, UInt64(present))
                        frameCountIsVerified = true
                    }
                    let bytes = Int(min(d, UInt64(Int.max)))
                    dataBytesLeft = bytes - bytes % fmt.blockAlign
                    fmt.frameCount = bytes / fmt.blockAlign
                    if let declared, declared == d, declared < UInt64(Int.max / 2) {
                        var end = dataStart + Int(declared) + Int(declared & 1)
                        if let total = source.size {
                            if declared & 1 == 1, try WAVReader.padByteIsMissing(source, at: end - 1) { end -= 1 }
                            // RIFF's own size bounds the chunks, unless it is implausible (RF64's is
                            // 0xFFFFFFFF; some writers never patch it).
                            let riffEnd = 8 + Int(riffSize)
                            let limit = !isRF64 && riffEnd >= end && riffEnd <= total ? riffEnd : total
                            if limit - end >= 8 { trailing = .random(at: end, limit: limit) }
                        } else {
                            trailingOffset = end
                        }
                    }
                }
                format = fmt
                if var cursor = trailing { try collectTrailing(&cursor, quirks: &found) }
                quirks = found
                return
            default:
                let skip = size + (size & 1)
                var kept = false
                if !RIFFChunk.structuralIDs.contains(Array(header[0..<4])) {
                    if metadataBytes + 8 + Int(skip) <= RIFFChunk.maxTotalBytes {
                        let body = try WAVReader.read(source, Int(size), chunk: id, orThrow: parsed == nil ? .missingFormatChunk : .missingDataChunk)
                        metadata.append(RIFFChunk(id: Array(header[0..<4]), body: body,
                                                  placement: parsed == nil ? .beforeFormat : .beforeData))
                        metadataBytes += 8 + Int(skip)
                        kept = true
                    } else {
                        found.append(.metadataOverLimit(chunk: WAVError.quote(Array(header[0..<4])), size: size))
                    }
                }
                let rest = kept ? Int(size & 1) : Int(skip)
                let skipped: Int
                do { skipped = try source.skip(rest) } catch { throw .file(error) }
                // A missing pad byte at the very end is harmless only after `data`; here it means
                // the file ends before `data`.
                if skipped < rest { throw parsed == nil ? .missingFormatChunk : .missingDataChunk }
            }
        }
    }

    /// Where the chunks after `data` are read from: at an offset of an input of known size (up to
    /// `limit`), or from the stream itself.
    private enum TrailingCursor {
        case random(at: Int, limit: Int)
        case stream
    }

    private func read(_ cursor: inout TrailingCursor, _ n: Int) throws(WAVError) -> [UInt8] {
        do {
            switch cursor {
            case .random(let at, let limit):
                let b = try source.read(at: at, upTo: max(0, min(n, limit - at)))
                cursor = .random(at: at + b.count, limit: limit)
                return b
            case .stream:
                return try source.read(upTo: n)
            }
        } catch { throw .file(error) }
    }

    private func skip(_ cursor: inout TrailingCursor, _ n: Int) throws(WAVError) -> Int {
        switch cursor {
        case .random(let at, let limit):
            let k = max(0, min(n, limit - at))
            cursor = .random(at: at + k, limit: limit)
            return k
        case .stream:
            do { return try source.skip(n) } catch { throw .file(error) }
        }
    }

    /// Reads the chunks after `data` into `metadata` (placement `.afterData`) until the input
    /// ends. Fewer than 8 bytes left end the list silently (a stray pad byte); a chunk that runs
    /// past the end ends it with a quirk, as does a chunk over the metadata limit (skipped).
    private func collectTrailing(_ cursor: inout TrailingCursor, quirks: inout [WAVFormatQuirk]) throws(WAVError) {
        while true {
            let h = try read(&cursor, 8)
            guard h.count == 8 else { return }
            let id = Array(h[0..<4])
            var fields = ByteReader(h, offset: 4)
            let size = Int(fields.u32()!)  // 8 bytes checked above
            let padded = size + (size & 1)
            if case .random(let at, let limit) = cursor, size > limit - at {
                quirks.append(.truncatedChunk(chunk: WAVError.quote(id), size: UInt64(size)))
                return
            }
            if RIFFChunk.structuralIDs.contains(id) {
                if try skip(&cursor, padded) < size { quirks.append(.truncatedChunk(chunk: WAVError.quote(id), size: UInt64(size))); return }
                continue
            }
            if metadataBytes + 8 + padded > RIFFChunk.maxTotalBytes {
                quirks.append(.metadataOverLimit(chunk: WAVError.quote(id), size: UInt64(size)))
                if try skip(&cursor, padded) < size { return }
                continue
            }
            let body = try read(&cursor, size)
            guard body.count == size else { quirks.append(.truncatedChunk(chunk: WAVError.quote(id), size: UInt64(size))); return }
            _ = try skip(&cursor, size & 1)
            metadata.append(RIFFChunk(id: id, body: body, placement: .afterData))
            metadataBytes += 8 + padded
        }
    }

    /// Whether an odd-sized `data` chunk is followed by the next chunk's id at `offset` (where
    /// its zero pad byte should be) rather than at `offset + 1`: some writers leave the pad byte out
    /// (libsndfile and ffmpeg tolerate it the same way).
    private static func padByteIsMissing(_ source: ByteSource, at offset: Int) throws(WAVError) -> Bool {
        let b: [UInt8]
        do { b = try source.read(at: offset, upTo: 5) } catch { throw .file(error) }
        func isID(_ s: ArraySlice<UInt8>) -> Bool { s.count == 4 && s.allSatisfy { (0x20...0x7E).contains($0) } }
        // A pad byte is 0; a chunk id starts with a printable character.
        return b.count == 5 && b[0] != 0 && isID(b[0..<4])
    }

    /// For a pipe: once the samples are read, skips to the end of `data` and reads the chunks
    /// after it.
    private func collectTrailingFromStream() throws(WAVError) {
        guard let end = trailingOffset else { return }
        trailingOffset = nil
        let gap = end - source.position
        if gap > 0 {
            let skipped: Int
            do { skipped = try source.skip(gap) } catch { throw .file(error) }
            guard skipped == gap else { return }
        }
        var cursor = TrailingCursor.stream
        var found: [WAVFormatQuirk] = []
        try collectTrailing(&cursor, quirks: &found)
        quirks += found
    }

    /// `n` bytes of `chunk`'s body, or `error` when the input ends first.
    private static func read(_ source: ByteSource, _ n: Int, chunk: String, orThrow error: WAVError) throws(WAVError) -> [UInt8] {
        let b: [UInt8]
        do { b = try source.read(upTo: n) } catch { throw .file(error) }
        guard b.count == n else { throw error }
        return b
    }

    /// Reads a `fmt `/`ds64` body, keeping at most `maxHeaderChunk` bytes and skipping the rest
    /// and the pad byte.
    private static func readHeaderChunk(_ source: ByteSource, size: UInt64, chunk: String) throws(WAVError) -> [UInt8] {
        let kept = Int(min(size, UInt64(maxHeaderChunk)))
        let body = try read(source, kept, chunk: chunk)
        let rest = Int(size) - kept + Int(size & 1)
        do { try source.skip(rest) } catch { throw .file(error) }
        return body
    }

    private static func read(_ source: ByteSource, _ n: Int, chunk: String) throws(WAVError) -> [UInt8] {
        let b: [UInt8]
        do { b = try source.read(upTo: n) } catch { throw .file(error) }
        guard b.count == n else { throw .truncated(chunk: chunk) }
        return b
    }

    /// The next at most `maxFrames` frames (`maxFrames ≥ 1`), or nil once the data is exhausted.
    /// Fewer frames than asked only at the end of the data. A partial last frame is dropped.
    public func read(maxFrames: Int) throws(WAVError) -> AudioBuffer? {
        precondition(maxFrames >= 1, "maxFrames must be positive")
        guard let bytes = try nextBytes(maxFrames: maxFrames) else { return nil }
        let frames = bytes.count / format.blockAlign
        var out = AudioBuffer(sampleRate: format.sampleRate, channelCount: format.channelCount, frameCount: frames)
        out.withMutableSamples { dst in decode(bytes, into: dst.baseAddress!, channelStride: frames) }
        return out
    }

    /// Reads every remaining frame into one buffer (an empty buffer when there are none).
    ///
    /// When the frame count is known and checked against the input's size, samples are decoded
    /// straight into the result; otherwise (pipes, unknown data size) they are gathered in
    /// 1 MiB pieces.
    public func readAll() throws(WAVError) -> AudioBuffer {
        let pieceFrames = max(1, (1 << 20) / format.blockAlign)
        let channelCount = format.channelCount
        if let n = format.frameCount, frameCountIsVerified {
            let total = max(0, n - framesRead)
            var done = 0
            var failure: WAVError?
            // Every element is written: decoded, or zeroed past `done` if the input came up short.
            let planar = [Float](unsafeUninitializedCapacity: channelCount * total) { dst, count in
                do throws(WAVError) {
                    while done < total, let bytes = try nextBytes(maxFrames: min(pieceFrames, total - done)) {
                        decode(bytes, into: dst.baseAddress! + done, channelStride: total)
                        done += bytes.count / format.blockAlign
                    }
                } catch { failure = error }
                for c in 0..<channelCount where done < total {
                    (dst.baseAddress! + c * total + done).initialize(repeating: 0, count: total - done)
                }
                count = channelCount * total
            }
            if let failure { throw failure }
            let out = AudioBuffer(sampleRate: format.sampleRate, channelCount: channelCount, planar: planar)
            return done == total ? out : out.frames(0..<done)
        }
        var channels = [[Float]](repeating: [], count: channelCount)
        while let piece = try read(maxFrames: pieceFrames) {
            for c in channels.indices { channels[c].append(contentsOf: piece.channel(c)) }
        }
        var planar = [Float]()
        planar.reserveCapacity(channelCount * channels[0].count)
        for c in channels { planar.append(contentsOf: c) }
        return AudioBuffer(sampleRate: format.sampleRate, channelCount: channelCount, planar: planar)
    }

    /// The bytes of the next at most `maxFrames` whole frames, or nil at the end of the data.
    private func nextBytes(maxFrames: Int) throws(WAVError) -> [UInt8]? {
        guard !finished else { return nil }
        let align = format.blockAlign
        var wanted = maxFrames
        if let left = dataBytesLeft { wanted = min(wanted, left / align) }
        guard wanted > 0 else {
            finished = true
            try collectTrailingFromStream()
            return nil
        }
        var bytes: [UInt8]
        do { bytes = try source.read(upTo: wanted * align) } catch { throw .file(error) }
        let frames = bytes.count / align
        if frames < wanted { finished = true; trailingOffset = nil }
        if let left = dataBytesLeft { dataBytesLeft = left - frames * align }
        guard frames > 0 else { return nil }
        if bytes.count != frames * align { bytes.removeLast(bytes.count - frames * align) }
        framesRead += frames
        return bytes
    }

    private func decode(_ bytes: [UInt8], into dst: UnsafeMutablePointer<Float>, channelStride: Int) {
        let fmt = format
        nonFiniteCount += bytes.withUnsafeBytes { src in
            WAVSampleCoding.decode(src.baseAddress!, frames: bytes.count / fmt.blockAlign, channels: fmt.channelCount,
                                   format: fmt.sampleFormat, into: dst, channelStride: channelStride)
        }
    }

    /// The whole file at `path` in one buffer.
    public static func readAll(path: String) throws(WAVError) -> AudioBuffer {
        try WAVReader(path: path).readAll()
    }

    /// The whole WAV file `bytes` in one buffer.
    public static func readAll(bytes: [UInt8]) throws(WAVError) -> AudioBuffer {
        try WAVReader(bytes: bytes).readAll()
    }
}
