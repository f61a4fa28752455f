/// The examples that end `tqa encode --help` and `tqa decode --help` (here rather than in
/// Encode.swift and Decode.swift, which keep their run logic). `HelpCLITests` runs every
/// example of every subcommand.
enum EncodeExamples {
    static let text = """


        Examples:
          tqa encode input.wav
          tqa encode a.wav b.wav --output-dir out --jobs 2 --codec spectral --snr 30
          tqa synth --type demo -o - | tqa encode - -o demo.tqa
        """
}

enum DecodeExamples {
    static let text = """
        Examples:
          tqa decode song.tqa -o decoded.wav
          tqa decode song.tqa -o part.wav --skip 0:00.25 --until 0:00.75 --format s24
          tqa decode --salvage damaged.tqa -o rescued.wav
        """
}
