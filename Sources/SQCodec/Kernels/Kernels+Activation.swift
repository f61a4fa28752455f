import Foundation

/// Element-wise activations.
extension Kernels {
    /// Snake (Ziyin et al. 2020, as in DAC and sq-codec), one α per row of a channel-first input:
    /// `y = x + 1/(α + eps) · sin²(α · x)`, `eps` = float32 epsilon. `x: (C, T)`, `alpha: C` values.
    public static func snake(_ x: Matrix, alpha: [Float]) -> Matrix {
        precondition(alpha.count == x.rows, "snake: \(alpha.count) alphas for \(x.rows) channels")
        var out = x
        out.data.withUnsafeMutableBufferPointer { p in
            for c in 0..<x.rows {
                let a = alpha[c]
                let inv = 1 / (a + float32Epsilon)
                let row = p.baseAddress! + c * x.cols
                for j in 0..<x.cols {
                    let s = sinf(a * row[j])
                    row[j] = row[j] + inv * (s * s)
                }
            }
        }
        return out
    }

    /// `tanh`, element-wise.
    public static func tanh(_ x: Matrix) -> Matrix {
        var out = x
        for i in 0..<out.data.count { out.data[i] = tanhf(out.data[i]) }
        return out
    }

    /// Exact GELU, `x/2 · (1 + erf(x/√2))` (PyTorch's default `approximate='none'`).
    @inline(__always) public static func gelu(_ x: Float) -> Float {
        0.5 * x * (1 + erff(x * 0.70710678118654752))
    }

    /// SiLU, `x · σ(x) = x / (1 + e^−x)`.
    @inline(__always) public static func silu(_ x: Float) -> Float {
        x / (1 + expf(-x))
    }

    /// GELU applied to every value.
    public static func gelu(_ x: Matrix) -> Matrix {
        var out = x
        for i in 0..<out.data.count { out.data[i] = gelu(out.data[i]) }
        return out
    }
}
