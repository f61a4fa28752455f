/// The standard normal density and tail, computed with IEEE basic operations only (no libm),
/// so that every machine gets the same bits and therefore the same codebooks.
enum Gaussian {
    static let invSqrt2Pi = 0.398_942_280_401_432_677_94

    /// e^x for x ≤ 0 (x ≥ −745 returns a normal or subnormal result; below, 0).
    /// Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2, then a degree-16 Taylor polynomial.
    static func exp(_ x: Double) -> Double {
        if x < -745 { return 0 }
        if x == 0 { return 1 }
        let ln2Hi = 6.931_471_803_691_238_164_90e-01
        let ln2Lo = 1.908_214_929_270_587_700_02e-10
        let k = (x * 1.442_695_040_888_963_407_36).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo
        var p = 1.0
        var n = 16.0
        while n >= 1 {
            p = 1 + p * r / n
            n -= 1
        }
        // Scale by 2^k in two steps to stay within the normal range for intermediate values.
        let ki = Int(k)
        let half = ki / 2
        return p * Double(sign: .plus, exponent: half, significand: 1) * Double(sign: .plus, exponent: ki - half, significand: 1)
    }

    /// φ(x) = e^(−x²/2)/√(2π).
    static func pdf(_ x: Double) -> Double { invSqrt2Pi * exp(-0.5 * x * x) }

    /// Q(x) = P(X > x) for X ~ N(0,1).
    ///
    /// For |x| < 3: Q = ½ − φ(x)·Σ xⁿ⁺¹/(1·3·5⋯(2n+1)) over odd powers, a series of positive terms.
    /// For x ≥ 3: Laplace's continued fraction Q = φ(x)/(x + 1/(x + 2/(x + 3/(x + ⋯)))), 80 levels.
    static func tail(_ x: Double) -> Double {
        if x < 0 { return 1 - tail(-x) }
        if x < 3 {
            var term = x
            var sum = x
            var k = 1.0
            while term > 1e-18 * sum {
                term *= x * x / (2 * k + 1)
                sum += term
                k += 1
            }
            return 0.5 - pdf(x) * sum
        }
        var f = x
        var k = 80.0
        while k >= 1 {
            f = x + k / f
            k -= 1
        }
        return pdf(x) / f
    }
}
