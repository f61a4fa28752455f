import ArgumentParser
import TQAudio
import TQContainer

/// A position given to `--skip` or `--until`, in flac's spelling: a sample count (`44100`), or a
/// time, `mm:ss.ss` (`1:02.5`), `hh:mm:ss.ss`, or seconds with an `s` (`62.5s`). `--until` also
/// takes `+POS` (that long after `--skip`) and `-POS` (that long before the end).
struct SpanPosition: ExpressibleByArgument, Equatable, CustomStringConvertible {
    enum Amount: Equatable {
        case samples(UInt64)
        case seconds(Double)
    }

    enum Anchor: Equatable {
        /// From the start of the stream.
        case start
        /// After the `--skip` position (`+`).
        case skip
        /// Before the end of the stream (`-`).
        case end
    }

    var amount: Amount
    var anchor: Anchor = .start
    let description: String

    init?(argument: String) {
        description = argument
        var text = Substring(argument)
        if let sign = text.first, sign == "+" || sign == "-" {
            anchor = sign == "+" ? .skip : .end
            text = text.dropFirst()
        }
        guard let amount = SpanPosition.parseAmount(text) else { return nil }
        self.amount = amount
    }

    static let syntax = "a sample count (44100), mm:ss.ss (1:02.5), hh:mm:ss.ss, or seconds with an s (62.5s)"

    private static func parseAmount(_ s: Substring) -> Amount? {
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":" || $0 == "." || $0 == "s") }) else { return nil }
        if s.allSatisfy(\.isNumber) { return UInt64(s).map { .samples($0) } }
        if s.last == "s" {
            guard let v = decimal(s.dropLast()) else { return nil }
            return .seconds(v)
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let seconds = decimal(parts.last!), seconds < 60 else { return nil }
        let whole = parts.dropLast().map { $0.allSatisfy(\.isNumber) && !$0.isEmpty ? Double($0) : nil }
        guard whole.allSatisfy({ $0 != nil }) else { return nil }
        if parts.count == 3 {
            guard whole[1]! < 60 else { return nil }
            return .seconds(whole[0]! * 3600 + whole[1]! * 60 + seconds)
        }
        return .seconds(whole[0]! * 60 + seconds)
    }

    /// Digits with at most one decimal point, at least one digit before it.
    private static func decimal(_ s: Substring) -> Double? {
        let pieces = s.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, !pieces[0].isEmpty, pieces.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
        return Double(s).flatMap { $0.isFinite ? $0 : nil }
    }

    /// Whether both count samples, or both time.
    func sameUnit(_ other: SpanPosition) -> Bool {
        switch (amount, other.amount) {
        case (.samples, .samples), (.seconds, .seconds): true
        default: false
        }
    }

    /// The amount in frames at `sampleRate`: a time is rounded to the nearest sample; beyond
    /// 2^62 frames, saturated (past the end of any stream).
    func frames(sampleRate: Int) -> UInt64 {
        switch amount {
        case .samples(let n): return n
        case .seconds(let s):
            let f = (s * Double(sampleRate)).rounded()
            return f < 0x1p62 ? UInt64(f) : 1 << 62
        }
    }
}

/// `--skip` and `--until`: a span of a stream, as flac takes them.
struct SpanOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start at this position: \(SpanPosition.syntax).", valueName: "pos"))
    var skip: SpanPosition?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop before this position (same forms as --skip; +POS: after --skip, -POS: before the end). Past the end: to the end.",
                               valueName: "pos"))
    var until: SpanPosition?

    var isSet: Bool { skip != nil || until != nil }

    func validate() throws {
        if let s = skip, s.anchor != .start {
            throw ValidationError("--skip \(s) must count from the start: \(SpanPosition.syntax)")
        }
        // Both given in the same unit from the start: compared now; otherwise once the rate is known.
        if let s = skip, let u = until, u.anchor == .start {
            switch (s.amount, u.amount) {
            case (.samples(let a), .samples(let b)) where b <= a: throw ValidationError(SpanOptions.emptyMessage(s, u))
            case (.seconds(let a), .seconds(let b)) where b <= a: throw ValidationError(SpanOptions.emptyMessage(s, u))
            default: break
            }
        }
        if let u = until, u.anchor == .skip, u.frames(sampleRate: 1) == 0, case .samples = u.amount {
            throw ValidationError("--until \(u) is an empty span")
        }
    }

    /// `tqa decode`'s options that a span cannot be combined with.
    func refuse(salvage: Bool, sourceRate: Bool) throws {
        guard isSet else { return }
        if salvage { throw ValidationError("--salvage decodes whole files; it cannot be combined with --skip/--until") }
        if sourceRate { throw ValidationError("--rate source cannot be combined with --skip/--until") }
    }

    /// A span that is empty for one of `inputs` (a .tqa file; `-` is left to the decode, which
    /// then fails with status 1) is a usage error: units that need the file's rate or length
    /// (`--skip 0:01 --until 100`, `--until -POS`) are resolved against its header here.
    func checkAgainst(inputs: [String]) throws {
        guard let u = until, u.anchor == .end || skip.map({ !$0.sameUnit(u) }) ?? false else { return }
        for path in inputs where path != StandardStream.dash {
            guard let h = try? TQAReader(path: path).header else { continue }
            _ = try frames(sampleRate: h.sampleRate, frameCount: h.frameCount == TQAHeader.unknownFrameCount ? nil : h.frameCount)
        }
    }

    static func emptyMessage(_ skip: SpanPosition, _ until: SpanPosition) -> String {
        "--until \(until) is not after --skip \(skip)"
    }

    /// The span in frames at `sampleRate`: `start ..< end`, `end` nil for the end of the stream.
    /// `frameCount` (the stream's, when known) is needed for `--until -POS` only. An empty or
    /// reversed span is a usage error (status 64).
    func frames(sampleRate: Int, frameCount: UInt64?) throws -> (start: UInt64, end: UInt64?) {
        let start = skip?.frames(sampleRate: sampleRate) ?? 0
        guard let u = until else { return (start, nil) }
        let n = u.frames(sampleRate: sampleRate)
        let end: UInt64
        switch u.anchor {
        case .start: end = n
        case .skip: end = start + n
        case .end:
            guard let total = frameCount else {
                throw CLIError("--until \(u) counts from the end, and the input does not declare its length")
            }
            end = total - min(total, n)
        }
        guard end > start else {
            throw ValidationError(skip.map { SpanOptions.emptyMessage($0, u) } ?? "--until \(u) is an empty span")
        }
        return (start, end)
    }

    /// The advice for a span that starts past the end.
    func pastEndMessage(_ input: String, frames: UInt64, sampleRate: Int) -> String {
        "--skip \(skip?.description ?? "0") is at or past the end of \(input) (\(frames) samples, "
            + "\(fmt(Double(frames) / Double(max(1, sampleRate)), 3)) s)"
    }
}

/// Cuts consecutive buffers of a stream to the frames `start ..< end` (`tqa compare` with a
/// span: both sides are read from their start and cut here).
struct FrameWindow {
    let start: UInt64
    let end: UInt64
    /// Frames of the stream seen so far.
    private(set) var position: UInt64 = 0

    init(start: UInt64, end: UInt64?) {
        self.start = start
        self.end = end ?? UInt64.max
    }

    var isDone: Bool { position >= end }

    /// The part of the next buffer inside the window (possibly empty).
    mutating func cut(_ b: AudioBuffer) -> AudioBuffer {
        let from = position, to = position + UInt64(b.frameCount)
        position = to
        let lo = max(from, start), hi = min(to, end)
        guard lo < hi else { return b.frames(0 ..< 0) }
        return lo == from && hi == to ? b : b.frames(Int(lo - from) ..< Int(hi - from))
    }
}

extension FrameWindow {
    /// The span of `span` in a WAV file of `format`; a span that starts past its end is an error.
    init(span: SpanOptions, reference: String, format: WAVFormat) throws {
        let known = format.frameCount.map { UInt64($0) }
        let (start, end) = try span.frames(sampleRate: format.sampleRate, frameCount: known)
        if let n = known, start > 0, start >= n {
            throw CLIError(span.pastEndMessage(reference, frames: n, sampleRate: format.sampleRate))
        }
        self.init(start: start, end: end)
    }

    /// The next non-empty piece of `read()`'s buffers inside `window` (all of them without one),
    /// or nil at the window's or the stream's end.
    static func read(_ window: inout FrameWindow?, _ read: () throws -> AudioBuffer?) throws -> AudioBuffer? {
        guard window != nil else { return try read() }
        while !window!.isDone {
            guard let b = try read() else { return nil }
            let piece = window!.cut(b)
            if piece.frameCount > 0 { return piece }
        }
        return nil
    }
}

extension SpanOptions {
    /// What `tqa decode --help` says about spans (README, "Seeking", says it at length).
    static let decodeDiscussion = """
        --skip and --until (flac's spelling) take a sample count (44100), mm:ss.ss (1:02.5), \
        hh:mm:ss.ss, or seconds with an s (62.5s); a time is rounded to the nearest sample. \
        --until +POS counts from --skip, --until -POS from the end; an --until past the end \
        stops at the end, a --skip at or past it is an error. Decoding starts at the packet \
        that holds --skip (sqcodec: the packet before it); the packets before are passed over \
        by their 24-byte headers, their payloads neither read (a file is seeked) nor \
        CRC-checked. The WAV holds exactly the span, and its samples are those of a full \
        decode: identical for turbo and spectral; for sqcodec, identical from the second packet \
        on and, measured on seeded random weights after a fresh context packet, identical for \
        6kbps, 3kbps and 1k5bps and within 66.9 dB SNR of the full decode for 0k75bps (README, \
        Seeking). Not with --salvage or --rate source.


        """
}
