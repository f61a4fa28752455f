import ArgumentParser
import TQAudio

/// Whether `encode` keeps the WAV's metadata chunks (docs/FORMAT.md, "Metadata section").
struct MetadataOptions: ParsableArguments {
    @Flag(name: .customLong("no-metadata"),
          help: "Leave out the WAV's metadata (LIST/INFO tags, bext, iXML, cue points, other chunks); by default it is kept and restored on decode.")
    var noMetadata = false
}

/// How `info` names a chunk's place.
enum MetadataPlace {
    static func name(_ p: RIFFChunk.Placement) -> String {
        switch p {
        case .beforeFormat: "before fmt"
        case .beforeData: "before data"
        case .afterData: "after data"
        }
    }
}
