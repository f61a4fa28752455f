import ArgumentParser
import TQAudio
import TQContainer

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a signal, compress and decompress it in memory, report SNR and spike telemetry.",
        discussion: """
            Examples:
              tqa simulate --type noise --duration 1 --bits 3
              tqa simulate --type hadamard --spikes 4 --bits 4
              tqa simulate --type chirp --codec spectral --snr 40
            """)

    @OptionGroup var signal: SynthOptions
    @OptionGroup var codec: CodecOptions

    /// `--seed` and `--block` also shape the generated signal (`--type hadamard`), whatever the codec.
    func validate() throws { try codec.checkOptionsBelongToCodec(besides: ["--seed", "--block"]) }

    func run() throws {
        let x = signal.make(seed: codec.seed, block: codec.block)
        let encoder = try CodecRegistry.encoder(codec, sampleRate: x.sampleRate, channelCount: x.channelCount)
        let sink = MemorySink()
        let enc = try TQAStreamEncoder(encoder: encoder, sink: sink, sampleRate: x.sampleRate, channelCount: x.channelCount, sourceFormat: .f32)
        try enc.write(x)
        try enc.finish()
        let reader = try TQAReader(bytes: sink.bytes)
        let dec = TQAStreamDecoder(reader: reader, decoder: try CodecRegistry.decoder(reader.header, weights: codec.weights, threads: codec.threads))
        var y = AudioBuffer(sampleRate: reader.header.sampleRate, channelCount: x.channelCount, frameCount: 0)
        while let b = try dec.next() { y.append(b) }
        if y.sampleRate != x.sampleRate {
            // A codec that codes at another rate (sqcodec: its model's): back to the signal's for the comparison.
            y = Resampler(inputRate: y.sampleRate, outputRate: x.sampleRate)(y)
        }
        y.truncate(toFrames: x.frameCount)
        if y.frameCount < x.frameCount {
            var padded = y
            padded.append(AudioBuffer(sampleRate: x.sampleRate, channelCount: x.channelCount, frameCount: x.frameCount - y.frameCount))
            y = padded
        }
        let m = FidelityMetrics.compare(x, y)
        let samples = Double(max(1, x.frameCount * x.channelCount))
        print("signal      \(signal.type.rawValue), \(fmt(x.duration)) s, \(x.sampleRate) Hz, \(x.channelCount) ch, \(signal.spikes) spikes")
        print("codec       \(codec.summary)")
        print("size        \(x.samples.count * 4) bytes as f32 → \(sink.bytes.count) bytes (\(fmt(Double(sink.bytes.count) * 8 / samples, 3)) bits/sample)")
        print("MSE         \(String(format: "%.3e", m.mse))")
        print("SNR         \(fmt(m.snrDB)) dB")
        if signal.spikes > 0 {
            // The largest |x| samples of channel 0 are the spikes.
            let ch = Array(x.channel(0)), out = Array(y.channel(0))
            let top = ch.indices.sorted { abs(ch[$0]) > abs(ch[$1]) }.prefix(signal.spikes).sorted()
            print("spikes (original → reconstructed)")
            for i in top { print("  frame \(i): \(fmt(Double(ch[i]), 4)) → \(fmt(Double(out[i]), 4))") }
        }
    }
}
