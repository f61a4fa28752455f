/// A set of codecs, each by its `CodecDescription`, and the lookup from a header to its codec.
/// `Codecs.all` (module TQCodecs) is the table of every codec in this build; a module that
/// knows fewer codecs builds its own (`TQAFile.codecs` holds the TurboQuant ones).
public struct CodecTable: Sendable {
    public let codecs: [any CodecDescription.Type]

    public init(_ codecs: [any CodecDescription.Type]) {
        precondition(Set(codecs.map { $0.codec }).count == codecs.count, "one description per codec")
        self.codecs = codecs
    }

    /// The description of codec `id`.
    /// - Throws: `CodecTableError.notIncluded` when this table does not hold it.
    public func description(of id: CodecID) throws(CodecTableError) -> any CodecDescription.Type {
        guard let d = codecs.first(where: { $0.codec == id }) else { throw .notIncluded(id) }
        return d
    }

    /// The parameters in `header`, decoded by its codec's description.
    public func parameters(of header: TQAHeader) throws -> any CodecDescription {
        try description(of: header.codec).init(decoding: header.codecParameters)
    }

    /// The parameters in `header` as `tqa info` lists them (`CodecDescription.summary(of:)`);
    /// a codec this table does not hold is described by its byte count.
    public func summary(of header: TQAHeader) -> [String: Any] {
        guard let d = try? description(of: header.codec) else { return ["bytes": header.codecParameters.count] }
        return d.summary(of: header.codecParameters)
    }

    /// The decoder for a stream with `header`.
    public func decoder(for header: TQAHeader, options: DecoderOptions = DecoderOptions()) throws -> any PacketDecoder {
        try description(of: header.codec).decoder(for: header, options: options)
    }

    /// This table without `ids`.
    public func excluding(_ ids: CodecID...) -> CodecTable {
        CodecTable(codecs.filter { !ids.contains($0.codec) })
    }
}
