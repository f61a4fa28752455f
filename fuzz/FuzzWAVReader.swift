// libFuzzer target: the WAV reader on arbitrary bytes (docs/ROBUSTNESS.md).
// Any outcome but a crash, a hang or a large allocation is fine: a typed WAVError or audio.
import TQAudio

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAVReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    guard let reader = try? WAVReader(bytes: bytes) else { return 0 }
    // Stream it in small pieces, then read the rest at once through a second reader.
    var frames = 0
    while let b = try? reader.read(maxFrames: 257) {
        frames += b.frameCount
        precondition(b.channelCount == reader.format.channelCount)
    }
    if let all = try? WAVReader.readAll(bytes: bytes) {
        precondition(all.frameCount == frames, "readAll and read(maxFrames:) disagree")
    }
    return 0
}
