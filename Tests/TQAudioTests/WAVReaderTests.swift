import Foundation
import Testing
@testable import TQAudio

@Suite struct WAVReaderTests {
    typealias B = WAVBytes
    /// Stereo s16 frames (1000, −1000), (32767, −32768).
    let samples = B.s16([1000, -1000, 32767, -32768])
    let expected: [Float] = [1000 / 32768, 32767 / 32768, -1000 / 32768, -1]

    func stereo(_ bytes: [UInt8]) throws -> (WAVFormat, AudioBuffer) {
        let r = try WAVReader(bytes: bytes)
        return (r.format, try r.readAll())
    }

    @Test func canonicalPCMWithoutCbSize() throws {
        let (f, b) = try stereo(B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 44100, bits: 16)), B.chunk("data", samples)))
        #expect(f == WAVFormat(sampleRate: 44100, channelCount: 2, sampleFormat: .s16, frameCount: 2))
        #expect(b.samples == expected)
        #expect(b.sampleRate == 44100 && b.channelCount == 2)
    }

    @Test func oddChunksWithPadAndListBeforeAndAfterData() throws {
        let list = B.chunk("LIST", B.ascii("INFOISFT") + B.le32(5) + B.ascii("tqa!!"))  // odd body, pad byte
        let junk = B.chunk("zzzz", [1, 2, 3])
        let bytes = B.riff(junk, B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16, cbSize: 0)), list,
                           B.chunk("data", samples), list, B.chunk("cue ", [9]))
        let (f, b) = try stereo(bytes)
        #expect(f.frameCount == 2)
        #expect(b.samples == expected)
    }

    @Test(arguments: [0, 0xFFFF_FFFF])
    func streamingWriterDataSizeReadsToEnd(size: Int) throws {
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)), B.chunk("data", samples, declaredSize: size),
                           riffSize: size)
        let (f, b) = try stereo(bytes)
        #expect(f.frameCount == nil)
        #expect(b.samples == expected)
    }

    @Test func dataLargerThanFileReadsWhatIsThere() throws {
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)), B.chunk("data", samples, declaredSize: 0x7FFF_0000))
        let (f, b) = try stereo(bytes)
        #expect(f.frameCount == 2)
        #expect(b.samples == expected)
    }

    @Test func truncatedLastFrameIsDropped() throws {
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)), B.chunk("data", samples + [1, 2, 3], pad: false))
        let (f, b) = try stereo(bytes)
        #expect(f.frameCount == 2)
        #expect(b.samples == expected)
        // The same with an unknown size.
        let open = B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)), B.chunk("data", samples + [1, 2, 3], declaredSize: 0, pad: false))
        #expect(try stereo(open).1.samples == expected)
    }

    @Test func forgedSizesAllocateNothing() throws {
        // A fmt chunk claiming 2 GB: at most 64 bytes of it are ever buffered.
        let hugeFmt = B.riff(B.ascii("fmt ") + B.le32(0x7FFF_FFF0) + B.fmt(channels: 2, rate: 8000, bits: 16) + B.chunk("data", samples))
        #expect(wavError { _ = try WAVReader(bytes: hugeFmt) } == .truncated(chunk: "fmt "))
        let hugeFmtLong = B.riff(B.ascii("fmt ") + B.le32(0x7FFF_FFF0) + B.fmt(channels: 2, rate: 8000, bits: 16)
            + B.chunk("data", [UInt8](repeating: 0, count: 100)))
        #expect(wavError { _ = try WAVReader(bytes: hugeFmtLong) } == .missingDataChunk)
        // A LIST chunk claiming 4 GB before fmt.
        let hugeList = B.riff(B.ascii("LIST") + B.le32(0xFFFF_FFFF) + B.ascii("INFO"))
        #expect(wavError { _ = try WAVReader(bytes: hugeList) } == .missingFormatChunk)
        // 32 channels of f64 and a 4 GB data size: the frame count is what the file holds.
        let big = B.riff(B.chunk("fmt ", B.fmt(tag: 3, channels: 32, rate: 768_000, bits: 64)),
                         B.ascii("data") + B.le32(0xFFFF_FFFE) + [UInt8](repeating: 0, count: 256 * 3 + 5))
        let r = try WAVReader(bytes: big)
        #expect(r.format.frameCount == 3)
        #expect(try r.readAll().frameCount == 3)
    }

    @Test func pipeWithForgedDataSizeReadsWhatArrives() throws {
        // From a pipe the size of the input is unknown, so the declared 2 GB cannot be checked.
        let fifo = temporaryPath("pipe.wav")
        #expect(mkfifo(fifo, 0o600) == 0)
        let bytes = B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)), B.chunk("data", samples, declaredSize: 0x7FFF_FFF0))
        let writer = Thread {
            let h = FileHandle(forWritingAtPath: fifo)!
            h.write(Data(bytes))
            try? h.close()
        }
        writer.start()
        let r = try WAVReader(path: fifo)
        #expect(r.format.frameCount == 0x7FFF_FFF0 / 4, "declared, unverifiable")
        #expect(try r.readAll().samples == expected)
    }

    @Test func rf64UsesDS64DataSize() throws {
        let ds64 = B.chunk("ds64", B.le64(0) + B.le64(8) + B.le64(2) + B.le32(0))
        let bytes = B.riff(ds64, B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)),
                           B.chunk("data", samples, declaredSize: 0xFFFF_FFFF), B.chunk("LIST", [1, 2, 3, 4]),
                           riffSize: 0xFFFF_FFFF, magic: "RF64")
        let (f, b) = try stereo(bytes)
        #expect(f.frameCount == 2)
        #expect(b.samples == expected)
    }

    @Test func everySampleFormatDecodesExactly() throws {
        let u8 = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 1, bits: 8)), B.chunk("data", [0, 128, 255]))
        #expect(try WAVReader.readAll(bytes: u8).samples == [-1, 0, 127 / 128])
        let s24 = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 96000, bits: 24)),
                         B.chunk("data", [0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00]))
        #expect(try WAVReader.readAll(bytes: s24).samples == [8_388_607 / 8_388_608, -1, 1 / 8_388_608])
        let s32 = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 768_000, bits: 32)),
                         B.chunk("data", B.le32(0x4000_0000) + B.le32(Int(UInt32(bitPattern: Int32.min)))))
        #expect(try WAVReader.readAll(bytes: s32).samples == [0.5, -1])
        let f64 = B.riff(B.chunk("fmt ", B.fmt(tag: 3, channels: 1, rate: 48000, bits: 64, cbSize: 0)),
                         B.chunk("fact", B.le32(2)), B.chunk("data", B.le64(Int(bitPattern: UInt(0.25.bitPattern))) + B.le64(Int(bitPattern: UInt((-3.5).bitPattern)))))
        #expect(try WAVReader.readAll(bytes: f64).samples == [0.25, -3.5])
        // 12-bit PCM sits left-justified in 16-bit containers.
        let s12 = B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 12)), B.chunk("data", B.s16([0x7FF0, -16])))
        let r = try WAVReader(bytes: s12)
        #expect(r.format.sampleFormat == .s16)
        #expect(try r.readAll().samples == [Float(0x7FF0) / 32768, -16 / 32768])
    }

    @Test func extensiblePCMAndFloat() throws {
        let pcm = B.riff(B.chunk("fmt ", B.fmtExtensible(subformat: 1, channels: 2, rate: 44100, bits: 24, validBits: 20, mask: 3)),
                         B.chunk("data", [0, 0, 0x40, 0, 0, 0xC0]))
        let r = try WAVReader(bytes: pcm)
        #expect(r.format == WAVFormat(sampleRate: 44100, channelCount: 2, sampleFormat: .s24, frameCount: 1, channelMask: 3))
        #expect(try r.readAll().samples == [0.5, -0.5])
        let float = B.riff(B.chunk("fmt ", B.fmtExtensible(subformat: 3, channels: 1, rate: 44100, bits: 32)),
                           B.chunk("data", B.le32(Int(Float(0.125).bitPattern))))
        #expect(try WAVReader.readAll(bytes: float).samples == [0.125])
    }

    @Test func nonFiniteFloatsPassThroughAndAreCounted() throws {
        let values: [Float] = [.nan, 1, .infinity, -.infinity, 2]
        let bytes = B.riff(B.chunk("fmt ", B.fmt(tag: 3, channels: 1, rate: 8000, bits: 32)),
                           B.chunk("data", values.flatMap { B.le32(Int($0.bitPattern)) }))
        let r = try WAVReader(bytes: bytes)
        let b = try r.readAll()
        #expect(r.nonFiniteCount == 3)
        #expect(b.samples[0].isNaN && b.samples[1] == 1 && b.samples[2] == .infinity && b.samples[4] == 2)
    }

    @Test func chunkedReadsEqualReadAll() throws {
        for seed in UInt64(1)...4 {
            var g = SplitMix64(seed: seed)
            let format = SampleFormat.allCases[Int(seed) % 6]
            let channels = [1, 2, 6, 3][Int(seed) % 4]
            let buffer = randomBuffer(channels: channels, frames: Int.random(in: 1000...5000, using: &g), seed: seed)
            let bytes = WAVWriter.bytes(of: buffer, format: format)
            let whole = try WAVReader.readAll(bytes: bytes)
            let path = temporaryPath("chunks.wav")
            try bytes.write(to: path)
            let reader = try WAVReader(path: path)
            var pieces = AudioBuffer(sampleRate: buffer.sampleRate, channelCount: channels, frameCount: 0)
            while let p = try reader.read(maxFrames: Int.random(in: 1...700, using: &g)) { pieces.append(p) }
            #expect(pieces == whole, "seed \(seed)")
            #expect(try reader.read(maxFrames: 10) == nil)
        }
    }

    @Test func errorsAndTheirMessages() {
        func error(_ bytes: [UInt8]) -> WAVError? { wavError { _ = try WAVReader.readAll(bytes: bytes) } }
        let data = B.chunk("data", samples)
        #expect(error([]) == .notRIFF(found: []))
        #expect(error(B.ascii("OggS") + [0, 2, 0, 0, 0, 0, 0, 0]) == .notRIFF(found: B.ascii("OggS")))
        #expect(error(B.ascii("RIFF") + [1, 0]) == .truncated(chunk: "RIFF"))
        #expect(error(B.riff(form: "AVI ")) == .notWAVE(found: B.ascii("AVI ")))
        #expect(error(B.riff(data)) == .missingFormatChunk)
        #expect(error(B.riff(B.chunk("LIST", [1, 2]))) == .missingFormatChunk)
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)))) == .missingDataChunk)
        #expect(error(B.riff(B.ascii("fmt ") + B.le32(16) + [1, 0, 2])) == .truncated(chunk: "fmt "))
        #expect(error(B.riff(B.chunk("fmt ", Array(B.fmt(channels: 1, rate: 8000, bits: 16).prefix(14))), data))
            == .invalidFormatChunk(size: 14))
        let adpcm = error(B.riff(B.chunk("fmt ", B.fmt(tag: 0x11, channels: 2, rate: 44100, bits: 4, cbSize: 2) + [0xF9, 0x07]), data))
        #expect(adpcm == .unsupportedFormat(tag: 0x11, name: "IMA ADPCM"))
        #expect(adpcm?.description.hasPrefix("IMA ADPCM (format 0x0011); tqa reads PCM and float WAV") == true)
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(tag: 0x55, channels: 2, rate: 44100, bits: 0)), data))
            == .unsupportedFormat(tag: 0x55, name: "MP3"))
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(tag: 0x1234, channels: 2, rate: 44100, bits: 16)), data))?.description
            .hasPrefix("an unknown codec (format 0x1234); tqa reads PCM and float WAV") == true)
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(tag: 3, channels: 1, rate: 8000, bits: 16)), data))
            == .unsupportedBitDepth(bits: 16, tag: 3))
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 40)), data)) == .unsupportedBitDepth(bits: 40, tag: 1))
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 8000, bits: 0)), data)) == .unsupportedBitDepth(bits: 0, tag: 1))
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(channels: 0, rate: 8000, bits: 16)), data)) == .invalidChannelCount(0))
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(channels: 33, rate: 8000, bits: 16)), data)) == .invalidChannelCount(33))
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 0, bits: 16)), data)) == .invalidSampleRate(0))
        #expect(error(B.riff(B.chunk("fmt ", B.fmt(channels: 1, rate: 768_001, bits: 16)), data)) == .invalidSampleRate(768_001))
        #expect(error(B.riff(B.chunk("fmt ", Array(B.fmtExtensible(subformat: 1, channels: 1, rate: 8000, bits: 16).prefix(30))), data))
            == .invalidFormatChunk(size: 30))
        let ext = error(B.riff(B.chunk("fmt ", B.fmtExtensible(subformat: 1, channels: 1, rate: 8000, bits: 16, guidTail: [UInt8](repeating: 7, count: 12))), data))
        #expect(ext == .unsupportedSubformat(guid: "{00000001-0707-0707-0707-070707070707}"))
        let extADPCM = error(B.riff(B.chunk("fmt ", B.fmtExtensible(subformat: 2, channels: 1, rate: 8000, bits: 4)), data))
        #expect(extADPCM == .unsupportedFormat(tag: 2, name: "Microsoft ADPCM"))
        #expect(wavError { _ = try WAVReader(path: "/nonexistent/x.wav") }?.description.hasPrefix("cannot open /nonexistent/x.wav") == true)
    }

    /// `fmt ` with its block align (offset 12) set to `align`.
    func withBlockAlign(_ fmt: [UInt8], _ align: Int) -> [UInt8] { Array(fmt[..<12]) + B.le16(align) + Array(fmt[14...]) }

    @Test(arguments: [0, 3, 65_535])
    func blockAlignMustMatchChannelsTimesContainerBytes(align: Int) throws {
        let data = B.chunk("data", samples)
        let bytes = B.riff(B.chunk("fmt ", withBlockAlign(B.fmt(channels: 2, rate: 8000, bits: 16), align)), data)
        if align == 0 {
            // Tolerated, see WAVFormatQuirk.zeroBlockAlign.
            let r = try WAVReader(bytes: bytes)
            #expect(r.quirks == [.zeroBlockAlign])
            #expect(try r.readAll().samples == expected)
        } else {
            #expect(wavError { _ = try WAVReader(bytes: bytes) } == .blockAlignMismatch(declared: align, expected: 4))
        }
        let float = B.riff(B.chunk("fmt ", withBlockAlign(B.fmt(tag: 3, channels: 1, rate: 8000, bits: 32, cbSize: 0), align)),
                           B.chunk("data", B.le32(0)))
        if align != 0 { #expect(wavError { _ = try WAVReader(bytes: float) } == .blockAlignMismatch(declared: align, expected: 4)) }
        let ext = B.riff(B.chunk("fmt ", withBlockAlign(B.fmtExtensible(subformat: 1, channels: 2, rate: 8000, bits: 24), align)), data)
        if align != 0 { #expect(wavError { _ = try WAVReader(bytes: ext) } == .blockAlignMismatch(declared: align, expected: 6)) }
    }

    @Test func blockAlignInBitsIsToleratedWithAQuirk() throws {
        let bytes = B.riff(B.chunk("fmt ", withBlockAlign(B.fmt(channels: 2, rate: 8000, bits: 16), 32)), B.chunk("data", samples))
        let r = try WAVReader(bytes: bytes)
        #expect(r.quirks == [.blockAlignInBits(declared: 32)])
        #expect(try r.readAll().samples == expected)
        #expect(try WAVReader(bytes: B.riff(B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16)), B.chunk("data", samples))).quirks == [])
    }

    @Test(arguments: [0, 25, 33, 65_535])
    func validBitsMustBeOneToContainerBits(validBits: Int) throws {
        let bytes = B.riff(B.chunk("fmt ", B.fmtExtensible(subformat: 1, channels: 2, rate: 8000, bits: 24, validBits: validBits)),
                           B.chunk("data", [0, 0, 0x40, 0, 0, 0xC0]))
        if validBits == 0 {
            // Tolerated, see WAVFormatQuirk.zeroValidBits.
            let r = try WAVReader(bytes: bytes)
            #expect(r.quirks == [.zeroValidBits])
            #expect(try r.readAll().samples == [0.5, -0.5])
        } else {
            #expect(wavError { _ = try WAVReader(bytes: bytes) } == .invalidValidBits(validBits, containerBits: 24))
        }
        let float = B.riff(B.chunk("fmt ", B.fmtExtensible(subformat: 3, channels: 1, rate: 8000, bits: 32, validBits: validBits)),
                           B.chunk("data", B.le32(0)))
        if validBits > 32 { #expect(wavError { _ = try WAVReader(bytes: float) } == .invalidValidBits(validBits, containerBits: 32)) }
    }

    @Test func aSecondFormatChunkIsRefused() {
        let fmt = B.chunk("fmt ", B.fmt(channels: 2, rate: 8000, bits: 16))
        #expect(wavError { _ = try WAVReader(bytes: B.riff(fmt, fmt, B.chunk("data", samples))) } == .duplicateFormatChunk)
        let other = B.chunk("fmt ", B.fmt(channels: 1, rate: 44100, bits: 8))
        #expect(wavError { _ = try WAVReader(bytes: B.riff(fmt, B.chunk("LIST", [1, 2]), other, B.chunk("data", samples))) }
            == .duplicateFormatChunk)
    }

    @Test func messagesAreOneLine() {
        let all: [WAVError] = [.notRIFF(found: B.ascii("OggS")), .notRIFF(found: [0, 1]), .notWAVE(found: B.ascii("AVI ")),
                               .missingFormatChunk, .missingDataChunk, .invalidFormatChunk(size: 3), .truncated(chunk: "fmt "),
                               .unsupportedFormat(tag: 6, name: "A-law"), .unsupportedSubformat(guid: "{x}"),
                               .unsupportedBitDepth(bits: 16, tag: 3), .unsupportedBitDepth(bits: 48, tag: 1),
                               .invalidChannelCount(40), .invalidSampleRate(0), .blockAlignMismatch(declared: 3, expected: 4),
                               .invalidValidBits(33, containerBits: 32), .duplicateFormatChunk,
                               .frameCountMismatch(declared: 2, written: 1), .file(.exists(path: "o.wav"))]
        for e in all { #expect(!e.description.contains("\n") && !e.description.isEmpty, "\(e)") }
        #expect(WAVError.notRIFF(found: [0xFF, 0xFB, 0x90, 0x00]).description.contains("bytes FF FB 90 00"))
        #expect(WAVError.unsupportedFormat(tag: 7, name: WAVFormatTag.name(7)).description.hasPrefix("µ-law (format 0x0007)"))
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws {
        let f = try OutputFile(path: path, overwrite: true)
        try f.write(self)
        try f.commit()
    }
}
