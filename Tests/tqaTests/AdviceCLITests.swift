import Testing

/// The libraries state facts ("X exists"); the CLI words them with the option that acts on
/// them (`Advice`). The full text must stay what it was when the libraries carried the hint.
@Suite struct AdviceCLITests {
    @Test func existingOutputNamesForce() throws {
        let d = try ScratchDirectory()
        let out = d.file("s.wav")
        let first = try CLI.run(["synth", "-o", out, "-d", "0.05"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try CLI.run(["synth", "-o", out, "-d", "0.05"])
        #expect(again.status == 1)
        #expect(again.stderr == "error: \(out) exists; pass --force to replace it\n", "\(again.stderr)")
    }
}
