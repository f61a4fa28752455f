import Foundation
import TQAudio
import TQContainer

extension Pipeline {
    /// `tqa decode --skip/--until`: the span's frames only, from the packet that holds its start
    /// (`TQASpanDecoder`); the packets before are passed over unread. Strict (no salvage) and
    /// at the stream's rate (no `--rate source`).
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
        let writer = try WAVWriter(path: output, sampleRate: header.sampleRate, channelCount: header.channelCount,
                                   sampleFormat: outFormat, overwrite: force, expectedFrames: expected)
        let progress = Progress(label: "decoding", total: expected)
        do {
            while let buffer = try stream.next() {
                try writer.write(buffer)
                progress.update(Int(clamping: stream.framesOut))
            }
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
