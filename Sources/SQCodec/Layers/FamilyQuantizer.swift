/// The scalar quantizer of a model's family: `FSQ` for SQCodec, `SuperFSQ` for L3AC
/// (docs/L3AC.md, difference 1), so that one `Quantizer` serves both.
enum FamilyQuantizer: ScalarQuantizer {
    case fsq(FSQ)
    case superFSQ(SuperFSQ)

    init(_ c: SQCodecConfiguration) {
        switch c.family {
        case .sqcodec: self = .fsq(FSQ(levels: c.levels))
        case .l3ac: self = .superFSQ(SuperFSQ(levels: c.levels))
        }
    }

    var levels: [Int] {
        switch self {
        case .fsq(let q): q.levels
        case .superFSQ(let q): q.levels
        }
    }

    func index(of z: UnsafeBufferPointer<Float>) -> Int32 {
        switch self {
        case .fsq(let q): q.index(of: z)
        case .superFSQ(let q): q.index(of: z)
        }
    }

    func code(of index: Int32, into out: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .fsq(let q): q.code(of: index, into: out)
        case .superFSQ(let q): q.code(of: index, into: out)
        }
    }
}
