import TQAudio

/// Which of a .tqa file's metadata chunks a decode writes, and the notes it prints about those it
/// leaves out. The chunks themselves go through untouched (`RIFFChunk`).
enum MetadataPolicy {
    /// Splits `chunks` into those that stay true for the decoded audio and those that count
    /// sample positions of another timeline (`RIFFChunk.refersToSamplePositions`): audio at
    /// `outputRate` when the source was at `sourceRate` (sqcodec decoded at the model's rate).
    /// Nothing is dropped when the rates agree.
    static func forRate(_ chunks: [RIFFChunk], sourceRate: Int, outputRate: Int) -> (kept: [RIFFChunk], dropped: [RIFFChunk]) {
        sourceRate == outputRate ? (chunks, []) : forSpan(chunks)
    }

    /// The same split for a span cut out of the audio (`--skip/--until`): every chunk that counts
    /// sample positions is dropped, since its positions would point elsewhere.
    static func forSpan(_ chunks: [RIFFChunk]) -> (kept: [RIFFChunk], dropped: [RIFFChunk]) {
        (chunks.filter { !$0.refersToSamplePositions }, chunks.filter(\.refersToSamplePositions))
    }

    /// `'cue ' (28 bytes), 'smpl' (60 bytes)`: names and sizes, escaped for the terminal.
    static func list(_ chunks: [RIFFChunk]) -> String {
        chunks.map { "'\($0.name)' (\($0.body.count) bytes)".escapedForTerminal }.joined(separator: ", ")
    }

    /// The note for chunks left out because the audio is at another rate than the source's.
    static func rateNote(_ dropped: [RIFFChunk], input: String, sourceRate: Int, outputRate: Int) -> String {
        "note: \(input): left out \(list(dropped)): they count samples at the source's \(sourceRate) Hz and the audio is decoded at \(outputRate) Hz; "
            + "decode with --rate source to keep them\n"
    }

    /// The note for chunks a span decode leaves out.
    static func spanNote(_ dropped: [RIFFChunk], input: String) -> String {
        "note: \(input): left out \(list(dropped)): they count samples from the start of the whole file, not of the span decoded\n"
    }

    /// The warning for chunks the WAV writer could not place (`WAVWriter.droppedMetadata`).
    static func unwritableWarning(_ dropped: [RIFFChunk], output: String) -> String {
        "warning: \(output): left out \(list(dropped)): they follow the audio, and an output that cannot seek gets no room for them "
            + "(its header was sent before they were read); decode to a regular file to keep them\n"
    }
}
