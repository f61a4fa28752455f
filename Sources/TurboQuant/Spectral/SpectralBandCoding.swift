/// Entropy coding of one block's band scales and of one band's rotated coefficients, encoder and
/// decoder side by side (docs/SPECTRAL.md, "Frame"). Decoders never trust the stream: every value
/// is bounded, and a damaged stream sets a sticky flag instead of trapping.
enum ScaleCoding {
    /// Deltas −12…12 between neighbouring bands' scale indices, then an escape.
    static let deltaLimit = 12
    static let escape = 2 * deltaLimit + 1
    /// Raw bits of an absolute scale index (s − off ∈ 0…136; version 3: 0…191).
    static let absoluteBits = 8

    /// A fixed two-sided geometric table (ratio 5/8), integer arithmetic only.
    static let deltaCumulative = geometricTable(first: 3750, ratio64: 40, limit: deltaLimit, minimum: 4, escape: 16)

    /// Cumulative frequencies (total 2^15) of a two-sided geometric table over −limit…limit and
    /// an escape (index 2·limit + 1): f(±1) = `first`, f(±d) = ⌊f(±(d − 1))·ratio64/64⌋, each at
    /// least `minimum`, the escape `escape`, and f(0) the rest. Integer arithmetic only: every
    /// machine builds the same table. (Version 4's tables, `SideCoding`, are made here too.)
    static func geometricTable(first: Int, ratio64: Int, limit: Int, minimum: Int = 1, escape: Int = 32) -> [UInt32] {
        var f = [Int](repeating: 0, count: 2 * limit + 2)
        var v = first
        for d in 1 ... limit {
            f[limit + d] = max(v, minimum)
            f[limit - d] = max(v, minimum)
            v = v * ratio64 / 64
        }
        f[2 * limit + 1] = escape
        f[limit] = (1 << GaussianModel.totalBits) - f.reduce(0, +)
        precondition(f[limit] > 0)
        var cum: [UInt32] = [0]
        for x in f { cum.append(cum.last! + UInt32(x)) }
        return cum
    }

    /// Bits of the active-band count of a block with `bandCount` bands.
    static func countBits(_ bandCount: Int) -> Int { Int.bitWidth - bandCount.leadingZeroBitCount }

    /// Codes `active` (bands ≥ it are off) and scales[0..<active]; `off` is the "not coded" scale
    /// (`GaussianModel.off`, or `SpectralNoiseFill.off` in version 3).
    static func encode(_ scales: UnsafePointer<Int32>, bandCount: Int, active: Int, off: Int = GaussianModel.off, _ e: inout RangeEncoder) {
        e.encodeBits(UInt32(active), count: countBits(bandCount))
        guard active > 0 else { return }
        e.encodeBits(UInt32(Int(scales[0]) - off), count: absoluteBits)
        deltaCumulative.withUnsafeBufferPointer { cum in
            for b in 1 ..< active {
                let d = Int(scales[b] - scales[b - 1])
                let sym = abs(d) <= deltaLimit ? d + deltaLimit : escape
                e.encode(cumulative: cum[sym], frequency: cum[sym + 1] - cum[sym], totalBits: GaussianModel.totalBits)
                if sym == escape { e.encodeBits(UInt32(Int(scales[b]) - off), count: absoluteBits) }
            }
        }
    }

    /// Decodes the active count and scales[0..<bandCount] (off beyond `active`); returns active,
    /// or nil when a value is out of range.
    static func decode(_ scales: UnsafeMutablePointer<Int32>, bandCount: Int, off: Int = GaussianModel.off, _ d: inout RangeDecoder) -> Int? {
        let active = Int(d.decodeBits(count: countBits(bandCount)))
        guard active <= bandCount else { return nil }
        for b in 0 ..< bandCount { scales[b] = Int32(off) }
        guard active > 0 else { return 0 }
        var s = Int(d.decodeBits(count: absoluteBits)) + off
        guard s <= GaussianModel.maxScale else { return nil }
        scales[0] = Int32(s)
        let ok: Bool = deltaCumulative.withUnsafeBufferPointer { cum in
            for b in 1 ..< active {
                let sym = d.decode(cumulative: cum, totalBits: GaussianModel.totalBits)
                if sym == escape {
                    s = Int(d.decodeBits(count: absoluteBits)) + off
                } else {
                    s += sym - deltaLimit
                }
                guard s >= off && s <= GaussianModel.maxScale else { return false }
                scales[b] = Int32(s)
            }
            return true
        }
        return ok ? active : nil
    }
}

/// Uniform scalar quantization with deadzone and centroid reconstruction of a band's rotated
/// coefficients, coded with the band's `CoefficientModel`.
enum CoefficientCoding {
    /// Largest magnitude index coded (|y|/Δ is clamped below 2^40).
    static let maxMagnitude = Float(1 << 40)
    /// Raw bits giving the bit length of an escape's excess.
    static let lengthBits = 6

    /// Quantizes and codes y[0..<count]; returns Σ(y − ŷ)².
    ///
    /// Three passes over the band, each a tight loop: quantize (magnitudes, symbols and the
    /// error, no coder state live), the symbols on the two range-coder lanes in pairs (two
    /// independent chains), then the raw bits in coefficient order (only for bands that have
    /// any). The streams are the same as coding each coefficient in turn: the lanes are
    /// independent of each other and of the raw stream.
    @inline(__always)
    static func encode(_ y: UnsafePointer<Float>, count: Int, scale s: Int, step: Float, _ e: inout RangeEncoder) -> Float {
        guard count > 0 else { return 0 }
        let model = GaussianModel.model(scale: s)
        let k = model.shift, esc = model.escape, rho = model.rounding
        let inv = 1 / step
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { mags in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { syms in
                // Branch-free where the data is random (signs, zeros): the accumulators are the
                // closure's own locals (captured ones would live in memory), the sign is the
                // float's sign bit, and k = 0 and k > 0 get loops of their own.
                let (err, escapes) = model.centroids.withUnsafeBufferPointer { cen -> (Float, Bool) in
                    let cenP = cen.baseAddress!, centroidCount = cen.count
                    var err: Float = 0
                    var escapes = false
                    @inline(__always) func quantize(_ i: Int, _ symbol: (_ m: Int, _ h: Int, _ negative: Int) -> Int) {
                        let v = y[i]
                        let a = min(abs(v) * inv, maxMagnitude)
                        let m = Int(a + rho)
                        let high = m &>> k
                        let h = high < esc ? high : esc
                        escapes = escapes || h == esc
                        let negative = Int(v.bitPattern &>> 31)
                        mags[i] = m
                        syms[i] = Int32(truncatingIfNeeded: symbol(m, h, negative))
                        // centroids[0] = 0: m = 0 reconstructs to ±0 without a branch.
                        let mag = m < centroidCount ? cenP[m] : Float(m) + 0.5 - rho
                        let r = Float(bitPattern: (mag * step).bitPattern | (v.bitPattern & 0x8000_0000))
                        let d = v - r
                        err += d * d
                    }
                    if k == 0 {
                        // Symbol 0 for m = 0, else 2h − 1 + negative.
                        for i in 0 ..< count { quantize(i) { m, h, negative in (2 &* h &- 1 &+ negative) & (m == 0 ? 0 : -1) } }
                    } else {
                        for i in 0 ..< count { quantize(i) { _, h, negative in 2 &* h &+ negative } }
                    }
                    return (err, escapes)
                }
                // Moved into a local (swapped, not copied: a copy would share and then duplicate
                // the output buffers), so that the coder's state can live in registers.
                var enc = RangeEncoder()
                swap(&enc, &e)
                defer { swap(&enc, &e) }
                model.cumulative.withUnsafeBufferPointer { cum in
                    let cumP = cum.baseAddress!
                    // Even coefficients on range-coder lane 0, odd ones on lane 1.
                    var i = 0
                    while i + 1 < count {
                        let s0 = Int(syms[i]), s1 = Int(syms[i + 1])
                        enc.encode(cumulative: cumP[s0], frequency: cumP[s0 &+ 1] &- cumP[s0], totalBits: GaussianModel.totalBits)
                        enc.encodeSecond(cumulative: cumP[s1], frequency: cumP[s1 &+ 1] &- cumP[s1], totalBits: GaussianModel.totalBits)
                        i += 2
                    }
                    if i < count {
                        let s0 = Int(syms[i])
                        enc.encode(cumulative: cumP[s0], frequency: cumP[s0 &+ 1] &- cumP[s0], totalBits: GaussianModel.totalBits)
                    }
                }
                guard k > 0 || escapes else { return err }
                let mask = (1 << k) - 1
                for i in 0 ..< count {
                    let m = mags[i]
                    let high = m >> k
                    if high >= esc {
                        let x = UInt64(high - esc + 1)
                        let n = UInt64.bitWidth - x.leadingZeroBitCount
                        enc.encodeBits(UInt32(n), count: lengthBits)
                        enc.encodeWideBits(x, count: n - 1)
                    }
                    if k > 0 {
                        if k <= 16 { enc.encodeBits(UInt32(m & mask), count: k) } else { enc.encodeWideBits(UInt64(m & mask), count: k) }
                    }
                }
                return err
            }
        }
    }

    /// Decodes count coefficients into y; returns false on an out-of-range escape.
    ///
    /// Coefficients go in pairs, the even one's symbol from range-coder lane 0 and the odd one's
    /// from lane 1, so the two divisions and table look-ups overlap; then each one's raw bits in
    /// order. The common path has no data-dependent branch besides the look-up's (rarely taken)
    /// scan: sign and zero come out of the symbol arithmetically, the magnitude from the centroid
    /// table (centroids[0] = 0).
    @inline(__always)
    static func decode(_ y: UnsafeMutablePointer<Float>, count: Int, scale s: Int, step: Float, _ d: inout RangeDecoder) -> Bool {
        let model = GaussianModel.model(scale: s)
        let k = model.shift, esc = model.escape, rho = model.rounding
        let lutShift = UInt32(GaussianModel.totalBits - CoefficientModel.lookupBits)
        return model.cumulative.withUnsafeBufferPointer { cum in
            model.centroids.withUnsafeBufferPointer { cen in
                model.lookup.withUnsafeBufferPointer { lut in
                    let cumP = cum.baseAddress!, cenP = cen.baseAddress!, lutP = lut.baseAddress!
                    let centroidCount = cen.count
                    var dec = d
                    defer { d = dec }
                    @inline(__always) func symbol(_ second: Bool) -> Int {
                        let v = second ? dec.peekSecond(totalBits: GaussianModel.totalBits) : dec.peek(totalBits: GaussianModel.totalBits)
                        var sym = Int(lutP[Int(v >> lutShift)])
                        while cumP[sym &+ 1] <= v { sym &+= 1 }
                        if second {
                            dec.consumeSecond(cumulative: cumP[sym], frequency: cumP[sym &+ 1] &- cumP[sym])
                        } else {
                            dec.consume(cumulative: cumP[sym], frequency: cumP[sym &+ 1] &- cumP[sym])
                        }
                        return sym
                    }
                    // k = 0. Symbol 0: m = 0; else m = (sym + 1) >> 1, negative when sym is even.
                    @inline(__always) func direct(_ sym: Int) -> Float? {
                        var m = (sym + 1) >> 1
                        let signed = sym & 1 == 0 && sym != 0 ? -step : step
                        if m == esc {
                            guard let x = escapeExcess(&dec) else { return nil }
                            m = esc + x
                        }
                        let mag = m < centroidCount ? cenP[m] : Float(m) + 0.5 - rho
                        return mag * signed
                    }
                    // k > 0: h = sym >> 1, negative when sym is odd, then k raw low bits.
                    let wide = k > 16
                    @inline(__always) func split(_ sym: Int) -> Float? {
                        var high = sym >> 1
                        let signed = sym & 1 == 1 ? -step : step
                        if high == esc {
                            guard let x = escapeExcess(&dec) else { return nil }
                            high = esc + x
                        }
                        guard high <= (1 << 44) >> k else { return nil }
                        let low = wide ? Int(dec.decodeWideBits(count: k)) : Int(dec.decodeBits(count: k))
                        let m = (high << k) | low
                        // Centroids are [0] here: m ≥ 1 reconstructs at m + ½ − ρ.
                        return m == 0 ? 0 : (Float(m) + 0.5 - rho) * signed
                    }
                    var i = 0
                    if k == 0 {
                        while i + 1 < count {
                            let s0 = symbol(false), s1 = symbol(true)
                            guard let y0 = direct(s0), let y1 = direct(s1) else { return false }
                            y[i] = y0
                            y[i + 1] = y1
                            i += 2
                        }
                        if i < count {
                            guard let y0 = direct(symbol(false)) else { return false }
                            y[i] = y0
                        }
                    } else {
                        while i + 1 < count {
                            let s0 = symbol(false), s1 = symbol(true)
                            guard let y0 = split(s0), let y1 = split(s1) else { return false }
                            y[i] = y0
                            y[i + 1] = y1
                            i += 2
                        }
                        if i < count {
                            guard let y0 = split(symbol(false)) else { return false }
                            y[i] = y0
                        }
                    }
                    return true
                }
            }
        }
    }

    /// The excess x − 1 ≥ 0 of an escape (bit length n of x, then its n − 1 low bits); nil when
    /// out of range. Inlined: a call taking the decoder inout would keep its state in memory.
    @inline(__always)
    static func escapeExcess(_ d: inout RangeDecoder) -> Int? {
        let n = Int(d.decodeBits(count: lengthBits))
        guard n >= 1 && n <= 41 else { return nil }
        let x = (UInt64(1) << UInt64(n - 1)) | d.decodeWideBits(count: n - 1)
        return Int(x) - 1
    }
}
