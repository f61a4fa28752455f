import TQAudio

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
        let scale = 1 / Float(size).squareRoot()
        scaledSigns = s.map { $0 * scale }
    }

    /// ±1/√n per coordinate: the signs with the transform's scale folded in.
    public let scaledSigns: [Float]

    /// x ← R·x.
    public func rotate(_ x: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == size)
        scaledSigns.withUnsafeBufferPointer { s in for i in 0..<size { x[i] *= s[i] } }
        Hadamard.transformUnscaled(x)
    }

    /// x ← R⁻¹·x.
    public func unrotate(_ x: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == size)
        Hadamard.transformUnscaled(x)
        scaledSigns.withUnsafeBufferPointer { s in for i in 0..<size { x[i] *= s[i] } }
    }
}

/// The fast Walsh–Hadamard transform.
public enum Hadamard {
    /// x ← H·x/√n in place (orthonormal, its own inverse); n = x.count, a power of two.
    /// Cost: n·log2(n) additions and n multiplications.
    public static func transform(_ x: UnsafeMutableBufferPointer<Float>) {
        transformUnscaled(x)
        let scale = 1 / Float(x.count).squareRoot()
        for i in 0..<x.count { x[i] *= scale }
    }

    /// x ← H·x (no 1/√n). Radix-4 passes (two butterfly stages per sweep over memory), SIMD
    /// across j once the stride reaches 4; a last radix-2 pass when log2(n) is odd.
    public static func transformUnscaled(_ x: UnsafeMutableBufferPointer<Float>) {
        let n = x.count
        precondition(n & (n - 1) == 0, "Hadamard size must be a power of two")
        guard n >= 2, let p = x.baseAddress else { return }
        var h = 1
        if n >= 4 {
            // Stages 1 and 2 inside each group of four.
            var i = 0
            while i < n {
                let a = p[i], b = p[i + 1], c = p[i + 2], d = p[i + 3]
                let s0 = a + b, s1 = a - b, s2 = c + d, s3 = c - d
                p[i] = s0 + s2; p[i + 1] = s1 + s3; p[i + 2] = s0 - s2; p[i + 3] = s1 - s3
                i += 4
            }
            h = 4
        }
        let raw = UnsafeMutableRawPointer(p)
        while h * 4 <= n {
            var i = 0
            while i < n {
                var j = i
                while j < i + h {
                    let a = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD4<Float>.self)
                    let b = raw.loadUnaligned(fromByteOffset: 4 * (j + h), as: SIMD4<Float>.self)
                    let c = raw.loadUnaligned(fromByteOffset: 4 * (j + 2 * h), as: SIMD4<Float>.self)
                    let d = raw.loadUnaligned(fromByteOffset: 4 * (j + 3 * h), as: SIMD4<Float>.self)
                    let s0 = a + b, s1 = a - b, s2 = c + d, s3 = c - d
                    raw.storeBytes(of: s0 + s2, toByteOffset: 4 * j, as: SIMD4<Float>.self)
                    raw.storeBytes(of: s1 + s3, toByteOffset: 4 * (j + h), as: SIMD4<Float>.self)
                    raw.storeBytes(of: s0 - s2, toByteOffset: 4 * (j + 2 * h), as: SIMD4<Float>.self)
                    raw.storeBytes(of: s1 - s3, toByteOffset: 4 * (j + 3 * h), as: SIMD4<Float>.self)
                    j += 4
                }
                i += 4 * h
            }
            h *= 4
        }
        if h < n {
            if h >= 4 {
                var j = 0
                while j < h {
                    let a = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD4<Float>.self)
                    let b = raw.loadUnaligned(fromByteOffset: 4 * (j + h), as: SIMD4<Float>.self)
                    raw.storeBytes(of: a + b, toByteOffset: 4 * j, as: SIMD4<Float>.self)
                    raw.storeBytes(of: a - b, toByteOffset: 4 * (j + h), as: SIMD4<Float>.self)
                    j += 4
                }
            } else {
                for j in 0..<h {
                    let a = p[j], b = p[j + h]
                    p[j] = a + b
                    p[j + h] = a - b
                }
            }
        }
    }
}
