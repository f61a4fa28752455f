/// `nn.Upsample(scale_factor: s, mode: 'linear', align_corners: False)` as PyTorch's CPU kernel
/// computes it, for the decoder's up-layers and `UpTransV2`.
///
/// PyTorch computes the source position of output frame `j` as `scale · (j + ½) − ½` with a
/// fused multiply-add (one rounding), `scale = Float(1/s)`. Rounding the product first
/// (`Kernels.upsampleLinear`) moves the position by one ulp on a few frames; at 25 s of audio
/// (source positions up to ~1.35e5) that changes those frames' interpolation weights by up to
/// 4e-3, far above float32 noise. Measured against torch 2.13 for inputs of 3600…216000 frames
/// and factors 2–5: the fused form matches PyTorch's weights exactly, the unfused one differs on
/// up to 14 frames per call.
enum LinearUpsample {
    /// `x: (C, T)` → `(C, T·factor)`; the last frame repeats at the right edge.
    static func apply(_ x: Matrix, factor: Int) -> Matrix {
        let t = x.cols, tOut = t * factor
        var out = Matrix(rows: x.rows, cols: tOut)
        guard t > 0 else { return out }
        let scale = Float(1.0 / Double(factor))
        var i0 = [Int](repeating: 0, count: tOut), i1 = i0
        var l1 = [Float](repeating: 0, count: tOut)
        for j in 0..<tOut {
            let src = max(0, (-0.5 as Float).addingProduct(scale, Float(j) + 0.5))  // fused, as PyTorch
            let a = min(Int(src), t - 1)
            i0[j] = a
            i1[j] = a < t - 1 ? a + 1 : a
            l1[j] = min(max(src - Float(a), 0), 1)
        }
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { yp in
                for c in 0..<x.rows {
                    let xr = xp.baseAddress! + c * t, y = yp.baseAddress! + c * tOut
                    for j in 0..<tOut {
                        let w1 = l1[j]
                        y[j] = (1 - w1) * xr[i0[j]] + w1 * xr[i1[j]]
                    }
                }
            }
        }
        return out
    }
}
