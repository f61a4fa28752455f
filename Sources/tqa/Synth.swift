import ArgumentParser
import TQAudio
import TurboQuant

/// Signal generator options shared by `synth` and `simulate`.
struct SynthOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case sine, square, noise, transient, chirp, hadamard, demo
    }

    @Option(name: [.short, .customLong("type")], help: "Signal: sine, square, noise, transient, chirp, hadamard, demo.")
    var type: Kind = .sine

    @Option(name: [.short, .customLong("frequency")], help: "Frequency in Hz (sine, square).")
    var frequency: Double = 440

    @Option(name: [.short, .customLong("duration")], help: "Duration in seconds.")
    var duration: Double = 2

    @Option(name: [.short, .customLong("spikes")], help: "Full-scale clicks to add at seeded random places.")
    var spikes: Int = 3

    @Option(name: [.short, .customLong("amplitude")], help: "Amplitude, full scale 1.")
    var amplitude: Double = 0.1

    @Option(name: [.customLong("sample-rate"), .customLong("sr")], help: "Sample rate in Hz.")
    var sampleRate: Int = 8000

    @Option(help: "Channels.")
    var channels: Int = 1

    func validate() throws {
        guard duration > 0, duration <= 24 * 3600 else { throw ValidationError("--duration must be in (0, 86400] seconds") }
        guard AudioLimits.sampleRates.contains(sampleRate) else { throw ValidationError("--sample-rate must be 1...\(AudioLimits.maxSampleRate)") }
        guard AudioLimits.channelCounts.contains(channels) else { throw ValidationError("--channels must be 1...\(AudioLimits.maxChannels)") }
        guard spikes >= 0 else { throw ValidationError("--spikes must be ≥ 0") }
        guard amplitude.isFinite, abs(amplitude) <= 1 else { throw ValidationError("--amplitude must be within ±1") }
        guard duration * Double(sampleRate) * Double(channels) <= 4e9 else { throw ValidationError("signal too long (over 4e9 samples)") }
    }

    /// The signal; `seed` drives the generator (hadamard: the rotation to line up with, of `block` samples).
    func make(seed synthSeed: UInt64, block synthBlock: Int) -> AudioBuffer {
        var o = SignalSynth.Options()
        o.frequency = frequency; o.duration = duration; o.amplitude = amplitude
        o.sampleRate = sampleRate; o.channels = channels; o.spikes = spikes; o.seed = synthSeed
        switch type {
        case .hadamard:
            let blocks = max(1, Int((duration * Double(sampleRate)).rounded()) / synthBlock)
            return TurboSynth.hadamardAligned(blockSize: synthBlock, blocks: blocks, sampleRate: sampleRate, channels: channels,
                                              seed: synthSeed, amplitude: Float(amplitude))
        case .sine: return SignalSynth.make(.sine, o)
        case .square: return SignalSynth.make(.square, o)
        case .noise: return SignalSynth.make(.noise, o)
        case .transient: return SignalSynth.make(.transient, o)
        case .chirp: return SignalSynth.make(.chirp, o)
        case .demo: return SignalSynth.make(.demo, o)
        }
    }
}

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a test signal as WAV.",
        discussion: """
            Examples:
              tqa synth --type sine --frequency 440 --duration 2 -o sine.wav
              tqa synth --type demo --duration 5 --channels 2 --format s24 -o demo.wav
              tqa synth --type hadamard --block 512 -o worst.wav
            """)

    @OptionGroup var signal: SynthOptions

    @Option(help: "Seed of the generator; for hadamard, the rotation seed to line up with (default: the codec's default seed).")
    var seed: UInt64 = TurboParameters.defaultSeed

    @Option(help: "hadamard: the block size to line up with.")
    var block: Int = 512

    @Option(name: .shortAndLong, help: "Output WAV.", completion: .file(extensions: ["wav"]))
    var output: String

    @Option(help: "Sample format: s16, s24, f32.")
    var format: String = "f32"

    @Flag(help: "Replace the output if it exists.")
    var force = false

    func validate() throws {
        guard ["s16", "s24", "f32"].contains(format) else { throw ValidationError("--format must be s16, s24 or f32") }
        guard (64...8192).contains(block), block & (block - 1) == 0 else { throw ValidationError("--block must be a power of two in 64...8192") }
    }

    func run() throws {
        let x = signal.make(seed: seed, block: block)
        let sf: SampleFormat = format == "s16" ? .s16 : format == "s24" ? .s24 : .f32
        try StandardStream.refuseTerminals(input: nil, output: output)
        let w = try WAVWriter(path: StandardStream.output(output), sampleRate: x.sampleRate, channelCount: x.channelCount, sampleFormat: sf, overwrite: force,
                              expectedFrames: x.frameCount)
        try w.write(x)
        try w.finish()
        StandardStream.report("\(output): \(signal.type.rawValue), \(x.frameCount) frames × \(x.channelCount) ch at \(x.sampleRate) Hz, \(sf)")
    }
}
