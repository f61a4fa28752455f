/// The Lloyd–Max quantizer for the standard normal distribution: 2^bits reconstruction levels
/// minimising E[(X − Q(X))²] for X ~ N(0,1) (Lloyd 1957/1982; Max 1960).
///
/// Computed from the exact optimality conditions on the density, not from samples:
/// boundaries are midpoints of neighbouring levels, and each level is the centroid of its cell,
/// c = (φ(a) − φ(b)) / (Q(a) − Q(b)). Solved by Newton's method from the Panter–Dite companding points until no level moves by
/// more than 1e-14. Deterministic and identical on every machine (see `DeterministicMath`).
///
/// Minimum distortion, for reference: b=1 0.3634, b=2 0.1175, b=3 0.03455, b=4 0.009500.
public struct LloydMaxCodebook: Sendable {
    public let bits: Int
    /// Reconstruction levels, ascending, symmetric about 0.
    public let levels: [Float]
    /// Decision boundaries between neighbouring levels (`levels.count − 1`), ascending.
    public let boundaries: [Float]
    /// Mean squared error of the quantizer on N(0,1).
    public let distortion: Double

    /// Fast nearest-level lookup: a uniform grid over ±`gridLimit` whose cells hold at most one
    /// boundary; `grid[cell]` is the index of the level at the cell's left edge.
    private let grid: [UInt8]
    private let gridLimit: Float
    private let gridScale: Float

    /// The codebook for `bits` in 1...8, computed once per process on first use.
    public static func gaussian(bits: Int) -> LloydMaxCodebook {
        switch bits {
        case 1: cache1
        case 2: cache2
        case 3: cache3
        case 4: cache4
        case 5: cache5
        case 6: cache6
        case 7: cache7
        case 8: cache8
        default: preconditionFailure("codebook bits must be 1...8")
        }
    }

    private static let cache1 = LloydMaxCodebook(computingBits: 1)
    private static let cache2 = LloydMaxCodebook(computingBits: 2)
    private static let cache3 = LloydMaxCodebook(computingBits: 3)
    private static let cache4 = LloydMaxCodebook(computingBits: 4)
    private static let cache5 = LloydMaxCodebook(computingBits: 5)
    private static let cache6 = LloydMaxCodebook(computingBits: 6)
    private static let cache7 = LloydMaxCodebook(computingBits: 7)
    private static let cache8 = LloydMaxCodebook(computingBits: 8)

    /// The nearest-level lookup over borrowed tables: the one the encoder runs
    /// (`TurboBlockCoder`), for loops that keep the tables in registers.
    struct Lookup {
        /// `grid[cell]`: index of the level at the cell's left edge (see `grid` above).
        let grid: UnsafeBufferPointer<UInt8>
        let boundaries: UnsafeBufferPointer<Float>
        /// Reconstruction levels, ascending.
        let levels: UnsafeBufferPointer<Float>
        let limit: Float
        let scale: Float

        /// Index of the level nearest to `x` (ties go up); beyond ±`limit` the outermost level.
        @inline(__always)
        func index(_ x: Float) -> Int {
            let clamped = min(max(x, -limit), limit)
            let cell = min(Int((clamped + limit) * scale), grid.count - 1)
            let i = Int(grid[cell])
            return i < boundaries.count && x >= boundaries[i] ? i + 1 : i
        }
    }

    /// Calls `body` with the codebook's `Lookup`.
    @inline(__always)
    func withLookup<R>(_ body: (Lookup) -> R) -> R {
        grid.withUnsafeBufferPointer { g in
            boundaries.withUnsafeBufferPointer { b in
                levels.withUnsafeBufferPointer { l in body(Lookup(grid: g, boundaries: b, levels: l, limit: gridLimit, scale: gridScale)) }
            }
        }
    }

    private init(computingBits bits: Int) {
        self.bits = bits
        let n = 1 << bits
        let half = n / 2
        // Positive half only; the quantizer is symmetric. For odd counts there is none: n is even.
        // Start from the Panter–Dite points, quantiles of N(0, 3) (density ∝ φ^(1/3)).
        var c = (0..<half).map { i -> Double in
            let p = 0.5 + (Double(i) + 0.5) / Double(n)
            return 3.0.squareRoot() * LloydMaxCodebook.inverseCDF(p)
        }
        // Newton's method on F(c) = c − G(c), G the centroid map; its Jacobian is tridiagonal.
        // For a cell [a, b]: ∂g/∂a = φ(a)(g − a)/P, ∂g/∂b = φ(b)(b − g)/P (P the cell's mass),
        // and each inner boundary is the midpoint of its two levels.
        for _ in 0..<100 {
            var g = [Double](repeating: 0, count: half)
            var lowerDiag = [Double](repeating: 0, count: half)  // ∂F_i/∂c_{i−1}
            var diag = [Double](repeating: 1, count: half)
            var upperDiag = [Double](repeating: 0, count: half)  // ∂F_i/∂c_{i+1}
            var lower = 0.0
            for i in 0..<half {
                let upper = i + 1 < half ? 0.5 * (c[i] + c[i + 1]) : Double.infinity
                let mass = DeterministicMath.normalTail(lower) - (upper.isInfinite ? 0 : DeterministicMath.normalTail(upper))
                let moment = DeterministicMath.normalDensity(lower) - (upper.isInfinite ? 0 : DeterministicMath.normalDensity(upper))
                let gi = moment / mass
                g[i] = gi
                let dA = i > 0 ? DeterministicMath.normalDensity(lower) * (gi - lower) / mass : 0
                let dB = upper.isInfinite ? 0 : DeterministicMath.normalDensity(upper) * (upper - gi) / mass
                if i > 0 { lowerDiag[i] = -0.5 * dA }
                diag[i] = 1 - 0.5 * dA - 0.5 * dB
                if i + 1 < half { upperDiag[i] = -0.5 * dB }
                lower = upper
            }
            var rhs = (0..<half).map { g[$0] - c[$0] }
            // Thomas algorithm.
            for i in 1..<max(1, half) {
                let m = lowerDiag[i] / diag[i - 1]
                diag[i] -= m * upperDiag[i - 1]
                rhs[i] -= m * rhs[i - 1]
            }
            var step = [Double](repeating: 0, count: half)
            for i in stride(from: half - 1, through: 0, by: -1) {
                step[i] = (rhs[i] - (i + 1 < half ? upperDiag[i] * step[i + 1] : 0)) / diag[i]
            }
            var moved = 0.0
            for i in 0..<half { c[i] += step[i]; moved = max(moved, abs(step[i])) }
            if moved < 1e-14 { break }
        }
        // Distortion = 1 − Σ P_i c_i² (each level is its cell's centroid).
        var d = 1.0
        var lower = 0.0
        for i in 0..<half {
            let upper = i + 1 < half ? 0.5 * (c[i] + c[i + 1]) : Double.infinity
            let mass = DeterministicMath.normalTail(lower) - (upper.isInfinite ? 0 : DeterministicMath.normalTail(upper))
            d -= 2 * mass * c[i] * c[i]
            lower = upper
        }
        distortion = d
        let positive = c.map { Float($0) }
        levels = positive.reversed().map { -$0 } + positive
        var b = [Float]()
        for i in 0..<(n - 1) { b.append(Float(0.5 * (Double(levels[i]) + Double(levels[i + 1])))) }
        boundaries = b

        // Grid: cells half as wide as the narrowest cell, over the span of the boundaries.
        let limit = (b.last ?? 0) + 1
        var narrowest: Float = 2 * limit
        for i in 1..<max(1, b.count) { narrowest = min(narrowest, b[i] - b[i - 1]) }
        let cells = max(16, min(1 << 16, Int((2 * limit / (narrowest * 0.5)).rounded(.up))))
        let scale = Float(cells) / (2 * limit)
        var g = [UInt8](repeating: 0, count: cells + 1)
        var idx = 0
        for k in 0...cells {
            let left = -limit + Float(k) / scale
            while idx < b.count && b[idx] <= left { idx += 1 }
            g[k] = UInt8(idx)
        }
        grid = g
        gridLimit = limit
        gridScale = scale
    }

    /// Φ⁻¹(p) by bisection on `DeterministicMath.normalTail` (setup only).
    private static func inverseCDF(_ p: Double) -> Double {
        var lo = -40.0, hi = 40.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if 1 - DeterministicMath.normalTail(mid) < p { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }
}
