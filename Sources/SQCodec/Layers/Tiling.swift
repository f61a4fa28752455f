import TQAudio

/// Running a local map over a long channel-first sequence a tile of frames at a time.
///
/// `f` must be local in time: output frame `j` depends on input frames `j − reach … j + reach`
/// only, with zeros beyond the sequence's ends (a stack of "same"-padded convolutions and
/// point-wise steps). Each tile is cut from the input with `reach` frames either side, so the
/// frames kept are exactly those of `f` over the whole sequence; the tiles stay in cache, run
/// on `Kernels.threads` threads, and bound the memory of the intermediate results.
func mapTiles(_ x: Matrix, reach: Int, width: Int, _ f: (Matrix) -> Matrix) -> Matrix {
    if x.cols <= width { return f(x) }
    return assembleTiles(frames: x.cols, width: width) { lower, upper in tile(x, lower, upper, reach, f) }
}

/// The matrix of `frames` frames whose frames `lower ..< upper` are `tile(lower, upper)`, for
/// tiles of `width` frames (the last one shorter), each placed straight into the result. With
/// the channel count given (`rows`), every tile runs on `Kernels.threads` threads; without it, the
/// first tile fixes the channel count and the others then share the threads.
func assembleTiles(frames t: Int, width: Int, rows known: Int? = nil,
                   _ tile: (_ lower: Int, _ upper: Int) -> Matrix) -> Matrix {
    let tiles = (t + width - 1) / width
    let first = known == nil ? tile(0, min(t, width)) : nil
    if tiles <= 1, let first { return first }
    let rows = known ?? first!.rows
    // Every value is placed by exactly one tile.
    return Matrix(rows: rows, cols: t) { op in
        let dst = UncheckedBox(op)
        func place(_ y: Matrix, at lower: Int) {
            precondition(y.rows == rows, "tiles disagree on the channel count")
            y.data.withUnsafeBufferPointer { yp in
                for c in 0..<rows {
                    (dst.value + c * t + lower).update(from: yp.baseAddress! + c * y.cols, count: y.cols)
                }
            }
        }
        if let first { place(first, at: 0) }
        let skipped = first == nil ? 0 : 1
        Kernels.parallelTiles(count: tiles - skipped) { i in
            let lower = (i + skipped) * width
            place(tile(lower, min(t, lower + width)), at: lower)
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

/// Running a local map that starts with a linear upsampling (`Kernels.upsampleLinear` by
/// `factor`) over a long channel-first sequence, a tile of frames at a time: the result has
/// `factor` times the input's frames, and no whole-sequence matrix at the output rate but the
/// result itself is made.
///
/// `f(slice, start, frames)` gets the input frames `start ..< start + slice.cols` and returns
/// the map's output frames `frames` (global indices, at the output rate); it upsamples with
/// `Kernels.upsampleLinear(_:factor:frames:sourceStart:sourceLength:)` (`sourceLength` = `x.cols`)
/// and then runs steps that are local in time at the output rate: output frame `j` depends on
/// upsampled frames `j − reach … j + reach` only, with zeros beyond the sequence's ends. Each
/// tile computes its `width · factor` output frames with `reach` frames either side (rounded
/// up to a multiple of 8, so that eight-lane kernels see the lanes of the whole-sequence call)
/// from the input frames those read, so the frames kept are exactly those of the map over the
/// whole sequence. Point-wise steps on the input (a 1×1 convolution) may run in `f` on the slice.
func mapUpsamplingTiles(_ x: Matrix, factor: Int, reach: Int, width: Int,
                        _ f: (_ slice: Matrix, _ start: Int, _ frames: Range<Int>) -> Matrix) -> Matrix {
    precondition(factor >= 1 && width >= 1 && reach >= 0, "mapUpsamplingTiles: bad tiling")
    let t = x.cols, tOut = t * factor, margin = (reach + 7) / 8 * 8
    /// Output frames `lower..<upper`, computed over `lower − margin ..< upper + margin` (clamped).
    func tile(_ lower: Int, _ upper: Int) -> Matrix {
        let lo = max(0, lower - margin), hi = min(tOut, upper + margin)
        // Source frames read by outputs lo..<hi: positions (j + ½)/factor − ½ and the next frame.
        let sLo = max(0, lo / factor - 2), sHi = min(t, (hi - 1) / factor + 3)
        let slice = sLo == 0 && sHi == t ? x : x.columns(sLo..<sHi)
        let y = f(slice, sLo, lo..<hi)
        precondition(y.cols == hi - lo, "mapUpsamplingTiles: the map must return the frames asked for")
        return lo == lower && hi == upper ? y : y.columns(lower - lo ..< upper - lo)
    }
    return assembleTiles(frames: tOut, width: width * factor, tile)
}

/// `f` over runs of `rows` rows of a frame-first `x` (`(T, C)`), for a map that works row by
/// row (a frame at a time): the runs stay in cache through every step of `f` and run on
/// `Kernels.threads` threads, one run each (`f` itself on one thread); the results, `rows`
/// rows each and any column count, are stacked in order.
func mapRowTiles(_ x: Matrix, rows: Int, _ f: (Matrix) -> Matrix) -> Matrix {
    if x.rows <= rows { return f(x) }
    let tiles = (x.rows + rows - 1) / rows
    var parts = [Matrix?](repeating: nil, count: tiles)
    parts.withUnsafeMutableBufferPointer { p in
        let out = UncheckedBox(p.baseAddress!)
        Kernels.parallel(count: tiles) { i in
            let y = f(x.rows(i * rows ..< min(x.rows, (i + 1) * rows)))
            precondition(y.rows == min(x.rows, (i + 1) * rows) - i * rows, "mapRowTiles: the map must keep the row count")
            out.value[i] = y
        }
    }
    let cols = parts[0]!.cols
    return Matrix(rows: x.rows, cols: cols) { dst in
        var offset = 0
        for part in parts {
            part!.data.withUnsafeBufferPointer { (dst + offset).initialize(from: $0.baseAddress!, count: $0.count) }
            offset += part!.data.count
        }
    }
}

/// `mapTiles` writing its result over its input: `x ← f(x)` for a local map that keeps the
/// channel and frame counts, without a second whole-sequence matrix. `f(slice, kept)` gets a
/// tile's frames with `reach` frames of context either side (fewer at the sequence's ends) and
/// returns the map's output frames `kept` of that slice only, so that steps after the reach
/// is used up (point-wise products) run on the kept frames alone. Tiles run in batches (16 per
/// thread, so that the threads rarely wait for the last tile of a batch) on `Kernels.threads`
/// threads, each batch reading the input (the `reach` frames before it, which
/// the previous batch has overwritten, from a copy kept before it did) and then writing its
/// tiles back, so every tile sees exactly the input `mapTiles` would give it.
func mapTilesInPlace(_ x: inout Matrix, reach: Int, width: Int, _ f: (_ slice: Matrix, _ kept: Range<Int>) -> Matrix) {
    let t = x.cols, rows = x.rows
    if t <= width {
        let y = f(x, 0..<t)
        precondition(y.rows == rows && y.cols == t, "mapTilesInPlace: the map must keep the shape")
        x = y
        return
    }
    let tiles = (t + width - 1) / width
    let batch = max(4, 16 * Kernels.threads)
    // The input's frames `kept.lower ..< kept.lower + kept.values.cols`, from before the previous batch wrote.
    var kept = (lower: 0, values: Matrix(rows: rows, cols: 0))
    var b0 = 0
    while b0 < tiles {
        let b1 = min(tiles, b0 + batch), start = b0 * width, end = min(t, b1 * width)
        var outputs = [Matrix?](repeating: nil, count: b1 - b0)
        let previous = kept
        x.data.withUnsafeBufferPointer { xp in
            outputs.withUnsafeMutableBufferPointer { op in
                let src = UncheckedBox(xp.baseAddress!), out = UncheckedBox(op.baseAddress!)
                Kernels.parallelTiles(count: b1 - b0) { i in
                    let lower = (b0 + i) * width, upper = min(t, lower + width)
                    let lo = max(0, lower - reach), hi = min(t, upper + reach), w = hi - lo
                    // Frames lo..<start were overwritten: those come from the copy.
                    let n = max(0, start - lo), from = lo - previous.lower, kw = previous.values.cols
                    precondition(n == 0 || (from >= 0 && from + n <= kw), "mapTilesInPlace: context not kept")
                    let slice = Matrix(rows: rows, cols: w) { sp in
                        previous.values.data.withUnsafeBufferPointer { kp in
                            for c in 0..<rows {
                                if n > 0 { (sp + c * w).update(from: kp.baseAddress! + c * kw + from, count: n) }
                                (sp + c * w + n).update(from: src.value + c * t + lo + n, count: w - n)
                            }
                        }
                    }
                    let y = f(slice, lower - lo ..< upper - lo)
                    precondition(y.rows == rows && y.cols == upper - lower, "mapTilesInPlace: the map must return the kept frames")
                    (out.value + i).pointee = y
                }
            }
        }
        // The next batch's left context, before this batch overwrites it.
        let keepLower = max(0, end - reach)
        kept = (keepLower, x.columns(keepLower..<end))
        // The tiles written back on the threads too (disjoint frames).
        x.data.withUnsafeMutableBufferPointer { xp in
            let dst = UncheckedBox(xp.baseAddress!)
            Kernels.parallel(count: outputs.count) { i in
                let y = outputs[i]!, lower = (b0 + i) * width
                y.data.withUnsafeBufferPointer { yp in
                    for c in 0..<rows {
                        (dst.value + c * t + lower).update(from: yp.baseAddress! + c * y.cols, count: y.cols)
                    }
                }
            }
        }
        b0 = b1
    }
}
