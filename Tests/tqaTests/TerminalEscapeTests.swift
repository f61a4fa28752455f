import Foundation
import Testing

/// Strings taken from files reach the terminal escaped: an error is one line, whatever a
/// hostile file names its tensors (issue 17).
@Suite struct TerminalEscapeTests {
    static let hostileName = "x\nwarning: all good\u{1B}[2K\u{1B}[1A\rINJECTED\u{07}"

    /// A `.safetensors` file whose one tensor has `name` and an integer dtype the loader refuses
    /// by name.
    static func safetensors(name: String) throws -> [UInt8] {
        let header = try JSONSerialization.data(withJSONObject: [name: ["dtype": "I64", "shape": [1], "data_offsets": [0, 8]]])
        var n = UInt64(header.count)
        var bytes: [UInt8] = []
        for _ in 0..<8 { bytes.append(UInt8(n & 0xFF)); n >>= 8 }
        return bytes + [UInt8](header) + [UInt8](repeating: 0, count: 8)
    }

    @Test func aHostileTensorNameStaysOnOneLine() throws {
        let dir = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("w"), withIntermediateDirectories: true)
        try writeBytes(try Self.safetensors(name: Self.hostileName), to: dir.file("w/quantizer.safetensors"))
        #expect(try CLI.run(["synth", "--type", "demo", "--duration", "0.2", "--sample-rate", "16000", "-o", dir.file("in.wav")]).status == 0)
        let r = try CLI.run(["encode", dir.file("in.wav"), "-o", dir.file("x.tqa"), "--codec", "sqcodec", "--model", "6kbps",
                             "--weights", dir.file("w")])
        #expect(r.status == 1 && !r.crashed)
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.hasSuffix("\n"))
        #expect(r.stderr.filter { $0 == "\n" }.count == 1, "stderr is not one line: \(r.stderr.debugDescription)")
        let controls = r.stderr.unicodeScalars.dropLast().filter { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        #expect(controls.isEmpty, "control characters in \(r.stderr.debugDescription)")
        // The name is shown, made visible.
        #expect(r.stderr.contains(#"x\nwarning: all good\u{1B}[2K\u{1B}[1A\rINJECTED\u{7}"#), "\(r.stderr.debugDescription)")
    }
}
