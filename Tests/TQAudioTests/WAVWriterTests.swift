import Foundation
import Testing
@testable import TQAudio

@Suite struct WAVWriterTests {
    typealias B = WAVBytes

    @Test func exactBytesOfASmallStereoFile() {
        let buffer = AudioBuffer(sampleRate: 44100, channels: [[0.5, -1.0], [-0.25, 1.0]])
        let expected: [UInt8] = B.ascii("RIFF") + [44, 0, 0, 0] + B.ascii("WAVE")
            + B.ascii("fmt ") + [16, 0, 0, 0, 1, 0, 2, 0, 0x44, 0xAC, 0, 0, 0x10, 0xB1, 0x02, 0, 4, 0, 16, 0]
            + B.ascii("data") + [8, 0, 0, 0] + [0x00, 0x40, 0x00, 0xE0, 0x00, 0x80, 0xFF, 0x7F]
        #expect(WAVWriter.bytes(of: buffer, format: .s16) == expected)
    }

    @Test func exactBytesOfAStreamedFloatFile() throws {
        let path = temporaryPath("f32.wav")
        let w = try WAVWriter(path: path, sampleRate: 8000, channelCount: 1, sampleFormat: .f32)
        try w.write(AudioBuffer(sampleRate: 8000, channels: [[0.5]]))
        try w.write(AudioBuffer(sampleRate: 8000, channels: [[-2]]))
        try w.finish()
        let expected: [UInt8] = B.ascii("RIFF") + [94, 0, 0, 0] + B.ascii("WAVE")
            + B.ascii("JUNK") + [28, 0, 0, 0] + [UInt8](repeating: 0, count: 28)
            + B.ascii("fmt ") + [18, 0, 0, 0, 3, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x00, 0x7D, 0, 0, 4, 0, 32, 0, 0, 0]
            + B.ascii("fact") + [4, 0, 0, 0, 2, 0, 0, 0]
            + B.ascii("data") + [8, 0, 0, 0] + [0, 0, 0, 0x3F, 0, 0, 0, 0xC0]
        #expect(fileBytes(path) == expected)
        #expect(try WAVReader.readAll(path: path).samples == [0.5, -2])
    }

    @Test func oddDataSizeGetsAPadByte() throws {
        let path = temporaryPath("s24.wav")
        let w = try WAVWriter(path: path, sampleRate: 96000, channelCount: 1, sampleFormat: .s24)
        try w.write(AudioBuffer(sampleRate: 96000, channels: [[-1]]))
        try w.finish()
        let bytes = fileBytes(path)
        #expect(bytes.count == 84)
        #expect(Array(bytes[4..<8]) == [76, 0, 0, 0])
        #expect(Array(bytes[76..<84]) == [3, 0, 0, 0, 0x00, 0x00, 0x80, 0x00])
        #expect(WAVWriter.bytes(of: AudioBuffer(sampleRate: 96000, channels: [[-1]]), format: .s24).count == 48)
    }

    @Test func moreThanTwoChannelsUseExtensible() throws {
        let buffer = AudioBuffer(sampleRate: 48000, channelCount: 6, frameCount: 1)
        let bytes = WAVWriter.bytes(of: buffer, format: .s24)
        let fmt = B.fmtExtensible(subformat: 1, channels: 6, rate: 48000, bits: 24, mask: 0x3F)
        #expect(Array(bytes[12..<20]) == B.ascii("fmt ") + [40, 0, 0, 0])
        #expect(Array(bytes[20..<60]) == fmt)
        let r = try WAVReader(bytes: bytes)
        #expect(r.format == WAVFormat(sampleRate: 48000, channelCount: 6, sampleFormat: .s24, frameCount: 1, channelMask: 0x3F))
        let f32 = try WAVReader(bytes: WAVWriter.bytes(of: AudioBuffer(sampleRate: 8000, channelCount: 32, frameCount: 3), format: .f32))
        #expect(f32.format == WAVFormat(sampleRate: 8000, channelCount: 32, sampleFormat: .f32, frameCount: 3, channelMask: 0))
    }

    @Test func clipsAndRoundsToNearest() throws {
        let x: [Float] = [1, -1, 1.5, -2, .nan, 0.5 / 32768, -0.5 / 32768, 0.49 / 32768, 32766.5 / 32768, .infinity]
        let bytes = WAVWriter.bytes(of: AudioBuffer(sampleRate: 8000, channels: [x]), format: .s16)
        #expect(Array(bytes[44...]) == B.s16([32767, -32768, 32767, -32768, 0, 1, -1, 0, 32767, 32767]))
        let u8 = WAVWriter.bytes(of: AudioBuffer(sampleRate: 8000, channels: [[1, -1, 0, .nan, -0.5]]), format: .u8)
        #expect(Array(u8[44..<49]) == [255, 0, 128, 128, 64])
        let s24 = WAVWriter.bytes(of: AudioBuffer(sampleRate: 8000, channels: [[1, -1]]), format: .s24)
        #expect(Array(s24[44...]) == [0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x80])
    }

    @Test(arguments: SampleFormat.allCases)
    func roundTripsEveryFormatAndChannelCount(format: SampleFormat) throws {
        for channels in [1, 2, 6, 32] {
            let seed = UInt64(channels * 100 + Int(format.rawValue))
            let buffer = randomBuffer(channels: channels, frames: 257, sampleRate: 22050, seed: seed)
            let expected = buffer.samples.map { ReferenceCoding.quantize($0, format) }
            let decoded = try WAVReader.readAll(bytes: WAVWriter.bytes(of: buffer, format: format))
            #expect(decoded.channelCount == channels && decoded.frameCount == 257 && decoded.sampleRate == 22050, "seed \(seed)")
            #expect(decoded.samples == expected, "seed \(seed)")

            // The streaming writer, fed in random pieces, writes the same samples.
            var g = SplitMix64(seed: seed)
            let path = temporaryPath("rt.wav")
            let w = try WAVWriter(path: path, sampleRate: 22050, channelCount: channels, sampleFormat: format)
            var start = 0
            while start < 257 {
                let n = min(257 - start, Int.random(in: 1...100, using: &g))
                try w.write(buffer.frames(start ..< start + n))
                start += n
            }
            try w.finish()
            #expect(w.framesWritten == 257)
            #expect(try WAVReader.readAll(path: path) == decoded, "seed \(seed)")
        }
    }

    @Test func emptyFilesRoundTrip() throws {
        let empty = AudioBuffer(sampleRate: 44100, channelCount: 2, frameCount: 0)
        let r = try WAVReader(bytes: WAVWriter.bytes(of: empty, format: .s16))
        #expect(r.format.frameCount == 0)
        #expect(try r.read(maxFrames: 100) == nil)
        let path = temporaryPath("empty.wav")
        let w = try WAVWriter(path: path, sampleRate: 44100, channelCount: 2, sampleFormat: .f32)
        try w.finish()
        let fromFile = try WAVReader(path: path)
        #expect(fromFile.format.frameCount == 0)
        #expect(try fromFile.readAll() == empty)
    }

    @Test func existingOutputNeedsOverwrite() throws {
        let path = temporaryPath("exists.wav")
        try [1, 2, 3].write(to: path)
        let e = wavError { _ = try WAVWriter(path: path, sampleRate: 8000, channelCount: 1, sampleFormat: .s16) }
        #expect(e == .file(.exists(path: path)))
        #expect(e?.description == "\(path) exists", "the library states the fact; the CLI adds --force (Advice)")
        let w = try WAVWriter(path: path, sampleRate: 8000, channelCount: 1, sampleFormat: .s16, overwrite: true)
        try w.write(AudioBuffer(sampleRate: 8000, channels: [[0.25]]))
        #expect(fileBytes(path) == [1, 2, 3], "the destination is untouched until finish")
        try w.finish()
        #expect(try WAVReader.readAll(path: path).samples == [0.25])
    }

    @Test func abortLeavesNothing() throws {
        let path = temporaryPath("aborted.wav")
        let w = try WAVWriter(path: path, sampleRate: 8000, channelCount: 2, sampleFormat: .s16)
        try w.write(AudioBuffer(sampleRate: 8000, channelCount: 2, frameCount: 10))
        w.abort()
        #expect(!FileManager.default.fileExists(atPath: path))
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(name) })
    }

    @Test func invalidShapesAreRefused() {
        #expect(wavError { _ = try WAVWriter(path: temporaryPath("x.wav"), sampleRate: 8000, channelCount: 33, sampleFormat: .s16) }
            == .invalidChannelCount(33))
        #expect(wavError { _ = try WAVWriter(path: temporaryPath("x.wav"), sampleRate: 0, channelCount: 1, sampleFormat: .s16) }
            == .invalidSampleRate(0))
    }

    @Test func over4GiBTheHeaderBecomesRF64() throws {
        let frames = 600_000_000  // 4.8 GB of stereo f32
        let small = WAVWriter.header(sampleRate: 48000, channelCount: 2, format: .f32, frames: 10, reserveDS64: true)
        let big = WAVWriter.header(sampleRate: 48000, channelCount: 2, format: .f32, frames: frames, reserveDS64: true)
        #expect(big.count == small.count, "patchable in place")
        let dataBytes = frames * 8
        #expect(Array(big[0..<12]) == B.ascii("RF64") + [0xFF, 0xFF, 0xFF, 0xFF] + B.ascii("WAVE"))
        #expect(Array(big[12..<48]) == B.ascii("ds64") + B.le32(28) + B.le64(big.count - 8 + dataBytes) + B.le64(dataBytes)
            + B.le64(frames) + B.le32(0))
        #expect(Array(big[(big.count - 8)...]) == B.ascii("data") + [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(big[(big.count - 12)..<(big.count - 8)]) == [0xFF, 0xFF, 0xFF, 0xFF], "fact")
        // The reader takes the ds64 size and clips it to the bytes that are there.
        let r = try WAVReader(bytes: big + [UInt8](repeating: 0, count: 80))
        #expect(r.format.frameCount == 10)
        #expect(try r.readAll().frameCount == 10)
    }

    /// The branch-free s16 conversion equals the plain expression it replaced, `Int16(v ± ½)` of
    /// the clamped v = x·32768, on edge cases and many random floats; and 1, 2 and 3 channel
    /// files (the stereo loop and the general one) hold the same samples.
    @Test func s16ConversionMatchesTheReference() {
        func reference(_ x: Float) -> Int16 {
            var v = x * 32768
            v = v < -32768 ? -32768 : v
            v = v > 32767 ? 32767 : v
            v = v.isNaN ? 0 : v
            return Int16(v + (v < 0 ? -0.5 : 0.5))
        }
        var xs: [Float] = [0, -0.0, 1, -1, 2, -2, .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                           .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0.5 - 0x1p-25, -(0.5 - 0x1p-25)]
        for k in -40 ... 40 {
            let base = Float(k) / 32768
            for d: Float in [0, 0.5, -0.5, 0.25, 0.75] { xs.append(base + d / 32768) }
            xs.append((Float(k) + 0.5).nextDown / 32768); xs.append((Float(k) + 0.5).nextUp / 32768)
        }
        for k in [32766, 32767, 32768, 32769] {
            for d: Float in [0, 0.5, -0.5, 0.49, 0.51] { xs.append((Float(k) + d) / 32768); xs.append(-(Float(k) + d) / 32768) }
        }
        var rng = SplitMix64(seed: 5)
        for _ in 0 ..< 200_000 {
            let u = Float(rng.next() >> 40) / Float(1 << 24)
            xs.append((u * 2 - 1) * (rng.next() % 4 == 0 ? 1.5 : 1))
            xs.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())))
        }
        var bad = 0
        for x in xs where WAVSampleCoding.s16(x) != reference(x) {
            bad += 1
            if bad < 5 { Issue.record("s16(\(x)) = \(WAVSampleCoding.s16(x)), expected \(reference(x))") }
        }
        #expect(bad == 0)
        for channels in 1 ... 3 {
            let frames = xs.count / channels
            let planar = Array(xs.prefix(frames * channels))
            let bytes = WAVWriter.bytes(of: AudioBuffer(sampleRate: 8000, channelCount: channels, planar: planar), format: .s16)
            let header = bytes.count - frames * channels * 2 - (frames * channels * 2) & 1
            var mismatches = 0
            for f in 0 ..< frames {
                for c in 0 ..< channels {
                    let o = header + 2 * (f * channels + c)
                    let got = Int16(bitPattern: UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8)
                    if got != reference(planar[c * frames + f]) { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "\(channels) channels")
        }
    }
}
