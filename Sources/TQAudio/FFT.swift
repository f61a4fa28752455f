import Foundation

/// An in-place complex fast Fourier transform of a power-of-two size, with split real and
/// imaginary arrays.
///
/// Forward: X[k] = Σ_{t=0}^{n-1} x[t]·e^{-2πi·tk/n} (unscaled). Inverse: x[t] = Σ_k X[k]·e^{+2πi·tk/n}
/// (also unscaled: `inverse(forward(x)) == n·x`). Iterative radix-2 decimation in time with a
/// precomputed twiddle table (Cooley & Tukey 1965); n·log2(n)/2 butterflies.
///
/// A value type with immutable tables: share one instance between threads freely.
public struct FFT: Sendable {
    /// Number of complex points, a power of two ≥ 1.
    public let size: Int
    /// cos(2πk/n), sin(2πk/n) for k < n/2.
    private let cosTable: [Float]
    private let sinTable: [Float]
    /// Bit-reversal permutation as pairs (i, j), i < j.
    private let swaps: [(Int32, Int32)]

    public init(size: Int) {
        precondition(size >= 1 && size & (size - 1) == 0, "FFT size must be a power of two")
        self.size = size
        var c = [Float](repeating: 0, count: max(1, size / 2))
        var s = [Float](repeating: 0, count: max(1, size / 2))
        for k in 0 ..< size / 2 {
            let a = 2 * Double.pi * Double(k) / Double(size)
            c[k] = Float(Foundation.cos(a))
            s[k] = Float(Foundation.sin(a))
        }
        cosTable = c
        sinTable = s
        var sw: [(Int32, Int32)] = []
        let bits = size.trailingZeroBitCount
        for i in 0 ..< size {
            var j = 0
            for b in 0 ..< bits where i & (1 << b) != 0 { j |= 1 << (bits - 1 - b) }
            if i < j { sw.append((Int32(i), Int32(j))) }
        }
        swaps = sw
    }

    /// (re, im) ← DFT(re, im), unscaled. Both buffers hold `size` values.
    public func forward(re: UnsafeMutableBufferPointer<Float>, im: UnsafeMutableBufferPointer<Float>) {
        transform(re: re, im: im, sign: -1)
    }

    /// (re, im) ← inverse DFT(re, im), unscaled (divide by `size` to invert `forward`).
    public func inverse(re: UnsafeMutableBufferPointer<Float>, im: UnsafeMutableBufferPointer<Float>) {
        transform(re: re, im: im, sign: 1)
    }

    /// Array convenience: the DFT of `re + i·im`.
    public func forward(re: [Float], im: [Float]) -> (re: [Float], im: [Float]) {
        precondition(re.count == size && im.count == size, "FFT input size mismatch")
        var r = re, i = im
        r.withUnsafeMutableBufferPointer { rp in i.withUnsafeMutableBufferPointer { ip in forward(re: rp, im: ip) } }
        return (r, i)
    }

    private func transform(re: UnsafeMutableBufferPointer<Float>, im: UnsafeMutableBufferPointer<Float>, sign: Float) {
        precondition(re.count == size && im.count == size, "FFT buffer size mismatch")
        let n = size
        guard n > 1, let xr = re.baseAddress, let xi = im.baseAddress else { return }
        swaps.withUnsafeBufferPointer { sw in
            for (a, b) in sw {
                let i = Int(a), j = Int(b)
                let tr = xr[i]; xr[i] = xr[j]; xr[j] = tr
                let ti = xi[i]; xi[i] = xi[j]; xi[j] = ti
            }
        }
        cosTable.withUnsafeBufferPointer { ct in
            sinTable.withUnsafeBufferPointer { st in
                let c = ct.baseAddress!, s = st.baseAddress!
                // Length-2 butterflies need no twiddles.
                var i = 0
                while i < n {
                    let ar = xr[i], ai = xi[i], br = xr[i + 1], bi = xi[i + 1]
                    xr[i] = ar + br; xi[i] = ai + bi
                    xr[i + 1] = ar - br; xi[i + 1] = ai - bi
                    i += 2
                }
                var half = 2
                while half < n {
                    let stride = n / (2 * half)
                    var start = 0
                    while start < n {
                        var k = 0
                        for j in start ..< start + half {
                            let wr = c[k], wi = sign * s[k]
                            let p = j + half
                            let tr = xr[p] * wr - xi[p] * wi
                            let ti = xr[p] * wi + xi[p] * wr
                            xr[p] = xr[j] - tr; xi[p] = xi[j] - ti
                            xr[j] += tr; xi[j] += ti
                            k += stride
                        }
                        start += 2 * half
                    }
                    half *= 2
                }
            }
        }
    }
}

/// The DFT of a real sequence of power-of-two length n ≥ 2 through one complex FFT of n/2 points.
///
/// Returns bins 0…n/2 (n/2 + 1 values): X[k] = Σ_t x[t]·e^{-2πi·tk/n}, unscaled. Bins above n/2
/// are the conjugates of these (Hermitian symmetry).
public struct RealFFT: Sendable {
    public let size: Int
    private let half: FFT
    private let cosTable: [Float]
    private let sinTable: [Float]

    public init(size: Int) {
        precondition(size >= 2 && size & (size - 1) == 0, "real FFT size must be a power of two ≥ 2")
        self.size = size
        half = FFT(size: size / 2)
        cosTable = (0 ..< size / 2).map { Float(Foundation.cos(2 * Double.pi * Double($0) / Double(size))) }
        sinTable = (0 ..< size / 2).map { Float(Foundation.sin(2 * Double.pi * Double($0) / Double(size))) }
    }

    /// The spectrum of `x` (`x.count == size`): `re` and `im` of n/2 + 1 bins.
    public func forward(_ x: [Float]) -> (re: [Float], im: [Float]) {
        precondition(x.count == size, "real FFT input size mismatch")
        let m = size / 2
        var zr = [Float](repeating: 0, count: m), zi = [Float](repeating: 0, count: m)
        for t in 0 ..< m { zr[t] = x[2 * t]; zi[t] = x[2 * t + 1] }
        zr.withUnsafeMutableBufferPointer { r in zi.withUnsafeMutableBufferPointer { i in half.forward(re: r, im: i) } }
        var outR = [Float](repeating: 0, count: m + 1), outI = [Float](repeating: 0, count: m + 1)
        // Z[k] = E[k] + i·O[k]; E[k] = (Z[k] + conj Z[m-k])/2, O[k] = (Z[k] - conj Z[m-k])/(2i).
        for k in 0 ... m {
            let a = k % m, b = (m - k) % m
            let er = 0.5 * (zr[a] + zr[b]), ei = 0.5 * (zi[a] - zi[b])
            let or = 0.5 * (zi[a] + zi[b]), oi = -0.5 * (zr[a] - zr[b])
            let wr: Float = k < m ? cosTable[k] : -1, wi: Float = k < m ? -sinTable[k] : 0
            outR[k] = er + (or * wr - oi * wi)
            outI[k] = ei + (or * wi + oi * wr)
        }
        return (outR, outI)
    }

    /// |X[k]|² for k = 0…n/2.
    public func powerSpectrum(_ x: [Float]) -> [Float] {
        let (r, i) = forward(x)
        return zip(r, i).map { $0 * $0 + $1 * $1 }
    }
}
