import TQAudio

/// The tests' seeded generator; every failure message prints its seed.
typealias TestRandom = SplitMix64

extension SplitMix64 {
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
}
