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

    /// Sets every value of row `r` to `values[r]` (a channel-first bias before a product adds to it).
    public mutating func fillRows(with values: [Float]) {
        precondition(values.count == rows, "fillRows: \(values.count) values for \(rows) rows")
        let n = cols
        data.withUnsafeMutableBufferPointer { p in
            for r in 0..<rows { (p.baseAddress! + r * n).update(repeating: values[r], count: n) }
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
        var out = Matrix(rows: rows, cols: range.count)
        let w = range.count
        data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    let s = src.baseAddress! + r * cols + range.lowerBound, d = dst.baseAddress! + r * w
                    d.update(from: s, count: w)
                }
            }
        }
        return out
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

    /// Element-wise `self + other` (same shape).
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.cols == rhs.cols, "Matrix +: shape mismatch")
        var out = lhs
        out.data.withUnsafeMutableBufferPointer { o in
            rhs.data.withUnsafeBufferPointer { r in
                for i in 0..<o.count { o[i] += r[i] }
            }
        }
        return out
    }
}
