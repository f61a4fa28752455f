extension String {
    /// This string with every character that can move a terminal's cursor, erase, ring, switch
    /// its state or reorder text shown as a visible escape, so that text taken from a file prints
    /// as what it is and stays on one line:
    ///
    /// - `\n`, `\r`, `\t` become those two-character escapes;
    /// - other C0 controls (U+0000–U+001F, ESC included), DEL (U+007F), C1 controls
    ///   (U+0080–U+009F), the line and paragraph separators (U+2028, U+2029) and the
    ///   bidirectional controls (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) become `\u{XX}`
    ///   with the scalar's value in upper-case hexadecimal (ESC is `\u{1B}`).
    ///
    /// Everything else, backslashes included, is unchanged: the result is for reading, not for
    /// parsing back. A string without such characters is returned as is.
    public var escapedForTerminal: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 16)
        for s in unicodeScalars {
            switch s {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Self.needsEscape(s): out += "\\u{" + String(s.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
