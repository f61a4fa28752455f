/// The lapped transform of the spectral codec: frame f owns samples [fN, fN + N) and is either
/// one long MDCT of N coefficients or, on a transient, `shortBlockCount` short MDCTs of
/// s = N/shortBlockCount coefficients each (block switching with Edler windows, as in Vorbis).
///
/// The window slope at a boundary has half-width min(left block, right block)/2, so a long block
/// next to a short one steepens only its side facing it and TDAC holds across every boundary.
/// A frame's transform reads and writes the span [fN − N/2, fN + 3N/2) (2N samples; index 0 of
/// the span is sample fN − N/2). Short block j owns [fN + j·s, fN + (j+1)·s).
///
/// Coefficients of a frame: long, N values; short, block j at [j·s, (j+1)·s).
public struct SpectralTransform: Sendable {
    public let frameSize: Int
    public let shortSize: Int
    public let shortBlockCount: Int
    let long: MDCT
    let short: MDCT
    /// Long windows indexed by prevShort·2 + nextShort.
    let longWindows: [[Float]]
    let shortWindow: [Float]

    public init(parameters p: SpectralParameters) {
        frameSize = p.frameSize
        shortSize = p.shortBlockSize
        shortBlockCount = p.shortBlockCount
        long = MDCT(size: p.frameSize)
        short = MDCT(size: p.shortBlockSize)
        var lw: [[Float]] = []
        for prev in [false, true] {
            for next in [false, true] {
                lw.append(p.window.block(size: p.frameSize, left: prev ? p.shortBlockSize / 2 : p.frameSize / 2,
                                         right: next ? p.shortBlockSize / 2 : p.frameSize / 2))
            }
        }
        longWindows = lw
        shortWindow = p.window.block(size: p.shortBlockSize, left: p.shortBlockSize / 2, right: p.shortBlockSize / 2)
    }

    /// Scratch floats needed by `analyze` and `synthesize`.
    public var scratchCount: Int { 3 * 2 * frameSize }

    /// coefficients[0..<N] ← transform of the span (2N samples starting at fN − N/2).
    public func analyze(span: UnsafePointer<Float>, isShort: Bool, prevShort: Bool, nextShort: Bool,
                        coefficients: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let n = frameSize
        let windowed = scratch, work = scratch + 2 * n
        if !isShort {
            longWindows[(prevShort ? 2 : 0) + (nextShort ? 1 : 0)].withUnsafeBufferPointer { w in
                for i in 0 ..< 2 * n { windowed[i] = span[i] * w[i] }
            }
            long.forward(windowed, coefficients, scratch: work)
            return
        }
        let s = shortSize
        shortWindow.withUnsafeBufferPointer { w in
            for j in 0 ..< shortBlockCount {
                let start = n / 2 + j * s - s / 2
                for i in 0 ..< 2 * s { windowed[i] = span[start + i] * w[i] }
                short.forward(windowed, coefficients + j * s, scratch: work)
            }
        }
    }

    /// span[0..<2N] += windowed inverse transform of `coefficients` (overlap-add).
    public func synthesize(coefficients: UnsafePointer<Float>, isShort: Bool, prevShort: Bool, nextShort: Bool,
                           span: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let n = frameSize
        let out = scratch, work = scratch + 2 * n
        if !isShort {
            long.inverse(coefficients, out, scratch: work)
            longWindows[(prevShort ? 2 : 0) + (nextShort ? 1 : 0)].withUnsafeBufferPointer { w in
                for i in 0 ..< 2 * n { span[i] += out[i] * w[i] }
            }
            return
        }
        let s = shortSize
        shortWindow.withUnsafeBufferPointer { w in
            for j in 0 ..< shortBlockCount {
                short.inverse(coefficients + j * s, out, scratch: work)
                let start = n / 2 + j * s - s / 2
                for i in 0 ..< 2 * s { span[start + i] += out[i] * w[i] }
            }
        }
    }
}
