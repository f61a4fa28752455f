/// Codes one block of one channel with the classic TurboQuant scheme, and decodes it back.
///
/// Encoding x (n samples):
/// 1. r = R·x, the seeded randomized Hadamard rotation; for a block that R turns into a spike
///    (x lined up with a Walsh–Hadamard basis vector), the encoder may use R' = R₂·R, a second
///    rotation with other signs, and says so with one bit.
/// 2. μ = mean(r), σ = std(r − μ), both sent as binary16; the block is silent when σ ≤ 1e-6 and is
///    then sent as μ alone.
/// 3. z = (r − μ)/σ is quantized with the Lloyd–Max codebook for N(0,1): index i, level c_i.
/// 4. Residual layer: s = sign(z − c_i), sent as one bit per sample; ŝ = mean |z − c_i| (binary16).
/// Decoding: r̂ = (c_i ± ŝ)·σ + μ, x̂ = R⁻¹·r̂.
///
/// Bit layout of a block (MSB first): variant (1), μ (16), σ (16), then unless silent:
/// ŝ (16, with residual) and n symbols of `bits` (+1 residual sign, least significant) each.
struct TurboBlockCoder {
    let parameters: TurboParameters
    let codebook: LloydMaxCodebook
    let primary: HadamardRotation
    let secondary: HadamardRotation
    /// |z| above which the encoder also tries the secondary rotation.
    let spikeThreshold: Float

    static let silentStd: Float = 1e-6

    init(parameters: TurboParameters, seed: UInt64) {
        self.parameters = parameters
        codebook = .gaussian(bits: parameters.bits)
        primary = HadamardRotation(size: parameters.blockSize, seed: seed)
        secondary = HadamardRotation(size: parameters.blockSize, seed: seed ^ 0x5EC0_0D5E_C0DE_D00D)
        spikeThreshold = max(4.5, (codebook.levels.last ?? 1) * 1.25)
    }

    /// Scratch space reused across blocks; one per thread.
    struct Scratch {
        var r: [Float]
        var alt: [Float]
        var symbols: [UInt16]
        var altSymbols: [UInt16]
        init(_ n: Int) {
            r = .init(repeating: 0, count: n); alt = r
            symbols = .init(repeating: 0, count: n); altSymbols = symbols
        }
    }

    /// Side information and distortion of one candidate rotation.
    private struct Coded {
        var meanBits: UInt16 = 0
        var stdBits: UInt16 = 0
        var scaleBits: UInt16 = 0
        var silent = false
        /// max |z|.
        var peak: Float = 0
    }

    /// Appends the coded block `x` (n samples) to `out`.
    func encode(_ x: UnsafeBufferPointer<Float>, into out: inout BitWriter, scratch s: inout Scratch) {
        let n = parameters.blockSize
        precondition(x.count == n)
        var variant: UInt32 = 0
        s.r.withUnsafeMutableBufferPointer { r in
            primary.scaledSigns.withUnsafeBufferPointer { d in
                for i in 0..<n { r[i] = x[i] * d[i] }
            }
            Hadamard.transformUnscaled(r)
        }
        var coded = code(&s.r, into: &s.symbols)
        if !coded.silent && coded.peak > spikeThreshold {
            // Possibly a block lined up with a column of R: try R2·R and keep the better one.
            s.alt = s.r
            s.alt.withUnsafeMutableBufferPointer { secondary.rotate($0) }
            let other = code(&s.alt, into: &s.altSymbols)
            if other.silent || error(s.alt, s.altSymbols, other) < error(s.r, s.symbols, coded) {
                variant = 1
                coded = other
                swap(&s.symbols, &s.altSymbols)
            }
        }
        out.write(variant, width: 1)
        out.write(UInt32(coded.meanBits), width: 16)
        out.write(UInt32(coded.stdBits), width: 16)
        if coded.silent { return }
        if parameters.residual { out.write(UInt32(coded.scaleBits), width: 16) }
        s.symbols.withUnsafeBufferPointer { out.write($0, width: parameters.symbolWidth) }
    }

    /// Normalises rotated `r` and quantizes it into `symbols` (index, then residual sign);
    /// returns the side information. One pass for the moments, one for quantization.
    private func code(_ r: inout [Float], into symbols: inout [UInt16]) -> Coded {
        let n = parameters.blockSize
        var coded = Coded()
        var mean: Float = 0, std: Float = 0
        r.withUnsafeBufferPointer { r in
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            var i = 0
            while i < n { s0 += r[i]; s1 += r[i + 1]; s2 += r[i + 2]; s3 += r[i + 3]; i += 4 }
            mean = ((s0 + s1) + (s2 + s3)) / Float(n)
            var q0: Float = 0, q1: Float = 0, q2: Float = 0, q3: Float = 0
            i = 0
            while i < n {
                let a = r[i] - mean, b = r[i + 1] - mean, c = r[i + 2] - mean, d = r[i + 3] - mean
                q0 += a * a; q1 += b * b; q2 += c * c; q3 += d * d
                i += 4
            }
            std = (((q0 + q1) + (q2 + q3)) / Float(n)).squareRoot()
        }
        coded.meanBits = Half.bits(mean)
        let meanQ = Half.value(coded.meanBits)
        guard std > TurboBlockCoder.silentStd, Half.bits(std) != 0 else {
            coded.silent = true
            return coded
        }
        coded.stdBits = Half.bits(std)
        let inv = 1 / Half.value(coded.stdBits)
        let residual = parameters.residual
        var absSum: Float = 0, peak: Float = 0
        r.withUnsafeBufferPointer { r in
            symbols.withUnsafeMutableBufferPointer { sym in
                codebook.withLookup { lookup in
                    for i in 0..<n {
                        let z = (r[i] - meanQ) * inv
                        let k = lookup.index(z)
                        let e = z - lookup.levels[k]
                        absSum += abs(e)
                        peak = max(peak, abs(z))
                        sym[i] = residual ? UInt16(k << 1) | (e >= 0 ? 1 : 0) : UInt16(k)
                    }
                }
            }
        }
        coded.peak = peak
        coded.scaleBits = Half.bits(absSum / Float(n))
        return coded
    }

    /// Squared reconstruction error of a coded candidate, in the signal's units.
    private func error(_ r: [Float], _ symbols: [UInt16], _ coded: Coded) -> Float {
        var rec = [Float](repeating: 0, count: parameters.blockSize)
        rec.withUnsafeMutableBufferPointer { reconstruct(symbols, coded.meanBits, coded.stdBits, coded.scaleBits, into: $0) }
        var e: Float = 0
        for i in 0..<r.count { let d = r[i] - rec[i]; e += d * d }
        return e
    }

    /// r̂ from symbols and side information (rotated domain).
    private func reconstruct(_ symbols: [UInt16], _ meanBits: UInt16, _ stdBits: UInt16, _ scaleBits: UInt16,
                             into x: UnsafeMutableBufferPointer<Float>) {
        let n = parameters.blockSize
        let mean = Half.value(meanBits)
        if stdBits == 0 {
            for i in 0..<n { x[i] = mean }
            return
        }
        let std = Half.value(stdBits)
        let residual = parameters.residual
        let scale = residual ? Half.value(scaleBits) : 0
        // Symbols are read with exactly `symbolWidth` bits, so every index is within the codebook.
        codebook.levels.withUnsafeBufferPointer { c in
            symbols.withUnsafeBufferPointer { sym in
                if residual {
                    let step = 2 * scale * std, base = mean - scale * std
                    for i in 0..<n {
                        let v = sym[i]
                        // Branchless: the sign bit selects +s or −s.
                        x[i] = c[Int(v >> 1)] * std + (base + Float(v & 1) * step)
                    }
                } else {
                    for i in 0..<n { x[i] = c[Int(sym[i])] * std + mean }
                }
            }
        }
    }

    /// Decodes one block from `input` into `x` (n samples); `symbols` is scratch of n entries.
    /// Returns false when the side information is not finite (binary16 ∞ or NaN), which the
    /// encoder never writes: the block is then silence and the packet is to be rejected.
    @discardableResult
    func decode(from input: inout BitReader, into x: UnsafeMutableBufferPointer<Float>, symbols: inout [UInt16]) -> Bool {
        let variant = input.read(width: 1)
        let meanBits = UInt16(input.read(width: 16))
        let stdBits = UInt16(input.read(width: 16))
        var scaleBits: UInt16 = 0
        if stdBits != 0 {
            if parameters.residual { scaleBits = UInt16(input.read(width: 16)) }
            symbols.withUnsafeMutableBufferPointer { input.read(into: $0, width: parameters.symbolWidth) }
        }
        // Exponent all ones: ∞ or NaN.
        if [meanBits, stdBits, scaleBits].contains(where: { $0 & 0x7C00 == 0x7C00 }) {
            for i in 0..<x.count { x[i] = 0 }
            return false
        }
        reconstruct(symbols, meanBits, stdBits, scaleBits, into: x)
        if variant == 1 { secondary.unrotate(x) }
        primary.unrotate(x)
        return true
    }
}
