import Foundation
import TQAudio

/// Errors of the codec itself (not of its checkpoint files).
public enum SQCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidConfiguration(name: String, reason: String)
    /// Token `index` (0-based) holds `value`, outside `0 ..< codebookSize`.
    case tokenOutOfRange(index: Int, value: Int32, codebookSize: Int)
    /// The compressed-transformer models decode whole blocks of `block` tokens only.
    case tokenCountNotBlockMultiple(count: Int, block: Int)
    /// No published model is called `name`.
    case unknownModel(name: String, known: [String])

    public var description: String {
        switch self {
        case .invalidConfiguration(let n, let r): "invalid SQCodec configuration \(n): \(r)"
        case .tokenOutOfRange(let i, let v, let s): "token \(i) is \(v), outside the codebook (0..<\(s))"
        case .tokenCountNotBlockMultiple(let c, let b): "\(c) tokens is not a multiple of the model's block of \(b) tokens"
        case .unknownModel(let n, let k): "unknown model \(n); the models are \(k.joined(separator: ", "))"
        }
    }
}

/// A model of the SQCodec backbone ready for inference: SQCodec (Zhai et al., "SQCodec", arXiv
/// 2504.04949; a port of the `sq-codec` 0.0.1 Python package) or, with a configuration of family
/// `.l3ac`, L3AC (`l3ac` 1.0, `L3ACModel`); float32, numerically matching the references.
///
///     encode: samples → right-pad to a multiple of fillLength → Encoder → TransformerEncoder
///             → Linear → FSQ (L3AC: SuperFSQ) → token indices
///     decode: token indices → codes → Linear → TransformerDecoder → Decoder → samples
///
/// Audio is mono at `configuration.sampleRate`, nominally in [−1, 1].
public struct SQCodecModel: Sendable {
    public let configuration: SQCodecConfiguration
    /// The parts this model was built with (`load(model:weightsDirectory:parts:)`).
    public let parts: Parts
    private let encoding: (encoder: Encoder, transformer: TransformerEncoder)?
    let quantizer: Quantizer<FamilyQuantizer>
    private let decoding: (transformer: TransformerDecoder, decoder: Decoder)?

    /// The halves of a model: encoding needs the encoder, the transformer encoder and the
    /// quantizer (modules `encoder`, `en_encoder`, `quantizer`); decoding the quantizer, the
    /// transformer decoder and the decoder (`quantizer`, `en_decoder`, `decoder`). A model built
    /// for one half reads and holds only its modules' weights.
    public struct Parts: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let encoding = Parts(rawValue: 1)
        public static let decoding = Parts(rawValue: 2)
        public static let all: Parts = [.encoding, .decoding]

        /// The modules of `moduleNames` these parts need, in load order.
        public var modules: [String] {
            SQCodecModel.moduleNames.filter { m in
                m == "quantizer" || (contains(.encoding) && (m == "encoder" || m == "en_encoder"))
                    || (contains(.decoding) && (m == "decoder" || m == "en_decoder"))
            }
        }
    }

    var encoder: Encoder { encodingParts.encoder }
    var transformerEncoder: TransformerEncoder { encodingParts.transformer }
    var transformerDecoder: TransformerDecoder { decodingParts.transformer }
    var decoder: Decoder { decodingParts.decoder }

    private var encodingParts: (encoder: Encoder, transformer: TransformerEncoder) {
        guard let encoding else { preconditionFailure("SQCodecModel: built without its encoding parts (Parts.encoding)") }
        return encoding
    }

    private var decodingParts: (transformer: TransformerDecoder, decoder: Decoder) {
        guard let decoding else { preconditionFailure("SQCodecModel: built without its decoding parts (Parts.decoding)") }
        return decoding
    }

    /// The five state dicts of a checkpoint, by module name, in load order.
    public static let moduleNames = ["encoder", "quantizer", "decoder", "en_encoder", "en_decoder"]

    /// Builds the model's `parts` from their tensors: `tensors[module][name]` for the modules of
    /// `parts.modules` (others are ignored), named as in the PyTorch state dicts (weight-norm
    /// pairs are folded here).
    /// - Throws: `SQCodecError.invalidConfiguration`, or `CheckpointError` naming any missing,
    ///   extra or mis-shaped tensor.
    public init(configuration: SQCodecConfiguration, tensors: [String: [String: StoredTensor]], parts: Parts = .all) throws {
        try self.init(configuration: configuration, tensors: tensors, parts: parts, synthesize: nil)
    }

    /// As `init(configuration:tensors:parts:)`, the layers of the convolutional and transformer
    /// halves built on up to `threads` threads (two at most: packing the weights is most of it).
    public init(configuration: SQCodecConfiguration, tensors: [String: [String: StoredTensor]], parts: Parts = .all,
                threads: Int) throws {
        try self.init(configuration: configuration, tensors: tensors, parts: parts, synthesize: nil, threads: threads)
    }

    /// `synthesize`, when given, makes every tensor the layers ask for (see `RandomWeights`);
    /// `made` receives the tensors of each module.
    init(configuration: SQCodecConfiguration, tensors: [String: [String: StoredTensor]], parts: Parts = .all,
         synthesize: ((String, String, [Int]) -> [Float])?, made: ((String, [String: StoredTensor]) -> Void)? = nil,
         threads: Int = 1) throws {
        if let problem = configuration.problem {
            throw SQCodecError.invalidConfiguration(name: configuration.name, reason: problem)
        }
        if let extra = tensors.keys.filter({ !Self.moduleNames.contains($0) }).sorted().first {
            throw CheckpointError.unexpectedTensor(extra)
        }
        func store(_ module: String) -> TensorStore {
            TensorStore(module: module, tensors: tensors[module] ?? [:], synthesize: synthesize.map { f in { f(module, $0, $1) } })
        }
        let c = configuration
        let stores = Dictionary(uniqueKeysWithValues: parts.modules.map { ($0, store($0)) })
        self.configuration = c
        self.parts = parts
        // The modules in `moduleNames` order, the order `RandomWeights` draws its values in; side
        // by side when there are threads and the tensors are given (packing weights is most of it).
        var encoder: Encoder?, quantizer: Quantizer<FamilyQuantizer>?, decoder: Decoder?
        var enEncoder: TransformerEncoder?, enDecoder: TransformerDecoder?
        let builders: [String: () throws -> Void] = [
            "encoder": { encoder = try Encoder(stores["encoder"]!.scope(""), configuration: c, eps: c.epsilon) },
            "quantizer": { quantizer = try Quantizer(stores["quantizer"]!.scope(""), featureDim: c.featureDim, quantizer: FamilyQuantizer(c)) },
            "decoder": { decoder = try Decoder(stores["decoder"]!.scope(""), configuration: c, eps: c.epsilon) },
            "en_encoder": { enEncoder = try TransformerEncoder(stores["en_encoder"]!.scope(""), configuration: c) },
            "en_decoder": { enDecoder = try TransformerDecoder(stores["en_decoder"]!.scope(""), configuration: c) },
        ]
        let modules = parts.modules
        var failures = [Error?](repeating: nil, count: modules.count)
        failures.withUnsafeMutableBufferPointer { f in
            let out = UncheckedBox(f.baseAddress!)
            parallelFor(count: modules.count, threads: synthesize == nil ? threads : 1) { i, _ in
                do { try builders[modules[i]]!() } catch { out.value[i] = error }
            }
        }
        if let error = failures.compactMap({ $0 }).first { throw error }
        self.quantizer = quantizer!
        self.encoding = parts.contains(.encoding) ? (encoder!, enEncoder!) : nil
        self.decoding = parts.contains(.decoding) ? (enDecoder!, decoder!) : nil
        for name in parts.modules {
            try stores[name]!.checkAllUsed()
            made?(name, stores[name]!.all)
        }
    }

    /// Loads the checkpoint in `directory`: for each module `parts` needs, `<module>.pt` (a
    /// `torch.save` state dict, as published) or else `<module>.safetensors`.
    /// - Throws: `CheckpointError.weightsNotFound` when the directory holds none of them, saying
    ///   where the published weights are; other `CheckpointError`s for damaged files.
    /// Files are read, and layers built, on up to `threads` threads.
    public init(configuration: SQCodecConfiguration, directory: URL, parts: Parts = .all, threads: Int = 1) throws {
        // Counted at most once, under a lock: the files are read on several threads.
        let lock = NSLock()
        var counts: [String: Int]??
        let tensors = try CheckpointDirectory.load(directory, model: configuration.name, origin: configuration.family.weightsOrigin,
                                                   modules: parts.modules, threads: threads,
                                                   parameters: { module in
            lock.withLock {
                if counts == nil { counts = .some(try? Self.parameterCounts(configuration)) }
                return counts!?[module]
            }
        })
        try self.init(configuration: configuration, tensors: tensors, parts: parts, threads: threads)
    }

    /// The number of values of each module's tensors, by module name (a weight-norm pair counted
    /// as its plain weight: the stored gains add one value per output channel). Found by
    /// building the model with zero weights, so it costs about as much as loading it;
    /// `CheckpointDirectory` asks only about files above `unverifiedFileSize`.
    static func parameterCounts(_ configuration: SQCodecConfiguration) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        _ = try SQCodecModel(configuration: configuration, tensors: [:], synthesize: { _, _, shape in
            [Float](repeating: 0, count: shape.reduce(1, *))
        }, made: { module, tensors in counts[module] = tensors.values.reduce(0) { $0 + $1.count } })
        return counts
    }

    /// The published model `name` (`"6kbps"`, …) with its weights from `weightsDirectory`, or
    /// from `defaultDirectory(for:)` when that is nil; `parts` says which halves to build
    /// (`tqa encode` loads `.encoding`, `tqa decode` `.decoding`), on up to `threads` threads.
    /// - Throws: `SQCodecError.unknownModel`, `CheckpointError.weightsNotFound` (saying where the
    ///   weights go and where they are published), or another `CheckpointError`.
    /// `family` picks SQCodec's models (the default) or L3AC's, which share names.
    public static func load(model name: String, family: ModelFamily = .sqcodec, weightsDirectory: URL? = nil,
                            parts: Parts = .all, threads: Int = 1) throws -> SQCodecModel {
        guard let configuration = family.named(name) else {
            throw SQCodecError.unknownModel(name: name, known: family.published.map(\.name))
        }
        return try SQCodecModel(configuration: configuration,
                                directory: weightsDirectory ?? defaultDirectory(for: configuration), parts: parts, threads: threads)
    }

    /// Where the Python package caches the weights of `configuration`:
    /// `~/.cache/sq_codec/<name>.v0/` (sq-codec), `~/.cache/l3ac/<name>.v1/` (l3ac).
    public static func defaultDirectory(for configuration: SQCodecConfiguration) -> URL {
        FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent("\(configuration.family.cacheDirectory)/\(configuration.tag)", isDirectory: true)
    }

    /// Whether this build's kernels use AVX2 and FMA instructions (Package.swift compiles SQCodec
    /// for Haswell-class x86-64 unless `TQA_PORTABLE` is set), so that callers can refuse to run
    /// them on an older CPU (`CPUFeatures.hasAVX2AndFMA`) instead of faulting.
    public static let needsAVX2AndFMA: Bool = {
        #if TQA_FMA
        true
        #else
        false
        #endif
    }()

    /// Blocks of `blockLength` samples per chunk in `encode` (about 20 s for the 6kbps model).
    public static let defaultChunkBlocks = 24

    /// Tokens for `samples` (mono, at the model's rate), as sq-codec's `SQCodec.encode_audio`
    /// computes them (L3AC: `L3AC.encode_audio`): the input is right-padded with zeros to a
    /// multiple of `fillLength` (`paddedLength`) and encoded, giving
    /// `configuration.tokenCount(samples:)` tokens.
    ///
    /// Inputs longer than `chunkBlocks` blocks are encoded in chunks of `chunkBlocks` blocks
    /// (`encodeBlocks`), so that memory stays bounded, with the same tokens as whole-input
    /// encoding (bar the sequence-wide GRN norm of near-silent input, whose factor
    /// ‖x‖/(‖x‖ + 1.2e-7) differs in the 7th digit between chunks).
    ///
    /// `threads` threads share the work of each layer; the tokens do not depend on it.
    public func encode(_ samples: [Float], chunkBlocks: Int = defaultChunkBlocks, threads: Int = 1) -> [Int32] {
        precondition(chunkBlocks >= 1, "encode: chunkBlocks must be positive")
        return Kernels.$threads.withValue(max(1, threads)) { encodeChunks(samples, chunkBlocks: chunkBlocks) }
    }

    private func encodeChunks(_ samples: [Float], chunkBlocks: Int) -> [Int32] {
        let block = configuration.blockLength
        var padded = samples
        padded += [Float](repeating: 0, count: configuration.paddedLength(samples.count) - samples.count)
        if padded.isEmpty { return [] }
        let blocks = (padded.count + block - 1) / block
        if blocks <= chunkBlocks { return encodeWhole(padded[...]) }
        var tokens: [Int32] = []
        tokens.reserveCapacity(configuration.tokenCount(samples: samples.count))
        var state = EncodingState()
        for core in stride(from: 0, to: blocks, by: chunkBlocks) {
            let coreEnd = min(blocks, core + chunkBlocks)
            let span = convolutionSpan(core: core ..< coreEnd, samples: padded.count)
            tokens += encodeBlocks(padded[span], firstSample: span.lowerBound, core: core ..< coreEnd, state: &state)
        }
        return tokens
    }

    /// Tokens for samples already padded (`paddedLength`), in one pass.
    func encodeWhole(_ padded: ArraySlice<Float>) -> [Int32] {
        let feature = encoder(Matrix(rows: 1, cols: padded.count, data: Array(padded)))
        return quantizer.indices(transformerEncoder(feature))
    }

    /// What `encodeBlocks` carries from one run of blocks to the next: the transformers' last
    /// window per layer, and the block where the next run must start.
    struct EncodingState: Sendable {
        var nextBlock = 0
        var history: [[Matrix]] = []
    }

    /// Samples of audio the convolutional encoder needs on each side of the samples it encodes:
    /// its reach (`Encoder.reach`, 392 samples for 6kbps) rounded up to whole feature frames
    /// (`Π compressRates` samples), so that a span starts on a frame of the whole input.
    public var encoderContextSamples: Int { encoder.contextSamples }

    /// The samples `encodeBlocks` needs for the blocks `core` of an input of `samples` samples
    /// (padded, `paddedLength`): `encoderContextSamples` more on each side, within the input.
    func convolutionSpan(core: Range<Int>, samples: Int) -> Range<Int> {
        let block = configuration.blockLength, context = encoderContextSamples
        return max(0, core.lowerBound * block - context) ..< min(samples, core.upperBound * block + context)
    }

    /// Tokens of the blocks `core` of a longer input, equal to those of encoding the whole input
    /// at once: `audio` holds the samples `firstSample ..< firstSample + audio.count` of the
    /// padded input (`convolutionSpan(core:samples:)`), and `state` what the call for the blocks
    /// before `core` left (a fresh state for block 0; the runs come in order). The convolutions
    /// see their context in `audio`; the transformers' look-back (one window per layer, a block)
    /// comes from `state` instead of being computed again from audio before `core`.
    ///
    /// In L3AC the last block may be short: when `audio` ends (the padded input's end) inside
    /// the last block of `core`, the block stops there.
    func encodeBlocks(_ audio: ArraySlice<Float>, firstSample: Int, core: Range<Int>, state: inout EncodingState) -> [Int32] {
        let block = configuration.blockLength, frame = configuration.compressRates.reduce(1, *)
        let end = min(core.upperBound * block, firstSample + audio.count)
        precondition(core.lowerBound == state.nextBlock, "encodeBlocks: blocks \(core) after block \(state.nextBlock)")
        precondition(firstSample % frame == 0 && audio.count % frame == 0 && firstSample <= core.lowerBound * block
                     && end > (core.upperBound - 1) * block && (end - core.lowerBound * block) % configuration.fillLength == 0,
                     "encodeBlocks: the audio does not cover the blocks \(core)")
        let feature = encoder(Matrix(rows: 1, cols: audio.count, data: Array(audio)))
        let first = (core.lowerBound * block - firstSample) / frame
        let own = feature.columns(first ..< first + (end - core.lowerBound * block) / frame)
        state.nextBlock = core.upperBound
        return quantizer.indices(transformerEncoder(own, history: &state.history))
    }

    /// Samples for `tokens`, at the model's rate: `tokens.count · hopLength` of them (cache tokens
    /// excepted); trim to the original length, which the tokens do not record.
    /// - Throws: `SQCodecError` for a token outside the codebook, or for a token count that is
    ///   not a whole number of blocks in models with cache tokens.
    ///
    /// `threads` threads share the work of each layer; the samples do not depend on it.
    public func decode(_ tokens: [Int32], threads: Int = 1) throws -> [Float] {
        try check(tokens[...])
        if tokens.isEmpty { return [] }
        return Kernels.$threads.withValue(max(1, threads)) {
            decoder(transformerDecoder(quantizer.features(tokens))).data
        }
    }

    /// Estimated peak memory, in bytes, that `decode` needs per token of a long sequence: the
    /// largest pair of whole-sequence matrices alive at once in the convolutional decoder (a
    /// stage's input and its upsampled output, `decoderDims[i] · f_i + decoderDims[i+1] · f_{i+1}`
    /// floats for `f_i` frames per token at stage `i`), or the transformer decoder's working set
    /// (taken as 8 matrices of `featureDim` per frame), whichever is larger, plus the samples
    /// (the result and the caller's copy). BENCHMARKS.md ("Whole-sequence decode") compares it
    /// with the measured growth of peak memory.
    public var wholeDecodeBytesPerToken: Int {
        let c = configuration
        var frames = [c.enCoderCompressRate]
        for r in c.decodeRates { frames.append(frames.last! * r) }
        var widest = 8 * c.featureDim * c.enCoderCompressRate
        for i in 0 ..< c.decodeRates.count - 1 {
            let input: Int = c.decoderDims[i] * frames[i]
            let output: Int = c.decoderDims[i + 1] * frames[i + 1]
            widest = max(widest, input + output)
        }
        let samples: Int = 2 * c.hopLength
        return 4 * (widest + samples) + 4
    }

    private func check(_ tokens: ArraySlice<Int32>) throws {
        let size = configuration.codebookSize
        if let bad = tokens.firstIndex(where: { $0 < 0 || Int($0) >= size }) {
            throw SQCodecError.tokenOutOfRange(index: bad - tokens.startIndex, value: tokens[bad], codebookSize: size)
        }
        if configuration.enCoderCacheSize > 0, tokens.count % configuration.tokensPerBlock != 0 {
            throw SQCodecError.tokenCountNotBlockMultiple(count: tokens.count, block: configuration.tokensPerBlock)
        }
    }

    /// What `decodeBlocks` carries from one run of blocks to the next: the transformer
    /// decoder's state, and the features of the last block, the convolutions' left context.
    struct DecodingState: Sendable {
        var nextBlock = 0
        var carry = TransformerDecoder.Carry()
        var lastFeatures: Matrix?
    }

    /// Samples of the blocks of tokens `core` (whole blocks, starting at block `firstBlock`; in
    /// L3AC the last may be short when `after` is empty, the sequence's end),
    /// decoded after the blocks `state` has seen (a fresh state, or one left at another block:
    /// the sequence starts at `core`), with `after`, the next block's tokens (empty at the end),
    /// as right context. The transformers' frames equal whole-sequence decoding; the
    /// convolutions see one block either side: the last block before `core` (from `state`) and
    /// `after`. Work per block is that of whole-sequence decoding but for the after block, whose
    /// transformer frames and convolutions are computed again with the next run.
    ///
    /// Close to decoding the whole sequence at once, not equal: the decoder's enhance blocks
    /// normalize over the span they see.
    func decodeBlocks(core: ArraySlice<Int32>, after: ArraySlice<Int32>, firstBlock: Int, state: inout DecodingState) throws -> [Float] {
        try check(core)
        try check(after)
        let per = configuration.tokensPerBlock
        let shortLast = configuration.family == .l3ac
        precondition((core.count % per == 0 || (shortLast && after.isEmpty)) && (after.count % per == 0 || shortLast),
                     "decodeBlocks: whole blocks only")
        if core.isEmpty { return [] }
        if state.nextBlock != firstBlock { state = DecodingState(nextBlock: firstBlock) }
        let (own, next) = transformerDecoder(core: quantizer.features(Array(core)), after: quantizer.features(Array(after)),
                                             carry: &state.carry)
        let framesPerBlock = own.cols * per / core.count
        let before = state.lastFeatures
        let input = Matrix.sideBySide([before, own, next.cols > 0 ? next : nil].compactMap { $0 })
        let audio = decoder(input).data
        let samplesPerFrame = audio.count / input.cols
        let skip = (before?.cols ?? 0) * samplesPerFrame
        state.lastFeatures = own.columns(max(0, own.cols - framesPerBlock) ..< own.cols)
        state.nextBlock = firstBlock + (core.count + per - 1) / per
        return Array(audio[skip ..< skip + own.cols * samplesPerFrame])
    }
}
