import TQAudio
/// A dense row-major float32 matrix: the one tensor type of the SQCodec port.
///
/// Convolution stacks hold features channel-first, `rows = channels`, `cols = frames`
/// (PyTorch `(C, T)` with the batch of one dropped); the local transformer holds them
/// frame-first, `rows = frames`, `cols = channels` (PyTorch `(T, C)`).
public struct Matrix: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    /// `rows * cols` values, row after row.
    public var data: [Float]

    public init(rows: Int, cols: Int, data: [Float]) {
        precondition(rows >= 0 && cols >= 0 && data.count == rows * cols, "Matrix: \(rows)x\(cols) needs \(rows * cols) values, got \(data.count)")
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// A matrix of zeros.
    public init(rows: Int, cols: Int) {
        self.init(rows: rows, cols: cols, data: [Float](repeating: 0, count: rows * cols))
    }

    /// A matrix whose every value `initialize` sets (it gets the uninitialized storage, for
    /// outputs written in full, where zeroing first would be a wasted pass over memory).
    init(rows: Int, cols: Int, initializingWith initialize: (UnsafeMutablePointer<Float>) -> Void) {
        let n = rows * cols
        self.init(rows: rows, cols: cols, data: [Float](unsafeUninitializedCapacity: n) { buffer, count in
            if n > 0 { initialize(buffer.baseAddress!) }
            count = n
        })
    }

    public subscript(row: Int, col: Int) -> Float {
        get { data[row * cols + col] }
        set { data[row * cols + col] = newValue }
    }

    /// A matrix whose row `r` is `rowValues[r]` in every column (a channel-first bias before a
    /// product adds to it), or zeros when `rowValues` is nil. Written in one pass, bands of rows
    /// shared over `Kernels.threads` threads when large: a product's output is often tens of MB
    /// that would otherwise be zeroed and filled on one thread.
    init(rows: Int, cols: Int, rowValues: [Float]?) {
        precondition(rowValues.map { $0.count == rows } ?? true, "Matrix: \(rowValues?.count ?? 0) row values for \(rows) rows")
        self.init(rows: rows, cols: cols) { out in
            Matrix.fillBands(rows: rows, cols: cols, out: out) { r, row in row.initialize(repeating: rowValues?[r] ?? 0, count: cols) }
        }
    }

    /// A matrix whose every row is `row` (a frame-first bias before a product adds to it), or
    /// zeros when `row` is nil; written as `init(rows:cols:rowValues:)` is.
    init(rows: Int, cols: Int, repeatingRow row: [Float]?) {
        precondition(row.map { $0.count == cols } ?? true, "Matrix: a row of \(row?.count ?? 0) values for \(cols) columns")
        self.init(rows: rows, cols: cols) { out in
            Matrix.fillBands(rows: rows, cols: cols, out: out) { _, dst in
                if let row { dst.initialize(from: row, count: cols) } else { dst.initialize(repeating: 0, count: cols) }
            }
        }
    }

    /// `fill(r, row r's storage)` for every row, in bands of rows over the threads when large.
    private static func fillBands(rows: Int, cols: Int, out: UnsafeMutablePointer<Float>,
                                  _ fill: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let band = max(1, (1 << 16) / max(1, cols)), dst = UncheckedBox(out)
        Kernels.parallel(count: (rows + band - 1) / band, threads: rows * cols < 1 << 18 ? 1 : Kernels.threads) { b in
            for r in b * band ..< min(rows, (b + 1) * band) { fill(r, dst.value + r * cols) }
        }
    }

    /// The transpose, `(cols, rows)`.
    public func transposed() -> Matrix {
        let rows = rows, cols = cols, tile = 32
        // Every value is written; bands of 32 source rows are shared over the threads.
        return Matrix(rows: cols, cols: rows) { out in
            data.withUnsafeBufferPointer { source in
                let src = UncheckedBox(source.baseAddress!), dst = UncheckedBox(out)
                Kernels.parallel(count: (rows + tile - 1) / tile, threads: rows * cols < 1 << 16 ? 1 : Kernels.threads) { band in
                    let r0 = band * tile
                    for c0 in stride(from: 0, to: cols, by: tile) {
                        for r in r0..<min(r0 + tile, rows) {
                            for c in c0..<min(c0 + tile, cols) { dst.value[c * rows + r] = src.value[r * cols + c] }
                        }
                    }
                }
            }
        }
    }

    /// This matrix's rows followed by `below`'s (same column count).
    func stacked(above below: Matrix) -> Matrix {
        precondition(cols == below.cols, "stacked: \(cols) and \(below.cols) columns")
        return Matrix(rows: rows + below.rows, cols: cols, data: data + below.data)
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, data: Array(data[range.lowerBound * cols ..< range.upperBound * cols]))
    }

    /// Columns `range` of every row as a new matrix.
    public func columns(_ range: Range<Int>) -> Matrix {
        let w = range.count
        // Every value is written.
        return Matrix(rows: rows, cols: w) { dst in
            data.withUnsafeBufferPointer { src in
                for r in 0..<rows { (dst + r * w).initialize(from: src.baseAddress! + r * cols + range.lowerBound, count: w) }
            }
        }
    }

    /// `self[r, j] ← other[r, range.lowerBound + j] + self[r, j]` (a residual added to a
    /// block's output over the columns `range` of its input; same row count, `range.count` columns),
    /// each value's sum as `other.columns(range) + self` computes it.
    mutating func addToEach(columnsOf other: Matrix, _ range: Range<Int>) {
        precondition(other.rows == rows && range.count == cols && range.lowerBound >= 0 && range.upperBound <= other.cols,
                     "addToEach: shapes differ")
        let w = cols, ow = other.cols
        other.data.withUnsafeBufferPointer { op in
            data.withUnsafeMutableBufferPointer { dp in
                for r in 0..<rows {
                    let src = op.baseAddress! + r * ow + range.lowerBound, dst = dp.baseAddress! + r * w
                    for j in 0..<w { dst[j] = src[j] + dst[j] }
                }
            }
        }
    }

    /// The matrices side by side: their columns in order, row by row (same row count).
    static func sideBySide(_ parts: [Matrix]) -> Matrix {
        let rows = parts.first?.rows ?? 0
        precondition(parts.allSatisfy { $0.rows == rows }, "sideBySide: row counts differ")
        let cols = parts.reduce(0) { $0 + $1.cols }
        return Matrix(rows: rows, cols: cols) { out in
            var offset = 0
            for part in parts {
                part.data.withUnsafeBufferPointer { src in
                    for r in 0..<rows { (out + r * cols + offset).initialize(from: src.baseAddress! + r * part.cols, count: part.cols) }
                }
                offset += part.cols
            }
        }
    }

    /// Element-wise `self + other` (same shape), in runs of 64K values over the threads when large.
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.cols == rhs.cols, "Matrix +: shape mismatch")
        let n = lhs.data.count, run = 1 << 16
        // Every value is written.
        return Matrix(rows: lhs.rows, cols: lhs.cols) { out in
            lhs.data.withUnsafeBufferPointer { l in
                rhs.data.withUnsafeBufferPointer { r in
                    let a = UncheckedBox(l.baseAddress!), b = UncheckedBox(r.baseAddress!), o = UncheckedBox(out)
                    Kernels.parallel(count: (n + run - 1) / run, threads: n < 1 << 18 ? 1 : Kernels.threads) { job in
                        for i in job * run ..< min(n, (job + 1) * run) { o.value[i] = a.value[i] + b.value[i] }
                    }
                }
            }
        }
    }
}
