/// The randomized Hadamard rotation R = H·D/√n, with D a diagonal of seeded random signs and H
/// the n×n Walsh–Hadamard matrix (Sylvester order), n a power of two.
///
/// R is orthonormal, so R⁻¹ = Rᵀ = D·H/√n. It spreads any block's energy over all coordinates:
/// for a block that is not aligned with a column of R, the rotated coordinates are close to
/// i.i.d. Gaussian (Ailon & Chazelle 2009; Zandieh et al., TurboQuant, arXiv 2504.19874).
public struct HadamardRotation: Sendable {
    public let size: Int
    /// ±1 per coordinate, from `SplitMix64(seed:)`.
    public let signs: [Float]

    /// A rotation of `size` coordinates (a power of two ≥ 2) with signs drawn from `seed`.
    public init(size: Int, seed: UInt64) {
        precondition(size >= 2 && size & (size - 1) == 0, "Hadamard size must be a power of two")
        self.size = size
        var rng = SplitMix64(seed: seed)
        var s = [Float](repeating: 1, count: size)
        var bits: UInt64 = 0
        for i in 0..<size {
            if i % 64 == 0 { bits = rng.next() }
            s[i] = (bits >> UInt64(i % 64)) & 1 == 0 ? 1 : -1
        }
        signs = s
    }

    /// x ← R·x.
    public func rotate(_ x: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == size)
        signs.withUnsafeBufferPointer { s in for i in 0..<size { x[i] *= s[i] } }
        Hadamard.transform(x)
    }

    /// x ← R⁻¹·x.
    public func unrotate(_ x: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == size)
        Hadamard.transform(x)
        signs.withUnsafeBufferPointer { s in for i in 0..<size { x[i] *= s[i] } }
    }
}

/// The fast Walsh–Hadamard transform.
public enum Hadamard {
    /// x ← H·x/√n in place (orthonormal, its own inverse); n = x.count, a power of two.
    /// Cost: n·log2(n) additions and n multiplications.
    public static func transform(_ x: UnsafeMutableBufferPointer<Float>) {
        let n = x.count
        precondition(n & (n - 1) == 0, "Hadamard size must be a power of two")
        guard n >= 2, let p = x.baseAddress else { return }
        // Radix-4 passes halve the memory traffic of plain radix-2 butterflies.
        var h = 1
        while h * 4 <= n {
            var i = 0
            while i < n {
                for j in i ..< i + h {
                    let a = p[j], b = p[j + h], c = p[j + 2 * h], d = p[j + 3 * h]
                    let s0 = a + b, s1 = a - b, s2 = c + d, s3 = c - d
                    p[j] = s0 + s2
                    p[j + h] = s1 + s3
                    p[j + 2 * h] = s0 - s2
                    p[j + 3 * h] = s1 - s3
                }
                i += 4 * h
            }
            h *= 4
        }
        if h < n {
            for j in 0..<h {
                let a = p[j], b = p[j + h]
                p[j] = a + b
                p[j + h] = a - b
            }
        }
        let scale = 1 / Float(n).squareRoot()
        for i in 0..<n { p[i] *= scale }
    }
}
