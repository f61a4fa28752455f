import Foundation
import Testing
import TQAudio
@testable import SQCodec

/// Each kernel against a naive implementation written straight from its formula, on seeded
/// random inputs; failures print the seed.
@Suite struct KernelTests {
    static let seeds: [UInt64] = Array(1...12)

    static func random(_ n: Int, _ g: inout SplitMix64, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in Float.random(in: -scale...scale, using: &g) }
    }

    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test(arguments: seeds)
    func conv1dMatchesNaive(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let groups = [1, 2, 3][Int.random(in: 0..<3, using: &g)]
        let cin = groups * Int.random(in: 1...3, using: &g), cout = groups * Int.random(in: 1...3, using: &g)
        let k = Int.random(in: 1...7, using: &g), stride = Int.random(in: 1...3, using: &g)
        let dilation = Int.random(in: 1...3, using: &g), padding = Int.random(in: 0...6, using: &g)
        let t = Int.random(in: 1...40, using: &g)
        let x = Matrix(rows: cin, cols: t, data: Self.random(cin * t, &g))
        let w = Self.random(cout * (cin / groups) * k, &g), b = Self.random(cout, &g)
        let y = Kernels.conv1d(x, weight: w, bias: b, outChannels: cout, kernelSize: k,
                               stride: stride, dilation: dilation, padding: padding, groups: groups)
        let tOut = max(0, (t + 2 * padding - dilation * (k - 1) - 1) / stride + 1)
        var ref = [Float](repeating: 0, count: cout * tOut)
        let cinG = cin / groups, coutG = cout / groups
        for o in 0..<cout {
            for j in 0..<tOut {
                var s = b[o]
                for i in 0..<cinG {
                    for kk in 0..<k {
                        let pos = j * stride + kk * dilation - padding
                        if pos >= 0 && pos < t { s += w[(o * cinG + i) * k + kk] * x[(o / coutG) * cinG + i, pos] }
                    }
                }
                ref[o * tOut + j] = s
            }
        }
        #expect(y.rows == cout && y.cols == tOut, "seed \(seed)")
        #expect(Self.close(y.data, ref), "seed \(seed)")
    }

    @Test(arguments: seeds)
    func linearAndPointwiseMatchNaive(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let t = Int.random(in: 1...20, using: &g), nin = Int.random(in: 1...17, using: &g), nout = Int.random(in: 1...17, using: &g)
        let x = Matrix(rows: t, cols: nin, data: Self.random(t * nin, &g))
        let w = Matrix(rows: nout, cols: nin, data: Self.random(nout * nin, &g))
        let b = Self.random(nout, &g)
        var ref = [Float](repeating: 0, count: t * nout)
        for r in 0..<t { for o in 0..<nout {
            var s = b[o]
            for i in 0..<nin { s += x[r, i] * w[o, i] }
            ref[r * nout + o] = s
        } }
        #expect(Self.close(Kernels.linear(x, weightTransposed: w.transposed(), bias: b).data, ref), "seed \(seed)")
        #expect(Self.close(Kernels.pointwise(x.transposed(), weight: w, bias: b).transposed().data, ref), "seed \(seed)")
    }

    @Test(arguments: seeds)
    func gemmWithLeadingDimensionsMatchesNaive(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let m = Int.random(in: 1...13, using: &g), n = Int.random(in: 1...37, using: &g), k = Int.random(in: 1...11, using: &g)
        let lda = k + Int.random(in: 0...3, using: &g), ldb = n + Int.random(in: 0...3, using: &g), ldc = n + Int.random(in: 0...3, using: &g)
        let a = Self.random(m * lda, &g), b = Self.random(k * ldb, &g)
        var c = Self.random(m * ldc, &g)
        var ref = c
        for i in 0..<m { for j in 0..<n { for p in 0..<k { ref[i * ldc + j] += a[i * lda + p] * b[p * ldb + j] } } }
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            Kernels.gemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!, ldc: ldc)
        } } }
        #expect(Self.close(c, ref), "seed \(seed)")
    }

    /// Sizes that take the packed 6×16 path with partial panels, several depth blocks and a
    /// remainder of rows, on one and on two threads; every sum runs over `p` in order, so the
    /// threads cannot change a bit.
    @Test(arguments: seeds)
    func packedGemmMatchesNaiveOnAnyThreadCount(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let m = Int.random(in: 6...70, using: &g), n = Int.random(in: 16...90, using: &g), k = Int.random(in: 1...600, using: &g)
        let lda = k + Int.random(in: 0...3, using: &g), ldb = n + Int.random(in: 0...3, using: &g), ldc = n + Int.random(in: 0...3, using: &g)
        let a = Self.random(m * lda, &g), b = Self.random(k * ldb, &g)
        let c0 = Self.random(m * ldc, &g)
        var ref = c0.map(Double.init)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { ref[i * ldc + j] += Double(a[i * lda + p]) * Double(b[p * ldb + j]) } } }
        var results: [[Float]] = []
        for threads in [1, 2] {
            var c = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                Kernels.gemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                             c: cp.baseAddress!, ldc: ldc, threads: threads)
            } } }
            results.append(c)
        }
        let tolerance = Float(k).squareRoot() * 2e-6
        #expect(Self.close(results[0], ref.map(Float.init), tolerance: tolerance), "seed \(seed), m \(m) n \(n) k \(k)")
        #expect(results[0] == results[1], "seed \(seed): two threads changed the product")
    }

    /// A packed left operand (a layer's weights, `Kernels.PackedMatrix`) gives the row-major
    /// product bit for bit: whole strips, the rows after them, several depth blocks, products
    /// narrower than a tile, one and two threads.
    @Test(arguments: seeds)
    func packedLeftOperandGivesTheSameProduct(seed: UInt64) {
        var g = SplitMix64(seed: 200 + seed)
        let m = Int.random(in: 1...50, using: &g), n = Int.random(in: 1...90, using: &g)
        let k = [Int.random(in: 1...40, using: &g), Int.random(in: 300...900, using: &g)][Int(seed) % 2]
        let ldb = n + Int.random(in: 0...3, using: &g), ldc = n + Int.random(in: 0...3, using: &g)
        let a = Self.random(m * k, &g), b = Self.random(k * ldb, &g), c0 = Self.random(m * ldc, &g)
        let packed = Kernels.PackedMatrix(rows: m, depth: k, rowMajor: a)
        for threads in [1, 2] {
            var direct = c0, viaPacked = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                direct.withUnsafeMutableBufferPointer { cp in
                    Kernels.gemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: ldb,
                                 c: cp.baseAddress!, ldc: ldc, threads: threads)
                }
                viaPacked.withUnsafeMutableBufferPointer { cp in
                    Kernels.gemm(n: n, a: packed, b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!, ldc: ldc, threads: threads)
                }
            } }
            #expect(viaPacked == direct, "seed \(200 + seed): m \(m) n \(n) k \(k), \(threads) threads")
        }
    }

    /// The vectorized sine of Snake against `sin` in double precision, over the range where it
    /// reduces exactly and beyond (where it falls back to `sinf`), with NaN and infinities.
    @Test func sineIsWithinAUnitInTheLastPlace() {
        var g = SplitMix64(seed: 77)
        var worst: Double = 0
        for round in 0..<20_000 {
            let span: Float = round % 10 == 0 ? 40_000 : (round % 2 == 0 ? 4 : 300)
            let v = SIMD8<Float>((0..<8).map { _ in Float.random(in: -span...span, using: &g) })
            let s = Kernels.sine8(v)
            for i in 0..<8 {
                let exact = sin(Double(v[i]))
                worst = max(worst, abs(Double(s[i]) - exact) / max(abs(exact), 1e-3))
            }
        }
        #expect(worst < 3e-7, "worst relative error \(worst) (seed 77)")
        let special = Kernels.sine8(SIMD8<Float>(.nan, .infinity, -.infinity, 0, -0.0, .pi, 1e-30, 12_867))
        #expect(special[0].isNaN && special[1].isNaN && special[2].isNaN)
        #expect(special[3] == 0 && special[4] == 0 && abs(special[5]) < 1e-6 && special[6] == 1e-30)
        #expect(abs(Double(special[7]) - sin(12_867.0)) < 1e-6)
    }

    /// Units in the last place between a float and the exact value (the float spacing at it).
    static func ulps(_ y: Float, _ exact: Double) -> Double {
        abs(Double(y) - exact) / Double(Float(exact).ulp)
    }

    /// The vectorized exponential of softmax against `exp` in double precision, with the edges.
    @Test func expIsWithinAUnitInTheLastPlace() {
        var g = SplitMix64(seed: 78)
        var worst: Double = 0
        for round in 0..<20_000 {
            let span: Float = round % 2 == 0 ? 2 : 87
            let v = SIMD8<Float>((0..<8).map { _ in Float.random(in: -span...span, using: &g) })
            let y = Kernels.exp8(v)
            for i in 0..<8 { worst = max(worst, Self.ulps(y[i], exp(Double(v[i])))) }
        }
        #expect(worst <= 1.5, "worst error \(worst) ulp (seed 78)")
        // The ends of the range: the largest finite results and the smallest normal ones.
        for v: Float in [88.72, 88.7228, 88.5, -87.3, -87.33] {
            #expect(Self.ulps(Kernels.exp8(SIMD8(repeating: v))[0], exp(Double(v))) <= 1.5, "e^\(v)")
        }
        let special = Kernels.exp8(SIMD8<Float>(.nan, -.infinity, -100, 0, -0.0, 1, 88.7, .infinity))
        #expect(special[0].isNaN && special[1] == 0 && special[2] == 0 && special[3] == 1 && special[4] == 1)
        #expect(abs(Double(special[5]) - M_E) < 3e-7 && special[6] > 3e38 && special[6].isFinite && special[7] == .infinity)
    }

    /// The vectorized erf of GELU against `erf` in double precision, near 0, across the switch
    /// between its two forms, and out to where it rounds to 1; NaN and infinities.
    @Test func erfIsWithinAUnitInTheLastPlace() {
        var g = SplitMix64(seed: 79)
        var worst: Double = 0
        for round in 0..<20_000 {
            let span: Float = [1e-3, 1, 4.5, 12][round % 4]
            let v = SIMD8<Float>((0..<8).map { _ in Float.random(in: -span...span, using: &g) })
            let y = Kernels.erf8(v)
            for i in 0..<8 where v[i] != 0 { worst = max(worst, Self.ulps(y[i], erf(Double(v[i])))) }
        }
        #expect(worst <= 1.5, "worst error \(worst) ulp (seed 79)")
        let special = Kernels.erf8(SIMD8<Float>(.nan, .infinity, -.infinity, 0, -0.0, 1e-30, 0.921875, 4))
        #expect(special[0].isNaN && special[1] == 1 && special[2] == -1 && special[3] == 0 && special[4] == 0)
        #expect(special[4].sign == .minus && abs(Double(special[5]) - 1.1283791670955126e-30) < 1e-36)
        #expect(Self.ulps(special[6], erf(0.921875)) <= 1.5 && special[7] == 1)
    }

    /// The feed-forward block's gated GELU, row by row against the scalar form.
    @Test(arguments: seeds)
    func gatedGELUMatchesScalar(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let t = Int.random(in: 1...40, using: &g), inner = Int.random(in: 1...37, using: &g)
        let h = Matrix(rows: t, cols: 2 * inner, data: Self.random(t * 2 * inner, &g, scale: 5))
        let y = Kernels.$threads.withValue(2) { Kernels.gatedGELU(h) }
        var ref = [Float]()
        for r in 0..<t { for i in 0..<inner { ref.append(h[r, i] * Kernels.gelu(h[r, inner + i])) } }
        #expect(y.rows == t && y.cols == inner)
        #expect(Self.close(y.data, ref), "seed \(seed), t \(t), inner \(inner)")
    }

    /// Softmax over rows long enough for the lanes and their tails.
    @Test(arguments: seeds)
    func softmaxMatchesDouble(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let n = Int.random(in: 1...70, using: &g)
        var row = Self.random(n, &g, scale: 30)
        let m = row.max()!
        let e = row.map { exp(Double($0 - m)) }, z = e.reduce(0, +)
        row.withUnsafeMutableBufferPointer { Kernels.softmax($0.baseAddress!, count: n) }
        #expect(Self.close(row, e.map { Float($0 / z) }), "seed \(seed), n \(n)")
    }

    @Test(arguments: seeds)
    func normsMatchNaive(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let c = Int.random(in: 1...9, using: &g), t = Int.random(in: 2...50, using: &g)
        let x = Matrix(rows: c, cols: t, data: Self.random(c * t, &g).map { $0 + 3 })
        let wc = Self.random(c, &g), bc = Self.random(c, &g)
        let wt = Self.random(t, &g), bt = Self.random(t, &g)
        func norm(_ v: [Float], eps: Float) -> [Float] {
            let m = v.reduce(0, +) / Float(v.count)
            let s = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(v.count)
            return v.map { ($0 - m) / (s + eps).squareRoot() }
        }
        // Instance norm: per channel over frames.
        var refInstance = [Float](), refRows = [Float](), refColumns = [Float](repeating: 0, count: c * t)
        for r in 0..<c {
            let n = norm(Array(x.data[r * t ..< (r + 1) * t]), eps: 1e-5)
            refInstance += n.map { $0 * wc[r] + bc[r] }
            refRows += zip(n, zip(wt, bt)).map { $0 * $1.0 + $1.1 }
        }
        for j in 0..<t {
            let n = norm((0..<c).map { x[$0, j] }, eps: Kernels.float32Epsilon)
            for r in 0..<c { refColumns[r * t + j] = wc[r] * n[r] + bc[r] }
        }
        #expect(Self.close(Kernels.instanceNorm(x, weight: wc, bias: bc).data, refInstance, tolerance: 1e-4), "seed \(seed)")
        #expect(Self.close(Kernels.layerNormRows(x, weight: wt, bias: bt, eps: 1e-5).data, refRows, tolerance: 1e-4), "seed \(seed)")
        if c > 1 {
            #expect(Self.close(Kernels.layerNormColumns(x, weight: wc, bias: bc, eps: Kernels.float32Epsilon).data, refColumns, tolerance: 1e-3), "seed \(seed)")
        }
        // GRN: one global norm.
        let gamma = Self.random(c, &g), beta = Self.random(c, &g)
        let gnorm = x.data.map { $0 * $0 }.reduce(0, +).squareRoot()
        let nx = gnorm / (gnorm + Kernels.float32Epsilon)
        let refGRN = (0..<(c * t)).map { i in gamma[i / t] * (x.data[i] * nx) + beta[i / t] + x.data[i] }
        #expect(Self.close(Kernels.globalResponseNorm(x, gamma: gamma, beta: beta).data, refGRN), "seed \(seed)")
    }

    @Test(arguments: seeds)
    func activationsMatchNaive(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let c = Int.random(in: 1...5, using: &g), t = Int.random(in: 1...30, using: &g)
        let x = Matrix(rows: c, cols: t, data: Self.random(c * t, &g, scale: 4))
        let alpha = (0..<c).map { _ in Float.random(in: 0.2...2, using: &g) }
        let refSnake = (0..<(c * t)).map { i -> Float in
            let a = alpha[i / t], v = x.data[i]
            return v + 1 / (a + Kernels.float32Epsilon) * sin(a * v) * sin(a * v)
        }
        #expect(Self.close(Kernels.snake(x, alpha: alpha).data, refSnake), "seed \(seed)")
        #expect(Self.close(Kernels.tanh(x).data, x.data.map { Float(Foundation.tanh(Double($0))) }), "seed \(seed)")
        #expect(Self.close(Kernels.gelu(x).data, x.data.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) }), "seed \(seed)")
        #expect(Self.close(x.data.map(Kernels.silu), x.data.map { Float(Double($0) / (1 + exp(-Double($0)))) }), "seed \(seed)")
    }

    /// The fused Snake + GRN pass gives exactly what Snake then GRN give (tails shorter than
    /// eight lanes included), on one thread or two.
    @Test(arguments: seeds)
    func snakeResponseNormIsSnakeThenResponseNorm(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let c = Int.random(in: 1...9, using: &g), t = [1, 7, 8, 29, 5000][Int.random(in: 0..<5, using: &g)]
        let x = Matrix(rows: c, cols: t, data: Self.random(c * t, &g, scale: 4))
        let alpha = (0..<c).map { _ in Float.random(in: 0.2...2, using: &g) }
        let gamma = Self.random(c, &g), beta = Self.random(c, &g), factor = Float.random(in: 0.5...1, using: &g)
        let reference = Kernels.globalResponseNorm(Kernels.snake(x, alpha: alpha), gamma: gamma, beta: beta, factor: factor)
        for threads in [1, 2] {
            var y = x
            Kernels.$threads.withValue(threads) {
                Kernels.snakeResponseNorm(&y, alpha: alpha, gamma: gamma, beta: beta, factor: factor)
            }
            let same = y.data == reference.data
            #expect(same, "seed \(seed), \(c)x\(t), \(threads) threads: the fused pass differs from snake then GRN")
        }
    }

    @Test(arguments: seeds)
    func resamplingAndPoolingMatchNaive(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let c = Int.random(in: 1...4, using: &g), t = Int.random(in: 1...25, using: &g), s = Int.random(in: 1...5, using: &g)
        let x = Matrix(rows: c, cols: t, data: Self.random(c * t, &g))
        var refUp = [Float]()
        for r in 0..<c {
            for j in 0..<(t * s) {
                let src = max(0, (Double(j) + 0.5) / Double(s) - 0.5)
                let i0 = min(Int(src.rounded(.down)), t - 1), i1 = min(i0 + 1, t - 1)
                let l = src - Double(i0)
                refUp.append(Float((1 - l) * Double(x[r, i0]) + l * Double(x[r, i1])))
            }
        }
        #expect(Self.close(Kernels.upsampleLinear(x, factor: s).data, refUp), "seed \(seed)")
        for k in [1, 3, 5, 9] {
            var refMax = [Float](), refAvg = [Float]()
            for r in 0..<c {
                for j in 0..<t {
                    var m = -Float.infinity, sum: Float = 0
                    for d in -(k / 2)...(k / 2) where j + d >= 0 && j + d < t {
                        m = max(m, x[r, j + d]); sum += x[r, j + d]
                    }
                    refMax.append(m); refAvg.append(sum / Float(k))
                }
            }
            #expect(Kernels.maxPool(x, kernel: k).data == refMax, "seed \(seed), kernel \(k)")
            #expect(Self.close(Kernels.averagePool(x, kernel: k).data, refAvg), "seed \(seed), kernel \(k)")
        }
    }

    /// PyTorch computes the source position `scale·(j + ½) − ½` with one rounding; on a long
    /// input, rounding twice moves the interpolation weight of some frames by up to 4e-3. An
    /// alternating 0/1 input shows each frame's weight directly.
    @Test(arguments: [2, 3, 5])
    func upsamplingRoundsTheSourcePositionOnce(factor: Int) {
        let t = 45_000
        let x = Matrix(rows: 1, cols: t, data: (0..<t).map { Float($0 % 2) })
        let y = Kernels.upsampleLinear(x, factor: factor)
        let scale = Double(Float(1.0 / Double(factor)))
        var worst: Float = 0
        for j in 0..<(t * factor) {
            // The product of two floats and the subtraction are exact in double: one rounding.
            let src = max(0, Float(scale * (Double(j) + 0.5) - 0.5))
            let a = min(Int(src), t - 1), b = a < t - 1 ? a + 1 : a
            let w = src - Float(a)
            let ref = (1 - w) * x.data[a] + w * x.data[b]
            worst = max(worst, abs(y.data[j] - ref))
        }
        #expect(worst <= 1e-6, "factor \(factor): a weight differs by \(worst)")
    }

    @Test(arguments: seeds)
    func localAttentionMatchesMaskedSoftmax(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let heads = Int.random(in: 1...3, using: &g), d = Int.random(in: 1...5, using: &g)
        let w = Int.random(in: 1...6, using: &g), t = Int.random(in: 1...30, using: &g)
        Self.checkLocalAttention(heads: heads, headDim: d, windowSize: w, frames: t, &g, seed: seed)
    }

    /// Sizes where the kernel's strips of 6 queries, panels of 16 keys and partial value panels
    /// (`headDim` not a multiple of 16) all occur, windows up to 40 frames.
    @Test(arguments: seeds)
    func localAttentionMatchesMaskedSoftmaxInStrips(seed: UInt64) {
        var g = SplitMix64(seed: 100 + seed)
        let heads = Int.random(in: 1...2, using: &g), d = [8, 16, 20, 64][Int(seed) % 4]
        let w = Int.random(in: 7...40, using: &g), t = Int.random(in: w...(4 * w + 5), using: &g)
        Self.checkLocalAttention(heads: heads, headDim: d, windowSize: w, frames: t, &g, seed: 100 + seed)
    }

    /// `Kernels.localCausalAttention` against the masked softmax written out in double precision.
    static func checkLocalAttention(heads: Int, headDim d: Int, windowSize w: Int, frames t: Int,
                                    _ g: inout SplitMix64, seed: UInt64) {
        let inner = heads * d
        let qkv = Matrix(rows: t, cols: 3 * inner, data: Self.random(t * 3 * inner, &g))
        let bias = Matrix(rows: heads, cols: 2 * w, data: Self.random(heads * 2 * w, &g))
        let scale = 1 / Float(d).squareRoot()
        let y = Kernels.localCausalAttention(qkv: qkv, heads: heads, headDim: d, windowSize: w, bias: bias, scale: scale)
        var ref = [Float](repeating: 0, count: t * inner)
        for h in 0..<heads {
            for i in 0..<t {
                // Keys visible to i: in i's window or the one before, and not after i.
                let visible = (0..<t).filter { j in j <= i && j / w >= i / w - 1 }
                let s = visible.map { j -> Double in
                    var dot = 0.0
                    for e in 0..<d { dot += Double(qkv[i, h * d + e] * scale) * Double(qkv[j, inner + h * d + e]) }
                    return dot + Double(bias[h, i - j])
                }
                let m = s.max()!
                let p = s.map { exp($0 - m) }, z = p.reduce(0, +)
                for e in 0..<d {
                    var acc = 0.0
                    for (n, j) in visible.enumerated() { acc += p[n] / z * Double(qkv[j, 2 * inner + h * d + e]) }
                    ref[i * inner + h * d + e] = Float(acc)
                }
            }
        }
        #expect(Self.close(y.data, ref), "seed \(seed): heads \(heads), headDim \(d), window \(w), frames \(t)")
    }

    @Test func fsqMatchesFormulaAndRoundTrips() {
        for levels in [[7, 7, 7, 7, 7, 7], [9, 9, 9, 7, 7, 7], [5, 4, 3], [8, 5, 5, 5], [2, 6]] {
            let fsq = FSQ(levels: levels)
            var g = SplitMix64(seed: UInt64(levels.reduce(0, +)))
            for _ in 0..<500 {
                let z = Self.random(levels.count, &g, scale: 3)
                let index = z.withUnsafeBufferPointer { fsq.index(of: $0) }
                // Naive: per dimension the level in 0..<L, mixed radix with the first level least significant.
                var expected = 0, basis = 1
                for (i, l) in levels.enumerated() {
                    let halfL = Double(l - 1) * 1.001 / 2
                    let offset = l % 2 == 0 ? 0.5 : 0
                    let shift = atanh(offset / halfL)
                    let q = (tanh(Double(z[i]) + shift) * halfL - offset).rounded(.toNearestOrEven)
                    expected += (Int(q) + l / 2) * basis
                    basis *= l
                }
                #expect(Int(index) == expected, "levels \(levels), z \(z)")
                var code = [Float](repeating: 0, count: levels.count)
                code.withUnsafeMutableBufferPointer { fsq.code(of: index, into: $0) }
                // The code holds each dimension's level, centred and scaled to [-1, 1].
                for (i, l) in levels.enumerated() {
                    #expect(abs(code[i]) <= 1 + 1e-6 && Int((code[i] * Float(l / 2)).rounded()) + l / 2 == (Int(index) / levels[..<i].reduce(1, *)) % l)
                }
            }
            // Every index maps to a code and back through the reference's arithmetic.
            for index in stride(from: 0, to: fsq.codebookSize, by: max(1, fsq.codebookSize / 997)) {
                var code = [Float](repeating: 0, count: levels.count)
                code.withUnsafeMutableBufferPointer { fsq.code(of: Int32(index), into: $0) }
                var sum: Float = 0, basis = 1
                for (i, l) in levels.enumerated() {
                    let hw = Float(l / 2)
                    sum += (code[i] * hw + hw) * Float(basis)
                    basis *= l
                }
                #expect(Int(sum) == index, "levels \(levels), index \(index)")
            }
        }
    }
}
