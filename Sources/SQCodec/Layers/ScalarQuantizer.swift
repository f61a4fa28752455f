/// A quantizer that rounds each of `levels.count` values to one of `levels[i]` steps and numbers
/// the combination in mixed radix (`FSQ` for SQCodec, `SuperFSQ` for L3AC): the index is
/// `Σ_i l_i · basis_i` with `l_i ∈ 0 ..< levels[i]` and `basis_i = Π_{k<i} levels[k]`, so the
/// first value varies fastest.
public protocol ScalarQuantizer: Sendable, Equatable {
    var levels: [Int] { get }
    /// The index of the code nearest to `z` (`levels.count` values); 0 when `z` holds NaN.
    func index(of z: UnsafeBufferPointer<Float>) -> Int32
    /// The code of `index`, written to `out` (`levels.count` values); `index` must be in
    /// `0 ..< codebookSize`.
    func code(of index: Int32, into out: UnsafeMutableBufferPointer<Float>)
}

extension ScalarQuantizer {
    /// `Π L_i`, the number of distinct indices.
    public var codebookSize: Int { levels.reduce(1, *) }

    /// `basis_i = Π_{k<i} levels[k]`.
    static func mixedRadixBasis(_ levels: [Int]) -> [Int] {
        var b = 1
        return levels.map { l in defer { b *= l }; return b }
    }
}
