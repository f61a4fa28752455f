import SQCodec
import TQContainer
import TurboQuant

/// Every codec in this build, the one list the CLI and the fuzzers look codecs up in.
///
/// Adding a codec (L3AC, say) touches this one place: conform its parameters type to
/// `CodecDescription` in its module and add it here. `tqa info`, `decode`, `test`, `simulate`,
/// `compare` and the fuzz harness then describe and decode its files; only `tqa encode`'s
/// options (the CLI's `CodecRegistry.encoder`) need the new codec's settings.
public enum Codecs {
    public static let all = CodecTable([TurboParameters.self, SpectralParameters.self, SQCodecParameters.self, L3ACParameters.self])
}
