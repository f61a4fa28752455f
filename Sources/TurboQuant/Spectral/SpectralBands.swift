/// Band entries of both block kinds: (first coefficient, width, rotation) per band of a frame.
struct SpectralBands: Sendable {
    let long: BandLayout
    let short: BandLayout
    let shortBlockCount: Int
    let shortSize: Int
    /// Per frame kind: the frame's band entries in coding order (block-major).
    let longEntries: [(offset: Int, width: Int, band: Int)]
    let shortEntries: [(offset: Int, width: Int, band: Int)]
    /// Whether bands are rotated before coding (`SpectralParameters.rotatesBands`).
    let rotates: Bool

    init(parameters p: SpectralParameters, seed: UInt64) {
        let lg = BandLayout(blockSize: p.frameSize, seed: seed)
        let sh = BandLayout(blockSize: p.shortBlockSize, seed: seed)
        long = lg
        short = sh
        shortBlockCount = p.shortBlockCount
        shortSize = p.shortBlockSize
        rotates = p.rotatesBands
        longEntries = (0 ..< lg.bandCount).map { (lg.edges[$0], lg.edges[$0 + 1] - lg.edges[$0], $0) }
        var se: [(offset: Int, width: Int, band: Int)] = []
        for j in 0 ..< p.shortBlockCount {
            for b in 0 ..< sh.bandCount {
                se.append((j * p.shortBlockSize + sh.edges[b], sh.edges[b + 1] - sh.edges[b], b))
            }
        }
        shortEntries = se
    }

    func entries(short isShort: Bool) -> [(offset: Int, width: Int, band: Int)] { isShort ? shortEntries : longEntries }
    func layout(short isShort: Bool) -> BandLayout { isShort ? short : long }
    func blockCount(short isShort: Bool) -> Int { isShort ? shortBlockCount : 1 }
}
