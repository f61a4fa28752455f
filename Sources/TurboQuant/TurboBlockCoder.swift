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
        var z: [Float]
        var idx: [UInt8]
        var altIdx: [UInt8]
        init(_ n: Int) {
            r = .init(repeating: 0, count: n); alt = r; z = r
            idx = .init(repeating: 0, count: n); altIdx = idx
        }
    }

    private struct Coded {
        var meanBits: UInt16 = 0
        var stdBits: UInt16 = 0
        var scaleBits: UInt16 = 0
        var silent = false
        var error: Float = 0
    }

    /// Appends the coded block `x` (n samples) to `out`.
    func encode(_ x: UnsafeBufferPointer<Float>, into out: inout BitWriter, scratch s: inout Scratch) {
        let n = parameters.blockSize
        precondition(x.count == n)
        var variant: UInt32 = 0
        var coded = Coded()
        s.r.withUnsafeMutableBufferPointer { r in
            for i in 0..<n { let v = x[i]; r[i] = v.isFinite ? v : 0 }
            primary.rotate(r)
        }
        var peak: Float = 0
        coded = quantize(&s.r, &s.idx, &s.z, peak: &peak)
        if !coded.silent && peak > spikeThreshold {
            s.alt = s.r
            // s.r was overwritten by nothing: quantize keeps r; rotate a copy further.
            s.alt.withUnsafeMutableBufferPointer { secondary.rotate($0) }
            var altPeak: Float = 0
            var altZ = s.z
            let other = quantize(&s.alt, &s.altIdx, &altZ, peak: &altPeak)
            let scaleA = Half.value(coded.stdBits), scaleB = Half.value(other.stdBits)
            if other.silent || other.error * scaleB * scaleB < coded.error * scaleA * scaleA {
                variant = 1
                coded = other
                swap(&s.idx, &s.altIdx)
                s.z = altZ
            }
        }
        out.write(variant, width: 1)
        out.write(UInt32(coded.meanBits), width: 16)
        out.write(UInt32(coded.stdBits), width: 16)
        if coded.silent { return }
        let residual = parameters.residual
        if residual { out.write(UInt32(coded.scaleBits), width: 16) }
        let width = parameters.symbolWidth
        s.idx.withUnsafeBufferPointer { idx in
            s.z.withUnsafeBufferPointer { z in
                codebook.levels.withUnsafeBufferPointer { c in
                    if residual {
                        for i in 0..<n {
                            let sign: UInt32 = z[i] >= c[Int(idx[i])] ? 1 : 0
                            out.write(UInt32(idx[i]) << 1 | sign, width: width)
                        }
                    } else {
                        for i in 0..<n { out.write(UInt32(idx[i]), width: width) }
                    }
                }
            }
        }
    }

    /// Normalises rotated `r` into `z`, quantizes into `idx`; returns side info and the squared
    /// error in the normalised domain (with the residual layer applied when enabled).
    private func quantize(_ r: inout [Float], _ idx: inout [UInt8], _ z: inout [Float], peak: inout Float) -> Coded {
        let n = parameters.blockSize
        var coded = Coded()
        var sum: Float = 0
        r.withUnsafeBufferPointer { r in for i in 0..<n { sum += r[i] } }
        let mean = sum / Float(n)
        var sq: Float = 0
        r.withUnsafeBufferPointer { r in for i in 0..<n { let d = r[i] - mean; sq += d * d } }
        let std = (sq / Float(n)).squareRoot()
        coded.meanBits = Half.bits(mean)
        let meanQ = Half.value(coded.meanBits)
        if !(std > TurboBlockCoder.silentStd) || Half.bits(std) == 0 {
            coded.silent = true
            coded.stdBits = 0
            return coded
        }
        coded.stdBits = Half.bits(std)
        let inv = 1 / Half.value(coded.stdBits)
        var p: Float = 0
        r.withUnsafeBufferPointer { r in
            z.withUnsafeMutableBufferPointer { z in
                for i in 0..<n { let v = (r[i] - meanQ) * inv; z[i] = v; p = max(p, abs(v)) }
            }
        }
        peak = p
        z.withUnsafeBufferPointer { z in idx.withUnsafeMutableBufferPointer { codebook.quantize(z, into: $0) } }
        var absSum: Float = 0
        z.withUnsafeBufferPointer { z in
            idx.withUnsafeBufferPointer { idx in
                codebook.levels.withUnsafeBufferPointer { c in
                    for i in 0..<n { absSum += abs(z[i] - c[Int(idx[i])]) }
                }
            }
        }
        let scale = absSum / Float(n)
        coded.scaleBits = Half.bits(scale)
        let scaleQ = parameters.residual ? Half.value(coded.scaleBits) : 0
        var err: Float = 0
        z.withUnsafeBufferPointer { z in
            idx.withUnsafeBufferPointer { idx in
                codebook.levels.withUnsafeBufferPointer { c in
                    for i in 0..<n {
                        let e = z[i] - c[Int(idx[i])]
                        let d = abs(e) - scaleQ
                        err += parameters.residual ? d * d : e * e
                    }
                }
            }
        }
        coded.error = err
        return coded
    }

    /// Decodes one block from `input` into `x` (n samples).
    func decode(from input: inout BitReader, into x: UnsafeMutableBufferPointer<Float>) {
        let n = parameters.blockSize
        let variant = input.read(width: 1)
        let mean = Half.value(UInt16(input.read(width: 16)))
        let stdBits = UInt16(input.read(width: 16))
        if stdBits == 0 {
            for i in 0..<n { x[i] = mean }
        } else {
            let std = Half.value(stdBits)
            let residual = parameters.residual
            let scale = residual ? Half.value(UInt16(input.read(width: 16))) : 0
            let width = parameters.symbolWidth
            codebook.levels.withUnsafeBufferPointer { c in
                let count = c.count
                for i in 0..<n {
                    let sym = input.read(width: width)
                    let level: Float
                    if residual {
                        let k = Int(sym >> 1)
                        level = (k < count ? c[k] : 0) + (sym & 1 == 1 ? scale : -scale)
                    } else {
                        level = Int(sym) < count ? c[Int(sym)] : 0
                    }
                    x[i] = level * std + mean
                }
            }
        }
        if variant == 1 { secondary.unrotate(x) }
        primary.unrotate(x)
    }
}
