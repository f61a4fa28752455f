/// The text tags of a `LIST` chunk of type `INFO` (RIFF 1991, "INFO List Chunk"):
///
/// ```
/// "LIST" size "INFO" { tag-id (4) size (u32 LE) text [NUL…] [pad byte if size is odd] } …
/// ```
///
/// Text is read as UTF-8 (ffmpeg, sox and most tools write it; Latin-1 from old writers comes
/// out with replacement characters), up to its first NUL. A sub-chunk that runs past the list
/// ends the parse: the tags before it are returned.
public struct RIFFInfoTags: Sendable, Equatable {
    public struct Tag: Sendable, Equatable {
        /// The four-byte id, e.g. `INAM`.
        public var id: String
        public var value: String
        /// The common name (`title` for INAM) or, for ids not in `names`, the id.
        public var name: String { RIFFInfoTags.names[id] ?? id }
    }

    public var tags: [Tag]

    /// The tags of `chunk`, or nil when it is not a `LIST`/`INFO` chunk.
    public init?(_ chunk: RIFFChunk) {
        guard chunk.listType == Array("INFO".utf8) else { return nil }
        let b = chunk.body
        var tags: [Tag] = []
        var i = 4
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<i + 4], as: UTF8.self)
            var fields = ByteReader(b, offset: i + 4)
            let size = Int(fields.u32()!)  // i + 8 <= b.count
            guard size <= b.count - i - 8 else { break }
            let text = b[i + 8 ..< i + 8 + size].prefix { $0 != 0 }
            tags.append(Tag(id: id, value: String(decoding: text, as: UTF8.self)))
            i += 8 + size + (size & 1)
        }
        self.tags = tags
    }

    /// Common names of the INFO ids, as ffmpeg and exiftool name them.
    public static let names: [String: String] = [
        "INAM": "title", "IART": "artist", "IPRD": "album", "ICMT": "comment", "ICRD": "date", "IGNR": "genre",
        "ITRK": "track", "IPRT": "track", "ICOP": "copyright", "ISFT": "encoder", "IENG": "engineer",
        "ISBJ": "subject", "IKEY": "keywords", "ISRC": "source", "ITCH": "technician", "ILNG": "language",
        "IMED": "medium", "ICMS": "commissioned", "ISRF": "source_form", "IARL": "archival_location",
    ]
}
