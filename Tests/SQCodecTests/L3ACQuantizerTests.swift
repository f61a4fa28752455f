import Foundation
import Testing
@testable import SQCodec

/// L3AC's super-FSQ and its `VQEmbed` against the reference (`l3ac` 1.0) on the small fixtures
/// of `tools/reference/make_l3ac_vectors.py --small`.
@Suite struct L3ACQuantizerTests {
    /// `index(of:)` over the rows of `z: (rows, d)`.
    private func indices(_ fsq: SuperFSQ, _ z: [Float], dims d: Int) -> [Int32] {
        z.withUnsafeBufferPointer { zp in
            (0..<(z.count / d)).map { t in fsq.index(of: UnsafeBufferPointer(rebasing: zp[t * d ..< (t + 1) * d])) }
        }
    }

    /// `code(of:)` of each index, concatenated.
    private func codes(_ fsq: SuperFSQ, _ indices: [Int32]) -> [Float] {
        let d = fsq.levels.count
        var out = [Float](repeating: .nan, count: indices.count * d)
        out.withUnsafeMutableBufferPointer { op in
            for (t, i) in indices.enumerated() {
                fsq.code(of: i, into: UnsafeMutableBufferPointer(rebasing: op[t * d ..< (t + 1) * d]))
            }
        }
        return out
    }

    @Test(arguments: L3ACFixture.names)
    func preQuantizerFeaturesGiveReferenceTokensExactly(name: String) throws {
        let f = try L3ACFixture(name)
        let fsq = SuperFSQ(levels: f.configuration.levels)
        let d = fsq.levels.count
        #expect(f.shape("fsq_input").1 == d)
        let tokens = indices(fsq, f.vector("fsq_input"), dims: d)
        let reference = f.int32["tokens"]!
        let differing = zip(tokens, reference).filter { $0 != $1 }.count
        #expect(tokens.count == reference.count)
        #expect(differing == 0, "\(name): \(differing) of \(reference.count) tokens differ")
        // The probe reaches every level of every dimension (the network's tokens use few codes).
        let probe = indices(fsq, f.vector("fsq_probe_input"), dims: d)
        let probeReference = f.int32["fsq_probe_tokens"]!
        #expect(probe == probeReference, "\(name): probe tokens differ (seed \(f.metadata["seed"] ?? "?"))")
        #expect(Set(probeReference).count > 50)
    }

    @Test(arguments: L3ACFixture.names)
    func codesOfTokensAreTheReferenceCodesExactly(name: String) throws {
        let f = try L3ACFixture(name)
        let fsq = SuperFSQ(levels: f.configuration.levels)
        #expect(codes(fsq, f.int32["tokens"]!) == f.vector("codes"))
        #expect(codes(fsq, f.int32["fsq_probe_tokens"]!) == f.vector("fsq_probe_codes"))
    }

    @Test(arguments: L3ACFixture.names)
    func quantizerProjectsAndQuantizesLikeTheReference(name: String) throws {
        let f = try L3ACFixture(name)
        let q = try f.quantizer()
        let (rows, cols) = f.shape("trans_feature")
        #expect(cols == f.configuration.featureDim)
        let x = Matrix(rows: rows, cols: cols, data: f.vector("trans_feature"))
        let z = q.projectIn(x)
        let projectionError = maxAbsDifference(z.data, f.vector("fsq_input"))
        let tokens = q.indices(x)
        let reference = f.int32["tokens"]!
        let same = zip(tokens, reference).filter { $0 == $1 }.count
        // The whitened projection cancels large terms: bound the error by float32 rounding of
        // the largest Σ_k |W_jk x_k| (8 ε of it), not by the result's size.
        let w = q.projectIn.weightTransposed
        var scale: Float = 0
        for t in 0..<rows {
            for j in 0..<w.cols {
                var s: Float = 0
                for k in 0..<cols { s += abs(w.data[k * w.cols + j] * x.data[t * cols + k]) }
                scale = max(scale, s)
            }
        }
        print("\(name): project_in max abs error \(projectionError) (Σ|Wx| up to \(scale)), "
              + "\(same)/\(reference.count) tokens identical")
        #expect(projectionError <= 8 * Float.ulpOfOne * scale)
        #expect(same == reference.count)
        // Decoding: codes through project_out, shape (T', featureDim).
        let features = q.features(reference)
        #expect(features.rows == reference.count && features.cols == f.configuration.featureDim)
        #expect(features.data.allSatisfy { $0.isFinite })
    }

    @Test func evenLevelsReachBothEdgesUnlikeFSQ() {
        let levels = [4, 6]
        let fsq = SuperFSQ(levels: levels)
        #expect(fsq.codebookSize == 24)
        var out = [Float](repeating: 0, count: 2)
        out.withUnsafeMutableBufferPointer { fsq.code(of: 0, into: $0) }
        #expect(out == [-1, -1])
        out.withUnsafeMutableBufferPointer { fsq.code(of: 23, into: $0) }
        #expect(out == [1, 1])
        // Index 1 is level 1 of the first (fastest) dimension: 1/3 · 2 − 1.
        out.withUnsafeMutableBufferPointer { fsq.code(of: 1, into: $0) }
        #expect(out == [Float(1) / 3 * 2 - 1, -1])
        // Large inputs saturate at the last level, NaN gives 0.
        let big: [Float] = [50, -50]
        #expect(big.withUnsafeBufferPointer { fsq.index(of: $0) } == 3)
        let nan: [Float] = [.nan, 0]
        #expect(nan.withUnsafeBufferPointer { fsq.index(of: $0) } == 0)
    }
}
