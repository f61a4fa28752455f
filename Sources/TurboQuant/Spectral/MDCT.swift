import Foundation
import TQAudio

/// The orthonormal modified discrete cosine transform of n coefficients over 2n samples
/// (Princen & Bradley 1986), computed as fold → DCT-IV → one complex FFT of n/2 points.
///
/// Forward: X[k] = √(2/n) Σ_{i<2n} x[i]·cos(π/n·(i + ½ + n/2)(k + ½)), x already windowed.
/// Inverse: y[i] = √(2/n) Σ_{k<n} X[k]·cos(π/n·(i + ½ + n/2)(k + ½)); windowing y with the same
/// window and overlap-adding consecutive blocks (hop n) reconstructs the input exactly when the
/// window halves meet the Princen–Bradley condition w[j]² + w[2h−1−j]² = 1 (`MDCTWindow`). With
/// that scaling the lapped transform is orthogonal: squared error in the coefficients equals
/// squared error of the reconstructed signal.
///
/// n is a power of two ≥ 4. Scratch for one call: n floats.
public struct MDCT: Sendable {
    public let size: Int
    private let fft: FFT
    /// e^{-iπ(t + 1/8)/n}·(2/n)^{1/4} for t < n/2 (pre- and post-twiddle share it).
    private let twr: [Float]
    private let twi: [Float]

    public init(size: Int) {
        precondition(size >= 4 && size & (size - 1) == 0, "MDCT size must be a power of two ≥ 4")
        self.size = size
        fft = FFT(size: size / 2)
        let scale = Foundation.pow(2 / Double(size), 0.25)
        var r = [Float](repeating: 0, count: size / 2), i = [Float](repeating: 0, count: size / 2)
        for t in 0 ..< size / 2 {
            let a = -Double.pi * (Double(t) + 0.125) / Double(size)
            r[t] = Float(Foundation.cos(a) * scale)
            i[t] = Float(Foundation.sin(a) * scale)
        }
        twr = r
        twi = i
    }

    /// out[0..<n] ← MDCT of x[0..<2n] (windowed). `scratch` holds n floats.
    public func forward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let n = size, h = n / 2
        // Fold (a, b, c, d) → (−c_r − d, a − b_r), written straight into DCT-IV input order.
        let v = out
        for i in 0 ..< h { v[i] = -x[3 * h - 1 - i] - x[3 * h + i] }
        for i in h ..< n { v[i] = x[i - h] - x[3 * h - 1 - i] }
        dct4(v, scratch: scratch)
    }

    /// out[0..<2n] ← inverse MDCT of X[0..<n] (not yet windowed). `scratch` holds n floats.
    public func inverse(_ X: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let n = size, h = n / 2
        let v = out + n  // second half of out as temporary; overwritten in a safe order below
        for k in 0 ..< n { v[k] = X[k] }
        dct4(v, scratch: scratch)
        // Unfold (transpose of the fold): y = (v2, −v2_r, −v1_r, −v1).
        // Write the first half from v (held in out[n..<2n]) before overwriting that region.
        for j in 0 ..< h { out[j] = v[j + h] }
        for j in h ..< n { out[j] = -v[3 * h - 1 - j] }
        // Remaining outputs depend on v[0..<h] = out[n..<n+h]; copy those to scratch first.
        for t in 0 ..< h { scratch[t] = v[t] }
        for j in n ..< 3 * h { out[j] = -scratch[3 * h - 1 - j] }
        for j in 3 * h ..< 2 * n { out[j] = -scratch[j - 3 * h] }
    }

    /// v ← DCT-IV(v)·√(2/n), in place: X[k] = √(2/n) Σ_j v[j]·cos(π/n·(j + ½)(k + ½)).
    private func dct4(_ v: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let n = size, m = n / 2
        let zr = scratch, zi = scratch + m
        twr.withUnsafeBufferPointer { wrb in
            twi.withUnsafeBufferPointer { wib in
                let wr = wrb.baseAddress!, wi = wib.baseAddress!
                for t in 0 ..< m {
                    let a = v[2 * t], b = v[n - 1 - 2 * t]
                    zr[t] = a * wr[t] - b * wi[t]
                    zi[t] = a * wi[t] + b * wr[t]
                }
                fft.forward(re: UnsafeMutableBufferPointer(start: zr, count: m), im: UnsafeMutableBufferPointer(start: zi, count: m))
                for p in 0 ..< m {
                    let yr = zr[p] * wr[p] - zi[p] * wi[p]
                    let yi = zr[p] * wi[p] + zi[p] * wr[p]
                    v[2 * p] = yr
                    v[n - 1 - 2 * p] = -yi
                }
            }
        }
    }
}

/// Window slopes for a lapped transform whose overlap may change from boundary to boundary
/// (Edler 1989, as in Vorbis): at a boundary between two blocks the window of each crosses over
/// with the same slope of half-width h ≤ min(n_left, n_right)/2; away from the slopes it is 0 or 1.
public enum MDCTWindow: UInt8, Sendable {
    /// w(j) = sin(π(j + ½)/(4h)).
    case sine = 0
    /// w(j) = sin(π/2·sin²(π(j + ½)/(4h))) (Vorbis I spec, §1.3.2): lower far-off leakage.
    case vorbis = 1

    /// The rising slope of half-width h: 2h values with w[j]² + w[2h−1−j]² = 1.
    public func slope(halfWidth h: Int) -> [Float] {
        (0 ..< 2 * h).map { j in
            let s = Foundation.sin(Double.pi * (Double(j) + 0.5) / Double(4 * h))
            switch self {
            case .sine: return Float(s)
            case .vorbis: return Float(Foundation.sin(Double.pi / 2 * s * s))
            }
        }
    }

    /// The window over a block's 2n samples, the block owning samples [n/2, 3n/2): rising with
    /// half-width `left` around n/2, falling with half-width `right` around 3n/2.
    public func block(size n: Int, left: Int, right: Int) -> [Float] {
        precondition(left >= 1 && right >= 1 && left <= n / 2 && right <= n / 2, "window slope wider than the block")
        var w = [Float](repeating: 0, count: 2 * n)
        let up = slope(halfWidth: left), down = slope(halfWidth: right)
        for j in 0 ..< 2 * left { w[n / 2 - left + j] = up[j] }
        for i in (n / 2 + left) ..< (3 * n / 2 - right) { w[i] = 1 }
        for j in 0 ..< 2 * right { w[3 * n / 2 - right + j] = down[2 * right - 1 - j] }
        return w
    }
}
