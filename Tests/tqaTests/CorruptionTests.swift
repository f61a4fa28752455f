import Testing
import TQAudio
import TQContainer
import TurboQuant

/// Damaged turbo streams: strict decoding throws a `ContainerError` and never hands out audio of
/// a damaged packet; salvage keeps every intact packet bit-exactly, fills what was lost with
/// silence (the frame count is kept) and reports it (docs/FORMAT.md, "Reading rules").
@Suite struct CorruptionTests {
    /// A small stream: 2 channels, 128 frames per packet, 6 packets (the last one short).
    static let small = try! TurboStream.make(frames: 700, channels: 2)

    /// Checks both decodes of `damaged`, where exactly the packets `lost` are expected to be lost.
    func check(_ s: TurboStream, _ damaged: [UInt8], lost: Set<Int>, salvageIsClean: Bool = false,
               _ context: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        // Strict: an error, and only audio of packets before the first damage.
        let strict = try decode(damaged, salvage: false)
        #expect(strict.error is ContainerError, "\(context): strict decode gave \(String(describing: strict.error))", sourceLocation: sourceLocation)
        let firstLost = lost.min().map { s.packetFrames[$0].first } ?? s.totalFrames
        #expect(strict.audio.frameCount <= firstLost, "\(context): strict decode emitted audio past the damage", sourceLocation: sourceLocation)
        #expect(strict.audio == s.clean.frames(0..<strict.audio.frameCount), "\(context): strict audio differs from the clean decode", sourceLocation: sourceLocation)
        #expect(!"\(strict.error.map { "\($0)" } ?? "")".isEmpty, sourceLocation: sourceLocation)

        // Salvage: the full length, intact packets bit-exact, lost ones silent, and a report.
        let salvage = try decode(damaged, salvage: true)
        #expect(salvage.error == nil, "\(context): salvage threw \(String(describing: salvage.error))", sourceLocation: sourceLocation)
        #expect(salvage.audio.frameCount == s.totalFrames, "\(context): salvage gave \(salvage.audio.frameCount) frames, expected \(s.totalFrames)", sourceLocation: sourceLocation)
        #expect(salvage.audio == s.expected(losing: lost), "\(context): salvage audio is not the intact packets plus silence", sourceLocation: sourceLocation)
        let lostFrames = lost.reduce(0) { $0 + s.packetFrames[$1].count }
        #expect(salvage.report.lostFrames == UInt64(lostFrames), "\(context): report says \(salvage.report.lostFrames) frames lost, expected \(lostFrames)", sourceLocation: sourceLocation)
        #expect(salvage.report.packetsDecoded == s.packetCount - lost.count, "\(context)", sourceLocation: sourceLocation)
        #expect(!salvage.report.isClean, "\(context): salvage reported a clean stream", sourceLocation: sourceLocation)
    }

    @Test func cleanStreamDecodesIdenticallyBothWays() throws {
        let s = Self.small
        #expect(s.packetCount == 6)
        let salvage = try decode(s.bytes, salvage: true)
        #expect(salvage.audio == s.clean)
        #expect(salvage.report.isClean)
        #expect(s.clean.frameCount == 700 && s.clean.channelCount == 2)
    }

    @Test func singleBitFlipInEveryByte() throws {
        let s = Self.small
        var rng = SplitMix64(seed: 0xF11B)
        for offset in s.header.encodedSize ..< s.bytes.count {
            let bit = Int.random(in: 0..<8, using: &rng)
            var b = s.bytes
            b[offset] ^= 1 << bit
            let k = s.packet(containing: offset)
            try check(s, b, lost: k.map { [$0] } ?? [], "seed \(rng.seed): bit \(bit) of byte \(offset)")
        }
    }

    @Test func headerDamageIsAClearError() throws {
        let s = Self.small
        for offset in 0 ..< s.header.encodedSize {
            var b = s.bytes
            b[offset] ^= 0x04
            #expect(throws: ContainerError.self, "byte \(offset)") { _ = try decode(b, salvage: true) }
        }
        do { _ = try TQAReader(bytes: Array(s.bytes.prefix(10))); Issue.record("a cut header was accepted") }
        catch let e as ContainerError { #expect(e == .truncatedHeader) }
    }

    @Test func randomBitFlipsInALargerStream() throws {
        let s = try TurboStream.make(frames: 20_000, channels: 3, bits: 6, block: 256, blocksPerPacket: 4, seed: 23)
        var rng = SplitMix64(seed: 0xB16F)
        for trial in 0..<40 {
            var b = s.bytes
            var lost = Set<Int>()
            let flips = Int.random(in: 1...3, using: &rng)
            for _ in 0..<flips {
                let offset = Int.random(in: s.header.encodedSize ..< s.packetStarts.last!, using: &rng)
                b[offset] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                lost.insert(s.packet(containing: offset)!)
            }
            try check(s, b, lost: lost, "seed \(rng.seed) trial \(trial)")
        }
    }

    @Test func truncationAtEveryPacketBoundary() throws {
        let s = Self.small
        for k in 0 ..< s.packetStarts.count {
            let cut = Array(s.bytes[..<s.packetStarts[k]])
            try check(s, cut, lost: Set(k ..< s.packetCount), "cut before packet \(k)")
            if case .truncated = try decode(cut, salvage: false).error as? ContainerError {} else {
                Issue.record("cut before packet \(k) is not reported as truncation")
            }
        }
        // Inside the end marker: every packet is intact.
        try check(s, Array(s.bytes.dropLast(7)), lost: [], "cut in the end marker")
    }

    @Test func truncationAtRandomOffsets() throws {
        let s = Self.small
        var rng = SplitMix64(seed: 0x7C07)
        for _ in 0..<60 {
            let at = Int.random(in: s.header.encodedSize ..< s.bytes.count, using: &rng)
            let k = s.packet(containing: at) ?? s.packetCount
            try check(s, Array(s.bytes[..<at]), lost: Set(k ..< s.packetCount), "seed \(rng.seed): cut at \(at)")
        }
    }

    @Test func trailingGarbage() throws {
        let s = Self.small
        var rng = SplitMix64(seed: 0x6A7B)
        for n in [1, 3, 20, 1000] {
            var garbage: [UInt8] = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if n == 1000 { garbage.replaceSubrange(10..<14, with: [0x54, 0x51, 0x41, 0x50]) }  // a fake sync inside
            let b = s.bytes + garbage
            let strict = try decode(b, salvage: false)
            #expect(strict.error as? ContainerError == .trailingGarbage(offset: s.bytes.count, count: n), "seed \(rng.seed), \(n) bytes")
            let salvage = try decode(b, salvage: true)
            #expect(salvage.audio == s.clean, "seed \(rng.seed), \(n) bytes")
            #expect(salvage.report.lostFrames == 0 && !salvage.report.isClean)
            if case .trailingGarbage = salvage.report.skipped.last?.error {} else { Issue.record("garbage not named in the report") }
        }
    }

    /// The stream rebuilt from its parts with the packets in `order`.
    func reordered(_ s: TurboStream, _ order: [Int]) -> [UInt8] {
        let parts = (0..<s.packetCount).map { Array(s.bytes[s.packetStarts[$0] ..< s.packetStarts[$0 + 1]]) }
        return Array(s.bytes[..<s.packetStarts[0]]) + order.flatMap { parts[$0] } + Array(s.bytes[s.packetStarts.last!...])
    }

    @Test func swappedPackets() throws {
        let s = Self.small
        for k in 0 ..< s.packetCount - 1 {
            var order = Array(0..<s.packetCount)
            order.swapAt(k, k + 1)
            let b = reordered(s, order)
            // Salvage keeps the later packet (it continues the timeline after a gap) and drops the
            // earlier one, which goes back in time.
            try check(s, b, lost: [k], "packets \(k) and \(k + 1) swapped")
            #expect(try decode(b, salvage: true).report.droppedPackets == 1)
        }
    }

    @Test func duplicatedPacket() throws {
        let s = Self.small
        for k in 0 ..< s.packetCount {
            var order = Array(0..<s.packetCount)
            order.insert(k, at: k + 1)
            let b = reordered(s, order)
            let strict = try decode(b, salvage: false)
            if case .outOfOrder = strict.error as? ContainerError {} else { Issue.record("duplicate \(k): \(String(describing: strict.error))") }
            #expect(strict.audio == s.clean.frames(0 ..< strict.audio.frameCount))
            let salvage = try decode(b, salvage: true)
            #expect(salvage.audio == s.clean, "duplicate \(k)")
            #expect(salvage.report.droppedPackets == 1 && salvage.report.lostFrames == 0)
        }
    }

    @Test func droppedPacket() throws {
        let s = Self.small
        for k in 0 ..< s.packetCount {
            let b = reordered(s, (0..<s.packetCount).filter { $0 != k })
            try check(s, b, lost: [k], "packet \(k) dropped")
        }
    }

    @Test func emptyAndGarbageInputs() throws {
        for bytes in [[], [0x54], Array("TQA".utf8), Array(repeating: UInt8(0), count: 100), Array("RIFF\0\0\0\0WAVE".utf8)] as [[UInt8]] {
            #expect(throws: ContainerError.self) { _ = try decode(bytes, salvage: true) }
        }
    }
}
