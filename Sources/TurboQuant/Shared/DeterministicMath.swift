/// exp, log2, erf and the normal distribution from IEEE-754 basic operations (+ − × ÷) only, so
/// that results are identical on every machine (libm's transcendental functions are not). The
/// tables both TurboQuant codecs build at start-up come from here: the Lloyd–Max codebooks
/// (`LloydMaxCodebook`) and the spectral coefficient models (`GaussianModel`), which encoder and
/// decoder must agree on bit for bit.
enum DeterministicMath {
    static let ln2 = 0.6931471805599453
    static let invSqrt2Pi = 0.398_942_280_401_432_677_94

    /// e^x for finite x (Taylor series after reduction by powers of two).
    static func exp(_ x: Double) -> Double {
        if x < -700 { return 0 }
        if x > 700 { return Double.infinity }
        let k = (x / ln2).rounded(.toNearestOrEven)
        let r = x - k * ln2
        var term = 1.0, sum = 1.0
        for i in 1 ... 22 {
            term = term * r / Double(i)
            sum += term
        }
        return sum * exp2Integer(Int(k))
    }

    static func exp2Integer(_ k: Int) -> Double {
        Double(sign: .plus, exponent: k, significand: 1)
    }

    /// 2^x.
    static func exp2(_ x: Double) -> Double {
        let k = x.rounded(.down)
        return exp((x - k) * ln2) * exp2Integer(Int(k))
    }

    /// log2(x), x > 0 (atanh series on the mantissa).
    static func log2(_ x: Double) -> Double {
        guard x > 0 else { return -Double.infinity }
        let e = x.exponent
        var m = x.significand  // [1, 2)
        var adj = Double(e)
        if m > 1.4142135623730951 { m /= 2; adj += 1 }
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        var term = t, sum = 0.0
        var k = 1.0
        while k < 60 {
            sum += term / k
            term *= t2
            k += 2
        }
        return adj + 2 * sum / ln2
    }

    /// erf(x) for x ≥ 0: Maclaurin series below 2.5, continued fraction for erfc above.
    static func erf(_ x: Double) -> Double {
        if x.isInfinite { return 1 }
        if x < 2.5 {
            // erf x = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
            var sum = 0.0, term = x
            let x2 = x * x
            var n = 0
            while n < 80 {
                sum += term / Double(2 * n + 1)
                n += 1
                term = -term * x2 / Double(n)
            }
            return sum * 1.1283791670955126
        }
        return 1 - erfc(x)
    }

    /// erfc(x) = 1 − erf(x) for x ≥ 0: 1 − the series below 2.5, above it the continued
    /// fraction without the cancellation of 1 − erf (relative error ~1e-13 in the tail).
    static func erfc(_ x: Double) -> Double {
        if x < 2.5 { return 1 - erf(x) }
        if x > 27 { return 0 }
        // erfc x = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards.
        var f = x
        var k = 60
        while k >= 1 {
            f = x + (Double(k) / 2) / f
            k -= 1
        }
        return exp(-x * x) * 0.5641895835477563 / f
    }

    /// φ(x) = e^(−x²/2)/√(2π), the standard normal density.
    static func normalDensity(_ x: Double) -> Double { invSqrt2Pi * exp(-0.5 * x * x) }

    /// Q(x) = P(X > x) for X ~ N(0,1), to about 1e-16 relative: below 3 from the series
    /// Q(x) = ½ − φ(x)·Σ x^(2k+1)/(1·3·…·(2k+1)) (all terms positive, no cancellation; it stops
    /// when a term no longer counts), above from the continued fraction
    /// Q(x) = φ(x)/(x + 1/(x + 2/(x + 3/(x + …)))). Not ½·erfc(x/√2) through `erf`: its
    /// alternating series loses digits near 2.5, and the Lloyd–Max solver, which needs Q to
    /// 1e-14, then takes all of its iterations (16 ms more at the start of every turbo decode).
    static func normalTail(_ x: Double) -> Double {
        if x < 0 { return 1 - normalTail(-x) }
        if x < 3 {
            var term = x, sum = x, k = 1.0
            while term > 1e-18 * sum {
                term *= x * x / (2 * k + 1)
                sum += term
                k += 1
            }
            return 0.5 - normalDensity(x) * sum
        }
        var f = x
        var k = 80.0
        while k >= 1 {
            f = x + k / f
            k -= 1
        }
        return normalDensity(x) / f
    }

    /// P(a ≤ |Y| < b) for Y ~ N(0, σ²), 0 ≤ a ≤ b.
    static func foldedGaussian(from a: Double, to b: Double, sigma: Double) -> Double {
        let s = sigma * 1.4142135623730951
        return max(0, erf(b / s) - erf(a / s))
    }

    /// E[|Y|·1{a ≤ |Y| < b}] = 2σ(φ(a/σ) − φ(b/σ))·… for the folded density.
    static func gaussianFirstMoment(from a: Double, to b: Double, sigma: Double) -> Double {
        let c = 0.7978845608028654 * sigma  // 2σ/√(2π)
        let ea = exp(-(a * a) / (2 * sigma * sigma))
        let eb = b.isInfinite ? 0 : exp(-(b * b) / (2 * sigma * sigma))
        return c * (ea - eb)
    }

    /// E[Y²·1{a ≤ |Y| < b}] = σ²·P + 2σ/√(2π)·(a·e^{−a²/2σ²} − b·e^{−b²/2σ²}).
    static func gaussianSecondMoment(from a: Double, to b: Double, sigma: Double) -> Double {
        let p = foldedGaussian(from: a, to: b, sigma: sigma)
        let c = 0.7978845608028654 * sigma
        let ta = a * exp(-(a * a) / (2 * sigma * sigma))
        let tb = b.isInfinite ? 0 : b * exp(-(b * b) / (2 * sigma * sigma))
        return max(0, sigma * sigma * p + c * (ta - tb))
    }
}
