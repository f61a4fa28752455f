import TQContainer

/// What the spectral encoder aims for.
public enum SpectralTarget: Sendable, Equatable {
    /// Average rate: file size ≈ x bits per sample per channel (container overhead included).
    case bitsPerSample(Double)
    /// Average rate: file size ≈ this many bits per second of audio, header, packets' container
    /// overhead and end marker included (`--bitrate`). Unlike `.bitsPerSample`, whose budget
    /// counts the packets' container overhead twice (kept so that its streams stay
    /// byte-identical: they land 0.6–2.7 % under), the overhead is counted once.
    case bitsPerSecond(Double)
    /// Constant quality: signal-to-noise ratio of each ~30 s chunk (hence of the file) ≥ dB.
    case snr(Double)
}

/// The spectral codec's parameters, stored in the header's `codecParameters`
/// (docs/SPECTRAL.md, "Codec parameters"):
///
///     byte 0  version: 2 (`--tune mse`), 4 (`--tune perceptual`: noise-filled bands, energy
///             restored, bands unrotated, side information predicted; docs/SPECTRAL.md
///             "Perceptual tuning"), 3 (the first perceptual version, rotated bands and raw side
///             information: read, no longer written); version 1 coded raw bits inside the range
///             coder and is rejected
///     byte 1  log2 frameSize (8…13): MDCT coefficients per long block = hop
///     byte 2  log2 short blocks per transient frame (1…4)
///     byte 3  frames per packet (1…32; version 4: 1…62)
///     byte 4  window (0 sine, 1 Vorbis)
public struct SpectralParameters: Sendable, Equatable {
    /// The version the MSE tuning writes (its bitstream is the golden files').
    public static let version: UInt8 = 2
    /// The first perceptual version: scale indices below the coded range carry a band's energy
    /// for the decoder's noise filling (`SpectralNoiseFill`). Read, no longer written.
    public static let noiseFillVersion: UInt8 = 3
    /// The version the perceptual tuning writes: version 3 with the bands coded unrotated and
    /// the side information predicted within a packet (`SideCoding`).
    public static let perceptualVersion: UInt8 = 4
    /// Versions this decoder reads.
    public static let versions: ClosedRange<UInt8> = version ... perceptualVersion
    /// Byte 0: one of `versions`.
    public var formatVersion: UInt8
    public var frameSize: Int
    public var shortBlockCount: Int
    public var framesPerPacket: Int
    public var window: MDCTWindow

    public init(frameSize: Int = 2048, shortBlockCount: Int = 8, framesPerPacket: Int = SpectralParameters.defaultFramesPerPacket, window: MDCTWindow = .vorbis,
                formatVersion: UInt8 = SpectralParameters.version) {
        self.formatVersion = formatVersion
        self.frameSize = frameSize
        self.shortBlockCount = shortBlockCount
        self.framesPerPacket = framesPerPacket
        self.window = window
    }

    public var shortBlockSize: Int { frameSize / shortBlockCount }

    /// Frames per packet the format allows (byte 3) up to version 3, and the encoders' default.
    public static let framesPerPacketRange = 1 ... 32
    /// Version 4 allows packets of up to 62 frames (with the closing frame 63, what a packet's
    /// 6-bit frame count holds): its first frame carries the side information predictions start
    /// from, so longer packets spend less on it and on the container's framing.
    public static let predictedFramesPerPacketRange = 1 ... 62
    public static let defaultFramesPerPacket = 8

    /// The frames per packet this version allows.
    public var allowedFramesPerPacket: ClosedRange<Int> {
        predictsSideInformation ? SpectralParameters.predictedFramesPerPacketRange : SpectralParameters.framesPerPacketRange
    }

    /// Whether bands carry their energy below the coded range and decode with noise (version 3 on).
    public var fillsNoise: Bool { formatVersion >= SpectralParameters.noiseFillVersion }
    /// Whether each band's coefficients are coded after a seeded Hadamard rotation (up to version 3).
    public var rotatesBands: Bool { formatVersion < SpectralParameters.perceptualVersion }
    /// Whether step indices, active counts and scales are coded against the packet's previous
    /// frame and block (`SideCoding`), and the masking strength once per packet (version 4).
    public var predictsSideInformation: Bool { formatVersion >= SpectralParameters.perceptualVersion }

    /// The frame size to use when the user gives none: 2048 from 32 kHz up, 1024 below.
    /// Measured on the 16 kHz recordings (short blocks chosen by rate): speech gains 0.9–1.3 dB
    /// SNR with 1024, music loses 0.25–0.3 dB. At 44.1/48 kHz music loses ~1 dB with 1024.
    public static func recommendedFrameSize(sampleRate: Int) -> Int { sampleRate < 32000 ? 1024 : 2048 }

    public var encoded: [UInt8] {
        [formatVersion, UInt8(frameSize.trailingZeroBitCount), UInt8(shortBlockCount.trailingZeroBitCount),
         UInt8(framesPerPacket), window.rawValue]
    }

    /// Whether these values are inside the ranges the format allows.
    public var isValid: Bool {
        (256 ... 8192).contains(frameSize) && frameSize & (frameSize - 1) == 0
            && (2 ... 16).contains(shortBlockCount) && shortBlockCount & (shortBlockCount - 1) == 0
            && frameSize / shortBlockCount >= 64 && allowedFramesPerPacket.contains(framesPerPacket)
            && SpectralParameters.versions.contains(formatVersion)
    }

    /// Throws `SpectralError.invalidParameters` unless `isValid`.
    public func validate() throws(SpectralError) {
        guard isValid else {
            throw .invalidParameters(frameSize: frameSize, shortBlockCount: shortBlockCount, framesPerPacket: framesPerPacket)
        }
    }

    /// Most frames one packet holds: `framesPerPacket`, and one more in the last packet (the
    /// frame that only completes the delayed signal joins it rather than start a packet of its own).
    public var maxFramesInPacket: Int { framesPerPacket + 1 }

    /// Whether the largest packet of `channelCount` channels decodes to at most
    /// `Packet.maxDecodedSamples` samples (decode memory stays bounded whatever a file claims).
    public func fits(channelCount: Int) -> Bool {
        frameSize * maxFramesInPacket * max(1, channelCount) <= Packet.maxDecodedSamples
    }

    /// These parameters with `framesPerPacket` lowered, if needed, so that they fit `channelCount`.
    public func fitted(channelCount: Int) -> SpectralParameters {
        var p = self
        let most = Packet.maxDecodedSamples / (frameSize * max(1, channelCount)) - 1
        p.framesPerPacket = min(framesPerPacket, max(1, most))
        return p
    }

    public init(decoding bytes: [UInt8]) throws(SpectralError) {
        guard bytes.count == 5 else { throw .parameterSize(byteCount: bytes.count, expected: 5) }
        guard SpectralParameters.versions.contains(bytes[0]) else {
            throw .unsupportedParameterVersion(bytes[0], supported: SpectralParameters.versions.upperBound)
        }
        guard (8 ... 13).contains(bytes[1]), (1 ... 4).contains(bytes[2]) else {
            throw .sizeOutOfRange(frameSizeLog2: bytes[1], shortBlockCountLog2: bytes[2])
        }
        guard let w = MDCTWindow(rawValue: bytes[4]) else { throw .unknownWindow(bytes[4]) }
        self.init(frameSize: 1 << Int(bytes[1]), shortBlockCount: 1 << Int(bytes[2]), framesPerPacket: Int(bytes[3]), window: w,
                  formatVersion: bytes[0])
        try validate()
    }
}
