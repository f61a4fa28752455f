import Foundation

/// An in-place complex fast Fourier transform of a power-of-two size, with split real and
/// imaginary arrays.
///
/// Forward: X[k] = Σ_{t=0}^{n-1} x[t]·e^{-2πi·tk/n} (unscaled). Inverse: x[t] = Σ_k X[k]·e^{+2πi·tk/n}
/// (also unscaled: `inverse(forward(x)) == n·x`). Iterative radix-2 decimation in time (Cooley &
/// Tukey 1965); n·log2(n)/2 butterflies. The first two stages run together in one pass over
/// groups of four; every later stage reads its twiddles from a contiguous per-stage table, so
/// its butterfly loop vectorizes.
///
/// A value type with immutable tables: share one instance between threads freely.
public struct FFT: Sendable {
    /// Number of complex points, a power of two ≥ 1.
    public let size: Int
    /// Per stage of half-width h (a power of two < n): entries [h, 2h) hold cos(2πj/(2h)) and
    /// −sin(2πj/(2h)) for j < h (the forward twiddles e^{−iπj/h}), in single precision.
    private let stageCos: [Float]
    private let stageSin: [Float]
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
        // Stage h uses twiddle k = j·n/(2h) of the full table.
        var sc = [Float](repeating: 0, count: max(2, size)), ss = [Float](repeating: 0, count: max(2, size))
        var h = 1
        while h < size {
            let stride = size / (2 * h)
            for j in 0 ..< h {
                sc[h + j] = c[j * stride]
                ss[h + j] = -s[j * stride]
            }
            h *= 2
        }
        stageCos = sc
        stageSin = ss
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
        transform(re: re, im: im, sign: 1)
    }

    /// (re, im) ← inverse DFT(re, im), unscaled (divide by `size` to invert `forward`).
    public func inverse(re: UnsafeMutableBufferPointer<Float>, im: UnsafeMutableBufferPointer<Float>) {
        transform(re: re, im: im, sign: -1)
    }

    /// Array convenience: the DFT of `re + i·im`.
    public func forward(re: [Float], im: [Float]) -> (re: [Float], im: [Float]) {
        precondition(re.count == size && im.count == size, "FFT input size mismatch")
        var r = re, i = im
        r.withUnsafeMutableBufferPointer { rp in i.withUnsafeMutableBufferPointer { ip in forward(re: rp, im: ip) } }
        return (r, i)
    }

    /// `sign` multiplies the stored (forward) sines: 1 forward, −1 inverse.
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
        stageCos.withUnsafeBufferPointer { ct in
            stageSin.withUnsafeBufferPointer { st in
                let c = ct.baseAddress!, s = st.baseAddress!
                if n == 2 {
                    let ar = xr[0], ai = xi[0], br = xr[1], bi = xi[1]
                    xr[0] = ar + br; xi[0] = ai + bi
                    xr[1] = ar - br; xi[1] = ai - bi
                    return
                }
                // Stages h = 1 and h = 2 in one pass over groups of four (same arithmetic as two
                // radix-2 passes; the h = 2 twiddle for j = 1 is the table's, not exactly −i).
                let w1r = c[3], w1i = sign * s[3]
                var g = 0
                while g < n {
                    let a0r = xr[g], a0i = xi[g], a1r = xr[g + 1], a1i = xi[g + 1]
                    let a2r = xr[g + 2], a2i = xi[g + 2], a3r = xr[g + 3], a3i = xi[g + 3]
                    let b0r = a0r + a1r, b0i = a0i + a1i, b1r = a0r - a1r, b1i = a0i - a1i
                    let b2r = a2r + a3r, b2i = a2i + a3i, b3r = a2r - a3r, b3i = a2i - a3i
                    // j = 0: twiddle (1, ±0).
                    let w0i = sign * s[2]
                    let t0r = b2r * c[2] - b2i * w0i, t0i = b2r * w0i + b2i * c[2]
                    xr[g] = b0r + t0r; xi[g] = b0i + t0i
                    xr[g + 2] = b0r - t0r; xi[g + 2] = b0i - t0i
                    let t1r = b3r * w1r - b3i * w1i, t1i = b3r * w1i + b3i * w1r
                    xr[g + 1] = b1r + t1r; xi[g + 1] = b1i + t1i
                    xr[g + 3] = b1r - t1r; xi[g + 3] = b1i - t1i
                    g += 4
                }
                var half = 4
                while half < n {
                    let wr = c + half, ws = s + half
                    var start = 0
                    while start < n {
                        let ar = xr + start, ai = xi + start, br = ar + half, bi = ai + half
                        for j in 0 ..< half {
                            let cr = wr[j], ci = sign * ws[j]
                            let pr = br[j], pi = bi[j], qr = ar[j], qi = ai[j]
                            let tr = pr * cr - pi * ci
                            let ti = pr * ci + pi * cr
                            br[j] = qr - tr; bi[j] = qi - ti
                            ar[j] = qr + tr; ai[j] = qi + ti
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
