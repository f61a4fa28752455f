/// IEEE 754 binary16 conversion, round to nearest even, done by hand so that it is the same on
/// every platform (Swift's `Float16` is missing on some).
enum Half {
    /// The binary16 bits of `x` (overflow → ±∞, NaN → a quiet NaN).
    static func bits(_ x: Float) -> UInt16 {
        let f = x.bitPattern
        let sign = UInt16((f >> 16) & 0x8000)
        let exp = Int((f >> 23) & 0xFF)
        var mant = f & 0x7F_FFFF
        if exp == 0xFF { return sign | 0x7C00 | (mant != 0 ? 0x200 : 0) }
        var e = exp - 127 + 15
        if e >= 31 { return sign | 0x7C00 }
        if e <= 0 {
            if e < -10 { return sign }
            mant |= 0x80_0000
            let shift = UInt32(14 - e)
            let halfway: UInt32 = 1 << (shift - 1)
            var m = mant >> shift
            let rest = mant & ((1 << shift) - 1)
            if rest > halfway || (rest == halfway && m & 1 == 1) { m += 1 }
            return sign | UInt16(m)
        }
        var m = mant >> 13
        let rest = mant & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && m & 1 == 1) {
            m += 1
            if m == 0x400 { m = 0; e += 1; if e >= 31 { return sign | 0x7C00 } }
        }
        return sign | UInt16(e << 10) | UInt16(m)
    }

    /// The value of binary16 bits `h`.
    static func value(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            let v = Float(mant) * (1.0 / 16_777_216.0)  // 2^-24
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | mant << 13)
    }

    /// `x` rounded to the nearest binary16 value.
    static func round(_ x: Float) -> Float { value(bits(x)) }
}
