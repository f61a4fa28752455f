import TQAudio

/// The matrix product behind every convolution, linear map and attention of the port.
///
/// `c += a · b` on row-major float32 matrices, computed in panels the way GotoBLAS does it:
/// for each block of `kc` rows of `b` and each panel of 16 of its columns, the panel is copied
/// into a contiguous buffer (24 KB, so it stays in L1 while every row of `a` streams past it),
/// and a 6 × 16 micro-kernel keeps its 96 sums in twelve 8-lane registers, adding
/// `a[i, p] · b[p, j..j+16]` for each `p` with fused multiply-adds. Each sum still runs over `p`
/// in order, starting from the value already in `c` (the depth blocks only store and reload the
/// sums, exactly), so no blocking, packing or thread count changes a bit of the result. A layer's
/// weights as the left operand are packed once at load (`PackedMatrix`).
///
/// The module is compiled for Haswell-class x86-64 (AVX2 + FMA, see Package.swift), where `SIMD8<Float>`
/// is one register and `addingProduct` one `vfmadd` instruction; a portable build
/// (`TQA_PORTABLE=1`) uses separate multiplies and adds instead of calling the software `fmaf`.
extension Kernels {
    typealias Lanes = SIMD8<Float>
    /// Rows of `b` per packed panel (`kc`): 384 covers the depth of most of the models' products
    /// in one block (a panel of 24 KB).
    static let gemmDepthBlock = 384
    /// Rows and columns of the micro-kernel's tile.
    static let gemmTileRows = 6, gemmTileColumns = 16
    /// Products of at most this many rows read the whole column panels of `b` in place instead
    /// of copying them (each panel meets at most 8 strips of the micro-kernel).
    static let gemmInPlaceRows = 48

    /// Row-major matrix product accumulated into `c`: `c[i, j] += Σ_p a[i, p] · b[p, j]`, with
    /// `a: (m, k)`, `b: (k, n)`, `c: (m, n)` and leading dimensions (row strides) `lda`, `ldb`, `ldc`.
    /// With `threads > 1`, the column panels (or, for narrow products, the rows) are shared out.
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = Kernels.threads
    ) {
        gemm(m: m, n: n, k: k, a: LeftOperand(rowMajor: a, lda: lda), b: b, ldb: ldb, c: c, ldc: ldc, threads: threads)
    }

    /// `c` and `b` rows are contiguous: the common case.
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, threads: Int = Kernels.threads
    ) {
        gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c, ldc: n, threads: threads)
    }

    /// The product with a packed left operand, `a: (a.rows, a.depth)` (a layer's weights, packed
    /// once): `c[i, j] += Σ_p a[i, p] · b[p, j]`, bit for bit what the row-major `gemm` gives.
    public static func gemm(
        n: Int, a: PackedMatrix, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int = Kernels.threads
    ) {
        a.values.withUnsafeBufferPointer { ap in
            gemm(m: a.rows, n: n, k: a.depth, a: LeftOperand(packed: a, values: ap.baseAddress!), b: b, ldb: ldb,
                 c: c, ldc: ldc, threads: threads)
        }
    }

    private static func gemm(
        m: Int, n: Int, k: Int, a: LeftOperand, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
    ) {
        if m == 0 || n == 0 || k == 0 { return }
        let pb = UncheckedBox(b), pc = UncheckedBox(c)
        if m < gemmTileRows || n < gemmTileColumns {
            // Runs of 512 columns shared over the threads when there are enough of them.
            let runs = (n + 511) / 512
            if threads <= 1 || runs < 2 || m * n * k < 1 << 18 {
                gemmSmall(m: m, n: n, k: k, a: a, b: b, ldb: ldb, c: c, ldc: ldc)
                return
            }
            parallel(count: runs, threads: threads) { r in
                let j0 = r * 512
                gemmSmall(m: m, n: min(512, n - j0), k: k, a: a, b: pb.value + j0, ldb: ldb, c: pc.value + j0, ldc: ldc)
            }
            return
        }
        let panels = (n + gemmTileColumns - 1) / gemmTileColumns
        let work = m * n * k
        let workers = work < 1 << 18 ? 1 : min(threads, max(panels, m / gemmTileRows))
        if workers <= 1 {
            gemmPanels(0..<panels, rows: 0..<m, n: n, k: k, a: a, b: b, ldb: ldb, c: c, ldc: ldc)
            return
        }
        if panels >= 2 * workers {
            // Contiguous runs of column panels per worker.
            parallel(count: workers, threads: workers) { w in
                let lo = panels * w / workers, hi = panels * (w + 1) / workers
                gemmPanels(lo..<hi, rows: 0..<m, n: n, k: k, a: a, b: pb.value, ldb: ldb, c: pc.value, ldc: ldc)
            }
        } else {
            // Few columns, many rows: split the rows, at whole strips of the micro-kernel.
            let strips = (m + gemmTileRows - 1) / gemmTileRows
            parallel(count: workers, threads: workers) { w in
                let lo = min(m, strips * w / workers * gemmTileRows), hi = min(m, strips * (w + 1) / workers * gemmTileRows)
                gemmPanels(0..<panels, rows: lo..<hi, n: n, k: k, a: a, b: pb.value, ldb: ldb, c: pc.value, ldc: ldc)
            }
        }
    }

    /// A matrix `(rows, depth)` laid out for `gemm` as its left operand, so that the
    /// micro-kernel reads one stream: for each block of `gemmDepthBlock` columns
    /// `p0 ..< p0 + kb`, each whole strip of 6 rows `s` holds its 6 values of each column side by
    /// side (column `p`, row `6s + q` at `(p0 · strips + s · kb + (p − p0)) · 6 + q`); the last
    /// `rows % 6` rows follow, row-major. Layers pack their weights once, at load.
    public struct PackedMatrix: Sendable {
        public let rows: Int, depth: Int
        let values: [Float]

        /// Packs the row-major `(rows, depth)` matrix `a`.
        public init(rows: Int, depth: Int, rowMajor a: [Float]) {
            precondition(rows >= 0 && depth >= 0 && a.count == rows * depth, "PackedMatrix: \(a.count) values for \(rows)x\(depth)")
            self.rows = rows; self.depth = depth
            let mr = Kernels.gemmTileRows, strips = rows / mr
            var v = [Float](repeating: 0, count: rows * depth)
            var p0 = 0
            while p0 < depth {
                let kb = min(Kernels.gemmDepthBlock, depth - p0)
                for s in 0..<strips {
                    let block = (p0 * strips + s * kb) * mr
                    for p in 0..<kb { for q in 0..<mr { v[block + p * mr + q] = a[(s * mr + q) * depth + p0 + p] } }
                }
                p0 += kb
            }
            for i in strips * mr ..< rows { for p in 0..<depth { v[i * depth + p] = a[i * depth + p] } }
            values = v
        }

        public init(_ m: Matrix) { self.init(rows: m.rows, depth: m.cols, rowMajor: m.data) }
    }

    /// Where the products find the rows of their left operand: row-major, or packed.
    private struct LeftOperand {
        let base: UnsafePointer<Float>
        /// Row-major: the row stride; packed: the depth.
        let lda: Int
        /// Packed: the whole strips of 6 rows (the rows after them are row-major); nil: row-major.
        let strips: Int?

        init(rowMajor a: UnsafePointer<Float>, lda: Int) { base = a; self.lda = lda; strips = nil }
        init(packed: PackedMatrix, values: UnsafePointer<Float>) {
            base = values; lda = packed.depth; strips = packed.rows / Kernels.gemmTileRows
        }

        /// `a[i, p]`.
        @inline(__always) func element(_ i: Int, _ p: Int) -> Float {
            guard let strips, i < strips * 6 else { return base[i * lda + p] }
            let p0 = p / Kernels.gemmDepthBlock * Kernels.gemmDepthBlock, kb = min(Kernels.gemmDepthBlock, lda - p0)
            return base[(p0 * strips + (i / 6) * kb + (p - p0)) * 6 + i % 6]
        }

        /// Row `i` from column `p0` on, row-major (the micro-kernel's one-row form): any row of a
        /// row-major operand, the rows after the whole strips of a packed one.
        @inline(__always) func row(_ i: Int, from p0: Int) -> UnsafePointer<Float> {
            precondition(strips.map { i >= $0 * 6 } ?? true, "LeftOperand: row \(i) is in a packed strip")
            return base + i * lda + p0
        }

        /// `c[0..<6, 0..<16] += a[i ..< i+6, p0 ..< p0+kb] · pack` (`pack`'s rows `ldp` apart);
        /// `i` starts a strip when packed.
        @inline(__always)
        func strip(_ i: Int, from p0: Int, _ kb: Int, _ pack: UnsafePointer<Float>, _ ldp: Int,
                   _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
            if let strips {
                Kernels.microKernel6x16Packed(kb, base + (p0 * strips + (i / 6) * kb) * 6, pack, ldp, c, ldc)
            } else {
                Kernels.microKernel6x16(kb, base + i * lda + p0, lda, pack, ldp, c, ldc)
            }
        }

        /// Whether rows `i ..< i + 6` are one micro-kernel strip.
        @inline(__always) func isStrip(_ i: Int, end: Int) -> Bool {
            guard i + 6 <= end else { return false }
            guard let strips else { return true }
            return i < strips * 6
        }
    }

    /// The column panels `panels` (of 16 columns; the last may be partial) of the rows `rows` of
    /// the product (`rows` starts a strip of the micro-kernel).
    ///
    /// Loop order as in GotoBLAS: for each block of `kc` rows of `b`, up to 64 panels are packed
    /// (at most 1.5 MB), then each block of 120 rows of `a` (up to 180 KB, kept in L2) meets
    /// every packed panel (24 KB, kept in L1) through the micro-kernel.
    private static func gemmPanels(
        _ panels: Range<Int>, rows: Range<Int>, n: Int, k: Int,
        a: LeftOperand, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let nr = gemmTileColumns, mr = gemmTileRows, kc = gemmDepthBlock, group = 64
        let rowBlock = 120
        let inPlace = rows.count <= gemmInPlaceRows
        let capacity = min(group, panels.count) * kc * nr + mr * nr
        withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { scratch in
            let packed = scratch.baseAddress!, tile = packed + (capacity - mr * nr)
            var p0 = 0
            while p0 < k {
                let kb = min(kc, k - p0)
                for g0 in stride(from: panels.lowerBound, to: panels.upperBound, by: group) {
                    let g1 = min(panels.upperBound, g0 + group)
                    // With few strips of rows to meet them, whole panels are read in place (rows
                    // `ldb` apart), not copied: a copy would cost about what it saves.
                    for panel in g0..<g1 where !inPlace || min(nr, n - panel * nr) < nr {
                        let j = panel * nr
                        packPanel(b + p0 * ldb + j, ldb: ldb, rows: kb, width: min(nr, n - j), into: packed + (panel - g0) * kb * nr)
                    }
                    for i0 in stride(from: rows.lowerBound, to: rows.upperBound, by: rowBlock) {
                        let i1 = min(rows.upperBound, i0 + rowBlock)
                        for panel in g0..<g1 {
                            let j = panel * nr, width = min(nr, n - j)
                            let pack = packed + (panel - g0) * kb * nr
                            if width == nr {
                                let (panelValues, ldp) = inPlace ? (b + p0 * ldb + j, ldb) : (UnsafePointer(pack), nr)
                                var i = i0
                                while a.isStrip(i, end: i1) {
                                    a.strip(i, from: p0, kb, panelValues, ldp, c + i * ldc + j, ldc)
                                    i += mr
                                }
                                while i < i1 {
                                    microKernel1x16(kb, a.row(i, from: p0), panelValues, ldp, c + i * ldc + j)
                                    i += 1
                                }
                            } else {
                                // The last, partial panel: through a full-width tile.
                                var i = i0
                                while i < i1 {
                                    let strip = a.isStrip(i, end: i1), rows = strip ? mr : 1
                                    for r in 0..<rows {
                                        for q in 0..<nr { tile[r * nr + q] = q < width ? c[(i + r) * ldc + j + q] : 0 }
                                    }
                                    if strip {
                                        a.strip(i, from: p0, kb, pack, nr, tile, nr)
                                    } else {
                                        microKernel1x16(kb, a.row(i, from: p0), pack, nr, tile)
                                    }
                                    for r in 0..<rows {
                                        for q in 0..<width { c[(i + r) * ldc + j + q] = tile[r * nr + q] }
                                    }
                                    i += rows
                                }
                            }
                        }
                    }
                }
                p0 += kb
            }
        }
    }

    /// Copies `rows` rows of `width ≤ 16` columns of `b` into 16-wide rows, zero-filled on the right.
    @inline(__always)
    private static func packPanel(_ b: UnsafePointer<Float>, ldb: Int, rows: Int, width: Int, into pack: UnsafeMutablePointer<Float>) {
        if width == gemmTileColumns {
            for p in 0..<rows {
                let src = UnsafeRawPointer(b + p * ldb), dst = UnsafeMutableRawPointer(pack + p * 16)
                dst.storeBytes(of: src.loadUnaligned(as: Lanes.self), as: Lanes.self)
                dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 32, as: Lanes.self), toByteOffset: 32, as: Lanes.self)
            }
        } else {
            for p in 0..<rows {
                for q in 0..<16 { pack[p * 16 + q] = q < width ? b[p * ldb + q] : 0 }
            }
        }
    }

    /// `acc + x·y`, fused where the build has FMA instructions (without them, the fused
    /// form would be a call to the software `fmaf` per lane).
    @inline(__always)
    static func fma(_ acc: Lanes, _ x: Lanes, _ y: Lanes) -> Lanes {
        #if TQA_FMA
        acc.addingProduct(x, y)
        #else
        acc + x * y
        #endif
    }

    /// The scalar form of `fma`, so that every path of the product rounds alike.
    @inline(__always)
    private static func fma(_ acc: Float, _ x: Float, _ y: Float) -> Float {
        #if TQA_FMA
        acc.addingProduct(x, y)
        #else
        acc + x * y
        #endif
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    @inline(__always)
    private static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }

    /// `c[0..<6, 0..<16] += a[0..<6, 0..<kb] · pack`, `a` rows `lda` apart, `pack` rows `ldp`
    /// apart, `c` rows `ldc` apart.
    static func microKernel6x16(
        _ kb: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ pack: UnsafePointer<Float>, _ ldp: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        let a0 = a, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda
        let r0 = c, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc
        var c00 = load(r0), c01 = load(r0 + 8), c10 = load(r1), c11 = load(r1 + 8)
        var c20 = load(r2), c21 = load(r2 + 8), c30 = load(r3), c31 = load(r3 + 8)
        var c40 = load(r4), c41 = load(r4 + 8), c50 = load(r5), c51 = load(r5 + 8)
        var bp = pack
        for p in 0..<kb {
            let b0 = load(bp), b1 = load(bp + 8)
            var x = Lanes(repeating: a0[p])
            c00 = fma(c00, x, b0); c01 = fma(c01, x, b1)
            x = Lanes(repeating: a1[p])
            c10 = fma(c10, x, b0); c11 = fma(c11, x, b1)
            x = Lanes(repeating: a2[p])
            c20 = fma(c20, x, b0); c21 = fma(c21, x, b1)
            x = Lanes(repeating: a3[p])
            c30 = fma(c30, x, b0); c31 = fma(c31, x, b1)
            x = Lanes(repeating: a4[p])
            c40 = fma(c40, x, b0); c41 = fma(c41, x, b1)
            x = Lanes(repeating: a5[p])
            c50 = fma(c50, x, b0); c51 = fma(c51, x, b1)
            bp += ldp
        }
        store(c00, r0); store(c01, r0 + 8); store(c10, r1); store(c11, r1 + 8)
        store(c20, r2); store(c21, r2 + 8); store(c30, r3); store(c31, r3 + 8)
        store(c40, r4); store(c41, r4 + 8); store(c50, r5); store(c51, r5 + 8)
    }

    /// `microKernel6x16` with `a` packed: the 6 rows' values of column `p` at `a[6p ..< 6p + 6]`.
    static func microKernel6x16Packed(
        _ kb: Int, _ a: UnsafePointer<Float>, _ pack: UnsafePointer<Float>, _ ldp: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        let r0 = c, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc
        var c00 = load(r0), c01 = load(r0 + 8), c10 = load(r1), c11 = load(r1 + 8)
        var c20 = load(r2), c21 = load(r2 + 8), c30 = load(r3), c31 = load(r3 + 8)
        var c40 = load(r4), c41 = load(r4 + 8), c50 = load(r5), c51 = load(r5 + 8)
        var ap = a, bp = pack
        for _ in 0..<kb {
            let b0 = load(bp), b1 = load(bp + 8)
            var x = Lanes(repeating: ap[0])
            c00 = fma(c00, x, b0); c01 = fma(c01, x, b1)
            x = Lanes(repeating: ap[1])
            c10 = fma(c10, x, b0); c11 = fma(c11, x, b1)
            x = Lanes(repeating: ap[2])
            c20 = fma(c20, x, b0); c21 = fma(c21, x, b1)
            x = Lanes(repeating: ap[3])
            c30 = fma(c30, x, b0); c31 = fma(c31, x, b1)
            x = Lanes(repeating: ap[4])
            c40 = fma(c40, x, b0); c41 = fma(c41, x, b1)
            x = Lanes(repeating: ap[5])
            c50 = fma(c50, x, b0); c51 = fma(c51, x, b1)
            ap += 6
            bp += ldp
        }
        store(c00, r0); store(c01, r0 + 8); store(c10, r1); store(c11, r1 + 8)
        store(c20, r2); store(c21, r2 + 8); store(c30, r3); store(c31, r3 + 8)
        store(c40, r4); store(c41, r4 + 8); store(c50, r5); store(c51, r5 + 8)
    }

    /// One row: `c[0..<16] += a[0..<kb] · pack`, `pack` rows `ldp` apart.
    static func microKernel1x16(_ kb: Int, _ a: UnsafePointer<Float>, _ pack: UnsafePointer<Float>, _ ldp: Int,
                                _ c: UnsafeMutablePointer<Float>) {
        var c0 = load(c), c1 = load(c + 8)
        var bp = pack
        for p in 0..<kb {
            let x = Lanes(repeating: a[p])
            c0 = fma(c0, x, load(bp)); c1 = fma(c1, x, load(bp + 8))
            bp += ldp
        }
        store(c0, c); store(c1, c + 8)
    }

    /// Products too narrow for a tile: row by row, `c[i, :] += a[i, p] · b[p, :]` for each `p` in
    /// order, over runs of 512 columns.
    private static func gemmSmall(
        m: Int, n: Int, k: Int, a: LeftOperand, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for j0 in stride(from: 0, to: n, by: 512) {
            let width = min(512, n - j0)
            for i in 0..<m {
                let ci = c + i * ldc + j0
                for p in 0..<k {
                    let x = a.element(i, p), bp = b + p * ldb + j0
                    for j in 0..<width { ci[j] = fma(ci[j], x, bp[j]) }
                }
            }
        }
    }
}
