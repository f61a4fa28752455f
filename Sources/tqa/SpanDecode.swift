import Foundation
import TQAudio
import TQContainer

extension Pipeline {
    /// `tqa decode --skip/--until`: the span's frames only, from the packet that holds its start
    /// (`TQASpanDecoder`); the packets before are passed over unread. Strict (no salvage) and
    /// at the stream's rate (no `--rate source`). Metadata chunks that count sample positions are
    /// left out with a note (`MetadataPolicy.forSpan`); a section before the end marker (a file
    /// written to a pipe) is reached over the packets after the span by their headers alone.
    static func decodeSpan(input: String, output: String, span: SpanOptions, format: SampleFormat?, force: Bool,
                           threads: Int = 1, weights: String? = nil) throws -> DecodeResult {
        try checkOutput(output, input: input, force: force)
        let start = Date()
        let reader = try TQAReader(path: input)
        let header = reader.header
        let known = header.frameCount == TQAHeader.unknownFrameCount ? nil : header.frameCount
        let (from, to) = try span.frames(sampleRate: header.sampleRate, frameCount: known)
        let decoder = try CodecRegistry.decoder(header, weights: weights, threads: threads)
        let stream: TQASpanDecoder
        do {
            stream = try TQASpanDecoder(reader: reader, decoder: decoder, start: from, end: to, threads: threads)
        } catch let e as SeekError {
            throw spanError(e, input: input, span: span, sampleRate: header.sampleRate)
        }
        let outFormat = format ?? header.sourceFormat.writable
        let expected = stream.spanFrames.map { Int(clamping: $0) }
        let leading = MetadataPolicy.forSpan(reader.leadingMetadata)
        let writer = try WAVWriter(path: output, sampleRate: header.sampleRate, channelCount: header.channelCount,
                                   sampleFormat: outFormat, overwrite: force, expectedFrames: expected, metadata: leading.kept)
        let progress = Progress(label: "decoding", total: expected)
        do {
            while let buffer = try stream.next() {
                try writer.write(buffer)
                progress.update(Int(clamping: stream.framesOut))
            }
            if header.formatVersion >= TQAHeader.metadataVersion && !reader.finished {
                try reader.skipPackets(before: UInt64.max)
                while try reader.next() != nil {}
            }
            let trailing = MetadataPolicy.forSpan(reader.trailingMetadata)
            writer.addMetadata(trailing.kept)
            let dropped = leading.dropped + trailing.dropped
            if !dropped.isEmpty { FileHandleOut.stderr(MetadataPolicy.spanNote(dropped, input: input)) }
            if !writer.droppedMetadata.isEmpty { FileHandleOut.stderr(MetadataPolicy.unwritableWarning(writer.droppedMetadata, output: output)) }
            try writer.finish()
        } catch let e as SeekError {
            writer.abort()
            throw spanError(e, input: input, span: span, sampleRate: header.sampleRate)
        } catch {
            writer.abort()
            throw error
        }
        progress.done()
        return DecodeResult(header: header, frames: stream.framesOut, sampleRate: header.sampleRate, outputFormat: outFormat,
                            report: SalvageReport(), nonFiniteSamples: stream.nonFiniteSamples, seconds: Date().timeIntervalSince(start))
    }

    static func spanError(_ e: SeekError, input: String, span: SpanOptions, sampleRate: Int) -> Error {
        switch e {
        case .startPastEnd(_, let frames): CLIError(span.pastEndMessage(input, frames: frames, sampleRate: sampleRate))
        }
    }
}
