/// SplitMix64 (Steele, Lea, Flood 2014), the seeded generator behind every pseudo-random choice
/// a decoder must repeat. Same seed, same sequence, on every machine.
///
/// Also the seeded generator of the tests, which print `seed` when they fail.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64
    /// The seed it started from.
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed; state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
