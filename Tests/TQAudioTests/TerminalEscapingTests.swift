import Testing
import TQAudio

/// `String.escapedForTerminal`: what a terminal would act on is made visible, the rest kept.
@Suite struct TerminalEscapingTests {
    @Test func controlCharactersBecomeVisible() {
        #expect("plain /tmp/a b.pt, ünïcödé ♪ \\ ok".escapedForTerminal == "plain /tmp/a b.pt, ünïcödé ♪ \\ ok")
        #expect("a\nb\rc\td".escapedForTerminal == #"a\nb\rc\td"#)
        #expect("\u{1B}[2K\u{07}\u{0}".escapedForTerminal == #"\u{1B}[2K\u{7}\u{0}"#)
        #expect("del\u{7F} c1\u{9B}31m csi".escapedForTerminal == #"del\u{7F} c1\u{9B}31m csi"#)
        #expect("ltr\u{202E}gpj.exe\u{2028}".escapedForTerminal == #"ltr\u{202E}gpj.exe\u{2028}"#)
        let s = "x\nwarning: all good\u{1B}[2K\u{1B}[1A\rINJECTED\u{07}".escapedForTerminal
        #expect(!s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }
}
