import TQAudio

/// Running a local map over a long channel-first sequence a tile of frames at a time.
///
/// `f` must be local in time: output frame `j` depends on input frames `j − reach … j + reach`
/// only, with zeros beyond the sequence's ends (a stack of "same"-padded convolutions and
/// point-wise steps). Each tile is cut from the input with `reach` frames either side, so the
/// frames kept are exactly those of `f` over the whole sequence; the tiles stay in cache, run
/// on `Kernels.threads` threads, and bound the memory of the intermediate results.
func mapTiles(_ x: Matrix, reach: Int, width: Int, _ f: (Matrix) -> Matrix) -> Matrix {
    let t = x.cols
    if t <= width { return f(x) }
    let tiles = (t + width - 1) / width
    // The first tile fixes the output's channel count.
    let first = tile(x, 0, width, reach, f)
    let rows = first.rows
    // Every value is placed by exactly one tile.
    return Matrix(rows: rows, cols: t) { op in
        let dst = UncheckedBox(op)
        func place(_ y: Matrix, at lower: Int) {
            y.data.withUnsafeBufferPointer { yp in
                for c in 0..<rows {
                    (dst.value + c * t + lower).update(from: yp.baseAddress! + c * y.cols, count: y.cols)
                }
            }
        }
        place(first, at: 0)
        Kernels.parallel(count: tiles - 1) { i in
            let lower = (i + 1) * width
            let y = tile(x, lower, min(t, lower + width), reach, f)
            precondition(y.rows == rows, "mapTiles: tiles disagree on the channel count")
            place(y, at: lower)
        }
    }
}

/// `f` over frames `lower..<upper` of `x`, computed on the slice with `reach` frames of context.
private func tile(_ x: Matrix, _ lower: Int, _ upper: Int, _ reach: Int, _ f: (Matrix) -> Matrix) -> Matrix {
    let lo = max(0, lower - reach), hi = min(x.cols, upper + reach)
    let y = f(x.columns(lo..<hi))
    precondition(y.cols == hi - lo, "mapTiles: the map must keep the frame count")
    return y.columns(lower - lo ..< upper - lo)
}
