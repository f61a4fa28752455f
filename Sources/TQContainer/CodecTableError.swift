/// Why a `CodecTable` lookup failed.
public enum CodecTableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header names a codec the table does not hold.
    case notIncluded(CodecID)

    public var description: String {
        switch self {
        case .notIncluded(let id): "the \(id) codec is not among the codecs this decoder knows"
        }
    }
}
