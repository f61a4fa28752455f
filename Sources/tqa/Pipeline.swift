import Foundation
import TQAudio
import TQCodecs
import TQContainer

/// File-to-file encode and decode, shared by the subcommands. Streams in bounded memory.
enum Pipeline {
    static let chunkFrames = 1 << 16

    struct EncodeResult {
        var inputFormat: WAVFormat
        var frames: Int
        var bytes: Int
        var seconds: Double
        /// The encoder's measure of the SNR it coded (`PacketEncoder.measuredSNRDB`).
        var measuredSNRDB: Double? = nil
    }

    /// Refuses to overwrite the input, or an output that holds data (a regular file) without
    /// `force`. FIFOs, character devices and `/dev/stdout` are written in place and need no `force`.
    static func checkOutput(_ output: String, input: String, force: Bool) throws {
        let a = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
        let b = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath().path
        if a == b { throw FileError.sameAsInput(path: output) }
        if !force && OutputKind(path: output).needsOverwrite { throw FileError.exists(path: output) }
    }

    /// With `keepMetadata`, the WAV's metadata chunks go into the .tqa (those after `data` of a
    /// pipe, at its end).
    static func encode(input: String, output: String, options: CodecOptions, force: Bool, keepMetadata: Bool = true) throws -> EncodeResult {
        try checkOutput(output, input: input, force: force)
        let start = Date()
        let reader = try WAVReader(path: input)
        let fmt = reader.format
        let encoder = try CodecRegistry.encoder(options, sampleRate: fmt.sampleRate, channelCount: fmt.channelCount)
        let file = try OutputFile(path: output, overwrite: force)
        let stream = try TQAStreamEncoder(encoder: encoder, sink: file, sampleRate: fmt.sampleRate,
                                          channelCount: fmt.channelCount, sourceFormat: fmt.sampleFormat,
                                          metadata: keepMetadata ? reader.metadata : [],
                                          metadataMayFollow: keepMetadata && reader.metadataMayFollow)
        let leadingChunks = reader.metadata.count
        let progress = Progress(label: "encoding", total: fmt.frameCount)
        while let buffer = try reader.read(maxFrames: chunkFrames) {
            try stream.write(buffer)
            progress.update(reader.framesRead)
        }
        try stream.finish(trailingMetadata: keepMetadata ? Array(reader.metadata.dropFirst(leadingChunks)) : [])
        try file.commit()
        progress.done()
        for quirk in reader.quirks { FileHandleOut.stderr("warning: \(input): \(quirk)\n") }
        if reader.nonFiniteCount > 0 {
            FileHandleOut.stderr("warning: \(input) has \(reader.nonFiniteCount) NaN or infinite samples; they were coded as silence\n")
        }
        if stream.clippedSamples > 0 {
            FileHandleOut.stderr("warning: \(input) has \(stream.clippedSamples) samples beyond ±\(Int(TQAStreamEncoder.maxSampleMagnitude)) (full scale is 1); they were clipped\n")
        }
        return EncodeResult(inputFormat: fmt, frames: reader.framesRead, bytes: stream.bytesWritten,
                            seconds: Date().timeIntervalSince(start), measuredSNRDB: stream.measuredSNRDB)
    }

    struct DecodeResult {
        var header: TQAHeader
        /// Frames written, at `sampleRate`.
        var frames: UInt64
        var sampleRate: Int
        var outputFormat: SampleFormat
        var report: SalvageReport
        /// Decoded samples that were NaN or ±Inf, written as silence.
        var nonFiniteSamples: Int
        var seconds: Double
    }

    static func decode(input: String, output: String, format: SampleFormat?, salvage: Bool, force: Bool,
                       threads: Int = 1, weights: String? = nil, sourceRate: Bool = false,
                       wholeSequence: Bool = false) throws -> DecodeResult {
        try checkOutput(output, input: input, force: force)
        let start = Date()
        let reader = try TQAReader(path: input)
        let header = reader.header
        let decoder = try CodecRegistry.decoder(header, weights: weights, threads: threads, wholeSequence: wholeSequence)
        let stream = TQAStreamDecoder(reader: reader, decoder: decoder, salvage: salvage, threads: threads)
        let outFormat = format ?? header.sourceFormat.writable
        // A codec may hold audio at another rate than its input's (sqcodec: the model's);
        // `sourceRate` resamples back to the input's.
        let parameters = try? Codecs.all.parameters(of: header)
        let sourceSampleRate = parameters?.sourceSampleRate(of: header) ?? header.sampleRate
        var resampler: ResamplerStream?
        var outRate = header.sampleRate
        var outFrames: UInt64?
        if sourceRate, sourceSampleRate != header.sampleRate {
            resampler = ResamplerStream(Resampler(inputRate: header.sampleRate, outputRate: sourceSampleRate), channelCount: header.channelCount)
            outRate = sourceSampleRate
            outFrames = parameters?.sourceFrameCount(of: header)
        }
        // Told to an output that cannot seek up front. Not when salvaging: a damaged file may hold
        // fewer frames than its header declares (see `SalvageReport.unwrittenFrames`).
        var expected: Int?
        if !salvage && header.frameCount != TQAHeader.unknownFrameCount {
            expected = Int(clamping: outFrames ?? header.frameCount)
        }
        // Chunks that count samples are left out when the audio comes out at another rate.
        let leading = MetadataPolicy.forRate(reader.leadingMetadata, sourceRate: sourceSampleRate, outputRate: outRate)
        let writer = try WAVWriter(path: output, sampleRate: outRate, channelCount: header.channelCount,
                                   sampleFormat: outFormat, overwrite: force, expectedFrames: expected, metadata: leading.kept)
        let total = header.frameCount == TQAHeader.unknownFrameCount ? nil : Int(clamping: header.frameCount)
        let progress = Progress(label: "decoding", total: total)
        var written: UInt64 = 0
        do {
            func put(_ b: AudioBuffer) throws {
                var b = b
                if let limit = outFrames { b.truncate(toFrames: Int(clamping: limit - min(limit, written))) }
                written += UInt64(b.frameCount)
                if b.frameCount > 0 { try writer.write(b) }
            }
            while let buffer = try stream.next() {
                try put(resampler != nil ? resampler!.push(buffer) : buffer)
                progress.update(Int(clamping: stream.framesOut))
            }
            if resampler != nil { try put(resampler!.finish()) }
            let trailing = MetadataPolicy.forRate(reader.trailingMetadata, sourceRate: sourceSampleRate, outputRate: outRate)
            writer.addMetadata(trailing.kept)
            let dropped = leading.dropped + trailing.dropped
            if !dropped.isEmpty {
                FileHandleOut.stderr(MetadataPolicy.rateNote(dropped, input: input, sourceRate: sourceSampleRate, outputRate: outRate))
            }
            if !writer.droppedMetadata.isEmpty { FileHandleOut.stderr(MetadataPolicy.unwritableWarning(writer.droppedMetadata, output: output)) }
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        progress.done()
        return DecodeResult(header: header, frames: written, sampleRate: outRate, outputFormat: outFormat, report: stream.report,
                            nonFiniteSamples: stream.nonFiniteSamples, seconds: Date().timeIntervalSince(start))
    }
}

/// A progress line on stderr, only when stderr is a terminal and the work has run over a second.
final class Progress {
    let label: String
    let total: Int?
    let start = Date()
    var last = Date.distantPast
    var shown = false

    init(label: String, total: Int?) {
        self.label = label
        self.total = total
    }

    func update(_ done: Int) {
        guard FileHandleOut.stderrIsTerminal else { return }
        let now = Date()
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(last) > 0.2 else { return }
        last = now
        shown = true
        if let t = total, t > 0 {
            FileHandleOut.stderr("\r\(label) \(Int(100 * Double(done) / Double(t)))%   ")
        } else {
            FileHandleOut.stderr("\r\(label) \(done) frames   ")
        }
    }

    func done() { if shown { FileHandleOut.stderr("\r\(String(repeating: " ", count: label.count + 16))\r") } }
}
