/// The sample encodings tqa reads from WAV, writes to WAV, and remembers in a .tqa header.
///
/// Raw values are part of the .tqa format (docs/FORMAT.md) and never change.
public enum SampleFormat: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Unsigned 8-bit PCM, 128 is zero.
    case u8 = 1
    /// Signed 16-bit PCM.
    case s16 = 2
    /// Signed 24-bit PCM, three bytes.
    case s24 = 3
    /// Signed 32-bit PCM.
    case s32 = 4
    /// IEEE 754 binary32.
    case f32 = 5
    /// IEEE 754 binary64.
    case f64 = 6

    public var bitsPerSample: Int {
        switch self {
        case .u8: 8
        case .s16: 16
        case .s24: 24
        case .s32: 32
        case .f32: 32
        case .f64: 64
        }
    }

    public var bytesPerSample: Int { bitsPerSample / 8 }

    public var isFloat: Bool { self == .f32 || self == .f64 }

    public var description: String {
        switch self {
        case .u8: "u8"
        case .s16: "s16"
        case .s24: "s24"
        case .s32: "s32"
        case .f32: "f32"
        case .f64: "f64"
        }
    }

    /// The formats tqa can write: 16/24-bit PCM and 32-bit float. Others map to the nearest.
    public var writable: SampleFormat {
        switch self {
        case .u8, .s16: .s16
        case .s24, .s32: .s24
        case .f32, .f64: .f32
        }
    }
}
